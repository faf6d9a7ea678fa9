package watch

import (
	"os"
	"path/filepath"
	"testing"
)

// The ways editors and tools save a file, as the system calls they make.
// Each is one user-visible save and must give exactly one build.
var saveStyles = []struct {
	name string
	save func(t testing.TB, path string, data []byte)
}{
	{"in place", saveInPlace},
	{"vim", saveVim},
	{"jetbrains", saveJetBrains},
	{"temp then rename", saveAtomic},
	{"delete and recreate", saveRecreate},
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// saveInPlace truncates and writes in two chunks, as an editor with a
// buffered writer does.
func saveInPlace(t testing.TB, path string, data []byte) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	must(t, err)
	half := len(data) / 2
	_, err = f.Write(data[:half])
	must(t, err)
	_, err = f.Write(data[half:])
	must(t, err)
	must(t, f.Close())
}

// saveVim is vim's default: probe the folder with a file named 4913, move
// the original to a backup, write a new file, delete the backup.
func saveVim(t testing.TB, path string, data []byte) {
	probe := filepath.Join(filepath.Dir(path), "4913")
	must(t, os.WriteFile(probe, nil, 0o644))
	must(t, os.Remove(probe))
	must(t, os.Rename(path, path+"~"))
	must(t, os.WriteFile(path, data, 0o644))
	must(t, os.Remove(path+"~"))
}

// saveJetBrains is the "safe write" of IntelliJ/CLion.
func saveJetBrains(t testing.TB, path string, data []byte) {
	must(t, os.WriteFile(path+"___jb_tmp___", data, 0o644))
	must(t, os.Rename(path, path+"___jb_old___"))
	must(t, os.Rename(path+"___jb_tmp___", path))
	must(t, os.Remove(path+"___jb_old___"))
}

// saveAtomic writes a hidden temporary and renames it over the file (VS
// Code's atomic save, gedit, most tools that write files safely).
func saveAtomic(t testing.TB, path string, data []byte) {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-4711")
	must(t, os.WriteFile(tmp, data, 0o644))
	must(t, os.Rename(tmp, path))
}

func saveRecreate(t testing.TB, path string, data []byte) {
	must(t, os.Remove(path))
	must(t, os.WriteFile(path, data, 0o644))
}
