package tasks

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"

	"mpforge/provision"
)

// Test sets up everything the tests use and runs `go test` on every package.
// The tests run real tools (compiler, QEMU, OpenOCD, MicroPython's scripts),
// so they are installed first.
func (e *Env) Test(ctx context.Context, stdout, stderr io.Writer) error {
	tools := slices.Concat(provision.Toolchain, provision.Host, provision.Emulator, provision.Flasher, provision.TestRunner, provision.TestTools, provision.Launchers)
	if err := installTools(ctx, e.Logger, tools); err != nil {
		return err
	}
	if _, err := e.Tree(ctx); err != nil {
		return err
	}
	if err := e.crossVet(ctx, stdout, stderr); err != nil {
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

// Platforms are the other systems every package must build for, tests included.
var Platforms = []string{"windows/amd64", "windows/arm64", "darwin/arm64", "linux/arm64"}

// crossVet runs go vet for each of Platforms, so code that only builds on
// Linux fails here rather than on a user's machine.
func (e *Env) crossVet(ctx context.Context, stdout, stderr io.Writer) error {
	for _, p := range Platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		cmd := exec.CommandContext(ctx, "go", "vet", "./...")
		cmd.Dir = e.Root
		cmd.Stdout, cmd.Stderr = stdout, stderr
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("GOOS=%s GOARCH=%s go vet ./...: %w", goos, goarch, err)
		}
	}
	fmt.Fprintf(stdout, "go vet: ok for %s\n", strings.Join(Platforms, ", "))
	return nil
}
