//go:build unix

package proc

import "syscall"

// stopGroup sends stop to the tool's whole process group.
func stopGroup(pid int, stop syscall.Signal) error { return syscall.Kill(-pid, stop) }
