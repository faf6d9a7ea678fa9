package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Unknown is the revision of a folder that is not a git checkout.
const Unknown = "unknown"

// GitRevision is the commit checked out at dir, with "-dirty" when tracked
// files differ from it or untracked (not ignored) files exist, or Unknown
// when dir is not the top of a git work tree or git is missing.
func GitRevision(ctx context.Context, dir string) string {
	git := func(args ...string) (string, bool) {
		out, err := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...).Output()
		return strings.TrimSpace(string(out)), err == nil
	}
	top, ok := git("rev-parse", "--show-toplevel")
	if !ok || !sameDir(top, dir) {
		return Unknown // not a checkout, or only a folder inside some other repository
	}
	rev, ok := git("rev-parse", "HEAD")
	if !ok {
		return Unknown // a repository without commits
	}
	status, ok := git("status", "--porcelain", "--untracked-files=normal")
	if !ok || status != "" {
		return rev + "-dirty"
	}
	return rev
}

func sameDir(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// compileEntry is the part of a compile_commands.json entry the digest reads.
type compileEntry struct {
	Arguments []string `json:"arguments"`
	File      string   `json:"file"`
}

// FlagsDigest is the SHA-256 of a build's flags: every compile command in
// compile_commands.json (compiler by its name, the checkout and the tree
// written as $ROOT and $MICROPY_DIR, object names left out) and the link
// flags. It changes when a flag, a define, an include folder or the source
// list changes, and not when the checkout moves.
func FlagsDigest(compileCommands, root, tree string, link []string) (string, error) {
	if root == "" || tree == "" {
		return "", fmt.Errorf("flags digest: the checkout (%q) and the MicroPython tree (%q) must be named", root, tree)
	}
	data, err := os.ReadFile(compileCommands)
	if err != nil {
		return "", err
	}
	var entries []compileEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return "", fmt.Errorf("%s: %w", compileCommands, err)
	}
	slices.SortFunc(entries, func(a, b compileEntry) int { return strings.Compare(a.File, b.File) })
	norm := strings.NewReplacer(tree, "$MICROPY_DIR", root, "$ROOT")
	var compile [][]string
	for _, e := range entries {
		if len(e.Arguments) == 0 {
			return "", fmt.Errorf("%s: an entry for %s has no arguments", compileCommands, e.File)
		}
		args := []string{filepath.Base(e.Arguments[0])}
		for i := 1; i < len(e.Arguments); i++ {
			if e.Arguments[i] == "-o" {
				i++ // the object's name says where the build ran, not how
				continue
			}
			args = append(args, norm.Replace(e.Arguments[i]))
		}
		compile = append(compile, args)
	}
	var linkFlags []string
	for _, f := range link {
		linkFlags = append(linkFlags, norm.Replace(f))
	}
	all, err := json.Marshal(map[string]any{"compile": compile, "link": linkFlags})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(all)
	return hex.EncodeToString(sum[:]), nil
}
