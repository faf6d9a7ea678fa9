package tasks

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"

	"mpforge/provision"
)

// Test sets up everything the tests use and runs `go test` on every package.
// The tests run real tools (compiler, QEMU, OpenOCD, MicroPython's scripts),
// so they are installed first.
func (e *Env) Test(ctx context.Context, stdout, stderr io.Writer) error {
	tools := slices.Concat(provision.Toolchain, provision.Host, provision.Emulator, provision.Flasher, provision.TestRunner, provision.Launchers)
	if err := installTools(ctx, e.Logger, tools); err != nil {
		return err
	}
	if _, err := e.Tree(ctx); err != nil {
		return err
	}
	args := []string{"test", "-count=1", "-timeout=50m", "./..."}
	if e.Verbose {
		args = slices.Insert(args, 1, "-v")
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = e.Root
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = os.Environ()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %v: %w", args, err)
	}
	return nil
}
