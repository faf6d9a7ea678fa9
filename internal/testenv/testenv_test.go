package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("RepoRoot() = %s, which holds no go.mod", root)
	}
	if wd, _ := os.Getwd(); filepath.Join(root, "internal", "testenv") != wd {
		t.Errorf("RepoRoot() = %s; want the folder two levels above %s", root, wd)
	}
}
