package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"mpforge/internal/proc"
)

// SharedCache is a team's compile cache as the bench models it: ccache in
// front of every compiler, its remote storage a private redis-server on a
// Unix socket, and a local ccache folder per builder that a scenario wipes
// to stand for a machine that never built the tree.
type SharedCache struct {
	URL  string // ccache remote storage, redis+unix://...
	dir  string
	stop context.CancelFunc
	done chan error
}

// StartSharedCache runs redis-server (in memory only) in dir. It needs
// ccache and redis-server on PATH and says which one is missing.
func StartSharedCache(dir string) (*SharedCache, error) {
	for _, tool := range []string{"ccache", "redis-server"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s not found (sudo apt-get install %s)", tool, tool)
		}
	}
	sock := filepath.Join(dir, "redis.sock")
	ctx, stop := context.WithCancel(context.Background())
	cmd := proc.Command(ctx, syscall.SIGTERM, 5*time.Second, "redis-server", "--port", "0", "--unixsocket", sock,
		"--save", "", "--appendonly", "no", "--dir", dir)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		stop()
		return nil, err
	}
	c := &SharedCache{URL: "redis+unix://" + sock, dir: dir, stop: stop, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if conn, err := net.Dial("unix", sock); err == nil {
			conn.Close()
			return c, nil
		}
		select {
		case err := <-c.done:
			stop()
			return nil, fmt.Errorf("redis-server exited: %v\n%s", err, log.String())
		default:
		}
		if time.Now().After(deadline) {
			c.Stop()
			return nil, fmt.Errorf("redis-server did not open %s in 30 s\n%s", sock, log.String())
		}
	}
}

// Stop ends the server.
func (c *SharedCache) Stop() {
	c.stop()
	<-c.done
}

// LocalDir is a builder's own local ccache folder.
func (c *SharedCache) LocalDir(builder string) string {
	return filepath.Join(c.dir, "ccache-"+builder)
}

// WipeLocal empties every builder's local ccache, so that only the shared
// cache can answer.
func (c *SharedCache) WipeLocal() error {
	dirs, err := filepath.Glob(filepath.Join(c.dir, "ccache-*"))
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	return nil
}

// Masquerade makes a folder of ccache's compiler-named links (ccache's own
// "masquerade" set-up) for make, whose mpy-cross sub-make takes no CC from
// the port: with the folder first on PATH, both the host gcc and the cross
// compiler run through ccache.
func (c *SharedCache) Masquerade(compilers ...string) (string, error) {
	cc, err := exec.LookPath("ccache")
	if err != nil {
		return "", err
	}
	dir := filepath.Join(c.dir, "masquerade")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, name := range compilers {
		if err := os.Symlink(cc, filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return dir, nil
}

// Stats reads a local ccache folder's counters (ccache --print-stats).
func Stats(ctx context.Context, ccacheDir string) (map[string]int, error) {
	cmd := exec.CommandContext(ctx, "ccache", "--print-stats")
	cmd.Env = append(os.Environ(), "CCACHE_DIR="+ccacheDir)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ccache --print-stats: %w", err)
	}
	stats := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "\t"); ok {
			stats[k], _ = strconv.Atoi(v)
		}
	}
	return stats, nil
}

// WithEnv is b with extra environment variables for its command.
func WithEnv(b Builder, env ...string) Builder {
	cmd := b.Cmd
	b.Cmd = func(ctx context.Context) *exec.Cmd {
		c := cmd(ctx)
		if c.Env == nil {
			c.Env = os.Environ()
		}
		c.Env = append(c.Env, env...)
		return c
	}
	return b
}
