// Package release turns finished board builds into CI artifacts: a dist/
// folder with each board's firmware, its size.json and manifest.json, and a
// SHA256SUMS over everything. The same inputs give a byte-identical dist/:
// nothing in it records when or where it was made.
package release

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"mpforge/toolchain"
)

// Board is one built board, as it goes into dist/<Name>/.
type Board struct {
	Name string
	// Files are the artifacts to copy, by their name in dist/<Name>/
	// (firmware.elf, firmware.bin, firmware.hex, firmware.map) -> path.
	Files    map[string]string
	Regions  []toolchain.RegionUse
	Sections []toolchain.Section
	Manifest Manifest // Board and Files are filled in by Write
}

// Manifest says what a board's firmware was built from.
type Manifest struct {
	Board       string      `json:"board"`
	MicroPython MicroPython `json:"micropython"`
	Toolchain   string      `json:"toolchain"` // first line of arm-none-eabi-gcc --version
	// Revision is mpforge's git commit, with "-dirty" when the work tree
	// has changes, or "unknown" outside a git checkout.
	Revision string `json:"mpforge_revision"`
	// FlagsSHA256 digests every compile command and the link flags, with
	// the checkout's and the tree's locations taken out.
	FlagsSHA256 string `json:"flags_sha256"`
	// Files are the SHA-256 of the board's artifacts, by name.
	Files map[string]string `json:"files"`
}

// MicroPython names the tree a firmware was built from.
type MicroPython struct {
	Version string `json:"version"`
	// Source is where the tree came from, e.g. "debian:micropython=1.26.1+ds-1"
	// or "MICROPY_DIR".
	Source string `json:"source"`
	// Revision is the tree's git commit when it is a git checkout.
	Revision string `json:"revision,omitempty"`
}

// Size is size.json: how much of each memory region and section the
// firmware takes, in bytes.
type Size struct {
	Board    string                `json:"board"`
	Regions  []toolchain.RegionUse `json:"regions"`
	Sections []toolchain.Section   `json:"sections"`
}

// SizeOf is the size.json content of a board.
func SizeOf(b Board) Size {
	// Empty lists, not null, for readers of size.json.
	return Size{Board: b.Name, Regions: append([]toolchain.RegionUse{}, b.Regions...), Sections: append([]toolchain.Section{}, b.Sections...)}
}

// SumsFile lists the SHA-256 of every file in dist/, in `sha256sum -c` form.
const SumsFile = "SHA256SUMS"

// Write replaces dist with the given boards' artifacts. It builds the new
// folder beside dist and swaps it in, so a failure leaves the old dist/ as
// it was.
func Write(dist string, boards []Board) error {
	dist = filepath.Clean(dist)
	next := dist + ".new"
	if err := os.RemoveAll(next); err != nil {
		return err
	}
	if err := write(next, boards); err != nil {
		os.RemoveAll(next)
		return err
	}
	old := dist + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(dist, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Rename(next, dist); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

func write(dir string, boards []Board) error {
	sums := map[string]string{} // path in dist -> sha256
	seen := map[string]bool{}
	for _, b := range boards {
		if b.Name == "" || strings.ContainsAny(b.Name, `/\`) || b.Name == "." || b.Name == ".." {
			return fmt.Errorf("board name %q cannot name a folder in dist/", b.Name)
		}
		if seen[b.Name] {
			return fmt.Errorf("board %s given twice", b.Name)
		}
		seen[b.Name] = true
		bdir := filepath.Join(dir, b.Name)
		if err := os.MkdirAll(bdir, 0o755); err != nil {
			return err
		}
		m := b.Manifest
		m.Board = b.Name
		m.Files = map[string]string{}
		for _, name := range slices.Sorted(maps.Keys(b.Files)) {
			data, err := os.ReadFile(b.Files[name])
			if err != nil {
				return fmt.Errorf("board %s: %w", b.Name, err)
			}
			if m.Files[name], err = writeFile(filepath.Join(bdir, name), data, sums, b.Name+"/"+name); err != nil {
				return err
			}
		}
		for name, v := range map[string]any{"size.json": SizeOf(b), "manifest.json": m} {
			data, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				return err
			}
			if _, err := writeFile(filepath.Join(bdir, name), append(data, '\n'), sums, b.Name+"/"+name); err != nil {
				return err
			}
		}
	}
	var list strings.Builder
	for _, p := range slices.Sorted(maps.Keys(sums)) {
		fmt.Fprintf(&list, "%s  %s\n", sums[p], p)
	}
	return os.WriteFile(filepath.Join(dir, SumsFile), []byte(list.String()), 0o644)
}

// writeFile writes data to path and records its SHA-256 under name in sums;
// it returns the digest.
func writeFile(path string, data []byte, sums map[string]string, name string) (string, error) {
	sum := sha256.Sum256(data)
	sums[name] = hex.EncodeToString(sum[:])
	return sums[name], os.WriteFile(path, data, 0o644)
}
