package firmware_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"mpforge/boards/fr30xx/burn"
	"mpforge/internal/testfw"
)

// TestFR30xxFlashImage checks that the fr30xx build leaves the image its
// boot ROM starts from, made from this very firmware.bin.
func TestFR30xxFlashImage(t *testing.T) {
	res, b := testfw.Firmware(t, "fr30xx")
	if filepath.Base(res.FlashImage) != "firmware_burn.bin" || b.FlashBase() != 0x08000000 {
		t.Fatalf("flash image %s at %#x, want firmware_burn.bin at 0x08000000", res.FlashImage, b.FlashBase())
	}
	app, err := os.ReadFile(res.BIN)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(res.FlashImage)
	if err != nil {
		t.Fatal(err)
	}
	want, err := burn.Image(app)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s (%d bytes) is not the burn image of %s (%d bytes)", res.FlashImage, len(got), res.BIN, len(want))
	}
	if !bytes.Equal(got[burn.ExecOffset:], app) {
		t.Errorf("firmware.bin does not follow the boot sector at offset %#x", burn.ExecOffset)
	}
}

// TestTwinsFlashFirmwareBin: a board without [flash] image programs firmware.bin.
func TestTwinsFlashFirmwareBin(t *testing.T) {
	res, _ := testfw.Firmware(t, "mps2-an505")
	if res.FlashImage != res.BIN || res.Loader != "" {
		t.Errorf("flash image %q, loader %q; want firmware.bin and no loader", res.FlashImage, res.Loader)
	}
}
