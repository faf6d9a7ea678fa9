// Package emutest gives tests an emulated debug probe with an FR30xx behind
// it, so that the real OpenOCD 0.12 can be run end to end without hardware.
//
// It starts emu/jtag_target.py (Debian's python3 + python3-unicorn): a
// remote_bitbang JTAG server with the Arm JTAG-DP, a MEM-AP and the
// Cortex-M33 debug registers, over unicorn's Cortex-M33 and the FR30xx
// flash controller model (emu/fr30xx_flash.py). OpenOCD connects to it
// with `adapter driver remote_bitbang`; everything after that (OpenOCD's
// cortex_m driver, the generated Tcl, the loader running on the core) is
// the real thing. Only the probe and the silicon are models.
//
// OpenOCD 0.12's remote_bitbang is JTAG only, so the board's SWD DAP line
// is swapped for a JTAG TAP; every other board.toml command is used as is.
package emutest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mpforge/boards"
	"mpforge/device/openocd"
	"mpforge/internal/proc"
	"mpforge/internal/testenv"
)

// IDCode is the JTAG IDCODE the emulated JTAG-DP answers with.
const IDCode = 0x6BA00477

// FlashBase is where the emulated QSPI flash is mapped.
const FlashBase = 0x08000000

// Config describes one emulator run.
type Config struct {
	// ModelArgs go to the flash model as key=value (its faults, e.g.
	// "busy_forever=1", "jedec_id=0xc84018", "stuck=0x1000").
	ModelArgs []string
	// Flash is preloaded at FlashBase (e.g. what an earlier run left there).
	Flash []byte
	// Dump is how many bytes from FlashBase the report returns (Report.Flash).
	Dump int
	// Budget bounds the instructions of one resume (0: the emulator's default);
	// past it the core counts as hung and OpenOCD's wait times out.
	Budget int
}

// Target is a running emulator.
type Target struct {
	Port   int
	cmd    *exec.Cmd
	cancel context.CancelFunc
	dir    string
	done   chan error
	report *Report
	stderr *os.File

	stopped bool
	stopErr error
}

// Report is what the emulator recorded, read after Stop.
type Report struct {
	Model  string           `json:"model"`
	Events []string         `json:"events"` // resets, sessions, faults the core took
	Trace  []map[string]any `json:"trace"`  // flash commands from the flash model
	Stats  struct {
		BytesIn int     `json:"bytes_in"` // remote_bitbang characters from OpenOCD
		Chunks  int     `json:"chunks"`   // reads of the link: about one per OpenOCD round trip
		FeedS   float64 `json:"feed_s"`   // seconds spent decoding them (TAP, DAP, memory)
		RunS    float64 `json:"run_s"`    // seconds the emulated core ran
	} `json:"stats"`
	DAPScans int    `json:"dap_scans"`
	Flash    []byte `json:"-"` // Config.Dump bytes from FlashBase
}

// Python is the interpreter that runs the emulator: $MPFORGE_PYTHON or
// Debian's /usr/bin/python3 (which python3-unicorn serves).
func Python() string {
	if p := os.Getenv("MPFORGE_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// Script is emu/jtag_target.py of this checkout.
func Script(t testing.TB) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "emu", "jtag_target.py")
}

// Start runs the emulator on a free 127.0.0.1 port; it is stopped when the
// test ends (call Stop for its report).
func Start(t testing.TB, c Config) *Target {
	t.Helper()
	py := Python()
	if out, err := exec.Command(py, "-c", "import unicorn").CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import unicorn (%v: %s); install Debian's python3-unicorn (sudo apt install python3-unicorn) or set MPFORGE_PYTHON", py, err, strings.TrimSpace(string(out)))
	}
	dir := t.TempDir()
	tg := &Target{dir: dir, done: make(chan error, 1)}
	args := []string{Script(t), "--report", filepath.Join(dir, "report.json")}
	for _, a := range c.ModelArgs {
		args = append(args, "--model-arg", a)
	}
	if len(c.Flash) > 0 {
		f := filepath.Join(dir, "preload.bin")
		if err := os.WriteFile(f, c.Flash, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--flash-image", fmt.Sprintf("%#x:%s", FlashBase, f))
	}
	if c.Dump > 0 {
		args = append(args, "--dump", fmt.Sprintf("%#x:%#x:%s", FlashBase, c.Dump, filepath.Join(dir, "flash.bin")))
	}
	if c.Budget > 0 {
		args = append(args, "--budget", strconv.Itoa(c.Budget))
	}
	ctx, cancel := context.WithCancel(context.Background())
	tg.cancel = cancel
	tg.cmd = proc.Command(ctx, syscall.SIGTERM, 5*time.Second, py, args...)
	stdout, err := tg.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	tg.stderr, err = os.Create(filepath.Join(dir, "stderr.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tg.cmd.Stderr = tg.stderr
	if err := tg.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", py, err)
	}
	t.Cleanup(func() { tg.stop() })
	port := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "port "); ok {
				n, _ := strconv.Atoi(p)
				port <- n
			}
		}
		tg.done <- tg.cmd.Wait()
	}()
	select {
	case tg.Port = <-port:
	case err := <-tg.done:
		tg.stopped, tg.stopErr = true, err
		t.Fatalf("emulator exited before listening: %v\n%s", err, tg.stderrText())
	case <-time.After(30 * time.Second):
		t.Fatalf("emulator printed no port within 30 s\n%s", tg.stderrText())
	}
	return tg
}

func (tg *Target) stderrText() string {
	b, _ := os.ReadFile(tg.stderr.Name())
	return string(b)
}

// stop ends the context: the emulator's process group gets SIGTERM (it
// writes its report and exits), and is killed if still there 5 s later.
func (tg *Target) stop() error {
	if tg.stopped {
		return tg.stopErr
	}
	tg.stopped = true
	tg.cancel()
	select {
	case err := <-tg.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			tg.stopErr = err
		}
	case <-time.After(20 * time.Second):
		tg.stopErr = fmt.Errorf("emulator did not stop within 20 s of SIGTERM")
	}
	tg.stderr.Close()
	return tg.stopErr
}

// Stop ends the emulator and returns its report.
func (tg *Target) Stop(t testing.TB) *Report {
	t.Helper()
	if tg.report != nil {
		return tg.report
	}
	if err := tg.stop(); err != nil {
		t.Fatalf("emulator: %v\n%s", err, tg.stderrText())
	}
	b, err := os.ReadFile(filepath.Join(tg.dir, "report.json"))
	if err != nil {
		t.Fatalf("emulator report: %v\n%s", err, tg.stderrText())
	}
	r := &Report{}
	if err := json.Unmarshal(b, r); err != nil {
		t.Fatalf("emulator report: %v", err)
	}
	if f := filepath.Join(tg.dir, "flash.bin"); fileExists(f) {
		if r.Flash, err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	tg.report = r
	return r
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Options are OpenOCD options that reach the emulator: remote_bitbang on
// its port, JTAG, then the board's own [openocd] commands with its SWD DAP
// line replaced by the JTAG TAP this emulator presents.
func (tg *Target) Options(t testing.TB, board string) openocd.Options {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := boards.Load(filepath.Join(root, "boards"), board)
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := JTAGCommands(b.OpenOCD.Commands)
	if err != nil {
		t.Fatalf("board %s: %v", board, err)
	}
	o := openocd.Options{Timeout: 5 * time.Minute, ScriptDirs: []string{b.Dir}}
	for _, c := range append([]string{
		"adapter driver remote_bitbang",
		"remote_bitbang host 127.0.0.1",
		"remote_bitbang port " + strconv.Itoa(tg.Port),
		"transport select jtag",
	}, cmds...) {
		o.Extra = append(o.Extra, "-c", c)
	}
	return o
}

// JTAGCommands turns a board's SWD target commands into their JTAG form:
// `swd newdap <chip> <tap> ...` becomes `jtag newtap <chip> <tap> -irlen 4
// -expected-id <IDCode>`; the rest is kept.
func JTAGCommands(cmds []string) ([]string, error) {
	var out []string
	swapped := false
	for _, c := range cmds {
		f := strings.Fields(c)
		if len(f) >= 4 && f[0] == "swd" && f[1] == "newdap" {
			out = append(out, fmt.Sprintf("jtag newtap %s %s -irlen 4 -expected-id %#x", f[2], f[3], IDCode))
			swapped = true
			continue
		}
		out = append(out, c)
	}
	if !swapped {
		return nil, fmt.Errorf("no `swd newdap` command among %q to turn into a JTAG TAP", cmds)
	}
	return out, nil
}
