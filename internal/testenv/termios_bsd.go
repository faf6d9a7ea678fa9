//go:build darwin || freebsd || netbsd || openbsd

package testenv

import "golang.org/x/sys/unix"

// Termios reads a terminal's settings, for tests of raw mode.
func Termios(fd int) (*unix.Termios, error) { return unix.IoctlGetTermios(fd, unix.TIOCGETA) }
