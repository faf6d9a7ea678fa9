// Package testfw gives tests a firmware built by mpforge itself from the
// checkout's boards, so that device and end-to-end tests run what users run.
package testfw

import (
	"context"
	"path/filepath"
	"testing"

	"mpforge/boards"
	"mpforge/firmware"
	"mpforge/internal/copytree"
	"mpforge/internal/testenv"
	"mpforge/toolchain"
)

// Firmware builds board into the checkout's out/<board>/ (incrementally, so
// only the first test package to ask pays for it; the board lock keeps
// concurrent test binaries from colliding) and returns the build and the board.
func Firmware(t testing.TB, board string) (*firmware.Result, *boards.Board) {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return Build(t, root, board, filepath.Join(root, "out", board))
}

// Build builds board from the checkout at root into outDir.
func Build(t testing.TB, root, board, outDir string) (*firmware.Result, *boards.Board) {
	t.Helper()
	b, err := boards.Load(filepath.Join(root, "boards"), board)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := toolchain.Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res, err := firmware.Build(context.Background(), firmware.Config{
		Root: root, Board: b, TreeDir: testenv.MicroPythonDir(t), Toolchain: tc, OutDir: outDir,
	})
	if err != nil {
		t.Fatalf("build %s: %v", board, err)
	}
	return res, b
}

// Checkout makes a private copy of the checkout (port/ and boards/) with its
// own copy of the MicroPython tree inside it, for tests that edit sources.
// Modification times are kept, as git and tar keep them.
func Checkout(t testing.TB) (root, tree string) {
	t.Helper()
	repo, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	root = t.TempDir()
	for _, dir := range []string{"port", "boards", "python"} {
		copyTree(t, filepath.Join(repo, dir), filepath.Join(root, dir))
	}
	src := testenv.MicroPythonDir(t)
	tree = filepath.Join(root, ".mpforge", "micropython")
	for _, dir := range []string{"py", "shared", "extmod", "lib", "drivers", "mpy-cross", "tools"} {
		copyTree(t, filepath.Join(src, dir), filepath.Join(tree, dir))
	}
	return root, tree
}

func copyTree(t testing.TB, from, to string) {
	t.Helper()
	if err := copytree.Copy(from, to); err != nil {
		t.Fatal(err)
	}
}

// BuildWith builds board from a private checkout made by Checkout.
func BuildWith(ctx context.Context, root, tree, board string) (*firmware.Result, error) {
	b, err := boards.Load(filepath.Join(root, "boards"), board)
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.Find(ctx)
	if err != nil {
		return nil, err
	}
	return firmware.Build(ctx, firmware.Config{Root: root, Board: b, TreeDir: tree, Toolchain: tc})
}
