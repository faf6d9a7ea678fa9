package hosttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostCC is the host C compiler: $CC, else gcc.
func hostCC(t *testing.T) string {
	t.Helper()
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "gcc"
	}
	path, err := exec.LookPath(cc)
	if err != nil {
		t.Fatalf("host C compiler %q not found (%v): install gcc or set CC", cc, err)
	}
	return path
}

// runOnHost builds the board's sources (relative to boards/fr30xx) with the
// host compiler against the register model testdata/<harness>.c and runs
// it; the harness must report " 0 failures".
func runOnHost(t *testing.T, harness string, flags []string, sources ...string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), harness)
	args := append([]string{"-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-I.."}, flags...)
	for _, src := range sources {
		args = append(args, filepath.Join("..", src))
	}
	args = append(args, filepath.Join("testdata", harness+".c"), "-lm", "-o", bin)
	build := exec.Command(hostCC(t), args...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(build.Args, " "), err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("host test of %s failed: %v", strings.Join(sources, ", "), err)
	}
	if !strings.Contains(string(out), " 0 failures") {
		t.Fatalf("host test did not report its result:\n%s", out)
	}
}

// compileForTarget compiles the board's sources with its compiler flags,
// where register access is real, so a warning that only the cross compiler
// sees fails here first.
func compileForTarget(t *testing.T, sources ...string) {
	t.Helper()
	gcc, err := exec.LookPath("arm-none-eabi-gcc")
	if err != nil {
		t.Fatalf("arm-none-eabi-gcc not found (%v): install the Arm GNU toolchain", err)
	}
	dir := t.TempDir()
	for _, src := range sources {
		cmd := exec.Command(gcc, "-std=c99", "-Os", "-Wall", "-Wextra", "-Werror",
			"-Wdouble-promotion", "-Wfloat-conversion", "-ffunction-sections", "-fdata-sections",
			"-mthumb", "-mcpu=cortex-m33", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard",
			"-I..", "-I"+filepath.Join("..", "..", "..", "port"), "-c", filepath.Join("..", src),
			"-o", filepath.Join(dir, strings.TrimSuffix(src, ".c")+".o"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
		}
	}
}
