package winetest

import (
	"os"
	"testing"
)

func TestUnescapeMount(t *testing.T) {
	if got := unescapeMount(`/work/a\040b\011c\134d`); got != "/work/a b\tc\\d" {
		t.Errorf("got %q", got)
	}
}

// The root folder is a mount point in every mount namespace; a plain
// folder is not.
func TestIsMountPoint(t *testing.T) {
	if _, err := os.Stat("/proc/self/mountinfo"); err != nil {
		t.Skip("no /proc/self/mountinfo")
	}
	if ok, err := isMountPoint("/"); err != nil || !ok {
		t.Errorf(`isMountPoint("/") = %v, %v`, ok, err)
	}
	if ok, err := isMountPoint(t.TempDir()); err != nil || ok {
		t.Errorf("a fresh temporary folder: isMountPoint = %v, %v", ok, err)
	}
}
