// Package testfw gives tests a firmware built by mpforge itself from the
// checkout's boards, so that device and end-to-end tests run what users run.
package testfw

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"mpforge/boards"
	"mpforge/firmware"
	"mpforge/internal/copytree"
	"mpforge/internal/testenv"
	"mpforge/toolchain"
)

var (
	mu    sync.Mutex
	built = map[string]boardBuild{} // one (no-op) build check per board and test binary is enough
)

type boardBuild struct {
	res *firmware.Result
	b   *boards.Board
}

// Firmware builds board into the checkout's out/<board>/ (incrementally, so
// only the first test package to ask pays for it; the board lock keeps
// concurrent test binaries from colliding) and returns the build and the board.
func Firmware(t testing.TB, board string) (*firmware.Result, *boards.Board) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if f, ok := built[board]; ok {
		return f.res, f.b
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	res, b, err := build(context.Background(), root, testenv.MicroPythonDir(t), board)
	if err != nil {
		t.Fatalf("build %s: %v", board, err)
	}
	built[board] = boardBuild{res, b}
	return res, b
}

// Checkout makes a private copy of the checkout (port/, boards/, python/) with its
// own copy of the MicroPython tree inside it, for tests that edit sources.
// Modification times are kept, as git and tar keep them.
func Checkout(t testing.TB) (root, tree string) {
	t.Helper()
	return CheckoutAt(t, t.TempDir())
}

// CheckoutAt is Checkout into the folder root (made if missing), e.g. a
// path with a space in it.
func CheckoutAt(t testing.TB, root string) (string, string) {
	t.Helper()
	repo, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"port", "boards", "python"} {
		copyTree(t, filepath.Join(repo, dir), filepath.Join(root, dir))
	}
	src := testenv.MicroPythonDir(t)
	tree := filepath.Join(root, ".mpforge", "micropython")
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
	res, _, err := build(ctx, root, tree, board)
	return res, err
}

// build builds board from the checkout at root and the tree into root/out/<board>/.
func build(ctx context.Context, root, tree, board string) (*firmware.Result, *boards.Board, error) {
	b, err := boards.Load(filepath.Join(root, "boards"), board)
	if err != nil {
		return nil, nil, err
	}
	tc, err := toolchain.Find(ctx)
	if err != nil {
		return nil, nil, err
	}
	res, err := firmware.Build(ctx, firmware.Config{Root: root, Board: b, TreeDir: tree, Toolchain: tc})
	return res, b, err
}
