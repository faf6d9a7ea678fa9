//go:build mage

// mpforge builds MicroPython firmware for Cortex-M boards.
//
// The board is an argument where a target takes one, else MPFORGE_BOARD,
// else fr30xx. Other options come from the environment: MICROPY_DIR (your own
// MicroPython clone), MPFORGE_JOBS (parallel compiles), MPFORGE_CC_LAUNCHER
// (e.g. ccache). `mage -v <target>` prints every command it runs.
package main

import (
	"context"
	"os"

	"github.com/magefile/mage/mg"

	"mpforge/tasks"
)

// Aliases give the targets that take an optional board their short names.
var Aliases = map[string]any{
	"build": Build.Default,
	"flash": Flash.Default,
	"test":  Test.All,
	"watch": Watch.Default,
	"ci":    CI.All,
}

// env is what every target starts from.
func env() (*tasks.Env, error) { return tasks.NewEnv(mg.Verbose()) }

// Build holds the build targets.
type Build mg.Namespace

// Board builds the named board's firmware into out/<board>/, as in build:board fr30xx.
func (Build) Board(ctx context.Context, board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	_, err = e.BuildBoard(ctx, board, os.Stdout)
	return err
}

// Default builds MPFORGE_BOARD, or fr30xx (alias: build).
func (Build) Default(ctx context.Context) error { return Build{}.Board(ctx, "") }

// Setup installs the cross toolchain, QEMU and OpenOCD, and fetches MicroPython.
func Setup(ctx context.Context) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.Setup(ctx, os.Stdout)
}

// Boards lists the boards with a summary of each.
func Boards() error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.ListBoards(os.Stdout)
}

// Test holds the test targets.
type Test mg.Namespace

// All installs what the tests need and runs every test (alias: test; CI runs it).
func (Test) All(ctx context.Context) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.Test(ctx, os.Stdout, os.Stderr)
}

// Run holds the targets that run firmware.
type Run mg.Namespace

// Qemu runs a board's firmware on its QEMU twin with the REPL here (Ctrl-] or Ctrl-X exits), or on a pty or TCP port for mpremote (MPFORGE_QEMU_SERIAL=pty|tcp:PORT).
func (Run) Qemu(ctx context.Context, board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.RunQEMU(ctx, board)
}

// Script runs test scripts on the board (MPFORGE_PORT) or a twin (MPFORGE_QEMU=mps2-an505): a file, a folder's test_*.py, a glob; several comma-separated.
//
// Mage targets take a fixed number of arguments, so several paths are one
// comma-separated argument ("a.py,b.py,val/"). Each script runs after a soft
// reset, through the raw REPL, with a time limit (MPFORGE_TIMEOUT, default
// 60s). MPFORGE_PORT and MPFORGE_QEMU may list several boards (run side by
// side). MPFORGE_JUNIT=report.xml writes a JUnit report; MPFORGE_FLASH=1
// flashes first. Fails when any script fails. See docs/scripts.md.
func (Run) Script(ctx context.Context, paths string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.RunScripts(ctx, []string{paths}, os.Stdout)
}

// FS holds the targets for the board's own filesystem.
type FS mg.Namespace

// Sync copies a folder (recursively) into the board's filesystem at /, rewriting only changed files.
//
// The board is the one at MPFORGE_PORT (or MPFORGE_QEMU's twin, whose files last until QEMU exits);
// its board file needs a [filesystem] table. Put libraries in DIR/lib (on sys.path) and a main.py
// that runs at start-up.
func (FS) Sync(ctx context.Context, dir string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.FSSync(ctx, dir, "/", os.Stdout)
}

// Flash holds the flashing targets.
type Flash mg.Namespace

// Board builds if needed and programs a board through OpenOCD: sectors already equal are skipped (MPFORGE_PROBE, MPFORGE_PROBE_SERIAL, MPFORGE_ADAPTER_KHZ, MPFORGE_OPENOCD_ARGS, MPFORGE_FLASH_ALGORITHM).
func (Flash) Board(ctx context.Context, board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.Flash(ctx, board, os.Stdout)
}

// Default flashes MPFORGE_BOARD, or fr30xx (alias: flash).
func (Flash) Default(ctx context.Context) error { return Flash{}.Board(ctx, "") }

// Plan prints, without a probe, which sectors flashing a board would erase and program and which it would skip.
func (Flash) Plan(ctx context.Context, board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.FlashPlan(ctx, board, os.Stdout)
}

// Hil is the first-board checklist: build, flash, the banner on MPFORGE_PORT, the smoke scripts, a verdict and out/<board>/hil-report.txt to send back (on a board's QEMU twin when MPFORGE_PORT is unset).
func Hil(ctx context.Context, board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.HIL(ctx, board, os.Stdout)
}

// Monitor opens a serial terminal on the console port (MPFORGE_PORT, MPFORGE_BAUD); Ctrl-] or Ctrl-X exits.
func Monitor(ctx context.Context) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.Monitor(ctx, "")
}

// Fuzz runs every Go fuzz test for MPFORGE_FUZZTIME each (default 30s); CI runs it.
func Fuzz(ctx context.Context) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.Fuzz(ctx, os.Stdout)
}

// Bench times mpforge against upstream make (ports/qemu, MPS2_AN385) and prints a table.
func Bench(ctx context.Context) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.Bench(ctx, os.Stdout)
}

// Frozen lists the Python modules frozen into a board's firmware, as in frozen mps2-an505.
//
// They are the board file's [frozen] modules plus MPFORGE_FROZEN: paths
// separated by ':', relative to the checkout; a file is a module, a folder a
// library root.
func Frozen(board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.ListFrozen(board, os.Stdout)
}

// Wine builds every package's tests for windows/amd64 and runs them under Wine 9 or later (CI runs it).
//
// Without a new enough Wine on PATH, as root on Debian, it sets up Debian
// 13's Wine in a chroot (MPFORGE_WINE_ROOT) the first time.
func (Test) Wine(ctx context.Context) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.TestWine(ctx, os.Stdout)
}

// Target runs the MicroPython tree's own tests on a board's QEMU twin (MPFORGE_TEST_DIRS, default basics).
//
// MPFORGE_TEST_INCLUDE and MPFORGE_TEST_EXCLUDE filter tests by regular
// expression; the run fails when any test fails.
func (Test) Target(ctx context.Context, board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	_, err = e.TestTarget(ctx, board, os.Stdout)
	return err
}

// Watch holds the watch targets: rebuild on every saved change until Ctrl-C.
type Watch mg.Namespace

// Board watches the named board and rebuilds it on every saved change.
func (Watch) Board(ctx context.Context, board string) error {
	return watchBoard(ctx, board, tasks.WatchOptions{})
}

// Default watches MPFORGE_BOARD, or fr30xx (alias: watch).
func (Watch) Default(ctx context.Context) error { return watchBoard(ctx, "", tasks.WatchOptions{}) }

// Run watches a board with a QEMU twin and restarts it with each good build; Ctrl-] or Ctrl-X exits.
func (Watch) Run(ctx context.Context, board string) error {
	return watchBoard(ctx, board, tasks.WatchOptions{Run: true})
}

// Flash watches a board and flashes it after each good build, with the probe settings of flash.
func (Watch) Flash(ctx context.Context, board string) error {
	return watchBoard(ctx, board, tasks.WatchOptions{Flash: true})
}

func watchBoard(ctx context.Context, board string, o tasks.WatchOptions) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.Watch(ctx, board, o, os.Stdout)
}

// Export holds the targets that hand MicroPython to a product's own firmware project.
type Export mg.Namespace

// Embed writes a board's MicroPython as a source tree into DIR, as in export:embed fr30xx ../product/mpy.
//
// DIR gets the sources the board compiles, the port with the embedding API
// (port/embed/mpforge_embed.h), genhdr/, frozen_content.c, mpforge-manifest.json
// and fragments for CMake (micropython.cmake), Make (micropython.mk) and
// Keil µVision (micropython.keil.txt, micropython.uvgroup.xml). Run it again
// after a change: only changed files are rewritten, files that left are removed.
func (Export) Embed(ctx context.Context, board, dir string) error {
	e, err := env()
	if err != nil {
		return err
	}
	_, err = e.ExportEmbed(ctx, board, dir, os.Stdout)
	return err
}

// Lib builds a board's MicroPython as out/<board>/libmicropython.a with out/<board>/include/mpforge_embed.h.
//
// For a product's firmware that links a library: it keeps its own startup,
// vectors, linker script and UART driver, and calls the API in the header.
func (Build) Lib(ctx context.Context, board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	_, err = e.BuildLib(ctx, board, os.Stdout)
	return err
}

// Genhdr regenerates DIR/genhdr/ for the sources your project compiles (header-only mode), as in genhdr fr30xx ../product/mpy.
//
// The sources and flags come from DIR/compile_commands.json, else
// DIR/mpforge-sources.txt (an export writes one), else the file named by
// MPFORGE_SOURCES. Only headers whose content changed are rewritten, so it
// fits an IDE's pre-build step, in place of running MicroPython's scripts by hand.
func Genhdr(ctx context.Context, board, dir string) error {
	e, err := env()
	if err != nil {
		return err
	}
	_, err = e.GenHeaders(ctx, board, dir, os.Stdout)
	return err
}

// CI holds the release targets.
type CI mg.Namespace

// All builds every board into dist/ with size.json, manifest.json and SHA256SUMS (MPFORGE_SIZE_BASELINE compares).
func (CI) All(ctx context.Context) error { return ciBoards(ctx, nil) }

// Boards builds the comma-separated boards into dist/, as in ci:boards fr30xx,mps2-an505.
func (CI) Boards(ctx context.Context, boards string) error {
	return ciBoards(ctx, tasks.BoardList(boards))
}

func ciBoards(ctx context.Context, names []string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.CI(ctx, names, os.Stdout)
}
