package tasks_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/charmbracelet/log"

	"mpforge/internal/testenv"
	"mpforge/tasks"
)

// repoEnv is an Env on the checkout itself, building into its out/ like
// the other tests that run firmware.
func repoEnv(t *testing.T) *tasks.Env {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MPFORGE_CC_LAUNCHER", "")
	for _, v := range []string{tasks.EnvTestDirs, tasks.EnvTestInclude, tasks.EnvTestExclude, tasks.EnvPython} {
		t.Setenv(v, "")
	}
	return &tasks.Env{Root: root, Logger: log.New(io.Discard), Jobs: runtime.NumCPU()}
}

// A few basics tests (chosen with MPFORGE_TEST_INCLUDE, so that go test
// stays quick; .ci/run runs all of tests/basics) pass on the twin.
func TestTestTarget(t *testing.T) {
	env := repoEnv(t)
	t.Setenv(tasks.EnvTestDirs, "basics")
	t.Setenv(tasks.EnvTestInclude, `basics/(0prelim|int_small|list_slice)\.py`)
	var out bytes.Buffer
	r, err := env.TestTarget(context.Background(), "mps2-an505", &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(r.Passed) != 3 || len(r.Failed) != 0 || !strings.Contains(out.String(), "mps2-an505 basics: 3 passed, 0 failed, 0 skipped") {
		t.Errorf("result %+v; output:\n%s", r, out.String())
	}
	if _, err := os.Stat(filepath.Join(env.Root, "out", "mps2-an505", "run-tests")); err != nil {
		t.Errorf("no results folder: %v", err)
	}
}

func TestTestTargetErrors(t *testing.T) {
	env := repoEnv(t)
	ctx := context.Background()
	if _, err := env.TestTarget(ctx, "fr30xx", io.Discard); err == nil || !strings.Contains(err.Error(), "no QEMU twin") {
		t.Errorf("board without QEMU: %v", err)
	}
	t.Setenv(tasks.EnvTestDirs, "basics,no-such-folder")
	if _, err := env.TestTarget(ctx, "mps2-an505", io.Discard); err == nil || !strings.Contains(err.Error(), "no test folder no-such-folder") {
		t.Errorf("unknown test folder: %v", err)
	}
	t.Setenv(tasks.EnvTestDirs, "basics")
	t.Setenv(tasks.EnvTestInclude, `matches-no-test`)
	if _, err := env.TestTarget(ctx, "mps2-an505", io.Discard); err == nil || !strings.Contains(err.Error(), "no test ran") {
		t.Errorf("filter matching nothing: %v", err)
	}
}
