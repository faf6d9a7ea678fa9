package firmware

import (
	"context"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mpforge/boards"
	"mpforge/build"
	"mpforge/internal/testenv"
	"mpforge/toolchain"
)

const sdkEnv = "FR30XX_SDK"

func loadBoard(t *testing.T, name string) (root string, b *boards.Board) {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err = boards.Load(filepath.Join(root, "boards"), name)
	if err != nil {
		t.Fatal(err)
	}
	return root, b
}

// fakeSDK lays out the files and folders an [sdk] table names, all empty,
// under dir, except the ones listed in without.
func fakeSDK(t *testing.T, dir string, s boards.SDK, without ...string) string {
	t.Helper()
	for _, inc := range s.Includes {
		if err := os.MkdirAll(filepath.Join(dir, inc), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range append(s.Compiled(), s.LDScript) {
		if slices.Contains(without, f) {
			continue
		}
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestModeChoice(t *testing.T) {
	_, fr := loadBoard(t, "fr30xx")
	_, an505 := loadBoard(t, "mps2-an505")
	sdk := fakeSDK(t, t.TempDir(), fr.SDK)
	for _, tc := range []struct {
		name  string
		board *boards.Board
		env   map[string]string
		want  Mode
		says  string
	}{
		{"no [sdk] table", an505, map[string]string{sdkEnv: sdk}, Mode{}, ""},
		{"variable unset", fr, nil, Mode{Env: sdkEnv}, "no SDK configured (set FR30XX_SDK to build with the vendor SDK)"},
		{"variable empty", fr, map[string]string{sdkEnv: ""}, Mode{Env: sdkEnv}, "no SDK configured (set FR30XX_SDK to build with the vendor SDK)"},
		{"variable set", fr, map[string]string{sdkEnv: sdk}, Mode{Env: sdkEnv, SDK: sdk}, "vendor SDK at " + sdk + " (FR30XX_SDK)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := chooseMode(tc.board, lookup(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if m != tc.want || m.String() != tc.says {
				t.Errorf("got %+v %q, want %+v %q", m, m, tc.want, tc.says)
			}
		})
	}
	t.Run("relative path", func(t *testing.T) {
		t.Chdir(filepath.Dir(sdk))
		m, err := chooseMode(fr, lookup(map[string]string{sdkEnv: filepath.Base(sdk)}))
		if err != nil || m.SDK != sdk {
			t.Errorf("got %+v, %v; want the SDK as the absolute %s", m, err, sdk)
		}
	})
}

func TestWrongSDKIsAnErrorNamingTheFile(t *testing.T) {
	_, b := loadBoard(t, "fr30xx")
	check := func(t *testing.T, dir string, want ...string) {
		t.Helper()
		_, err := chooseMode(b, lookup(map[string]string{sdkEnv: dir}))
		if err == nil {
			t.Fatalf("%s=%s: no error", sdkEnv, dir)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error lacks %q:\n%v", w, err)
			}
		}
	}
	t.Run("no such folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nowhere")
		check(t, dir, "board fr30xx", "FR30XX_SDK="+dir, "no such folder", "unset it")
	})
	t.Run("a file instead of a folder", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "components")
		os.WriteFile(file, nil, 0o644)
		check(t, file, "FR30XX_SDK="+file, "no such folder")
	})
	t.Run("missing files", func(t *testing.T) {
		dir := fakeSDK(t, t.TempDir(), b.SDK, "drivers/peripheral/Src/driver_uart.c", "tools/gcc/ldscript.ld")
		os.RemoveAll(filepath.Join(dir, "drivers/peripheral/drv_common"))
		check(t, dir, "FR30XX_SDK="+dir, "missing drivers/peripheral/Src/driver_uart.c, tools/gcc/ldscript.ld, drivers/peripheral/drv_common/",
			"point FR30XX_SDK at")
	})
	t.Run("top of the SDK instead of components", func(t *testing.T) {
		top := t.TempDir()
		components := fakeSDK(t, filepath.Join(top, "fr30xx_c", "components"), b.SDK)
		check(t, top, "holds none of the files the board's [sdk] table names, such as drivers/device/fr30xx/gcc/startup_fr30xx.S",
			"set FR30XX_SDK="+components)
	})
	t.Run("a subfolder of the SDK", func(t *testing.T) {
		components := fakeSDK(t, t.TempDir(), b.SDK)
		check(t, filepath.Join(components, "drivers", "peripheral"), "set FR30XX_SDK="+components)
	})
}

// newPlan plans a build of board into out; nothing is compiled.
func newPlan(t *testing.T, root string, b *boards.Board, out string) *Plan {
	t.Helper()
	tc, err := toolchain.Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(Config{Root: root, Board: b, TreeDir: testenv.MicroPythonDir(t), Toolchain: tc, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// stepsByLabel maps "CC py/obj.c" to the command that identifies that step.
func stepsByLabel(p *Plan) map[string][]string {
	m := map[string][]string{}
	for _, s := range p.Steps {
		if s.Sub != nil { // a build of its own (mpy-cross), no command
			continue
		}
		m[s.Kind+" "+s.Name] = s.Command[:len(s.Command)-1] // without the toolchain fingerprint
	}
	return m
}

// TestSDKPlan plans both modes of each fr30xx variant against a fake SDK
// and checks what SDK mode compiles, how, and that everything else is
// planned with the same command in both modes, so switching rebuilds only
// what differs.
func TestSDKPlan(t *testing.T) {
	for _, name := range []string{"fr30xx", "fr30xx-minimal"} {
		t.Run(name, func(t *testing.T) {
			root, b := loadBoard(t, name)
			sdk := fakeSDK(t, t.TempDir(), b.SDK)
			out := t.TempDir()
			t.Setenv(sdkEnv, "")
			own := newPlan(t, root, b, out)
			t.Setenv(sdkEnv, sdk)
			vendor := newPlan(t, root, b, out)
			if own.Mode != (Mode{Env: sdkEnv}) || vendor.Mode != (Mode{Env: sdkEnv, SDK: sdk}) {
				t.Fatalf("modes %+v and %+v", own.Mode, vendor.Mode)
			}
			ownSteps, sdkSteps := stepsByLabel(own), stepsByLabel(vendor)

			for _, rel := range b.SDK.Compiled() {
				label := "CC $FR30XX_SDK/" + rel
				cmd, ok := sdkSteps[label]
				if !ok {
					t.Errorf("no step %q", label)
					continue
				}
				for _, want := range []string{"-mcpu=cortex-m33", "-mfloat-abi=hard", "-w", "-std=gnu99",
					filepath.Join(sdk, "drivers/peripheral/Inc"), vendor.rel(filepath.Join(testenv.MicroPythonDir(t), "lib/cmsis/inc"))} {
					if !slices.Contains(cmd, want) {
						t.Errorf("%s lacks %s: %q", label, want, cmd)
					}
				}
				if slices.Contains(cmd, "-Werror") || slices.Contains(cmd, "-Iport") || slices.Contains(cmd, "-DNDEBUG") {
					t.Errorf("%s has the board's own flags: %q", label, cmd)
				}
			}
			var changed []string
			for label, cmd := range sdkSteps {
				if strings.HasPrefix(label, "QSTR $") {
					t.Errorf("vendor source scanned for qstrs: %s", label)
				}
				if before, ok := ownSteps[label]; ok && !slices.Equal(before, cmd) {
					changed = append(changed, label)
				}
			}
			slices.Sort(changed)
			// The board files that serve both modes (dw_uart.c, fs_qspi.c,
			// the machine.* drivers) see the vendor headers in SDK mode.
			want := []string{"LINK " + filepath.Join(out, "firmware.elf")}
			for _, f := range b.SDK.Board {
				if slices.Contains(b.Sources.Board, f) {
					rel, err := filepath.Rel(root, f)
					if err != nil {
						t.Fatal(err)
					}
					want = append(want, "CC "+filepath.ToSlash(rel), "QSTR "+filepath.ToSlash(rel))
				}
			}
			if len(want) < 3 {
				t.Fatalf("no board file serves both modes: [sources] board %q, [sdk] board %q", b.Sources.Board, b.SDK.Board)
			}
			slices.Sort(want)
			if !slices.Equal(changed, want) {
				t.Errorf("steps whose command differs between the modes:\n %q\nwant\n %q", changed, want)
			}
			for _, label := range []string{"CC boards/fr30xx/board.c", "CC boards/fr30xx/startup.c"} {
				if _, ok := sdkSteps[label]; ok {
					t.Errorf("SDK mode compiles %s", label)
				}
				if _, ok := ownSteps[label]; !ok {
					t.Errorf("register-level mode lacks %s", label)
				}
			}
			cc := sdkSteps["CC boards/fr30xx/sdk/sdk_board.c"]
			if !slices.Contains(cc, filepath.Join(sdk, "drivers/device/fr30xx")) || !slices.Contains(cc, "-Werror") {
				t.Errorf("sdk_board.c: want the board's flags plus the vendor includes, got %q", cc)
			}
			// The link, not the last step: steps made from the ELF (the flash image) follow it.
			link := vendor.Steps[slices.IndexFunc(vendor.Steps, func(s *build.Step) bool { return s.Kind == "LINK" })]
			script := "-T" + filepath.Join(sdk, "tools/gcc/ldscript.ld")
			if link.Kind != "LINK" || !slices.Contains(link.Command, script) || !slices.Contains(link.Inputs, filepath.Join(sdk, "tools/gcc/ldscript.ld")) {
				t.Errorf("link step %s: want %s in its command and the script among its inputs", link.Name, script)
			}
			first := link.Inputs[slices.IndexFunc(link.Inputs, func(in string) bool { return strings.HasSuffix(in, ".o") })]
			if first != filepath.Join(out, "obj/sdk/drivers/device/fr30xx/gcc/startup_fr30xx.S.o") {
				t.Errorf("first object linked: %s, want the vendor startup", first)
			}
			if want := len(own.Sources) - len(b.Sources.Board) + len(b.SDK.Board) + len(b.SDK.Compiled()); len(vendor.Sources) != want {
				t.Errorf("SDK mode has %d sources, want %d (ours %d, minus [sources] board's %d, plus [sdk] board's %d and %d vendor files)",
					len(vendor.Sources), want, len(own.Sources), len(b.Sources.Board), len(b.SDK.Board), len(b.SDK.Compiled()))
			}
		})
	}
}

// TestMapRegions reads the regions back from a map that GNU ld wrote for a
// script with a name long enough to sit on a line of its own.
func TestMapRegions(t *testing.T) {
	tc, err := toolchain.Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.c"), []byte("int x = 1;\nvoid Reset_Handler(void) { for (;;) ; }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.ld"), []byte(`MEMORY
{
    QSPI_FLASH_EXECUTE_IN_PLACE (rx) : ORIGIN = 0x08002000, LENGTH = 1016K
    SRAM (rw) : ORIGIN = 0x20000000, LENGTH = 0x40000
}
ENTRY(Reset_Handler)
SECTIONS
{
    .text : { *(.text*) } > QSPI_FLASH_EXECUTE_IN_PLACE
    .data : { *(.data*) } > SRAM AT > QSPI_FLASH_EXECUTE_IN_PLACE
}
`), 0o644)
	out, err := exec.Command(tc.GCC, "-mcpu=cortex-m33", "-mthumb", "-nostdlib", "-T", filepath.Join(dir, "a.ld"),
		"-Wl,-Map="+filepath.Join(dir, "a.map"), "-o", filepath.Join(dir, "a.elf"), filepath.Join(dir, "a.c")).CombinedOutput()
	if err != nil {
		t.Fatalf("link: %v\n%s", err, out)
	}
	got, err := mapRegions(filepath.Join(dir, "a.map"))
	want := []toolchain.Region{{Name: "QSPI_FLASH_EXECUTE_IN_PLACE", Origin: 0x08002000, Length: 1016 * 1024}, {Name: "SRAM", Origin: 0x20000000, Length: 0x40000}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	if _, err := mapRegions(filepath.Join(dir, "a.c")); err == nil || !strings.Contains(err.Error(), "Memory Configuration") {
		t.Errorf("a file that is no map: %v", err)
	}
}

// TestSDKBuild builds each fr30xx variant with the vendor SDK that
// FR30XX_SDK names (the SDK's components folder), and checks that it links
// and fits, that the vendor startup's vector table sits at 0x08002000, and
// that switching modes rebuilds only what differs.
func TestSDKBuild(t *testing.T) {
	sdk := os.Getenv(sdkEnv)
	if sdk == "" {
		t.Skip("FR30XX_SDK is not set: no vendor SDK to build with (point it at the SDK's components folder, e.g. hal_freqchip/fr30xx_c/components)")
	}
	tc, err := toolchain.Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fr30xx", "fr30xx-minimal"} {
		t.Run(name, func(t *testing.T) {
			root, b := loadBoard(t, name)
			build := func() *Result {
				t.Helper()
				res, err := Build(context.Background(), Config{Root: root, Board: b, TreeDir: testenv.MicroPythonDir(t), Toolchain: tc})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			res := build()
			if res.Plan.Mode.SDK == "" {
				t.Fatalf("built %s", res.Plan.Mode)
			}
			for _, u := range res.Regions {
				t.Logf("%-5s %7d of %7d bytes", u.Name, u.Used, u.Length)
				if u.Used > u.Length {
					t.Errorf("%s: %d bytes used of %d", u.Name, u.Used, u.Length)
				}
			}
			if names := regionNames(res); !slices.Equal(names, []string{"FLASH", "PRAM", "SRAM"}) {
				t.Errorf("regions %q, want the vendor script's FLASH, PRAM, SRAM", names)
			}
			checkVendorImage(t, res.ELF)
			if fi, err := os.Stat(res.BIN); err == nil {
				t.Logf("firmware.bin %d bytes", fi.Size())
			}

			// Switching modes: MicroPython's objects serve both.
			t.Setenv(sdkEnv, "")
			own := build()
			t.Setenv(sdkEnv, sdk)
			again := build()
			for _, r := range [][]string{own.Build.Ran, again.Build.Ran} {
				for _, label := range r {
					if strings.HasPrefix(label, "CC ") && !strings.HasPrefix(label, "CC boards/") && !strings.HasPrefix(label, "CC $") {
						t.Errorf("switching modes recompiled %s (ran %q)", label, r)
					}
				}
				if !slices.Contains(r, "LINK out/"+name+"/firmware.elf") {
					t.Errorf("switching modes did not relink: ran %q", r)
				}
			}
			if r := build().Build.Ran; len(r) != 0 {
				t.Errorf("a second SDK build ran %q", r)
			}
		})
	}
}

func regionNames(res *Result) []string {
	var names []string
	for _, u := range res.Regions {
		names = append(names, u.Name)
	}
	return names
}

// checkVendorImage checks the vendor startup's vector table: g_pfnVectors at
// the FLASH origin the boot sector points at, an initial SP in SRAM, the
// reset vector at the vendor's Reset_Handler, and nothing left undefined.
func checkVendorImage(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	addr := map[string]uint64{}
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF && s.Name != "" {
			t.Errorf("undefined symbol %s", s.Name)
		}
		addr[s.Name] = s.Value
	}
	const origin = 0x08002000
	if a, ok := addr["g_pfnVectors"]; !ok || a != origin {
		t.Errorf("vendor vector table g_pfnVectors at %#x (present: %v), want %#x", a, ok, origin)
	}
	sec := f.Section(".isr_vector")
	if sec == nil || sec.Addr != origin {
		t.Fatalf(".isr_vector: %+v, want it at %#x", sec, origin)
	}
	vec := make([]byte, 8)
	if _, err := sec.ReadAt(vec, 0); err != nil {
		t.Fatal(err)
	}
	sp, reset := binary.LittleEndian.Uint32(vec), binary.LittleEndian.Uint32(vec[4:])
	if sp <= 0x20000000 || sp > 0x20040000 {
		t.Errorf("initial SP %#x is not in SRAM", sp)
	}
	if uint64(reset) != addr["Reset_Handler"]|1 {
		t.Errorf("reset vector %#x, want Reset_Handler %#x with the Thumb bit", reset, addr["Reset_Handler"])
	}
}
