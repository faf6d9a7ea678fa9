package tasks

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"mpforge/winetest"
)

// wineSkip is a test, or a whole package, that cannot run under Wine, and
// why. docs/platforms.md lists the same.
type wineSkip struct {
	pkg   string   // import path below mpforge/, "" for the root
	tests []string // top-level test names; none: the whole package
	why   string
}

// wineSkips are the tests whose parts cannot exist inside Wine: Linux's
// cross compiler, QEMU, OpenOCD, Debian's python3 and the like. Every other
// test of every package runs. A package may have several entries.
var wineSkips = []wineSkip{
	{pkg: "firmware", why: "builds and boots firmware: the cross compiler, QEMU"},
	{pkg: "export", why: "exports and builds a product: the cross compiler, QEMU"},
	{pkg: "device/boardfs", why: "a twin's filesystem: the cross compiler, QEMU"},
	{pkg: "boards/fr30xx/fstest", why: "the littlefs flash driver built with the cross compiler, on unicorn"},
	{pkg: "boards/fr30xx/hosttest", why: "register-model harnesses built with gcc and the cross compiler"},
	{pkg: "python", why: "the pytest plugin's tests: Debian's python3 with pytest and pyserial"},
	{pkg: "boards/fr30xx/flasher/emutest", why: "the flash loader built with the cross compiler and run on unicorn (Debian's python3)", tests: []string{
		"TestProgramBurnImage", "TestOneSectorChange", "TestCrc32MatchesGo", "TestVerifyReportsMismatch",
		"TestStuckBitReportedByVerify", "TestBusyNeverClearsTimesOut", "TestUnknownJEDECID", "TestKnownParts",
		"TestInitTwiceRestoresTheOriginalProtection", "TestProtectBitsThatWillNotClear", "TestClockGatesTurnedOn",
		"TestBadArguments", "TestPositionIndependent", "TestLoaderFitsAndDescribesTheFlash", "TestFlashModel"}},
	{pkg: "device", why: "scripts run on a twin: the cross compiler, QEMU", tests: []string{
		"TestRunMountsScriptFolder", "TestRunFolderOfFive", "TestRunOverSerialPort", "TestRunAllPass",
		"TestRunRecoversBoardIgnoringCtrlC", "TestRunRack", "TestPeerToolsOnTwinFilesystem", "TestRunChecksFirmware", "TestRunOutcomes"}},
	{pkg: "device/flashalgo", why: "reads loaders built with the cross compiler", tests: []string{
		"TestLoad", "TestBadDeviceTable", "TestLayout", "TestSectors", "TestLoadRefuses", "FuzzLoad"}},
	{pkg: "device/openocd", why: "the loader built with the cross compiler, and OpenOCD itself", tests: []string{
		"TestProgramAlgorithmNoProbe", "TestNotInstalled", "TestTimedOut", "TestFlashFailed", "TestTargetNotAnswering",
		"TestProgramAlgorithmRefuses", "TestPlanSectors", "TestAlgorithmTclCommandsExist", "TestBadConfig", "TestNoProbe", "TestCancelStopsOpenOCD"}},
	{pkg: "device/openocd/emutest", why: "OpenOCD against the emulated probe (Debian's python3 with unicorn)", tests: []string{
		"TestProgramThroughOpenOCD", "TestProgramFaults", "TestDebugSlice", "TestResetHaltSRST", "TestReset"}},
	{pkg: "device/rawrepl", why: "the raw REPL against a twin: the cross compiler, QEMU", tests: []string{
		"TestExecPrintsLines", "TestSoftResetClearsState", "TestExecCrashAndReboot", "TestExitedReportsStatus",
		"TestClosedConnection", "TestControlBytesRejected", "TestSysExitReturnsToPrompt", "TestExecIgnoringCtrlCIsNoResponse",
		"TestExecSyntaxErrorMidPaste", "TestExecTimeoutInterruptsAndBoardRecovers", "TestExecRaisesWithLineNumber", "TestExecLargeScriptArrivesWhole"}},
	{pkg: "frozen", why: "gcc and the cross compiler's configuration; mpy-tool.py under python3", tests: []string{"TestConfigProbe", "TestRegsOnHost"}},
	{pkg: "mptree", why: "the apt route: tar, apt-get", tests: []string{"TestVerifyAndExtract", "TestNewPrivateApt"}},
	{pkg: "provision", why: "the cross toolchain itself", tests: []string{"TestToolchainPresent"}},
	{pkg: "release", why: "sha256sum, git", tests: []string{"TestWriteIsReproducibleAndVerifiable", "TestGitRevision"}},
	{pkg: "suite", why: "run-tests.py on a twin: the cross compiler, QEMU, python3", tests: []string{"TestRunOnTwin", "TestCancelStopsQEMU", "TestRunErrors"}},
	{pkg: "tasks", why: "builds, flashes or tests firmware: the cross compiler, QEMU, unicorn", tests: []string{
		"TestCIReproducible", "TestFlashFR30xxThroughEmulatedProbe", "TestFlashWithoutProbe", "TestFlashPlan",
		"TestLauncherNotFound", "TestSharedCacheNeedsCcache", "TestTestTarget", "TestTestTargetErrors"}},
	{pkg: "tasks", why: "ccache, distcc, redis-server", tests: []string{"TestLauncherCcache", "TestLauncherDistcc", "TestSharedCacheRedis"}},
	{pkg: "toolchain", why: "the cross compiler", tests: []string{"TestRealCompilerDepfileAndSizes"}},
	{pkg: "watch", why: "Wine does not report a watched folder's own removal (real Windows does; fsnotify's own TestWatchRemoveWatchedDir fails the same way under Wine)",
		tests: []string{"TestRemovedAndRecreatedFolderIsWatchedAgain"}},
}

// TestWine builds every package's tests for windows/amd64 and runs them
// under Wine (see winetest.Find), each in its package folder as go test
// does, except the tests in wineSkips. It fails when any test fails or a
// skip names a test that does not exist.
func (e *Env) TestWine(ctx context.Context, w io.Writer) error {
	wine, err := winetest.Find(ctx, e.Logger)
	if err != nil {
		return err
	}
	defer wine.Close()
	pkgs, err := e.windowsTestPackages(ctx)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "mpforge-wine-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var env []string
	shared := []string{e.Root, work}
	if dir := os.Getenv("MICROPY_DIR"); dir != "" {
		env = append(env, "MICROPY_DIR="+dir)
		shared = append(shared, dir)
	}
	for _, dir := range shared {
		if err := wine.Share(dir); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "test:wine: %s (%s)\n", wine.Version, wine.Where)

	type job struct {
		pkg   windowsPackage
		exe   string
		skip  []string
		out   []byte
		err   error
		count map[string]int
	}
	var jobs []*job
	var notRun []string
	for _, p := range pkgs {
		s, listed := findSkip(p.rel)
		if listed && len(s.tests) == 0 {
			notRun = append(notRun, fmt.Sprintf("%s (all: %s)", p.path, s.why))
			continue
		}
		if listed {
			if err := testsExist(p.dir, s.tests); err != nil {
				return fmt.Errorf("wineSkips for %s: %w", p.path, err)
			}
			notRun = append(notRun, fmt.Sprintf("%s %s (%s)", p.path, strings.Join(s.tests, ", "), s.why))
		}
		exe := filepath.Join(work, strings.ReplaceAll(p.rel, "/", "_")+".test.exe")
		e.Logger.Debug("go test -c", "package", p.path)
		cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", exe, p.path)
		cmd.Dir = e.Root
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go test -c %s for windows/amd64: %w\n%s", p.path, err, out)
		}
		jobs = append(jobs, &job{pkg: p, exe: exe, skip: s.tests})
	}

	bootLog, err := os.Create(filepath.Join(work, "wineboot.log"))
	if err != nil {
		return err
	}
	defer bootLog.Close()
	if err := wine.Boot(ctx, bootLog); err != nil {
		return err
	}
	// Wine start-up dominates small packages: run several at once.
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(2, e.Jobs))
	for _, j := range jobs {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			args := []string{"-test.v", "-test.timeout=10m"}
			if len(j.skip) > 0 {
				args = append(args, "-test.skip", "^("+strings.Join(j.skip, "|")+")$")
			}
			j.out, j.err = runLogged(wine.Command(ctx, j.pkg.dir, env, j.exe, args...), strings.TrimSuffix(j.exe, ".exe")+".log")
			j.count = topLevelResults(j.out)
		}()
	}
	wg.Wait()

	failed := 0
	total := map[string]int{}
	for _, j := range jobs {
		for k, v := range j.count {
			total[k] += v
		}
		if j.err != nil || j.count["FAIL"] > 0 || j.count["PASS"]+j.count["SKIP"] == 0 {
			failed++
			fmt.Fprintf(w, "FAIL %s under Wine (%v):\n%s\n", j.pkg.path, j.err, withoutPasses(j.out))
			continue
		}
		fmt.Fprintf(w, "ok   %-40s %3d passed, %d skipped by the tests\n", j.pkg.path, j.count["PASS"], j.count["SKIP"])
	}
	fmt.Fprintf(w, "test:wine: %d packages, %d tests passed, %d skipped by the tests themselves; not run under Wine (docs/platforms.md):\n",
		len(jobs), total["PASS"], total["SKIP"])
	for _, n := range notRun {
		fmt.Fprintln(w, "  "+n)
	}
	if failed > 0 {
		return fmt.Errorf("test:wine: %d of %d packages failed under Wine", failed, len(jobs))
	}
	return nil
}

// runLogged runs cmd with its output in the file log and returns the output.
func runLogged(cmd *exec.Cmd, log string) ([]byte, error) {
	f, err := os.Create(log)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = f, f
	runErr := cmd.Run()
	if err := f.Close(); err != nil {
		return nil, err
	}
	out, err := os.ReadFile(log)
	if err != nil {
		return nil, err
	}
	return out, runErr
}

// findSkip merges a package's entries: whole when one of them is, else
// every listed test with every reason.
func findSkip(rel string) (wineSkip, bool) {
	merged, found := wineSkip{pkg: rel}, false
	var whys []string
	for _, s := range wineSkips {
		if s.pkg != rel {
			continue
		}
		if len(s.tests) == 0 {
			return s, true
		}
		found = true
		merged.tests = append(merged.tests, s.tests...)
		whys = append(whys, s.why)
	}
	merged.why = strings.Join(whys, "; ")
	return merged, found
}

type windowsPackage struct {
	path, rel, dir string
}

// windowsTestPackages lists the packages that have tests when built for
// Windows.
func (e *Env) windowsTestPackages(ctx context.Context) ([]windowsPackage, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{len .TestGoFiles}}\t{{len .XTestGoFiles}}", "./...")
	cmd.Dir = e.Root
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list for windows: %w", err)
	}
	var pkgs []windowsPackage
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 || (f[2] == "0" && f[3] == "0") {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(f[0], "mpforge"), "/")
		pkgs = append(pkgs, windowsPackage{path: f[0], rel: rel, dir: f[1]})
	}
	return pkgs, nil
}

var testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Example)\w*)\(`)

// testsExist checks that every name is a top-level test in dir's test files.
func testsExist(dir string, names []string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return err
	}
	var have []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, m := range testFunc.FindAllSubmatch(src, -1) {
			have = append(have, string(m[1]))
		}
	}
	for _, n := range names {
		if !slices.Contains(have, n) {
			return fmt.Errorf("no test %s in %s", n, dir)
		}
	}
	return nil
}

var topLevelResult = regexp.MustCompile(`(?m)^--- (PASS|FAIL|SKIP): `)

// topLevelResults counts go test -v's top-level verdicts (subtests are
// indented).
func topLevelResults(out []byte) map[string]int {
	n := map[string]int{}
	for _, m := range topLevelResult.FindAllSubmatch(out, -1) {
		n[string(m[1])]++
	}
	return n
}

var passOrProgress = regexp.MustCompile(`^\s*(--- PASS: |=== (RUN|PAUSE|CONT|NAME) )`)

// withoutPasses is go test -v's output without what passed, so that a
// failure's messages stand out.
func withoutPasses(out []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(out, []byte("\n")) {
		if !passOrProgress.Match(line) {
			b.Write(line)
		}
	}
	return b.Bytes()
}
