package tasks_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"mpforge/device/openocd"
)

// Flashing fr30xx without a probe goes as far as OpenOCD can and fails with
// the classified error, leaving no record of a flash that did not happen.
func TestFlashWithoutProbe(t *testing.T) {
	env := repoEnv(t)
	record := filepath.Join(env.Root, "out", "fr30xx", "flashed.json")
	os.WriteFile(record, []byte("{}"), 0o644) // a stale record of an earlier flash
	var out bytes.Buffer
	err := env.Flash(context.Background(), "fr30xx", &out)
	var oe *openocd.Error
	if !errors.As(err, &oe) || oe.Kind != openocd.NoProbe {
		t.Fatalf("want the no-probe error, got %v\n%s", err, out.String())
	}
	if _, err := os.Stat(record); !os.IsNotExist(err) {
		t.Errorf("%s outlived a failed flash: %v", record, err)
	}
}

// The dry run plans every sector of fr30xx's image without a record, and
// none once a record says the flash already holds this image.
func TestFlashPlan(t *testing.T) {
	env := repoEnv(t)
	ctx := context.Background()
	record := filepath.Join(env.Root, "out", "fr30xx", "flashed.json")
	os.Remove(record)
	t.Cleanup(func() { os.Remove(record) })
	var out bytes.Buffer
	if err := env.FlashPlan(ctx, "fr30xx", &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	image, err := os.ReadFile(filepath.Join(env.Root, "out", "fr30xx", "firmware_burn.bin"))
	if err != nil {
		t.Fatal(err)
	}
	sectors := (len(image) + 4095) / 4096
	if want := "dry run: " + strconv.Itoa(sectors) + " sectors to erase and program, 0 to skip"; !strings.Contains(out.String(), want) {
		t.Fatalf("want %q in:\n%s", want, out.String())
	}
	plan := out.String()
	if !strings.Contains(plan, "at 0x08000000") || !strings.Contains(plan, "flasher.elf") {
		t.Errorf("the plan does not say where and with what:\n%s", plan)
	}

	job, err := env.FlashJobForTest("fr30xx")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := openocd.NewRecord(*job)
	if err != nil {
		t.Fatal(err)
	}
	if err := openocd.WriteRecord(record, rec); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := env.FlashPlan(ctx, "fr30xx", &out); err != nil {
		t.Fatal(err)
	}
	if want := "dry run: 0 sectors to erase and program, " + strconv.Itoa(sectors) + " to skip"; !strings.Contains(out.String(), want) {
		t.Fatalf("after a recorded flash of the same image, want %q in:\n%s", want, out.String())
	}
}
