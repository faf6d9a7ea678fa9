package build

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
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
	defer os.Remove(tmp.Name()) // no-op after a successful rename
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

// TempName is where a step writes an output before Commit renames it into place.
func TempName(path string) string { return path + ".tmp" }

// Commit renames each output's TempName into place.
func Commit(outputs ...string) error {
	for _, o := range outputs {
		if err := os.Rename(TempName(o), o); err != nil {
			return err
		}
	}
	return nil
}
