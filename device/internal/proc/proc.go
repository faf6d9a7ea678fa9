// Package proc starts the external tools of the device packages (QEMU,
// OpenOCD) so that none outlives its caller.
package proc

import (
	"context"
	"os/exec"
	"syscall"
	"time"
)

// Command is exec.CommandContext with the process in its own process group:
// when ctx ends the whole group gets SIGTERM, and the process SIGKILL if it
// is still there after grace.
func Command(ctx context.Context, grace time.Duration, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = sysProcAttr()
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = grace
	return cmd
}
