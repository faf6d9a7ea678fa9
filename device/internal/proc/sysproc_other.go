//go:build unix && !linux

package proc

import "syscall"

// sysProcAttr gives the tool its own process group so stopping it reaches anything it spawns.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
