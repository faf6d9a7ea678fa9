package mptree

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/log"
)

// useOwnClone ends every error that means "the managed copy cannot be had here".
const useOwnClone = "set " + EnvDir + " to your own MicroPython clone instead " +
	"(git clone https://github.com/micropython/micropython; git checkout v%s)"

// Fetch makes sure the managed copy of MicroPython version want exists under projectRoot
// (.mpforge/micropython-<want>) and returns it. A valid existing copy is reused without
// touching the network. Otherwise Debian's source package `micropython` is downloaded with
// apt through a private configuration under .mpforge/apt/ (the system's apt setup is never
// changed), or over HTTP where there is no apt (httpfetch.go), the upstream tarball is checked against the .dsc's SHA-256 and unpacked next to
// the destination, validated, and renamed into place, so an interrupted fetch never leaves a
// half tree at the final path. Progress goes to logger (nil: quiet).
func Fetch(ctx context.Context, logger *log.Logger, projectRoot string, want Version) (Tree, error) {
	if !want.Supported() {
		return Tree{}, fmt.Errorf("cannot fetch MicroPython %s: not supported (need %s)", want, supportedText())
	}
	logger = orDiscard(logger)
	dest := ManagedDir(projectRoot, want)
	if t, err := checkManaged(dest, want); err == nil {
		logger.Debug("MicroPython tree present", "dir", dest, "source", t.Source)
		return t, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		logger.Warn("replacing broken managed copy", "err", err)
	}

	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return Tree{}, err
	}
	// The work dir sits next to dest so the final rename stays on one filesystem.
	work, err := os.MkdirTemp(filepath.Dir(dest), ".fetch-micropython-"+want.String()+"-")
	if err != nil {
		return Tree{}, err
	}
	defer os.RemoveAll(work)
	download := filepath.Join(work, "download")
	if err := os.Mkdir(download, 0o755); err != nil {
		return Tree{}, err
	}
	var tarball, source string
	unpack := func(tarball, dir string) (string, error) { return extract(ctx, tarball, dir) }
	if useHTTP() { // httpfetch.go
		tarball, source, err = fetchHTTP(ctx, logger, Mirror(), want, download)
		unpack = extractGo // no tar on Windows
	} else {
		tarball, source, err = fetchApt(ctx, logger, projectRoot, want, download)
	}
	if err != nil {
		return Tree{}, fmt.Errorf("cannot fetch MicroPython %s: %w; "+useOwnClone, want, err, want)
	}

	logger.Info("unpacking", "tarball", filepath.Base(tarball))
	unpacked := filepath.Join(work, "unpacked")
	top, err := unpack(tarball, unpacked)
	if err != nil {
		return Tree{}, fmt.Errorf("cannot fetch MicroPython %s: %w", want, err)
	}
	if err := os.WriteFile(filepath.Join(top, sourceFile), []byte(source+"\n"), 0o644); err != nil {
		return Tree{}, err
	}
	if _, err := checkVersion(top, "unpacked "+filepath.Base(tarball), want); err != nil {
		return Tree{}, fmt.Errorf("cannot fetch MicroPython %s: %w", want, err)
	}
	if err := install(top, dest, work); err != nil {
		// Someone else may have finished the same fetch first; their copy is as good as ours.
		if t, cerr := checkManaged(dest, want); cerr == nil {
			return t, nil
		}
		return Tree{}, err
	}
	logger.Info("MicroPython tree ready", "dir", dest)
	return checkManaged(dest, want)
}

// fetchApt downloads the source package of want into dir with apt, through
// a private configuration under .mpforge/apt/ (the system's apt setup is
// never changed), and returns the verified .orig tarball and its source.
func fetchApt(ctx context.Context, logger *log.Logger, projectRoot string, want Version, download string) (tarball, source string, err error) {
	apt, err := newPrivateApt(filepath.Join(projectRoot, ".mpforge", "apt"), "/etc/apt")
	if err != nil {
		return "", "", fmt.Errorf("from Debian: %w", err)
	}
	logger.Info("updating Debian source index", "mirror", apt.archive.URI, "suites", strings.Join(sourceSuites, " "))
	if _, err := apt.run(ctx, "", "apt-get", "update"); err != nil {
		return "", "", err
	}
	showsrc, err := apt.run(ctx, "", "apt-cache", "showsrc", "micropython")
	if err != nil {
		return "", "", err
	}
	debVersion, ok := pickSourceVersion(showsrc, want)
	if !ok {
		return "", "", fmt.Errorf("Debian (%s) has no micropython source package of that version", strings.Join(sourceSuites, ", "))
	}
	source = "debian:micropython=" + debVersion
	logger.Info("downloading MicroPython source", "package", source)
	if _, err := apt.run(ctx, download, "apt-get", "source", "--download-only", "micropython="+debVersion); err != nil {
		return "", "", err
	}
	tarball, err = verifiedTarball(download, debVersion)
	return tarball, source, err
}

// checkManaged validates an existing managed copy; a missing one yields fs.ErrNotExist.
func checkManaged(dir string, want Version) (Tree, error) {
	if _, err := os.Stat(dir); err != nil {
		return Tree{}, err
	}
	return checkVersion(dir, "managed copy "+dir, want)
}

func checkVersion(dir, label string, want Version) (Tree, error) {
	t, err := check(dir, label)
	if err != nil {
		return Tree{}, err
	}
	if t.Version != want {
		return Tree{}, fmt.Errorf("%s: holds MicroPython %s, not %s", label, t.Version, want)
	}
	return t, nil
}

// install moves the validated tree to dest. A broken copy already at dest is first moved
// into work (deleted with it), so dest never holds a partial tree.
func install(tree, dest, work string) error {
	if _, err := os.Lstat(dest); err == nil {
		if err := os.Rename(dest, filepath.Join(work, "old")); err != nil {
			return fmt.Errorf("cannot move the broken managed copy %s aside: %w", dest, err)
		}
	}
	return os.Rename(tree, dest)
}

// verifiedTarball parses the downloaded .dsc and checks the upstream tarball's size and SHA-256.
func verifiedTarball(dir, debVersion string) (string, error) {
	noEpoch := debVersion
	if _, after, ok := strings.Cut(noEpoch, ":"); ok {
		noEpoch = after
	}
	dscName := "micropython_" + noEpoch + ".dsc"
	text, err := os.ReadFile(filepath.Join(dir, dscName))
	if err != nil {
		return "", fmt.Errorf("apt downloaded no %s: %w", dscName, err)
	}
	d, err := parseDSC(string(text))
	if err != nil {
		return "", fmt.Errorf("%s: %w", dscName, err)
	}
	orig, err := d.origTarball()
	if err != nil {
		return "", err
	}
	if orig.Name != filepath.Base(orig.Name) {
		return "", fmt.Errorf("%s: bad file name %q", dscName, orig.Name)
	}
	path := filepath.Join(dir, orig.Name)
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("apt downloaded no %s: %w", orig.Name, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", orig.Name, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != orig.Size || sum != orig.SHA256 {
		return "", fmt.Errorf("%s: %d bytes with SHA-256 %s, but %s says %d bytes with %s; delete .mpforge/apt and retry",
			orig.Name, n, sum, dscName, orig.Size, orig.SHA256)
	}
	return path, nil
}

// extract unpacks tarball into dir (created) and returns the single top-level folder.
func extract(ctx context.Context, tarball, dir string) (string, error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	var z string
	switch {
	case strings.HasSuffix(tarball, ".xz"):
		z = "J"
	case strings.HasSuffix(tarball, ".gz"):
		z = "z"
	case strings.HasSuffix(tarball, ".bz2"):
		z = "j"
	default:
		return "", fmt.Errorf("%s: unknown compression", filepath.Base(tarball))
	}
	if _, err := runTool(ctx, "", "tar", "--no-same-owner", "-x"+z+"f", tarball, "-C", dir); err != nil {
		return "", err
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

// privateApt runs apt-get/apt-cache against our own sources, lists and cache, so neither the
// system's configuration nor its package lists change.
type privateApt struct {
	dir     string
	archive debianArchive
}

// newPrivateApt derives our source entry from the system's Debian entry (under etcApt) and
// writes it, with the state folders apt expects, under dir.
func newPrivateApt(dir, etcApt string) (*privateApt, error) {
	for _, tool := range []string{"apt-get", "apt-cache", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s not found (this does not look like a Debian-like system)", tool)
		}
	}
	entries, err := systemEntries(etcApt)
	if err != nil {
		return nil, fmt.Errorf("reading apt sources: %w", err)
	}
	archive, ok := pickDebian(entries)
	if !ok {
		return nil, fmt.Errorf("no Debian archive entry (a URI ending in /debian) in %s/sources.list or %s/sources.list.d", etcApt, etcApt)
	}
	for _, d := range []string{"sources.list.d", "lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	list := filepath.Join(dir, "sources.list.d", "micropython-src.sources")
	if err := os.WriteFile(list, []byte(privateSources(archive)), 0o644); err != nil {
		return nil, err
	}
	return &privateApt{dir: dir, archive: archive}, nil
}

func (a *privateApt) run(ctx context.Context, cwd, tool string, args ...string) (string, error) {
	argv := []string{
		"-q",
		"-o", "Dir::Etc::SourceList=/dev/null",
		"-o", "Dir::Etc::SourceParts=" + filepath.Join(a.dir, "sources.list.d"),
		"-o", "Dir::State::Lists=" + filepath.Join(a.dir, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(a.dir, "cache"),
	}
	return runTool(ctx, cwd, tool, append(argv, args...)...)
}

// runTool runs a program (never through a shell) and returns its stdout; on failure the
// error quotes the command and the tail of its output.
func runTool(ctx context.Context, cwd, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = cwd
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		out := strings.TrimSpace(stderr.String() + "\n" + stdout.String())
		return "", fmt.Errorf("%s %s failed (%v): %s", name, strings.Join(args, " "), err, tail(out, 12))
	}
	return stdout.String(), nil
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// orDiscard returns a logger that discards when the caller passed none.
func orDiscard(l *log.Logger) *log.Logger {
	if l == nil {
		return log.New(io.Discard)
	}
	return l
}
