package mptree

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Debian's micropython_1.26.1+ds-1.dsc, signature shortened.
const realDSC = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

Format: 3.0 (quilt)
Source: micropython
Binary: micropython, micropython-doc
Architecture: any all
Version: 1.26.1+ds-1
Maintainer: Yangfl <mmyangfl@gmail.com>
Homepage: https://micropython.org/
Build-Depends: debhelper-compat (= 13), python3
Package-List:
 micropython deb python optional arch=any
 micropython-doc deb doc optional arch=all
Checksums-Sha1:
 7fe1be3abbbe0d66da0186071387e6b168f937f8 6084116 micropython_1.26.1+ds.orig.tar.xz
 b37d06babbcb601cb0f7e7c265ed21e907cd37cb 15700 micropython_1.26.1+ds-1.debian.tar.xz
Checksums-Sha256:
 f5ad2ec89d3e921f753d448955af98b6005655f84ba26087dde6ba0e8d062f34 6084116 micropython_1.26.1+ds.orig.tar.xz
 1f6af20cc729518aeeb039455d43d5cd6fe7cb94f6ecff9980836003bdf795c2 15700 micropython_1.26.1+ds-1.debian.tar.xz
Files:
 f874e9ace19ebfc85736ae7956d05f04 6084116 micropython_1.26.1+ds.orig.tar.xz
 a9e3079803e36830e1cf13b29538587b 15700 micropython_1.26.1+ds-1.debian.tar.xz

-----BEGIN PGP SIGNATURE-----

iQIzBAEBCgAdFiEEfncpR22H1vEdkazLwpPntGGCWs4FAmjFkosACgkQwpPntGGC
=0xqB
-----END PGP SIGNATURE-----
`

func TestParseDSC(t *testing.T) {
	d, err := parseDSC(realDSC)
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != "micropython" || d.Version != "1.26.1+ds-1" || len(d.Files) != 2 {
		t.Fatalf("parseDSC = %+v", d)
	}
	orig, err := d.origTarball()
	want := dscFile{Name: "micropython_1.26.1+ds.orig.tar.xz", Size: 6084116, SHA256: "f5ad2ec89d3e921f753d448955af98b6005655f84ba26087dde6ba0e8d062f34"}
	if err != nil || orig != want {
		t.Errorf("origTarball = %+v, %v; want %+v", orig, err, want)
	}
	// An unsigned .dsc reads the same.
	body := realDSC[strings.Index(realDSC, "Format:"):strings.Index(realDSC, "-----BEGIN PGP SIGNATURE")]
	if d2, err := parseDSC(body); err != nil || d2.Version != d.Version || len(d2.Files) != 2 {
		t.Errorf("unsigned parseDSC = %+v, %v", d2, err)
	}

	for _, tc := range []struct{ text, want string }{
		{"", "empty .dsc"},
		{"Source: micropython\n", "lacks Source or Version"},
		{"Source: micropython\nVersion: 1\n", "no Checksums-Sha256"},
		{"Source: micropython\nVersion: 1\nChecksums-Sha256:\n abc 12 x.tar.xz\n", "malformed row"},
		{"Source: micropython\nVersion: 1\nChecksums-Sha256:\n " + strings.Repeat("a", 64) + " big x.tar.xz\n", "malformed row"},
	} {
		if _, err := parseDSC(tc.text); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseDSC(%q) error = %v, want %q", tc.text, err, tc.want)
		}
	}
	noOrig := dsc{Source: "micropython", Version: "1", Files: []dscFile{{Name: "x.debian.tar.xz"}}}
	if _, err := noOrig.origTarball(); err == nil {
		t.Error("origTarball without an .orig file: no error")
	}
}

func TestCompareDebian(t *testing.T) {
	// Each is older than the next, as dpkg --compare-versions orders them.
	order := []string{"1.25.0~rc1-1", "1.25.0+ds-1", "1.25.0+ds-1+b1", "1.25.0+ds-2", "1.25.0+ds-10", "1.26.1+ds-1", "1:1.0-1"}
	for i := range order {
		for j := range order {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := compareDebian(order[i], order[j]); got != want {
				t.Errorf("compareDebian(%q, %q) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	// Cross-check with dpkg where it exists.
	if _, err := exec.LookPath("dpkg"); err == nil {
		for i := 0; i+1 < len(order); i++ {
			if err := exec.Command("dpkg", "--compare-versions", order[i], "lt", order[i+1]).Run(); err != nil {
				t.Errorf("dpkg disagrees: %s is not < %s", order[i], order[i+1])
			}
		}
	}
}

func TestUpstreamAndPick(t *testing.T) {
	for in, want := range map[string]Version{
		"1.26.1+ds-1": {1, 26, 1}, "1.25.0+ds-1": {1, 25, 0}, "2:1.26.1~rc1-3": {1, 26, 1}, "1.26+dfsg-1": {1, 26, 0},
	} {
		if got, err := upstreamOf(in); err != nil || got != want {
			t.Errorf("upstreamOf(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	showsrc := "Package: micropython\nVersion: 1.26.1+ds-1\nDirectory: pool/main/m/micropython\n\n" +
		"Package: micropython\nVersion: 1.25.0+ds-1\n\n" +
		"Package: micropython\nVersion: 1.26.1+ds-2\n\n" +
		"Package: micropython-lib\nVersion: 1.26.1+ds-9\n"
	for _, tc := range []struct {
		want Version
		got  string
		ok   bool
	}{
		{Version{1, 26, 1}, "1.26.1+ds-2", true},
		{Version{1, 25, 0}, "1.25.0+ds-1", true},
		{Version{1, 26, 0}, "", false},
	} {
		if got, ok := pickSourceVersion(showsrc, tc.want); got != tc.got || ok != tc.ok {
			t.Errorf("pickSourceVersion(%v) = %q, %v; want %q, %v", tc.want, got, ok, tc.got, tc.ok)
		}
	}
}

// A real tarball made with tar, checked against a .dsc we write for it, then unpacked.
func TestVerifyAndExtract(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	write(t, filepath.Join(src, "micropython-9.9.9", "py", "x.c"), "int x;\n")
	dir := t.TempDir()
	tarball := filepath.Join(dir, "micropython_9.9.9+ds.orig.tar.xz")
	if out, err := exec.Command("tar", "-cJf", tarball, "-C", src, "micropython-9.9.9").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v: %s", err, out)
	}
	data, err := os.ReadFile(tarball)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	writeDSC := func(hexsum string, size int) {
		write(t, filepath.Join(dir, "micropython_9.9.9+ds-1.dsc"), fmt.Sprintf(
			"Source: micropython\nVersion: 9.9.9+ds-1\nChecksums-Sha256:\n %s %d micropython_9.9.9+ds.orig.tar.xz\n", hexsum, size))
	}

	writeDSC(hex.EncodeToString(sum[:]), len(data))
	path, err := verifiedTarball(dir, "9.9.9+ds-1")
	if err != nil || path != tarball {
		t.Fatalf("verifiedTarball = %q, %v", path, err)
	}
	top, err := extract(ctx, path, filepath.Join(dir, "out"))
	if err != nil || filepath.Base(top) != "micropython-9.9.9" {
		t.Fatalf("extract = %q, %v", top, err)
	}
	if b, err := os.ReadFile(filepath.Join(top, "py", "x.c")); err != nil || string(b) != "int x;\n" {
		t.Errorf("extracted py/x.c = %q, %v", b, err)
	}

	writeDSC(strings.Repeat("0", 64), len(data))
	if _, err := verifiedTarball(dir, "9.9.9+ds-1"); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("verifiedTarball with a wrong checksum: %v", err)
	}
	if _, err := verifiedTarball(dir, "1:9.9.8+ds-1"); err == nil || !strings.Contains(err.Error(), "micropython_9.9.8+ds-1.dsc") {
		t.Errorf("verifiedTarball without its .dsc: %v", err)
	}
}
