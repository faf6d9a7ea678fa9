package tasks_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mpforge/device/openocd/emutest"
)

// `flash:board fr30xx` end to end through real OpenOCD 0.12: the board's
// own OpenOCD commands (SWD swapped for the emulated probe's JTAG), our
// loader on an emulated FR30xx, the whole burn image; then the dry run
// knows the chip holds it, and a second flash programs nothing.
func TestFlashFR30xxThroughEmulatedProbe(t *testing.T) {
	env := repoEnv(t)
	ctx := context.Background()
	tg := emutest.Start(t, emutest.Config{Dump: 1 << 20})
	o := tg.Options(t, "fr30xx")
	var out bytes.Buffer
	if err := env.FlashWithForTest(ctx, "fr30xx", o, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	image, err := os.ReadFile(filepath.Join(env.Root, "out", "fr30xx", "firmware_burn.bin"))
	if err != nil {
		t.Fatal(err)
	}
	sectors := (len(image) + 4095) / 4096
	want := regexp.MustCompile(`flashed fr30xx: programmed (\d+) of (\d+) sectors, .* verified \(out/fr30xx/firmware_burn.bin at 0x08000000 through out/fr30xx/flasher.elf\)`)
	m := want.FindStringSubmatch(out.String())
	if m == nil || m[2] != strconv.Itoa(sectors) {
		t.Fatalf("summary: want %d sectors in:\n%s", sectors, out.String())
	}

	var plan bytes.Buffer
	if err := env.FlashPlan(ctx, "fr30xx", &plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.String(), "dry run: 0 sectors to erase and program, "+strconv.Itoa(sectors)+" to skip") {
		t.Errorf("after the flash the plan should skip every sector:\n%s", plan.String())
	}

	out.Reset()
	if err := env.FlashWithForTest(ctx, "fr30xx", o, &out); err != nil {
		t.Fatalf("second flash: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "programmed 0 of "+strconv.Itoa(sectors)+" sectors") {
		t.Errorf("a second flash of the same image should program nothing:\n%s", out.String())
	}
	rep := tg.Stop(t)
	if got := rep.Flash[:len(image)]; !bytes.Equal(got, image) {
		t.Errorf("the emulated flash does not hold firmware_burn.bin")
	}
}
