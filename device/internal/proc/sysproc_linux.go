package proc

import "syscall"

// sysProcAttr gives the tool its own process group (so stopping it reaches anything it
// spawns) and has the kernel kill it if this process dies without cleaning up.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
