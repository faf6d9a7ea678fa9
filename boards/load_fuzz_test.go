package boards

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad: any board file (with inheritance) loads or is refused with an
// error that names the file, never a panic; a board that loads passes its
// own checks again when written back.
func FuzzLoad(f *testing.F) {
	f.Add(board)
	f.Add(board + flashTable)
	f.Add(strings.Replace(board, "baud = 115200", "buad = 115200", 1))
	f.Add("inherit = [\"board.toml\"]\n")
	f.Add("inherit = [\"../families/m33.toml\", \"../families/m33.toml\"]\n[memory.X]\nlength = \"9999999999M\"\n")
	f.Add("[sources]\nboard = [\"[\"]\n[flash]\nalgorithm = \"$/\"\n")
	dir := validTree(f, nil)
	f.Fuzz(func(t *testing.T, text string) {
		path := filepath.Join(dir, "b1", FileName)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := Load(dir, "b1")
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) && !strings.Contains(err.Error(), "board.toml") && !strings.Contains(err.Error(), "b1") {
				t.Fatalf("error names neither the file nor the board: %v", err)
			}
			return
		}
		if b.Name != "b1" || len(b.Memory) == 0 || b.ClockHz == 0 {
			t.Fatalf("loaded an incomplete board: %+v", b)
		}
	})
}
