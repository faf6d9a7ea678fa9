// Package gitrev names the commit a checkout is at, for the firmware's
// identity and the release manifest.
package gitrev

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Revision is the commit checked out at dir, with "-dirty" when tracked
// files differ from it or untracked (not ignored) files exist; "" when dir
// is not the top of a git work tree (a copy inside another repository, a
// tarball), the repository has no commits, or git is missing.
func Revision(ctx context.Context, dir string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	git := func(args ...string) (string, bool) {
		out, err := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...).Output()
		return strings.TrimSpace(string(out)), err == nil
	}
	// One git run for both (this runs on every build): it fails without
	// a commit.
	out, ok := git("rev-parse", "--show-toplevel", "HEAD")
	top, rev, _ := strings.Cut(out, "\n")
	if !ok || !sameDir(top, dir) {
		return ""
	}
	if status, ok := git("status", "--porcelain", "--untracked-files=normal"); !ok || status != "" {
		return rev + "-dirty"
	}
	return rev
}

func sameDir(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}
