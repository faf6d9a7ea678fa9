package tasks_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/log"

	"mpforge/internal/testenv"
	"mpforge/tasks"
)

func TestUserFrozen(t *testing.T) {
	repo, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	e := &tasks.Env{Root: repo, Logger: log.New(io.Discard)}
	lib := t.TempDir()
	if err := os.MkdirAll(filepath.Join(lib, "helpers"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"helpers/__init__.py", "helpers/uart_check.py"} {
		if err := os.WriteFile(filepath.Join(lib, f), []byte("x = 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(tasks.EnvFrozen, "python/regs.py"+string(os.PathListSeparator)+lib) // ';' on Windows
	var out bytes.Buffer
	if err := e.ListFrozen("mps2-an505", &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"regs  ", filepath.Join("python", "regs.py"), "helpers.uart_check", filepath.Join(lib, "helpers", "uart_check.py")} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("listing lacks %q:\n%s", want, out.String())
		}
	}

	t.Setenv(tasks.EnvFrozen, "python/nope.py")
	// Every target loads its board through Env.Board, which applies MPFORGE_FROZEN.
	if _, err := e.Board("mps2-an505"); err == nil || !strings.Contains(err.Error(), "MPFORGE_FROZEN names "+filepath.Join(repo, "python", "nope.py")) {
		t.Errorf("a missing path gave %v", err)
	}
}
