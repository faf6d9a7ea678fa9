//go:build unix

package build

import (
	"os"
	"syscall"
)

// fileID is the inode: a file replaced by a rename gets a new one.
func fileID(fi os.FileInfo) uint64 {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(sys.Ino)
	}
	return 0
}
