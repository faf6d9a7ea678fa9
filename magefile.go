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

// Qemu runs a board's firmware on its QEMU twin with the REPL here; Ctrl-] or Ctrl-X exits.
func (Run) Qemu(ctx context.Context, board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.RunQEMU(ctx, board)
}

// Script runs a .py file or a folder of them on the board (MPFORGE_PORT) or a twin (MPFORGE_QEMU=mps2-an505).
//
// Each script runs after a soft reset, through the raw REPL, with a time limit
// (MPFORGE_TIMEOUT, default 60s; a script may say "# mpforge: timeout=300").
// MPFORGE_JUNIT=report.xml writes a JUnit report. Fails when any script fails.
func (Run) Script(ctx context.Context, path string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.RunScripts(ctx, []string{path}, os.Stdout)
}

// Flash holds the flashing targets.
type Flash mg.Namespace

// Board builds if needed and programs a board through OpenOCD (MPFORGE_PROBE, MPFORGE_PROBE_SERIAL, MPFORGE_OPENOCD_ARGS).
func (Flash) Board(ctx context.Context, board string) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.Flash(ctx, board, os.Stdout)
}

// Default flashes MPFORGE_BOARD, or fr30xx (alias: flash).
func (Flash) Default(ctx context.Context) error { return Flash{}.Board(ctx, "") }

// Monitor opens a serial terminal on the console port (MPFORGE_PORT, MPFORGE_BAUD); Ctrl-] or Ctrl-X exits.
func Monitor(ctx context.Context) error {
	e, err := env()
	if err != nil {
		return err
	}
	return e.Monitor(ctx, "")
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
