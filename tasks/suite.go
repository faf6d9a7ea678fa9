package tasks

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"mpforge/frozen"
	"mpforge/provision"
	"mpforge/suite"
)

// Options of `mage test:target`, from the environment.
const (
	// EnvTestDirs lists the test folders of the tree's tests/ to run,
	// separated by commas or spaces (default "basics").
	EnvTestDirs = "MPFORGE_TEST_DIRS"
	// EnvTestInclude and EnvTestExclude are regular expressions (Python
	// syntax) on the test paths, e.g. "basics/(int|list)": run-tests.py's -i and -e.
	EnvTestInclude = "MPFORGE_TEST_INCLUDE"
	EnvTestExclude = "MPFORGE_TEST_EXCLUDE"
	// EnvPython is the python3 with pyserial that runs run-tests.py
	// (default Debian's /usr/bin/python3).
	EnvPython = frozen.EnvPython
)

// TestTarget builds a board and runs the MicroPython tree's
// tests/run-tests.py against it on its QEMU twin, printing run-tests.py's
// progress and a summary to w. The expected and actual output of failed
// tests stay in out/<board>/run-tests/. It fails when any test fails.
func (e *Env) TestTarget(ctx context.Context, name string, w io.Writer) (*suite.Result, error) {
	b, err := e.Board(name)
	if err != nil {
		return nil, err
	}
	if _, err := e.qemuTwin(b); err != nil {
		return nil, fmt.Errorf("%w; fr30xx is tested through mps2-an505 (`mage test:target mps2-an505`)", err)
	}
	tools := provision.Emulator
	if os.Getenv(EnvPython) == "" {
		tools = slices.Concat(tools, provision.TestRunner)
	}
	if err := installTools(ctx, e.Logger, tools); err != nil {
		return nil, err
	}
	tree, err := e.Tree(ctx)
	if err != nil {
		return nil, err
	}
	dirs := BoardList(os.Getenv(EnvTestDirs))
	if len(dirs) == 0 {
		dirs = []string{"basics"}
	}
	for _, d := range dirs {
		path := d
		if !filepath.IsAbs(d) {
			path = filepath.Join(tree.Dir, "tests", d)
		}
		if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("%s: no test folder %s in %s (e.g. basics, float, micropython, extmod, misc)", EnvTestDirs, d, filepath.Join(tree.Dir, "tests"))
		}
	}
	res, err := e.BuildBoard(ctx, b.Name, w)
	if err != nil {
		return nil, err
	}
	results := filepath.Join(filepath.Dir(res.ELF), "run-tests")
	if err := os.RemoveAll(results); err != nil {
		return nil, err
	}
	o := suite.Options{
		Tree: tree.Dir, Python: python(), QEMU: os.Getenv(EnvQEMUBinary),
		Machine: b.QEMU.Machine, Kernel: res.ELF, QEMUArgs: b.QEMU.Args,
		Dirs: dirs, ResultDir: results, Output: w, Logger: e.Logger,
	}
	if re := os.Getenv(EnvTestInclude); re != "" {
		o.Include = []string{re}
	}
	if re := os.Getenv(EnvTestExclude); re != "" {
		o.Exclude = []string{re}
	}
	fmt.Fprintf(w, "MicroPython %s tests/run-tests.py on %s (qemu %s): %s\n", tree.Version, b.Name, b.QEMU.Machine, strings.Join(dirs, " "))
	r, err := suite.Run(ctx, o)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "%s %s: %s\n", b.Name, strings.Join(dirs, " "), r.Summary())
	if len(r.Passed)+len(r.Failed) == 0 {
		return r, fmt.Errorf("no test ran on %s: every test in %s was filtered out or skipped (check %s and %s)", b.Name, strings.Join(dirs, " "), EnvTestInclude, EnvTestExclude)
	}
	if r.OK() {
		return r, nil
	}
	for _, f := range r.Failed {
		exp, out := r.Outputs(f)
		fmt.Fprintf(w, "  FAIL %s   diff -u %s %s\n", f, e.rel(exp), e.rel(out))
	}
	return r, fmt.Errorf("%d of %d tests failed on %s: %s", len(r.Failed), len(r.Failed)+len(r.Passed), b.Name, strings.Join(r.Failed, " "))
}
