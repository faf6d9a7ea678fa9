package firmware

// The host mpy-cross is the same program for every checkout that builds the
// same tree with the same host compiler, so a per-user cache keeps one copy
// per digest of what makes it: a second checkout, a git worktree or a CI job
// with the folder restored takes it from there instead of compiling 66
// files twice.
//
// The key covers what is known before the build: every step's command
// (relative paths, the compiler's fingerprint, the flags), the content of
// the inputs those steps name (sources, py/qstrdefs.h, ...), mpversion.h and
// the header generator's own code. The headers the compiles read are known
// only from their depfiles, so each entry also lists them with their
// content digests ("inputs"), checked on every lookup, the way ccache's
// manifests work. An entry is a folder published by one rename, so a
// concurrent build never sees half of one.

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"mpforge/build"
	"mpforge/genhdr"
	"mpforge/toolchain"
)

// mpyCrossCacheVersion changes when the layout of an entry or the meaning
// of its key does.
const mpyCrossCacheVersion = "mpforge mpy-cross cache 1"

// DefaultMpyCrossCache is the per-user cache folder
// ($XDG_CACHE_HOME/mpforge/mpy-cross on Linux), or "" when the system has
// none (no home folder).
func DefaultMpyCrossCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "mpforge", "mpy-cross")
}

// keyInputs lists what the host build is made of without reading a file:
// the graph's commands and the generator's code (fixed, and as parts of
// the key), and the files whose content goes into the key. steps are the
// graph built without a compiler launcher (ccache does not change the
// program).
func keyInputs(cfg Config, steps []*build.Step) (fixed build.Digest, parts, files []string) {
	gen := genhdr.SourceDigest()
	parts = []string{mpyCrossCacheVersion, string(gen[:])}
	// Written before the build, from the tree's date: not produced by a step.
	files = []string{filepath.Join(cfg.OutDir, "genhdr", "mpversion.h")}
	produced := map[string]bool{}
	for _, s := range steps {
		for _, o := range s.Outputs {
			produced[o] = true
		}
	}
	for _, s := range steps {
		parts = append(parts, "\x00step", s.Kind)
		for _, c := range s.Command {
			parts = append(parts, filepath.ToSlash(c))
		}
		for _, in := range s.Inputs {
			if !produced[in] { // else made by a step whose command and inputs are here
				files = append(files, in)
			}
		}
	}
	return build.DigestStrings(parts...), parts, files
}

// keyOf is the cache key: the parts and the content of the files.
func keyOf(root string, parts, files []string) (string, error) {
	parts = append(slices.Clone(parts), "\x00files")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		d := build.DigestOf(data)
		parts = append(parts, relTo(root, f), string(d[:]))
	}
	d := build.DigestStrings(parts...)
	return hex.EncodeToString(d[:]), nil
}

// relTo names path relative to root (slash-separated) when it lies inside.
func relTo(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

// A checkout that took mpy-cross from the cache would hash its sources and
// headers on every build; the stamp (out/host/mpy-cross/.mpforge/cached)
// records the sizes and times of the files that hit, so that the next build
// only stats them, as the engine's own fast path does.

// stamp renders the graph's fixed digest and the stat of every file.
func stamp(fixed build.Digest, files []string) ([]byte, bool) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%x\n", fixed[:])
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil || time.Since(fi.ModTime()) < 2*time.Second {
			return nil, false // may change again within its mtime tick: not proof
		}
		fmt.Fprintf(&b, "%d %d %s\n", fi.Size(), fi.ModTime().UnixNano(), f)
	}
	return b.Bytes(), true
}

// stampHolds reports whether the stamp at path matches the graph and every
// file it lists is as it was.
func stampHolds(path string, fixed build.Digest) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	if string(first) != hex.EncodeToString(fixed[:]) {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(rest))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 3)
		if len(f) != 3 {
			return false
		}
		fi, err := os.Stat(f[2])
		if err != nil || fmt.Sprint(fi.Size()) != f[0] || fmt.Sprint(fi.ModTime().UnixNano()) != f[1] {
			return false
		}
	}
	return sc.Err() == nil
}

// mpyCrossInputs lists the headers the compiles of a finished build read,
// from their depfiles, leaving out the ones the build generated.
func mpyCrossInputs(cfg Config) ([]string, error) {
	var inputs []string
	obj := filepath.Join(cfg.OutDir, "obj")
	err := filepath.WalkDir(obj, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".d") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, dep := range toolchain.ParseDepfile(data) {
			if !filepath.IsAbs(dep) {
				dep = filepath.Join(cfg.Root, dep)
			}
			if r, err := filepath.Rel(cfg.OutDir, dep); err == nil && !strings.HasPrefix(r, "..") {
				continue
			}
			inputs = append(inputs, filepath.Clean(dep))
		}
		return nil
	})
	slices.Sort(inputs)
	return slices.Compact(inputs), err
}

// manifest writes "digest path" lines, paths inside the checkout relative
// to it (slash-separated), others (the system's headers) absolute.
func manifest(root string, inputs []string) ([]byte, error) {
	var b bytes.Buffer
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			return nil, err
		}
		d := build.DigestOf(data)
		fmt.Fprintf(&b, "%x %s\n", d[:], relTo(root, in))
	}
	return b.Bytes(), nil
}

// manifestFiles are the paths a manifest lists.
func manifestFiles(root string, data []byte) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if _, name, ok := strings.Cut(line, " "); ok {
			out = append(out, manifestPath(root, name))
		}
	}
	return out
}

func manifestPath(root, name string) string {
	path := filepath.FromSlash(name)
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	return path
}

// manifestHolds reports whether every file the manifest lists still has
// the content it had.
func manifestHolds(root string, data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			return false
		}
		got, err := os.ReadFile(manifestPath(root, name))
		if err != nil {
			return false
		}
		d := build.DigestOf(got)
		if hex.EncodeToString(d[:]) != sum {
			return false
		}
	}
	return sc.Err() == nil
}

// lookupMpyCross returns the cached binary for key, or "" when there is
// none or a header it was built from has changed.
func lookupMpyCross(cache, root, key string) string {
	entry := filepath.Join(cache, key)
	data, err := os.ReadFile(filepath.Join(entry, "inputs"))
	if err != nil || !manifestHolds(root, data) {
		return ""
	}
	exe := filepath.Join(entry, "mpy-cross")
	if fi, err := os.Stat(exe); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	return exe
}

// installExecutable puts a copy of src at dst atomically, unless dst
// already has its content (so that its mtime, and the steps that read it,
// stay put).
func installExecutable(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp := build.TempName(dst)
	if err := os.WriteFile(tmp, data, 0o755); err != nil {
		return err
	}
	return build.Commit(dst)
}

// publishMpyCross stores a freshly built mpy-cross under key: the entry is
// made in a temporary folder and renamed into place; a stale entry with the
// same key (its headers changed) is replaced.
func publishMpyCross(cache, key string, cfg Config, exe string) error {
	inputs, err := mpyCrossInputs(cfg)
	if err != nil {
		return err
	}
	list, err := manifest(cfg.Root, inputs)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(cache, ".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // nothing left after a successful rename
	if err := installExecutable(exe, filepath.Join(tmp, "mpy-cross")); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "inputs"), list, 0o644); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it private
		return err
	}
	entry := filepath.Join(cache, key)
	if err := os.Rename(tmp, entry); err == nil {
		return nil
	}
	old := tmp + ".old"
	if err := os.Rename(entry, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	defer os.RemoveAll(old)
	return os.Rename(tmp, entry)
}

// fromMpyCrossCache installs the cached mpy-cross into cfg.OutDir when the
// checkout has not built its own (its build log is the cheaper check then)
// and reports whether it did, and the key to publish a local build under
// ("" when the cache is off or the key is not needed yet).
func fromMpyCrossCache(cfg Config, logPath string) (key string, hit bool, err error) {
	if cfg.MpyCrossCache == "" {
		return "", false, nil
	}
	if _, err := os.Stat(logPath); err == nil {
		return "", false, nil
	}
	steps, err := keySteps(cfg)
	if err != nil {
		return "", false, err
	}
	fixed, parts, files := keyInputs(cfg, steps)
	exe := filepath.Join(cfg.OutDir, "mpy-cross")
	stampPath := filepath.Join(cfg.OutDir, ".mpforge", "cached")
	if _, err := os.Stat(exe); err == nil && stampHolds(stampPath, fixed) {
		return "", true, nil // taken from the cache before, nothing changed since
	}
	if key, err = keyOf(cfg.Root, parts, files); err != nil {
		return "", false, err
	}
	cached := lookupMpyCross(cfg.MpyCrossCache, cfg.Root, key)
	if cached == "" {
		os.Remove(stampPath)
		return key, false, nil
	}
	if err := installExecutable(cached, exe); err != nil {
		return "", false, fmt.Errorf("mpy-cross from the cache %s: %w", cfg.MpyCrossCache, err)
	}
	if list, err := os.ReadFile(filepath.Join(filepath.Dir(cached), "inputs")); err == nil {
		if data, ok := stamp(fixed, append(files, manifestFiles(cfg.Root, list)...)); ok {
			_ = build.WriteFileAtomic(stampPath, data) // without it the next build hashes again
		}
	}
	return key, true, nil
}

// keySteps is the host graph without a compiler launcher.
func keySteps(cfg Config) ([]*build.Step, error) {
	tc := *cfg.Toolchain
	tc.Launcher = nil
	cfg.Toolchain = &tc
	return mpyCrossSteps(cfg)
}

// cacheKey is the key of the host build of cfg.
func cacheKey(cfg Config) (string, error) {
	steps, err := keySteps(cfg)
	if err != nil {
		return "", err
	}
	_, parts, files := keyInputs(cfg, steps)
	return keyOf(cfg.Root, parts, files)
}

// publishLocalMpyCross stores what a local build made, when it made
// something or the cache was missed. The cache is an optimisation: a
// failure to write it is logged, not fatal.
func publishLocalMpyCross(cfg Config, key string, res *build.Result) {
	if cfg.MpyCrossCache == "" || (key == "" && len(res.Ran) == 0) {
		return
	}
	var err error
	if key == "" {
		key, err = cacheKey(cfg)
	}
	if err == nil {
		err = publishMpyCross(cfg.MpyCrossCache, key, cfg, filepath.Join(cfg.OutDir, "mpy-cross"))
	}
	if err != nil && cfg.Logger != nil {
		cfg.Logger.Warn("could not store mpy-cross in the cache", "cache", cfg.MpyCrossCache, "err", err)
	}
}
