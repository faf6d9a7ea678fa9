package emutest

import (
	"os/exec"
	"path/filepath"
	"testing"

	"mpforge/internal/testenv"
)

// TestFlashModel runs the flash model's own checks (emu/test_fr30xx_flash.py):
// the behaviour the loader tests rely on, checked against what the HAL and the
// datasheets say a part does.
func TestFlashModel(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python(), filepath.Join(root, "emu", "test_fr30xx_flash.py")).CombinedOutput()
	if err != nil {
		t.Fatalf("%s emu/test_fr30xx_flash.py: %v\n%s", python(), err, out)
	}
}
