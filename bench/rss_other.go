//go:build !linux && !darwin

package bench

import "os"

// maxRSSKB: other systems report no peak memory for a finished child; 0 prints as not measured.
func maxRSSKB(*os.ProcessState) int64 { return 0 }
