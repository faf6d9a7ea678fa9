//go:build linux

package watch

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The watch limit is real here: the test re-executes itself in a new user
// namespace, where it may lower the kernel's inotify watch limit for itself
// alone (/proc/sys/user/max_inotify_watches), and watches more folders than
// that.

const limitEnv = "MPFORGE_WATCH_LIMIT_CHILD"

func TestWatchLimitChild(t *testing.T) {
	dir := os.Getenv(limitEnv)
	if dir == "" {
		t.Skip("run by TestWatchLimitIsExplained")
	}
	must(t, os.WriteFile("/proc/sys/user/max_inotify_watches", []byte("3\n"), 0o644))
	var dirs []string
	for i := range 10 {
		d := filepath.Join(dir, fmt.Sprint(i))
		must(t, os.MkdirAll(d, 0o755))
		dirs = append(dirs, d)
	}
	err := Run(context.Background(), Options{
		Build:  func(context.Context, []string) (*Outcome, error) { return &Outcome{}, nil },
		Inputs: func() (Set, error) { return Set{Dirs: dirs}, nil },
	})
	fmt.Printf("RESULT %v\n", err)
}

func TestWatchLimitIsExplained(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchLimitChild$")
	cmd.Env = append(os.Environ(), limitEnv+"="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(err.Error(), "operation not permitted") {
		t.Skipf("no user namespaces on this machine: %v", err)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	text := string(out)
	if !strings.Contains(text, "RESULT cannot watch") || !strings.Contains(text, maxWatchesFile) ||
		!strings.Contains(text, "sysctl fs.inotify.max_user_watches=") || !strings.Contains(text, "no space left on device") {
		t.Fatalf("want an error naming %s and how to raise it; got:\n%s", maxWatchesFile, text)
	}
}
