package mptree

// The managed copy without apt (Windows, macOS, a Linux without Debian's
// tools): the same Debian source package, read over HTTP from the archive
// named by EnvMirror. The suite's Sources index gives the .dsc's SHA-256,
// the .dsc gives its files' SHA-256, and the .orig tarball is unpacked in
// Go. apt also checks the archive's signature on the index; this route
// relies on the mirror's HTTPS for that, which is why the default is an
// https:// URL.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/log"
	"github.com/ulikunitz/xz"
)

const (
	// EnvMirror is the Debian archive to download the source package from
	// when apt is not used (its URL, the folder with dists/ and pool/).
	EnvMirror = "MPFORGE_DEBIAN_MIRROR"
	// EnvFetch set to "http" downloads without apt even where apt is.
	EnvFetch = "MPFORGE_FETCH"
	// defaultMirror is Debian's own redirector to a nearby mirror, for a
	// system with no apt sources to take the mirror from.
	defaultMirror = "https://deb.debian.org/debian"
)

// useHTTP says whether the managed copy is fetched without apt.
func useHTTP() bool {
	if os.Getenv(EnvFetch) == "http" {
		return true
	}
	_, err := exec.LookPath("apt-get")
	return err != nil
}

// Mirror is the Debian archive mpforge downloads from: EnvMirror, else the
// system's Debian archive, else Debian's redirector.
func Mirror() string { return mirror("/etc/apt") }

// mirror is EnvMirror, else the Debian archive in etcApt's sources, else the default.
func mirror(etcApt string) string {
	if m := os.Getenv(EnvMirror); m != "" {
		return strings.TrimRight(m, "/")
	}
	if entries, err := systemEntries(etcApt); err == nil {
		if a, ok := pickDebian(entries); ok {
			return a.URI
		}
	}
	return defaultMirror
}

// downloader reads the archive.
type downloader struct {
	client *http.Client
	base   string
}

// get returns the body of base/rel, at most limit bytes.
func (d downloader) get(ctx context.Context, rel string, limit int64) ([]byte, error) {
	url := d.base + "/" + rel
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("GET %s: larger than %d bytes", url, limit)
	}
	return data, nil
}

// sourcesEntries reads the micropython paragraphs of a suite's Sources
// index (xz, else gz), without holding the whole index.
func (d downloader) sourcesEntries(ctx context.Context, suite string) (string, error) {
	for _, c := range []struct {
		ext  string
		open func(io.Reader) (io.Reader, error)
	}{
		{".xz", func(r io.Reader) (io.Reader, error) { return xz.NewReader(r) }},
		{".gz", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
	} {
		data, err := d.get(ctx, "dists/"+suite+"/main/source/Sources"+c.ext, 256<<20)
		if err != nil {
			continue
		}
		r, err := c.open(bytes.NewReader(data))
		if err != nil {
			return "", fmt.Errorf("%s Sources%s: %w", suite, c.ext, err)
		}
		var keep strings.Builder
		var para strings.Builder
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		flush := func() {
			if strings.HasPrefix(para.String(), "Package: micropython\n") {
				keep.WriteString(para.String() + "\n")
			}
			para.Reset()
		}
		for sc.Scan() {
			if sc.Text() == "" {
				flush()
				continue
			}
			para.WriteString(sc.Text() + "\n")
		}
		flush()
		if err := sc.Err(); err != nil {
			return "", fmt.Errorf("%s Sources%s: %w", suite, c.ext, err)
		}
		return keep.String(), nil
	}
	return "", fmt.Errorf("%s/dists/%s/main/source/ has no Sources.xz or Sources.gz", d.base, suite)
}

// fetchHTTP downloads the source package of want into dir and returns the
// verified .orig tarball and the package's name=version.
func fetchHTTP(ctx context.Context, logger *log.Logger, base string, want Version, dir string) (tarball, source string, err error) {
	d := downloader{client: http.DefaultClient, base: base}
	var entries strings.Builder
	for _, suite := range sourceSuites {
		logger.Info("reading Debian source index", "mirror", base, "suite", suite)
		text, err := d.sourcesEntries(ctx, suite)
		if err != nil {
			return "", "", err
		}
		entries.WriteString(text)
	}
	debVersion, ok := pickSourceVersion(entries.String(), want)
	if !ok {
		return "", "", fmt.Errorf("Debian (%s at %s) has no micropython source package of version %s",
			strings.Join(sourceSuites, ", "), base, want)
	}
	var para paragraph
	for _, p := range parseDeb822(entries.String()) {
		if p["package"] == "micropython" && p["version"] == debVersion {
			para = p
		}
	}
	noEpoch := debVersion
	if _, after, ok := strings.Cut(noEpoch, ":"); ok {
		noEpoch = after
	}
	dscName := "micropython_" + noEpoch + ".dsc"
	var dscSum string
	for _, row := range para.lines("checksums-sha256") {
		if f := strings.Fields(row); len(f) == 3 && f[2] == dscName {
			dscSum = strings.ToLower(f[0])
		}
	}
	folder := para["directory"]
	if dscSum == "" || folder == "" || strings.Contains(folder, "..") {
		return "", "", fmt.Errorf("the Sources entry of micropython %s lacks the .dsc's checksum or a sound Directory", debVersion)
	}
	logger.Info("downloading MicroPython source", "package", "micropython="+debVersion)
	text, err := d.get(ctx, folder+"/"+dscName, 1<<20)
	if err != nil {
		return "", "", err
	}
	if err := checkSum(dscName, text, int64(len(text)), dscSum); err != nil {
		return "", "", err
	}
	dsc, err := parseDSC(string(text))
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", dscName, err)
	}
	orig, err := dsc.origTarball()
	if err != nil {
		return "", "", err
	}
	for _, f := range dsc.Files {
		if f.Name != path.Base(f.Name) || f.Name != filepath.Base(f.Name) || f.Name == ".." {
			return "", "", fmt.Errorf("%s: bad file name %q", dscName, f.Name)
		}
		data, err := d.get(ctx, folder+"/"+f.Name, f.Size)
		if err != nil {
			return "", "", err
		}
		if err := checkSum(f.Name, data, f.Size, f.SHA256); err != nil {
			return "", "", fmt.Errorf("%w (%s lists it)", err, dscName)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), data, 0o644); err != nil {
			return "", "", err
		}
	}
	return filepath.Join(dir, orig.Name), "debian:micropython=" + debVersion, nil
}

func checkSum(name string, data []byte, size int64, want string) error {
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); int64(len(data)) != size || got != want {
		return fmt.Errorf("%s: %d bytes with SHA-256 %s, want %d bytes with %s: a damaged download or a bad mirror; retry, or set %s to another mirror",
			name, len(data), got, size, want, EnvMirror)
	}
	return nil
}

// extractGo unpacks a .tar.xz or .tar.gz into dir (created), refusing any
// entry that would land outside it, and returns the single top folder.
func extractGo(tarball, dir string) (string, error) {
	f, err := os.Open(tarball)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var r io.Reader
	switch {
	case strings.HasSuffix(tarball, ".xz"):
		if r, err = xz.NewReader(bufio.NewReader(f)); err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Base(tarball), err)
		}
	case strings.HasSuffix(tarball, ".gz"):
		if r, err = gzip.NewReader(f); err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Base(tarball), err)
		}
	default:
		return "", fmt.Errorf("%s: unknown compression", filepath.Base(tarball))
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", filepath.Base(tarball), err)
		}
		name := path.Clean(h.Name)
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, `\`) {
			return "", fmt.Errorf("%s: entry %q lies outside the tree", filepath.Base(tarball), h.Name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			// With its time, as tar keeps it: the build date in mpversion.h is py/mpconfig.h's.
			if err = writeEntry(target, tr, h.FileInfo().Mode().Perm()|0o600); err == nil {
				err = os.Chtimes(target, h.ModTime, h.ModTime)
			}
		case tar.TypeSymlink:
			// Kept only inside the tree; where symlinks cannot be made
			// (Windows without developer mode) the link is skipped.
			link := path.Clean(path.Join(path.Dir(name), h.Linkname))
			if path.IsAbs(h.Linkname) || link == ".." || strings.HasPrefix(link, "../") {
				return "", fmt.Errorf("%s: link %q points outside the tree", filepath.Base(tarball), h.Name)
			}
			if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
				if os.Symlink(filepath.FromSlash(h.Linkname), target) != nil {
					err = nil
				}
			}
		}
		if err != nil {
			return "", err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	if len(entries) != 1 || !entries[0].IsDir() {
		return "", fmt.Errorf("%s: expected one top-level folder, found %d entries", filepath.Base(tarball), len(entries))
	}
	return filepath.Join(dir, entries[0].Name()), nil
}

func writeEntry(target string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
