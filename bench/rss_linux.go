package bench

import (
	"os"
	"syscall"
)

// maxRSSKB is the process's peak resident memory; Linux counts ru_maxrss in KiB.
func maxRSSKB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
