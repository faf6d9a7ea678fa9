package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"mpforge/internal/gitrev"
)

// Unknown is the revision of a folder that is not a git checkout.
const Unknown = "unknown"

// GitRevision is the commit checked out at dir (gitrev.Revision), or
// Unknown when dir is not a git checkout.
func GitRevision(ctx context.Context, dir string) string {
	if rev := gitrev.Revision(ctx, dir); rev != "" {
		return rev
	}
	return Unknown
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
// list changes, and not when the checkout moves or the OS changes.
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
	slices.SortFunc(entries, func(a, b compileEntry) int {
		return strings.Compare(filepath.ToSlash(a.File), filepath.ToSlash(b.File))
	})
	// The same build gives the same digest on every OS: paths with '/',
	// the compiler without Windows' .exe.
	replacer := strings.NewReplacer(tree, "$MICROPY_DIR", root, "$ROOT")
	norm := func(arg string) string { return filepath.ToSlash(replacer.Replace(arg)) }
	var compile [][]string
	for _, e := range entries {
		if len(e.Arguments) == 0 {
			return "", fmt.Errorf("%s: an entry for %s has no arguments", compileCommands, e.File)
		}
		compiler := filepath.Base(e.Arguments[0])
		if ext := filepath.Ext(compiler); strings.EqualFold(ext, ".exe") {
			compiler = strings.TrimSuffix(compiler, ext)
		}
		args := []string{compiler}
		for i := 1; i < len(e.Arguments); i++ {
			if e.Arguments[i] == "-o" {
				i++ // the object's name says where the build ran, not how
				continue
			}
			args = append(args, norm(e.Arguments[i]))
		}
		compile = append(compile, args)
	}
	var linkFlags []string
	for _, f := range link {
		linkFlags = append(linkFlags, norm(f))
	}
	all, err := json.Marshal(map[string]any{"compile": compile, "link": linkFlags})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(all)
	return hex.EncodeToString(sum[:]), nil
}
