package mptree

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ulikunitz/xz"
)

func xzOf(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := xz.NewWriter(&b)
	must(t, err)
	_, err = w.Write(data)
	must(t, err)
	must(t, w.Close())
	return b.Bytes()
}

// tarOf packs files (slash paths) under top/, every one dated mtime.
func tarOf(t *testing.T, top string, files map[string]string, mtime time.Time) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	must(t, tw.WriteHeader(&tar.Header{Name: top + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime}))
	for name, text := range files {
		must(t, tw.WriteHeader(&tar.Header{Name: top + "/" + name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(text)), ModTime: mtime}))
		_, err := tw.Write([]byte(text))
		must(t, err)
	}
	must(t, tw.Close())
	return b.Bytes()
}

func sumLine(name string, data []byte) string {
	return fmt.Sprintf(" %x %d %s\n", sha256.Sum256(data), len(data), name)
}

// fakeArchive serves a Debian archive holding a small micropython source
// package: sid's Sources.xz lists it, trixie's Sources.gz only another one.
func fakeArchive(t *testing.T, mtime time.Time, damage bool) *httptest.Server {
	files := map[string]string{"py/mpconfig.h": "#define MICROPY_VERSION_MAJOR 1\n#define MICROPY_VERSION_MINOR 26\n#define MICROPY_VERSION_MICRO 1\n"}
	for _, p := range requiredPaths {
		files[p] = "/* " + p + " */\n"
	}
	orig := xzOf(t, tarOf(t, "micropython-1.26.1", files, mtime))
	debian := xzOf(t, tarOf(t, "debian", map[string]string{"changelog": "micropython (1.26.1+ds-1) unstable\n"}, mtime))
	origName, debName := "micropython_1.26.1+ds.orig.tar.xz", "micropython_1.26.1+ds-1.debian.tar.xz"
	dsc := []byte("Format: 3.0 (quilt)\nSource: micropython\nVersion: 1.26.1+ds-1\nChecksums-Sha256:\n" +
		sumLine(origName, orig) + sumLine(debName, debian))
	dscName := "micropython_1.26.1+ds-1.dsc"
	sid := "Package: bash\nVersion: 5.2-1\n\nPackage: micropython\nVersion: 1.26.1+ds-1\nDirectory: pool/main/m/micropython\nChecksums-Sha256:\n" +
		sumLine(dscName, dsc) + "\nPackage: zsh\nVersion: 5.9-1\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("Package: micropython\nVersion: 1.25.0+ds-1\nDirectory: pool/main/m/micropython\n"))
	must(t, zw.Close())
	if damage {
		orig = bytes.Clone(orig)
		orig[len(orig)/2] ^= 0xff
	}
	serve := map[string][]byte{
		"/debian/dists/sid/main/source/Sources.xz":    xzOf(t, []byte(sid)),
		"/debian/dists/trixie/main/source/Sources.gz": gz.Bytes(),
		"/debian/pool/main/m/micropython/" + dscName:  dsc,
		"/debian/pool/main/m/micropython/" + origName: orig,
		"/debian/pool/main/m/micropython/" + debName:  debian,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if data, ok := serve[r.URL.Path]; ok {
			w.Write(data)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Without apt, the managed copy comes over HTTP from the archive the
// variable names: checked against the .dsc, unpacked in Go with its dates.
func TestFetchHTTP(t *testing.T) {
	mtime := time.Date(2025, 8, 14, 10, 0, 0, 0, time.UTC)
	srv := fakeArchive(t, mtime, false)
	t.Setenv(EnvFetch, "http")
	t.Setenv(EnvMirror, srv.URL+"/debian/")
	root := t.TempDir()
	tree, err := Fetch(context.Background(), nil, root, Pinned)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Dir != ManagedDir(root, Pinned) || tree.Version != Pinned || tree.Source != "debian:micropython=1.26.1+ds-1" {
		t.Errorf("Fetch = %+v", tree)
	}
	if fi, err := os.Stat(filepath.Join(tree.Dir, "py", "mpconfig.h")); err != nil || !fi.ModTime().Equal(mtime) {
		t.Errorf("py/mpconfig.h: %v, %v; want the tarball's date %v (the build date comes from it)", fi.ModTime(), err, mtime)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(root, ".mpforge", ".fetch-*")); len(leftovers) != 0 {
		t.Errorf("work folders left behind: %v", leftovers)
	}
}

func TestFetchHTTPDamaged(t *testing.T) {
	srv := fakeArchive(t, time.Now(), true)
	t.Setenv(EnvFetch, "http")
	t.Setenv(EnvMirror, srv.URL+"/debian")
	root := t.TempDir()
	_, err := Fetch(context.Background(), nil, root, Pinned)
	if err == nil || !strings.Contains(err.Error(), "micropython_1.26.1+ds.orig.tar.xz") || !strings.Contains(err.Error(), "SHA-256") || !strings.Contains(err.Error(), EnvMirror) {
		t.Fatalf("a damaged tarball: got %v, want a SHA-256 mismatch naming the file and %s", err, EnvMirror)
	}
	entries, _ := os.ReadDir(filepath.Join(root, ".mpforge"))
	if len(entries) != 0 {
		t.Errorf("a failed fetch left %v in .mpforge", entries)
	}
}

func TestExtractGoRefusesEscapes(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	must(t, tw.WriteHeader(&tar.Header{Name: "top/../../evil", Typeflag: tar.TypeReg, Mode: 0o644}))
	must(t, tw.Close())
	tarball := filepath.Join(dir, "x.tar.xz")
	must(t, os.WriteFile(tarball, xzOf(t, b.Bytes()), 0o644))
	if _, err := extractGo(tarball, filepath.Join(dir, "out")); err == nil || !strings.Contains(err.Error(), "outside the tree") {
		t.Errorf("an entry climbing out: got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "evil")); err == nil {
		t.Error("the entry was written outside")
	}
}
