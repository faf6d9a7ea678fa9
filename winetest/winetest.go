// Package winetest runs Windows programs (the module's test binaries built
// for windows/amd64) under Wine: the host's Wine when it is new enough, else
// Debian 13's Wine in a chroot it sets up with debootstrap.
package winetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/log"

	"mpforge/internal/proc"
)

// MinMajor is the oldest Wine that runs Go 1.26 programs: Wine 8 lacks
// bcryptprimitives.dll's ProcessPrng (the runtime does not start) and the
// POSIX-semantics delete behind os.RemoveAll.
const MinMajor = 9

// EnvRoot names the folder of the Debian 13 chroot.
const EnvRoot = "MPFORGE_WINE_ROOT"

// DefaultRoot is where the chroot lives when EnvRoot is not set.
const DefaultRoot = "/var/cache/mpforge/wine-debian13"

// Wine runs Windows programs, on the host or inside a chroot.
type Wine struct {
	Version string // as `wine --version` prints it
	Where   string // "host" or the chroot's folder
	root    string // the chroot, "" for the host's Wine
	prefix  string // the host Wine's private WINEPREFIX
	shared  []string
}

// Find returns a Wine of at least MinMajor: the host's, else the chroot's,
// which it creates the first time (root on a Debian-like system only).
func Find(ctx context.Context, logger *log.Logger) (*Wine, error) {
	hostVersion := ""
	if _, err := exec.LookPath("wine"); err == nil {
		out, err := exec.CommandContext(ctx, "wine", "--version").Output()
		if err == nil {
			hostVersion = strings.TrimSpace(string(out))
			if major(hostVersion) >= MinMajor {
				cache, err := os.UserCacheDir()
				if err != nil {
					return nil, err
				}
				return &Wine{Version: hostVersion, Where: "host", prefix: filepath.Join(cache, "mpforge", "wine-prefix")}, nil
			}
		}
	}
	root := os.Getenv(EnvRoot)
	if root == "" {
		root = DefaultRoot
	}
	w, err := chrootWine(ctx, logger, root)
	if err != nil {
		found := "no wine on PATH"
		if hostVersion != "" {
			found = "found " + hostVersion
		}
		return nil, fmt.Errorf("the Windows tests need Wine %d or later (%s; Go 1.26 programs do not start on older Wine): "+
			"install a newer Wine, or run as root on Debian or Ubuntu, where mpforge sets up Debian 13's Wine in a chroot at %s=%s: %w",
			MinMajor, found, EnvRoot, root, err)
	}
	return w, nil
}

var versionNumber = regexp.MustCompile(`wine-(\d+)\.`)

// major reads the major version from `wine --version` ("wine-10.0 (Debian ...)").
func major(version string) int {
	m := versionNumber.FindStringSubmatch(version)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// Share makes a host folder visible to the Windows programs at the same
// path (a bind mount into the chroot; nothing for the host's Wine).
func (w *Wine) Share(dir string) error {
	if w.root == "" {
		return nil
	}
	if err := bind(dir, filepath.Join(w.root, dir)); err != nil {
		return fmt.Errorf("sharing %s with the Wine chroot: %w", dir, err)
	}
	w.shared = append(w.shared, filepath.Join(w.root, dir))
	return nil
}

// Close stops the prefix's wineserver and what it serves, then unmounts
// what Share and the chroot's set-up mounted.
func (w *Wine) Close() error {
	var first error
	if err := w.inWine(context.Background(), "/", nil, "wineserver", "-k").Run(); err != nil {
		// Exit status 1: no server was running.
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			first = err
		}
	}
	for i := len(w.shared) - 1; i >= 0; i-- {
		if err := unmount(w.shared[i]); err != nil && first == nil {
			first = err
		}
	}
	w.shared = nil
	return first
}

// Boot creates the Wine prefix (once; later it only checks it), which
// programs started side by side would otherwise race to create. Its output
// goes to log.
func (w *Wine) Boot(ctx context.Context, log *os.File) error {
	cmd := w.inWine(ctx, "/", nil, "wineboot", "--init")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("wineboot --init: %w (its output is in %s)", err, log.Name())
	}
	return nil
}

// Command runs exe with args in dir (host paths, shared). The program sees
// a minimal environment, not the caller's, so that Linux settings such as
// MICROPY_DIR reach it only when passed in env. Give it files, not pipes,
// for its output: Wine's helper processes (wineserver, services) outlive
// the program and would hold a pipe open.
func (w *Wine) Command(ctx context.Context, dir string, env []string, exe string, args ...string) *exec.Cmd {
	return w.inWine(ctx, dir, env, append([]string{"wine", exe}, args...)...)
}

// inWine runs a program of Wine's own (wine, wineboot, wineserver).
func (w *Wine) inWine(ctx context.Context, dir string, env []string, argv ...string) *exec.Cmd {
	env = append([]string{"WINEDEBUG=-all", "LANG=C.UTF-8", "PATH=/usr/bin:/bin"}, env...)
	if w.root == "" {
		cmd := proc.Command(ctx, syscall.SIGTERM, 5*time.Second, argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Env = append(env, "HOME="+os.Getenv("HOME"), "WINEPREFIX="+w.prefix)
		return cmd
	}
	args := append([]string{w.root, "env", "-i", "-C", dir, "HOME=/root"}, env...)
	return proc.Command(ctx, syscall.SIGTERM, 5*time.Second, "chroot", append(args, argv...)...)
}
