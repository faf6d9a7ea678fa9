package firmware

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mpforge/bench"
	"mpforge/build"
	"mpforge/frozen"
	"mpforge/internal/copytree"
	"mpforge/internal/testenv"
	"mpforge/toolchain"
)

// mpyCrossCheckout copies what mpy-cross is built from into a new checkout
// folder (as testfw.Checkout does, which this package cannot import).
func mpyCrossCheckout(t *testing.T) Config {
	t.Helper()
	root := t.TempDir()
	tree := filepath.Join(root, ".mpforge", "micropython")
	for _, dir := range []string{"py", "mpy-cross", "shared", "extmod", "lib"} {
		if err := copytree.Copy(filepath.Join(testenv.MicroPythonDir(t), dir), filepath.Join(tree, dir)); err != nil {
			t.Fatal(err)
		}
	}
	return Config{Root: root, TreeDir: tree}
}

// A second checkout takes mpy-cross from the per-user cache the first one
// filled, compiling nothing; an edited header is a miss.
func TestMpyCrossCache(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	first, second := mpyCrossCheckout(t), mpyCrossCheckout(t)
	first.MpyCrossCache, second.MpyCrossCache = cache, cache

	start := time.Now()
	res, err := buildMpyCross(ctx, first, build.Options{})
	if err != nil {
		t.Fatal(err)
	}
	coldTime := time.Since(start)
	compiled := res.RanKind("HOSTCC")
	if compiled == 0 {
		t.Fatalf("the first checkout compiled nothing: %v", res.Ran)
	}
	entries, err := filepath.Glob(filepath.Join(cache, "*", "mpy-cross"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache holds %v (%v), want one mpy-cross", entries, err)
	}

	start = time.Now()
	res, err = buildMpyCross(ctx, second, build.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Ran) != 0 {
		t.Errorf("the second checkout ran %d steps (%d HOSTCC), want none", len(res.Ran), res.RanKind("HOSTCC"))
	}
	t.Logf("mpy-cross: %d host compiles in %.1fs in the first checkout, none in %.2fs in the second", compiled, coldTime.Seconds(), time.Since(start).Seconds())
	want, err := os.ReadFile(filepath.Join(mpyCrossDir(first.Root), "mpy-cross"))
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(mpyCrossDir(second.Root), "mpy-cross")
	got, err := os.ReadFile(exe)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the second checkout's mpy-cross differs from the first's (%v)", err)
	}
	if fi, err := os.Stat(exe); err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("%s is not executable (%v)", exe, err)
	}

	// A later build (mpversion.h, written by the first, now old enough to
	// trust its time) leaves a stamp, so that the next ones only stat.
	hcfg := second
	hcfg.OutDir = mpyCrossDir(second.Root)
	hcfg.Toolchain = mustHostCC(t)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(hcfg.OutDir, "genhdr", "mpversion.h"), old, old); err != nil {
		t.Fatal(err)
	}
	if res, err := buildMpyCross(ctx, second, build.Options{}); err != nil || len(res.Ran) != 0 {
		t.Fatalf("third build: %v, %v", res, err)
	}
	steps, err := keySteps(hcfg)
	if err != nil {
		t.Fatal(err)
	}
	fixed, _, _ := keyInputs(hcfg, steps)
	stampPath := filepath.Join(hcfg.OutDir, ".mpforge", "cached")
	if !stampHolds(stampPath, fixed) {
		t.Fatal("no stamp after a build that took mpy-cross from the cache")
	}

	// A header only a depfile names, edited in the second checkout.
	key, err := cacheKey(hcfg)
	if err != nil {
		t.Fatal(err)
	}
	if lookupMpyCross(cache, second.Root, key) == "" {
		t.Fatal("no cache entry for the second checkout before the edit")
	}
	if err := bench.AppendLine(filepath.Join(second.TreeDir, "py", "misc.h"), "/* edited */"); err != nil {
		t.Fatal(err)
	}
	if lookupMpyCross(cache, second.Root, key) != "" {
		t.Error("an edited py/misc.h still finds the cached mpy-cross")
	}
	if stampHolds(stampPath, fixed) {
		t.Error("an edited py/misc.h still matches the stamp")
	}
	// A source is in the key itself.
	if err := bench.AppendLine(filepath.Join(second.TreeDir, "py", "obj.c"), "/* edited */"); err != nil {
		t.Fatal(err)
	}
	if k, err := cacheKey(hcfg); err != nil || k == key {
		t.Errorf("editing py/obj.c left the key %s (%v)", k, err)
	}
}

func mustHostCC(t *testing.T) *toolchain.Toolchain {
	t.Helper()
	tc, err := frozen.HostCompiler(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tc
}

// BenchmarkMpyCrossKey is what a checkout that took mpy-cross from the
// cache pays on every build before the manifest check: planning the host
// graph and hashing its sources.
func BenchmarkMpyCrossKey(b *testing.B) {
	tc, err := frozen.HostCompiler(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	root := b.TempDir()
	cfg := Config{Root: root, TreeDir: testenv.MicroPythonDir(b), Toolchain: tc, OutDir: mpyCrossDir(root)}
	for b.Loop() {
		if _, err := cacheKey(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMpyCrossStamp is what the next builds of that checkout pay:
// planning the host graph and checking the stamp's file times.
func BenchmarkMpyCrossStamp(b *testing.B) {
	tc, err := frozen.HostCompiler(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	root := b.TempDir()
	cfg := Config{Root: root, TreeDir: testenv.MicroPythonDir(b), Toolchain: tc, OutDir: mpyCrossDir(root)}
	steps, err := keySteps(cfg)
	if err != nil {
		b.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(cfg.OutDir, "genhdr", "mpversion.h"), old, old); err != nil {
		b.Fatal(err)
	}
	fixed, _, files := keyInputs(cfg, steps)
	data, ok := stamp(fixed, files)
	if !ok {
		b.Fatal("inputs too new to stamp")
	}
	path := filepath.Join(b.TempDir(), "cached")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		steps, err := keySteps(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if fixed, _, _ := keyInputs(cfg, steps); !stampHolds(path, fixed) {
			b.Fatal("stamp does not hold")
		}
	}
}
