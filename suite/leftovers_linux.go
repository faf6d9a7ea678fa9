package suite

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// stopLeftovers kills any QEMU still running our kernel: run-tests.py
// stops it on every normal exit, but not when it is killed outright.
func stopLeftovers(kernel string) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p) // arguments, each ending in NUL
		if err != nil || !bytes.Contains(data, []byte("\x00"+kernel+"\x00")) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
