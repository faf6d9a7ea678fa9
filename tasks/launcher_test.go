package tasks_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"mpforge/internal/proc"
	"mpforge/internal/syncbuf"
	"mpforge/tasks"
)

// launcherBoard is the board the launcher tests build.
const launcherBoard = "mps2-an505"

func need(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is not installed; run `go run ./mage test` (it installs the launchers) or sudo apt-get install ccache distcc", tool)
	}
}

func TestLauncherNotFound(t *testing.T) {
	env := checkoutEnv(t)
	t.Setenv("MPFORGE_CC_LAUNCHER", "mpforge-no-such-launcher --flag")
	if _, err := env.Toolchain(context.Background()); err == nil || !strings.Contains(err.Error(), "mpforge-no-such-launcher not found") {
		t.Fatalf("got %v, want a not-found error", err)
	}
}

// ccacheStats reads the counters of the cache in CCACHE_DIR.
func ccacheStats(t *testing.T) map[string]int {
	out, err := exec.Command("ccache", "--print-stats").Output()
	if err != nil {
		t.Fatalf("ccache --print-stats: %v", err)
	}
	stats := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "\t"); ok {
			stats[k], _ = strconv.Atoi(v)
		}
	}
	return stats
}

// A clean build with a warm ccache takes every object from the cache and
// gives the same firmware.
func TestLauncherCcache(t *testing.T) {
	need(t, "ccache")
	env := checkoutEnv(t)
	t.Setenv("CCACHE_DIR", t.TempDir())
	t.Setenv("MPFORGE_CC_LAUNCHER", "ccache")
	ctx := context.Background()

	start := time.Now()
	cold, err := env.BuildBoard(ctx, launcherBoard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	coldTime := time.Since(start)
	// A board with frozen modules also compiles the host's mpy-cross through
	// the launcher, so ccache sees at least the firmware's compiles.
	compiled := cold.Build.RanKind("CC")
	first := ccacheStats(t)
	if first["cache_miss"] < compiled {
		t.Errorf("cold cache: %d misses for %d firmware compiles; not every compile went through ccache: %v", first["cache_miss"], compiled, first)
	}
	bin, err := os.ReadFile(cold.BIN)
	if err != nil {
		t.Fatal(err)
	}

	if err := os.RemoveAll(filepath.Join(env.Root, "out")); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	warm, err := env.BuildBoard(ctx, launcherBoard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	warmTime := time.Since(start)
	second := ccacheStats(t)
	hits := second["direct_cache_hit"] + second["preprocessed_cache_hit"] - first["direct_cache_hit"] - first["preprocessed_cache_hit"]
	if hits != first["cache_miss"] || second["cache_miss"] != first["cache_miss"] || warm.Build.RanKind("CC") != compiled {
		t.Errorf("warm cache: %d hits and %d new misses for the %d compiles that missed the cold cache",
			hits, second["cache_miss"]-first["cache_miss"], first["cache_miss"])
	}
	if again, err := os.ReadFile(warm.BIN); err != nil || !bytes.Equal(again, bin) {
		t.Errorf("firmware.bin from cached objects differs (%v)", err)
	}
	t.Logf("clean build of %s (%d firmware compiles, %d through ccache in all): %.1fs with a cold ccache, %.1fs with a warm one (%d hits)",
		launcherBoard, compiled, first["cache_miss"], coldTime.Seconds(), warmTime.Seconds(), hits)
}

// syncBuffer collects a daemon's log and says when a line containing
// want has been written.
type syncBuffer struct {
	syncbuf.Buffer
	want  string
	ready chan struct{}
	once  sync.Once
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	n, err := b.Buffer.Write(p)
	if strings.Contains(b.String(), b.want) {
		b.once.Do(func() { close(b.ready) })
	}
	return n, err
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startDistccd runs a distcc server on 127.0.0.1 for the test and returns
// its port and log. Debian's distccd only runs compilers that have a link in
// /usr/lib/distcc (update-distcc-symlinks makes them), which
// arm-none-eabi-gcc gets when it is installed before distcc or the links
// are refreshed.
func startDistccd(t *testing.T) (int, *syncBuffer) {
	if _, err := os.Stat("/usr/lib/distcc/arm-none-eabi-gcc"); err != nil {
		t.Fatalf("distccd does not allow arm-none-eabi-gcc (%v); run sudo update-distcc-symlinks", err)
	}
	port := freePort(t)
	log := startDaemon(t, "daemon started", true, "distccd", "--daemon", "--no-detach", "--allow", "127.0.0.1", "--listen", "127.0.0.1",
		"--port", strconv.Itoa(port), "--log-stderr", "--log-level", "info")
	return port, log
}

// A build through distcc, with every compile sent to a distccd on this
// machine, gives the same firmware as a build without it.
func TestLauncherDistcc(t *testing.T) {
	need(t, "distcc")
	need(t, "distccd")
	// The reference: the same checkout copy without a launcher (a copy has
	// no git revision, which the firmware carries, so the repository's own
	// build would differ for that reason alone).
	env := checkoutEnv(t)
	ref, err := env.BuildBoard(context.Background(), launcherBoard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(ref.BIN)
	if err != nil {
		t.Fatal(err)
	}
	port, log := startDistccd(t)
	t.Setenv("MPFORGE_CC_LAUNCHER", "distcc")
	t.Setenv("DISTCC_HOSTS", "127.0.0.1:"+strconv.Itoa(port)+"/4")
	t.Setenv("DISTCC_DIR", t.TempDir())
	t.Setenv("DISTCC_FALLBACK", "0") // a compile distcc cannot send fails instead of quietly running here
	res, err := env.BuildBoard(context.Background(), launcherBoard, io.Discard)
	if err != nil {
		t.Fatalf("%v\ndistccd log:\n%s", err, log.String())
	}
	remote := 0
	sc := bufio.NewScanner(strings.NewReader(log.String()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "COMPILE_OK") {
			remote++
		}
	}
	// With DISTCC_FALLBACK=0 a compile runs in distccd or fails the build;
	// a board with frozen modules adds the host's mpy-cross compiles.
	if n := res.Build.RanKind("CC"); remote < n {
		t.Errorf("distccd compiled %d files, the firmware alone %d", remote, n)
	}
	t.Logf("%d compiles ran in distccd (%d of them the firmware's)", remote, res.Build.RanKind("CC"))
	got, err := os.ReadFile(res.BIN)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("firmware.bin built through distcc differs from the one built without it (%s)", ref.BIN)
	}
}

// startDaemon runs a server for the test in its own process group (so its
// workers stop with it, at the test's end) and waits until its log (stderr
// or stdout) says ready.
func startDaemon(t *testing.T, ready string, stderr bool, name string, args ...string) *syncBuffer {
	log := &syncBuffer{want: ready, ready: make(chan struct{})}
	ctx, stop := context.WithCancel(context.Background())
	cmd := proc.Command(ctx, syscall.SIGTERM, 5*time.Second, name, args...)
	if stderr {
		cmd.Stderr = log
	} else {
		cmd.Stdout = log
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		stop()
		<-exited
	})
	select {
	case <-log.ready:
	case err := <-exited:
		t.Fatalf("%s exited: %v\n%s", name, err, log.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start:\n%s", name, log.String())
	}
	return log
}

// startRedis runs a redis-server on 127.0.0.1 for the test, in memory only,
// and returns its port.
func startRedis(t *testing.T) int {
	port := freePort(t)
	startDaemon(t, "Ready to accept connections", false, "redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(port),
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	return port
}

// A team's shared cache: one checkout's build fills redis through ccache's
// remote storage; a second checkout at another path, with an empty local
// ccache, takes every compile from redis and makes the same firmware.
func TestSharedCacheRedis(t *testing.T) {
	need(t, "ccache")
	need(t, "redis-server")
	first, second := checkoutEnv(t), checkoutEnv(t)
	port := startRedis(t)
	t.Setenv("MPFORGE_CC_LAUNCHER", "ccache")
	t.Setenv("CCACHE_REMOTE_STORAGE", "") // restored after the test: MPFORGE_CACHE_URL sets it
	t.Setenv(tasks.EnvCacheURL, "redis://127.0.0.1:"+strconv.Itoa(port))
	t.Setenv("CCACHE_DIR", t.TempDir())
	ctx := context.Background()

	t.Setenv("MICROPY_DIR", filepath.Join(first.Root, ".mpforge", "micropython"))
	cold, err := first.BuildBoard(ctx, launcherBoard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	compiled := cold.Build.RanKind("CC") + cold.Build.RanKind("HOSTCC")
	stats := ccacheStats(t)
	if stats["cache_miss"] != compiled || stats["remote_storage_write"] == 0 {
		t.Fatalf("first checkout: %d compiles, %d ccache misses, %d remote writes: %v", compiled, stats["cache_miss"], stats["remote_storage_write"], stats)
	}

	t.Setenv("CCACHE_DIR", t.TempDir()) // a machine that never built it
	t.Setenv("MICROPY_DIR", filepath.Join(second.Root, ".mpforge", "micropython"))
	warm, err := second.BuildBoard(ctx, launcherBoard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	stats = ccacheStats(t)
	if n := warm.Build.RanKind("CC") + warm.Build.RanKind("HOSTCC"); n != compiled {
		t.Errorf("second checkout compiled %d files, the first %d", n, compiled)
	}
	if stats["remote_storage_hit"] != compiled || stats["cache_miss"] != 0 {
		t.Errorf("second checkout at another path: %d remote hits and %d misses for %d compiles: %v",
			stats["remote_storage_hit"], stats["cache_miss"], compiled, stats)
	}
	want, err := os.ReadFile(cold.BIN)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(warm.BIN); err != nil || !bytes.Equal(got, want) {
		t.Errorf("firmware.bin from the shared cache differs from the first checkout's (%v)", err)
	}
	t.Logf("%d compiles: all stored in redis by the first checkout, all remote hits in the second", compiled)
}

func TestSharedCacheNeedsCcache(t *testing.T) {
	env := checkoutEnv(t)
	t.Setenv(tasks.EnvCacheURL, "redis://127.0.0.1:1")
	if _, err := env.Toolchain(context.Background()); err == nil || !strings.Contains(err.Error(), "MPFORGE_CC_LAUNCHER=ccache") {
		t.Errorf("a cache URL without ccache: got %v, want an error naming MPFORGE_CC_LAUNCHER=ccache", err)
	}
	need(t, "ccache")
	t.Setenv("MPFORGE_CC_LAUNCHER", "ccache")
	t.Setenv(tasks.EnvCacheURL, "cache.example:6379")
	if _, err := env.Toolchain(context.Background()); err == nil || !strings.Contains(err.Error(), "redis://") {
		t.Errorf("a cache URL without a scheme: got %v, want an error with an example URL", err)
	}
}
