package proc

import "syscall"

// sysProcAttr gives the tool its own process group (so stopping it reaches
// anything it spawns) and has the kernel send it stop if this process dies.
func sysProcAttr(stop syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: stop}
}
