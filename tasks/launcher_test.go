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

	"mpforge/internal/syncbuf"
	"mpforge/internal/testfw"
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
	log := &syncBuffer{want: "daemon started", ready: make(chan struct{})}
	cmd := exec.Command("distccd", "--daemon", "--no-detach", "--allow", "127.0.0.1", "--listen", "127.0.0.1",
		"--port", strconv.Itoa(port), "--log-stderr", "--log-level", "info")
	cmd.Stderr = log
	// Its own process group, so the preforked workers stop with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		<-exited
	})
	select {
	case <-log.ready:
	case err := <-exited:
		t.Fatalf("distccd exited: %v\n%s", err, log.String())
	}
	return port, log
}

// A build through distcc, with every compile sent to a distccd on this
// machine, gives the same firmware as a build without it.
func TestLauncherDistcc(t *testing.T) {
	need(t, "distcc")
	need(t, "distccd")
	ref, _ := testfw.Firmware(t, launcherBoard)
	want, err := os.ReadFile(ref.BIN)
	if err != nil {
		t.Fatal(err)
	}
	port, log := startDistccd(t)
	env := checkoutEnv(t)
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
