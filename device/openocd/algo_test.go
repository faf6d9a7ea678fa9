package openocd_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"mpforge/device/flashalgo"
	"mpforge/device/openocd"
)

// algorithm builds flashalgo's test algorithm (device "Test Flash" at
// 0x10000000: 16 sectors of 4K, then 2 of 64K; 256-byte pages) with the
// real cross compiler.
func algorithm(t *testing.T, flags ...string) *flashalgo.Algorithm {
	t.Helper()
	out := filepath.Join(t.TempDir(), "algo.elf")
	args := append([]string{"-mcpu=cortex-m33", "-mthumb", "-Os", "-nostdlib", "-nostartfiles", "-fPIC", "-fvisibility=hidden",
		"-Wl,-T,../flashalgo/testdata/algo.ld", "-e", "Init", "-Wl,--undefined=UnInit", "-o", out, "../flashalgo/testdata/algo.c"}, flags...)
	if b, err := exec.Command("arm-none-eabi-gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("arm-none-eabi-gcc: %v\n%s", err, b)
	}
	a, err := flashalgo.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// image returns n bytes of a repeatable pattern.
func image(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

const testBase = 0x10000000

// fr30xx is the probe part of boards/fr30xx/board.toml.
var fr30xx = openocd.Options{Interface: "cmsis-dap", Transport: "swd", SpeedKHz: 4000, Extra: []string{
	"-c", "swd newdap fr30xx cpu -enable",
	"-c", "dap create fr30xx.dap -chain-position fr30xx.cpu",
	"-c", "target create fr30xx.cpu cortex_m -dap fr30xx.dap",
	"-c", "fr30xx.cpu configure -work-area-phys 0x20000000 -work-area-size 0x8000 -work-area-backup 0",
	"-c", "cortex_m reset_config sysresetreq",
}}

// With the board's real configuration and no probe, the generated script
// runs as far as init (so everything before it parsed and ran in OpenOCD's
// Tcl) and fails there with the classified "no probe"; its temporary files,
// in a folder whose path holds spaces, are gone afterwards.
func TestProgramAlgorithmNoProbe(t *testing.T) {
	tmp := filepath.Join(t.TempDir(), "a dir with spaces")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	var stages []string
	_, err := openocd.ProgramAlgorithm(context.Background(), fr30xx, openocd.Job{
		Algorithm: algorithm(t, "-DWITH_CRC"), Work: openocd.WorkArea{Addr: 0x20000000, Size: 0x8000},
		Image: image(10000), Base: testBase,
		Progress: func(p openocd.Progress) { stages = append(stages, p.Stage) },
	})
	var oe *openocd.Error
	if !errors.As(err, &oe) || oe.Kind != openocd.NoProbe || !strings.Contains(oe.Hint, "60-openocd.rules") {
		t.Fatalf("ProgramAlgorithm without a probe = %v, want the classified no-probe error", err)
	}
	t.Log(oe)
	if !slices.Equal(stages, []string{"connect"}) {
		t.Errorf("stages reported: %q, want [connect]", stages)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// OpenOCD's testee target on the dummy adapter lets init succeed, which
// registers the commands that only exist once connected. Every command the
// flash procs call must be one OpenOCD 0.12 then knows.
func TestAlgorithmTclCommandsExist(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("algo.tcl")
	if err != nil {
		t.Fatal(err)
	}
	// Commands start lines (continuations joined), brackets and catch bodies.
	code := strings.ReplaceAll(string(src), "\\\n", " ")
	words := map[string]bool{}
	for _, re := range []string{`(?m)^\s*([a-z_]+)\b`, `\[([a-z_]+)\b`, `catch \{([a-z_]+)\b`} {
		for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(code, -1) {
			words[m[1]] = true
		}
	}
	for _, w := range []string{"set_reg", "get_reg", "wait_halt", "resume", "load_image", "verify_image", "reset", "mww"} {
		if !words[w] {
			t.Fatalf("the scan of algo.tcl missed %s; found %v", w, words)
		}
	}
	var check strings.Builder
	for w := range words {
		check.WriteString("if {[info commands " + w + "] eq {}} { echo {missing: " + w + "} }\n")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "check.tcl")
	if err := os.WriteFile(script, []byte(check.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("timeout", "30", "openocd", "-c", "adapter driver dummy", "-c", "transport select jtag",
		"-c", "jtag newtap chip cpu -irlen 4", "-c", "target create chip.cpu testee -chain-position chip.cpu",
		"-f", "algo.tcl", "-c", "init", "-f", script, "-c", "echo {checked}", "-c", "shutdown").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("checked")) {
		t.Fatalf("openocd: %v\n%s", err, out)
	}
	if bytes.Contains(out, []byte("missing: ")) {
		t.Errorf("algo.tcl calls commands OpenOCD does not have:\n%s", out)
	}
}

func TestProgramAlgorithmRefuses(t *testing.T) {
	t.Parallel()
	a := algorithm(t)
	work := openocd.WorkArea{Addr: 0x20000000, Size: 0x8000}
	for name, tc := range map[string]struct {
		job  openocd.Job
		want string
	}{
		"mid-sector":     {openocd.Job{Algorithm: a, Work: work, Image: image(100), Base: testBase + 0x800}, "not the start of a sector"},
		"past the end":   {openocd.Job{Algorithm: a, Work: work, Image: image(0x30001), Base: testBase}, "runs past the end of Test Flash"},
		"empty":          {openocd.Job{Algorithm: a, Work: work, Base: testBase}, "empty"},
		"tiny work area": {openocd.Job{Algorithm: a, Work: openocd.WorkArea{Addr: 0x20000000, Size: 0x1000}, Image: image(100), Base: testBase}, "does not fit the 4096-byte work area"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// No OpenOCD is needed to refuse: an empty PATH proves it never ran.
			_, err := openocd.ProgramAlgorithm(context.Background(), openocd.Options{Binary: "/nonexistent/openocd", Interface: "dummy"}, tc.job)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ProgramAlgorithm = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPlanSectors(t *testing.T) {
	t.Parallel()
	a := algorithm(t)
	job := openocd.Job{Algorithm: a, Image: image(5*4096 + 100), Base: testBase, Work: openocd.WorkArea{Addr: 0x20000000, Size: 0x8000}}

	fresh, err := openocd.PlanSectors(job, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh.Sectors) != 6 || fresh.Program != 6 || fresh.Bytes != 5*4096+256 {
		t.Fatalf("plan without a record: %d sectors, %d to program, %d bytes; want 6, 6, 5*4096+256 (one padded page)",
			len(fresh.Sectors), fresh.Program, fresh.Bytes)
	}
	if last := fresh.Sectors[5]; last.Addr != testBase+5*4096 || last.Len != 256 || last.Size != 4096 {
		t.Errorf("last sector = %+v", last)
	}
	var out strings.Builder
	fresh.Write(&out, "out/test/flashed.json")
	if !strings.Contains(out.String(), "no record of a previous flash (out/test/flashed.json)") ||
		!strings.Contains(out.String(), "Test Flash, 192 KiB at 0x10000000, 4 KiB/64 KiB sectors, 256-byte pages; no Crc32 or Verify") ||
		!strings.Contains(out.String(), "work area 0x20000000..0x20008000: algorithm") ||
		!strings.Contains(out.String(), "erase+program    sectors 1-6    0x10000000..0x10005100") {
		t.Errorf("plan output:\n%s", out.String())
	}

	rec, err := openocd.NewRecord(job)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out", "flashed.json")
	if err := openocd.WriteRecord(path, rec); err != nil {
		t.Fatal(err)
	}
	prev, err := openocd.ReadRecord(path)
	if err != nil || prev == nil {
		t.Fatalf("ReadRecord = %v, %v", prev, err)
	}

	// One byte changed in the third sector, and the image grows into a 7th.
	changed := slices.Clone(job.Image)
	changed[2*4096+17] ^= 0xFF
	changed = append(changed, image(4096)...)
	job.Image = changed
	plan, err := openocd.PlanSectors(job, prev)
	if err != nil {
		t.Fatal(err)
	}
	small := job
	small.Work.Size = 0x400
	if _, err := openocd.PlanSectors(small, prev); err == nil || !strings.Contains(err.Error(), "does not fit the 1024-byte work area") {
		t.Errorf("PlanSectors with a 1K work area = %v", err)
	}
	var program []int
	for _, s := range plan.Sectors {
		if s.Program {
			program = append(program, s.Index)
		}
	}
	// Sector 6 held 256 bytes before and is full now; sector 7 is new.
	if want := []int{3, 6, 7}; !slices.Equal(program, want) || plan.Program != 3 {
		t.Errorf("sectors to program: %v, want %v", program, want)
	}
	out.Reset()
	plan.Write(&out, path)
	for _, want := range []string{"3 of 7 sectors change", "skip (unchanged) sectors 1-2", "erase+program    sector 3 ", "dry run: 3 sectors to erase and program, 4 to skip"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRecordFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if r, err := openocd.ReadRecord(filepath.Join(dir, "none.json")); r != nil || err != nil {
		t.Errorf("ReadRecord of a missing file = %v, %v; want nil, nil", r, err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{"), 0o644)
	if _, err := openocd.ReadRecord(bad); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("ReadRecord of a broken file = %v", err)
	}
}
