//go:build mage

// mpforge builds MicroPython firmware for Cortex-M boards.
// Options come from the environment: MPFORGE_BOARD (default board),
// MICROPY_DIR (your own MicroPython clone), MPFORGE_JOBS (parallel
// compiles), MPFORGE_CC_LAUNCHER (e.g. ccache). `mage -v` prints every command.
package main

import (
	"context"
	"os"

	"github.com/magefile/mage/mg"

	"mpforge/tasks"
)

// env is what every target starts from.
func env() (*tasks.Env, error) { return tasks.NewEnv(mg.Verbose()) }

// Build holds the build targets.
type Build mg.Namespace

// Board builds one board's firmware into out/<board>/ (e.g. `build:board fr30xx`).
func (Build) Board(ctx context.Context, board string) error {
	env, err := env()
	if err != nil {
		return err
	}
	_, err = env.BuildBoard(ctx, board, os.Stdout)
	return err
}

// Setup installs the cross toolchain, QEMU and OpenOCD, and fetches MicroPython.
func Setup(ctx context.Context) error {
	env, err := env()
	if err != nil {
		return err
	}
	return env.Setup(ctx, os.Stdout)
}

// Boards lists the boards with a summary of each.
func Boards() error {
	env, err := env()
	if err != nil {
		return err
	}
	return env.ListBoards(os.Stdout)
}

// Test installs what the tests need and runs every test (the CI command).
func Test(ctx context.Context) error {
	env, err := env()
	if err != nil {
		return err
	}
	return env.Test(ctx, os.Stdout, os.Stderr)
}
