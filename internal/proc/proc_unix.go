//go:build unix && !linux

package proc

import "syscall"

// sysProcAttr gives the tool its own process group so stopping it reaches
// anything it spawns; only Linux can also tie its life to ours.
func sysProcAttr(syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
