package tasks

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"mpforge/boards"
	"mpforge/release"
)

// EnvSizeBaseline names a previous dist/ (or a board folder in it, a
// size.json or a manifest.json) that `mage ci` compares sizes against.
const EnvSizeBaseline = "MPFORGE_SIZE_BASELINE"

// CI builds the named boards (every board when names is empty) and replaces
// dist/ with their firmware, size.json and manifest.json and a SHA256SUMS.
// It prints a size table and, when MPFORGE_SIZE_BASELINE is set, the change
// against that baseline. dist/ is written only when every board built.
func (e *Env) CI(ctx context.Context, names []string, w io.Writer) error {
	var base []release.Size
	basePath := os.Getenv(EnvSizeBaseline)
	if basePath != "" {
		var err error
		// Read before building: the baseline may be the dist/ this run replaces.
		if base, err = release.LoadSizes(basePath); err != nil {
			return fmt.Errorf("%s: %w", EnvSizeBaseline, err)
		}
	}
	if len(names) == 0 {
		var err error
		if names, err = boards.List(filepath.Join(e.Root, "boards")); err != nil {
			return err
		}
	}
	for i, n := range names {
		if slices.Contains(names[:i], n) {
			return fmt.Errorf("board %s is named twice", n)
		}
		// Every board file is read before the first build: a typo in the
		// last name fails at once, not after the other boards have built.
		if _, err := e.Board(n); err != nil {
			return err
		}
	}
	tc, err := e.Toolchain(ctx)
	if err != nil {
		return err
	}
	tree, err := e.Tree(ctx)
	if err != nil {
		return err
	}
	mp := release.MicroPython{Version: tree.Version.String(), Source: sourceOf(tree)}
	if tree.Git {
		mp.Revision = release.GitRevision(ctx, tree.Dir)
	}
	rev := release.GitRevision(ctx, e.Root)

	var built []release.Board
	var sizes []release.Size
	for _, name := range names {
		res, err := e.BuildBoard(ctx, name, w)
		if err != nil {
			return err
		}
		digest, err := release.FlagsDigest(res.CompileCommands, e.Root, tree.Dir, res.Plan.LinkFlags())
		if err != nil {
			return err
		}
		files := map[string]string{
			"firmware.elf": res.ELF, "firmware.bin": res.BIN, "firmware.hex": res.HEX, "firmware.map": res.Map,
		}
		for _, f := range []string{res.FlashImage, res.Loader} { // what `flash` needs besides
			if f != "" {
				files[filepath.Base(f)] = f
			}
		}
		rb := release.Board{
			Name:    res.Plan.Board().Name,
			Files:   files,
			Regions: res.Regions, Sections: res.Sections,
			Manifest: release.Manifest{MicroPython: mp, Toolchain: tc.Version, Revision: rev, FlagsSHA256: digest},
		}
		built = append(built, rb)
		sizes = append(sizes, release.SizeOf(rb))
	}
	dist := filepath.Join(e.Root, "dist")
	if err := release.Write(dist, built); err != nil {
		return fmt.Errorf("writing %s: %w", e.rel(dist), err)
	}
	plural := "s"
	if len(built) == 1 {
		plural = ""
	}
	fmt.Fprintf(w, "\n%s: %d board%s, mpforge %s, MicroPython %s\n", e.rel(dist), len(built), plural, rev, mp.Version)
	fmt.Fprint(w, release.Table(sizes))
	if base != nil {
		fmt.Fprintf(w, "\nsize change against %s:\n", basePath)
		fmt.Fprint(w, release.Diff(base, sizes))
	}
	return nil
}

// BoardList splits a list of board names as `ci:boards "a,b"` takes it:
// separated by commas or spaces.
func BoardList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}
