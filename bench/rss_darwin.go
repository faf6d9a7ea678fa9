package bench

import (
	"os"
	"syscall"
)

// maxRSSKB is the process's peak resident memory; macOS counts ru_maxrss in bytes.
func maxRSSKB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss / 1024
	}
	return 0
}
