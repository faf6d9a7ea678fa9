package bench_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"mpforge/bench"
)

// A compile through the masquerade folder misses and fills redis; after the
// local ccache is wiped, the same compile is a remote hit.
func TestSharedCacheServesAWipedMachine(t *testing.T) {
	for _, tool := range []string{"ccache", "redis-server", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	c, err := bench.StartSharedCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	masquerade, err := c.Masquerade("gcc")
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "unit.c")
	if err := os.WriteFile(src, []byte("int answer(void) { return 42; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	compile := func() map[string]int {
		t.Helper()
		b := bench.WithEnv(bench.Builder{Cmd: func(ctx context.Context) *exec.Cmd {
			// The masquerade's gcc by its path: PATH lookups happen in the
			// parent's environment.
			return exec.CommandContext(ctx, filepath.Join(masquerade, "gcc"), "-O2", "-c", src, "-o", filepath.Join(filepath.Dir(src), "unit.o"))
		}, Units: func([]byte) int { return 1 }},
			"CCACHE_DIR="+c.LocalDir("t"), "CCACHE_REMOTE_STORAGE="+c.URL)
		if _, err := bench.Time(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		s, err := bench.Stats(context.Background(), c.LocalDir("t"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := compile(); s["cache_miss"] != 1 || s["remote_storage_write"] == 0 {
		t.Fatalf("first compile: want one miss stored remotely, got %v", s)
	}
	if err := c.WipeLocal(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.LocalDir("t")); !os.IsNotExist(err) {
		t.Fatalf("the local ccache survived WipeLocal: %v", err)
	}
	if s := compile(); s["remote_storage_hit"] != 1 || s["cache_miss"] != 0 {
		t.Errorf("after wiping the local cache: want one remote hit and no miss, got %v", s)
	}
}
