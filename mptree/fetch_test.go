package mptree

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/log"
)

func TestNewPrivateApt(t *testing.T) {
	etc := t.TempDir()
	write(t, filepath.Join(etc, "sources.list.d", "ubuntu.sources"),
		"Types: deb\nURIs: http://archive.ubuntu.com/ubuntu\nSuites: noble\nComponents: main\n")
	if _, err := newPrivateApt(filepath.Join(t.TempDir(), "apt"), etc); err == nil || !strings.Contains(err.Error(), "no Debian archive entry") {
		t.Errorf("newPrivateApt on an Ubuntu-only configuration: %v", err)
	}

	write(t, filepath.Join(etc, "sources.list.d", "debian.sources"), bookwormSources)
	dir := filepath.Join(t.TempDir(), "apt")
	a, err := newPrivateApt(dir, etc)
	if err != nil {
		t.Skipf("no apt here: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "sources.list.d", "micropython-src.sources"))
	if err != nil || !strings.Contains(string(b), "URIs: http://deb.debian.org/debian\n") || a.archive.URI != "http://deb.debian.org/debian" {
		t.Errorf("private sources = %q, %v", b, err)
	}
	for _, d := range []string{"lists/partial", "cache/archives/partial"} {
		if fi, err := os.Stat(filepath.Join(dir, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s not created: %v", d, err)
		}
	}
}

func TestFetchUnsupported(t *testing.T) {
	root := t.TempDir()
	if _, err := Fetch(context.Background(), nil, root, Version{1, 22, 0}); err == nil || !strings.Contains(err.Error(), "not supported (need 1.25 or 1.26)") {
		t.Errorf("Fetch(1.22.0): %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("Fetch of an unsupported version left %d entries in the project root", len(entries))
	}
}

// TestFetch really downloads Debian's micropython source package (~6 MB plus ~23 MB of
// source indexes) into a temporary project root.
func TestFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads from Debian; skipped in -short")
	}
	if _, err := newPrivateApt(filepath.Join(t.TempDir(), "apt"), "/etc/apt"); err != nil {
		t.Skipf("cannot use Debian's archive here: %v", err)
	}
	ctx := context.Background()
	logger := log.New(testWriter{t})
	root := t.TempDir()

	tree, err := Fetch(ctx, logger, root, Pinned)
	if err != nil {
		t.Fatal(err)
	}
	dest := ManagedDir(root, Pinned)
	if tree.Dir != dest || tree.Version != Pinned || tree.Git || !strings.HasPrefix(tree.Source, "debian:micropython="+Pinned.String()+"+") {
		t.Errorf("Fetch = %+v", tree)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(root, ".mpforge", ".fetch-*")); len(leftovers) != 0 {
		t.Errorf("work folders left behind: %v", leftovers)
	}

	t.Setenv(EnvDir, "")
	if got, err := Locate(root); err != nil || got != tree {
		t.Errorf("Locate after Fetch = %+v, %v; want %+v", got, err, tree)
	}

	// A present copy is reused without apt: with our apt folder gone, Fetch must still succeed
	// and must not recreate it.
	must(t, os.RemoveAll(filepath.Join(root, ".mpforge", "apt")))
	if again, err := Fetch(ctx, logger, root, Pinned); err != nil || again != tree {
		t.Errorf("second Fetch = %+v, %v", again, err)
	}
	if _, err := os.Stat(filepath.Join(root, ".mpforge", "apt")); !os.IsNotExist(err) {
		t.Errorf("second Fetch used apt (%v)", err)
	}

	// A broken copy is replaced by a whole new one.
	must(t, os.Remove(filepath.Join(dest, "py", "qstrdefs.h")))
	if _, err := Locate(root); err == nil || !strings.Contains(err.Error(), "py/qstrdefs.h missing") {
		t.Errorf("Locate on a broken copy: %v", err)
	}
	if fixed, err := Fetch(ctx, logger, root, Pinned); err != nil || fixed != tree {
		t.Errorf("Fetch over a broken copy = %+v, %v", fixed, err)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
