package firmware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mpforge/bench"
	"mpforge/internal/testfw"
	"mpforge/toolchain"
)

// A checkout whose path has a space in it builds (one build: the smallest
// board); compile_commands.json names it as one argument, depfiles read back,
// and -ffile-prefix-map keeps the path out of the firmware.
func TestCheckoutPathWithSpace(t *testing.T) {
	const board = "fr30xx-minimal" // freezes nothing: no mpy-cross to build
	root, tree := testfw.CheckoutAt(t, filepath.Join(t.TempDir(), "my checkout", "mpforge x"))
	ctx := context.Background()
	res, err := testfw.BuildWith(ctx, root, tree, board)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{res.ELF, res.BIN, res.HEX, res.Map, res.CompileCommands} {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}

	data, err := os.ReadFile(res.CompileCommands)
	if err != nil {
		t.Fatal(err)
	}
	var entries []struct {
		Directory string   `json:"directory"`
		Arguments []string `json:"arguments"`
		File      string   `json:"file"`
	}
	if err := json.Unmarshal(data, &entries); err != nil {
		t.Fatalf("compile_commands.json: %v", err)
	}
	if len(entries) == 0 {
		t.Fatal("compile_commands.json has no entries")
	}
	for _, e := range entries {
		if e.Directory != root || !slices.Contains(e.Arguments, "-ffile-prefix-map="+root+"=.") {
			t.Fatalf("entry for %s: directory %q, arguments %q; want %q and its -ffile-prefix-map as one argument", e.File, e.Directory, e.Arguments, root)
		}
		if _, err := os.Stat(filepath.Join(e.Directory, e.File)); err != nil {
			t.Errorf("entry names a file that is not there: %v", err)
		}
	}

	// Every depfile reads back to files that exist.
	deps := 0
	err = filepath.WalkDir(filepath.Join(root, "out", board, "obj"), func(path string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".d") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, dep := range toolchain.ParseDepfile(data) {
			if !filepath.IsAbs(dep) {
				dep = filepath.Join(root, dep)
			}
			if _, err := os.Stat(dep); err != nil {
				t.Errorf("%s names %s: %v", path, dep, err)
			}
			deps++
		}
		return nil
	})
	if err != nil || deps == 0 {
		t.Fatalf("depfiles: %d entries, %v", deps, err)
	}

	elf, err := os.ReadFile(res.ELF)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(elf, []byte("my checkout")) {
		t.Error("firmware.elf holds the checkout's path: -ffile-prefix-map did not apply")
	}

	// An edited port header rebuilds the files that include it, and only those.
	if err := bench.AppendLine(filepath.Join(root, "port", "systick.h"), "/* edited */"); err != nil {
		t.Fatal(err)
	}
	again, err := testfw.BuildWith(ctx, root, tree, board)
	if err != nil {
		t.Fatal(err)
	}
	if n := again.Build.RanKind("CC"); n == 0 || n == res.Build.RanKind("CC") {
		t.Errorf("after editing port/systick.h %d of %d compiles ran; want some, not all", n, res.Build.RanKind("CC"))
	}
}
