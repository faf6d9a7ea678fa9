package build

import (
	"os"
	"syscall"
)

// fileID: a directory listing's stat has no file index on Windows (that
// needs a handle per file), so the creation time stands in for it: a file
// written to a temporary name and renamed over the old one has a new one.
func fileID(fi os.FileInfo) uint64 {
	if sys, ok := fi.Sys().(*syscall.Win32FileAttributeData); ok {
		return uint64(sys.CreationTime.Nanoseconds())
	}
	return 0
}
