package firmware

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/bmatcuk/doublestar/v4"

	"mpforge/boards"
	"mpforge/build"
)

// collectSources expands the board's globs into absolute C source paths,
// tree sources first, sorted within each group for a stable build order.
func collectSources(root, tree string, b *boards.Board) ([]string, error) {
	excluded := map[string]bool{}
	for _, pat := range b.Sources.TreeExclude {
		matches, err := doublestar.Glob(os.DirFS(tree), pat)
		if err != nil {
			return nil, fmt.Errorf("sources.tree_exclude %q: %w", pat, err)
		}
		for _, m := range matches {
			excluded[m] = true
		}
	}
	treeGlobs := slices.Clone(b.Sources.Tree)
	for setting, globs := range b.Sources.When {
		if enabled(b.MicroPython.Settings[setting]) {
			treeGlobs = append(treeGlobs, globs...)
		}
	}
	var treeFiles []string
	for _, pat := range treeGlobs {
		matches, err := doublestar.Glob(os.DirFS(tree), pat)
		if err != nil {
			return nil, fmt.Errorf("sources.tree %q: %w", pat, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("sources.tree %q matches nothing in the MicroPython tree %s", pat, tree)
		}
		for _, m := range matches {
			if !excluded[m] {
				treeFiles = append(treeFiles, filepath.Join(tree, m))
			}
		}
	}
	var local []string
	for _, pat := range b.Sources.Port {
		matches, err := doublestar.FilepathGlob(filepath.Join(root, pat))
		if err != nil {
			return nil, fmt.Errorf("sources.port %q: %w", pat, err)
		}
		local = append(local, matches...)
	}
	for _, pat := range b.Sources.Board {
		matches, err := doublestar.FilepathGlob(pat)
		if err != nil {
			return nil, fmt.Errorf("sources.board %q: %w", pat, err)
		}
		local = append(local, matches...)
	}
	sort.Strings(treeFiles)
	sort.Strings(local)
	return build.Dedupe(append(treeFiles, local...)), nil
}

// enabled reads a MicroPython setting the way the C preprocessor would.
func enabled(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	case string:
		return x != "" && x != "0"
	}
	return false
}
