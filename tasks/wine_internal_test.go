package tasks

import (
	"path/filepath"
	"slices"
	"testing"

	"mpforge/internal/testenv"
)

// Every test the Wine table names exists (a renamed test would otherwise
// run under Wine and fail, or a package-wide skip hide a new pure-Go test
// of a package that had none), and no package is listed twice as a whole.
func TestWineSkipsNameRealTests(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	whole := map[string]bool{}
	for _, s := range wineSkips {
		if len(s.tests) == 0 {
			if whole[s.pkg] {
				t.Errorf("%s is listed whole twice", s.pkg)
			}
			whole[s.pkg] = true
		}
		if s.why == "" {
			t.Errorf("%s: no reason given", s.pkg)
		}
		if err := testsExist(filepath.Join(root, filepath.FromSlash(s.pkg)), s.tests); err != nil {
			t.Error(err)
		}
	}
	got, ok := findSkip("tasks")
	if !ok || !slices.Contains(got.tests, "TestCIReproducible") || !slices.Contains(got.tests, "TestLauncherDistcc") {
		t.Errorf("tasks' two entries not merged: %+v", got)
	}
	if _, ok := findSkip("build"); ok {
		t.Error("build is not in the table, yet findSkip found it")
	}
}

func TestTopLevelResults(t *testing.T) {
	out := []byte("=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestB\n    --- FAIL: TestB/x (0.00s)\n--- FAIL: TestB (0.01s)\n--- SKIP: TestC (0.00s)\nFAIL\n")
	got := topLevelResults(out)
	if got["PASS"] != 1 || got["FAIL"] != 1 || got["SKIP"] != 1 {
		t.Errorf("got %v", got)
	}
	if string(withoutPasses(out)) != "    --- FAIL: TestB/x (0.00s)\n--- FAIL: TestB (0.01s)\n--- SKIP: TestC (0.00s)\nFAIL\n" {
		t.Errorf("withoutPasses: %q", withoutPasses(out))
	}
}
