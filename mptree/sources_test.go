package mptree

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// This machine's (Debian bookworm container) deb822 file, comments included.
const bookwormSources = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`

const inlineKey = `
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEZfakeKEYdataFAKEkeyDATA
 =abcd
 -----END PGP PUBLIC KEY BLOCK-----`

func TestPickDebian(t *testing.T) {
	for _, tc := range []struct {
		name, file, text string
		want             debianArchive
		ok               bool
	}{
		{
			name: "deb822 bookworm", file: "debian.sources", text: bookwormSources, ok: true,
			want: debianArchive{URI: "http://deb.debian.org/debian", SignedBy: "/usr/share/keyrings/debian-archive-keyring.gpg"},
		},
		{
			name: "deb822 security first, disabled mirror, then a local mirror with trailing slash", file: "x.sources", ok: true,
			text: "Types: deb\nURIs: https://security.debian.org/debian-security\nSuites: trixie-security\nComponents: main\n\n" +
				"Enabled: no\nTypes: deb\nURIs: http://disabled.example/debian\nSuites: trixie\nComponents: main\n\n" +
				"types: deb deb-src\nuris: https://mirror.example.org/pub/debian/\nsuites: trixie trixie-updates\ncomponents: main contrib\n",
			want: debianArchive{URI: "https://mirror.example.org/pub/debian"},
		},
		{
			name: "deb822 inline key", file: "k.sources", ok: true,
			text: "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: sid\nComponents: main\nSigned-By:" + inlineKey + "\n",
			want: debianArchive{URI: "http://deb.debian.org/debian", SignedBy: strings.ReplaceAll(inlineKey, "\n ", "\n")},
		},
		{
			name: "deb822 only updates suite", file: "u.sources", ok: false,
			text: "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-updates\nComponents: main\n",
		},
		{
			name: "ubuntu", file: "ubuntu.sources", ok: false,
			text: "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble noble-updates\nComponents: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n",
		},
		{
			name: "one-line with options", file: "sources.list", ok: true,
			text: "# comment\ndeb http://security.debian.org/debian-security bookworm-security main\n" +
				"deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://ftp.de.debian.org/debian/ bookworm main contrib # trailing\n",
			want: debianArchive{URI: "http://ftp.de.debian.org/debian", SignedBy: "/usr/share/keyrings/debian-archive-keyring.gpg"},
		},
		{
			name: "one-line plain", file: "sources.list", ok: true,
			text: "deb http://deb.debian.org/debian bullseye main\ndeb-src http://deb.debian.org/debian bullseye main\n",
			want: debianArchive{URI: "http://deb.debian.org/debian"},
		},
		{
			name: "one-line third party and cdrom only", file: "sources.list", ok: false,
			text: "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\ndeb cdrom:[Debian GNU/Linux 12]/ bookworm main\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var entries []aptEntry
			if strings.HasSuffix(tc.file, ".sources") {
				entries = parseDeb822Sources(tc.file, tc.text)
			} else {
				entries = parseOneLineSources(tc.file, tc.text)
			}
			got, ok := pickDebian(entries)
			if ok != tc.ok {
				t.Fatalf("pickDebian ok = %v, want %v (entries %+v)", ok, tc.ok, entries)
			}
			if !ok {
				return
			}
			tc.want.File = tc.file
			if got != tc.want {
				t.Errorf("pickDebian = %+v\nwant %+v", got, tc.want)
			}
			// Our private entry must read back as a deb-src entry for the same mirror and key.
			back := parseDeb822Sources("ours", privateSources(got))
			want := []aptEntry{{File: "ours", Types: []string{"deb-src"}, URIs: []string{got.URI}, Suites: sourceSuites, SignedBy: got.SignedBy}}
			if !reflect.DeepEqual(back, want) {
				t.Errorf("private sources read back as %+v\nwant %+v\ntext:\n%s", back, want, privateSources(got))
			}
		})
	}
}

func TestPrivateSourcesText(t *testing.T) {
	got := privateSources(debianArchive{URI: "http://deb.debian.org/debian", SignedBy: "/usr/share/keyrings/debian-archive-keyring.gpg", File: "/etc/apt/sources.list.d/debian.sources"})
	want := `# Written by mpforge; derived from the Debian entry in /etc/apt/sources.list.d/debian.sources.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: sid trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`
	if got != want {
		t.Errorf("privateSources:\n%s\nwant:\n%s", got, want)
	}
}

func TestSystemEntries(t *testing.T) {
	etc := t.TempDir()
	write(t, filepath.Join(etc, "sources.list"), "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n")
	write(t, filepath.Join(etc, "sources.list.d", "debian.sources"), bookwormSources)
	write(t, filepath.Join(etc, "sources.list.d", "old.list.disabled"), "deb http://wrong.example/debian bookworm main\n")
	entries, err := systemEntries(etc)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("systemEntries = %+v; want 3 entries (disabled file skipped)", entries)
	}
	got, ok := pickDebian(entries)
	if !ok || got.URI != "http://deb.debian.org/debian" || got.File != filepath.Join(etc, "sources.list.d", "debian.sources") {
		t.Errorf("pickDebian = %+v, %v", got, ok)
	}
	// The real machine's configuration must yield an entry too: Fetch depends on it here.
	if _, err := os.Stat("/etc/apt"); err == nil {
		sys, err := systemEntries("/etc/apt")
		if err != nil {
			t.Fatal(err)
		}
		if a, ok := pickDebian(sys); ok {
			t.Logf("this machine's Debian archive: %+v", a)
		} else {
			t.Logf("this machine has no Debian archive entry; Fetch would ask for %s", EnvDir)
		}
	}
}
