package build

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// WriteFileAtomic writes data to path through a temporary file in the same
// folder and a rename, so a reader (or a build killed half-way) never sees a
// partial file.
func WriteFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())              // no-op after a successful rename
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes it private
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteIfChanged writes path only when its content differs, so that its
// mtime (and everything that depends on it) stays put otherwise.
// It reports whether it wrote.
func WriteIfChanged(path string, data []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := WriteFileAtomic(path, data); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}

// TempName is where a step writes an output before Commit renames it into
// place. It is unique to this process: a compiler orphaned by a killed build
// may still be writing its own temporary file when the next build starts.
func TempName(path string) string { return fmt.Sprintf("%s.tmp%d", path, os.Getpid()) }

// Commit renames each output's TempName into place.
func Commit(outputs ...string) error {
	for _, o := range outputs {
		if err := os.Rename(TempName(o), o); err != nil {
			return err
		}
	}
	return nil
}

var tempSuffix = regexp.MustCompile(`\.tmp[0-9]+$`)

// RemoveStaleTemps deletes the temporary outputs that killed builds left in
// dir. Call it holding dir's lock; an orphaned compiler still writing one
// just writes to an unlinked file.
func RemoveStaleTemps(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() && tempSuffix.MatchString(d.Name()) {
			return os.Remove(path)
		}
		return nil
	})
}
