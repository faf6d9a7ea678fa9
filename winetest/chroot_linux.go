package winetest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/charmbracelet/log"

	"mpforge/mptree"
	"mpforge/provision"
)

// release is the Debian release whose Wine runs Go 1.26 programs.
const release = "trixie"

// readyMark says a chroot is complete: debootstrap and Wine's installation
// both finished (an interrupted set-up starts again from nothing).
const readyMark = ".mpforge-wine-ready"

// chrootWine returns the chroot's Wine, creating the chroot when needed.
func chrootWine(ctx context.Context, logger *log.Logger, root string) (*Wine, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("setting up and entering a chroot needs root")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return nil, errors.New("no apt-get: not a Debian-like system")
	}
	if _, err := os.Stat(filepath.Join(root, readyMark)); err != nil {
		if err := create(ctx, logger, root); err != nil {
			return nil, err
		}
	}
	w := &Wine{Where: root, root: root}
	mounted, err := mountProc(root)
	if err != nil {
		return nil, err
	}
	if mounted {
		w.shared = append(w.shared, filepath.Join(root, "proc")) // Close unmounts it
	}
	out, err := exec.CommandContext(ctx, "chroot", root, "wine", "--version").Output()
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("wine --version in %s: %w", root, err)
	}
	w.Version = strings.TrimSpace(string(out))
	return w, nil
}

// create makes a minimal Debian 13 in root with debootstrap and installs
// Wine in it, from the system's Debian archive.
func create(ctx context.Context, logger *log.Logger, root string) error {
	if err := unmountUnder(root); err != nil {
		return err
	}
	if err := os.RemoveAll(root); err != nil {
		return err
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		if err := provision.Install(ctx, logger, []string{"debootstrap"}); err != nil {
			return err
		}
	}
	mirror := mptree.Mirror()
	logger.Info("setting up Debian 13 with Wine in a chroot, once", "dir", root, "mirror", mirror)
	if err := provision.Run(ctx, logger, []string{"debootstrap", "--variant=minbase", release, root, mirror}); err != nil {
		return err
	}
	resolv, err := os.ReadFile("/etc/resolv.conf")
	if err == nil {
		err = os.WriteFile(filepath.Join(root, "etc", "resolv.conf"), resolv, 0o644)
	}
	if err != nil {
		return err
	}
	mounted, err := mountProc(root)
	if err != nil {
		return err
	}
	if mounted {
		defer unmount(filepath.Join(root, "proc"))
	}
	for _, argv := range [][]string{
		{"chroot", root, "apt-get", "update", "-q"},
		{"chroot", root, "apt-get", "install", "-y", "-q", "--no-install-recommends", "wine", "wine64"},
	} {
		if err := provision.Run(ctx, logger, argv); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(root, readyMark), nil, 0o644)
}

// mountProc mounts proc in the chroot (Wine needs it) and says whether it
// did: false when it was mounted already.
func mountProc(root string) (bool, error) {
	dir := filepath.Join(root, "proc")
	if mounted, err := isMountPoint(dir); err != nil || mounted {
		return false, err
	}
	if err := syscall.Mount("proc", dir, "proc", 0, ""); err != nil {
		return false, fmt.Errorf("mount proc on %s: %w", dir, err)
	}
	return true, nil
}

// bind mounts src at dst, unless dst is a mount point already (a run that
// was killed before its clean-up).
func bind(src, dst string) error {
	if mounted, err := isMountPoint(dst); err != nil || mounted {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	return syscall.Mount(src, dst, "", syscall.MS_BIND, "")
}

func unmount(dir string) error {
	if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount %s: %w", dir, err)
	}
	return nil
}

// unmountUnder unmounts everything mounted below root, deepest first, so
// that removing root cannot reach into a shared folder.
func unmountUnder(root string) error {
	points, err := mountPoints()
	if err != nil {
		return err
	}
	prefix := filepath.Clean(root) + string(filepath.Separator)
	for i := len(points) - 1; i >= 0; i-- {
		if strings.HasPrefix(points[i], prefix) {
			if err := unmount(points[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func isMountPoint(dir string) (bool, error) {
	points, err := mountPoints()
	if err != nil {
		return false, err
	}
	dir = filepath.Clean(dir)
	for _, p := range points {
		if p == dir {
			return true, nil
		}
	}
	return false, nil
}

// mountPoints lists this process's mount points in mount order, from
// /proc/self/mountinfo (the fifth field, with octal escapes for spaces).
func mountPoints() ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 {
			points = append(points, unescapeMount(fields[4]))
		}
	}
	return points, sc.Err()
}

func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
