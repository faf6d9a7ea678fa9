// Package proc starts external tools (compilers, QEMU, OpenOCD,
// run-tests.py) so that none outlives its caller.
package proc

import (
	"context"
	"os/exec"
	"syscall"
	"time"
)

// Command is exec.CommandContext with the process in its own process group
// (on Windows: its process tree): when ctx ends the whole group gets stop,
// and the process is killed if it is still there after grace. Where the OS
// can, the process also gets stop when this process dies without cleaning up.
func Command(ctx context.Context, stop syscall.Signal, grace time.Duration, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = sysProcAttr(stop)
	cmd.Cancel = func() error { return stopGroup(cmd.Process.Pid, stop) }
	cmd.WaitDelay = grace
	return cmd
}
