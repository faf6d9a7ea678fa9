package tasks

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/term"

	"mpforge/boards"
	"mpforge/device"
	"mpforge/device/flashalgo"
	"mpforge/device/monitor"
	"mpforge/device/openocd"
	"mpforge/device/qemu"
	"mpforge/firmware"
	"mpforge/suite"
)

// twin builds a board that has a QEMU machine and returns how to run it.
func (e *Env) twin(ctx context.Context, name string) (qemu.Options, error) {
	b, err := e.Board(name)
	if err != nil {
		return qemu.Options{}, err
	}
	o, err := e.qemuTwin(b)
	if err != nil {
		return o, err
	}
	res, err := e.BuildBoard(ctx, b.Name, io.Discard)
	if err != nil {
		return qemu.Options{}, err
	}
	o.Kernel = res.ELF
	return o, nil
}

// qemuTwin is how to run the board's firmware on its QEMU twin (Kernel left
// empty), or an error that names the boards that have one.
func (e *Env) qemuTwin(b *boards.Board) (qemu.Options, error) {
	if b.QEMU.Machine == "" {
		return qemu.Options{}, fmt.Errorf("board %s has no QEMU twin (no [qemu] machine in its board file); boards with one: %s",
			b.Name, strings.Join(e.twins(), ", "))
	}
	return qemu.Options{Binary: os.Getenv(EnvQEMUBinary), Machine: b.QEMU.Machine, Args: b.QEMU.Args, Logger: e.Logger}, nil
}

// The emulator and the flasher where they are not on PATH (Windows, macOS
// installs): the program itself, e.g. C:\Program Files\qemu\qemu-system-arm.exe.
const (
	EnvQEMUBinary    = "MPFORGE_QEMU_BIN"
	EnvOpenOCDBinary = "MPFORGE_OPENOCD_BIN"
)

func (e *Env) twins() []string {
	dir := filepath.Join(e.Root, "boards")
	names, _ := boards.List(dir)
	var out []string
	for _, n := range names {
		if b, err := boards.Load(dir, n); err == nil && b.QEMU.Machine != "" {
			out = append(out, n)
		}
	}
	return out
}

// RunQEMU runs the board's firmware on its QEMU twin with the REPL in this
// terminal, or with MPFORGE_QEMU_SERIAL=pty|tcp:PORT on a pty or a TCP
// socket for peer tools (ServeQEMU).
func (e *Env) RunQEMU(ctx context.Context, name string) error {
	if mode := os.Getenv("MPFORGE_QEMU_SERIAL"); mode != "" {
		return e.ServeQEMU(ctx, name, mode, os.Stdout)
	}
	o, err := e.twin(ctx, name)
	if err != nil {
		return err
	}
	return qemu.Interactive(ctx, o, os.Stdin, os.Stdout)
}

// ServeQEMU runs the twin with its console on a pty ("pty"; linked from
// out/<board>/console) or a TCP socket ("tcp:PORT", "tcp:HOST:PORT"), says
// where and how to attach mpremote and pyboard.py, and runs until ctx ends
// (Ctrl-C) or QEMU exits.
func (e *Env) ServeQEMU(ctx context.Context, name, mode string, w io.Writer) error {
	addr, isTCP := strings.CutPrefix(mode, "tcp:")
	if !isTCP && mode != "pty" {
		return fmt.Errorf("MPFORGE_QEMU_SERIAL=%q: want pty, or tcp:PORT (tcp:HOST:PORT), e.g. tcp:4444", mode)
	}
	if isTCP && !strings.Contains(addr, ":") {
		addr = "127.0.0.1:" + addr
	}
	o, err := e.twin(ctx, name)
	if err != nil {
		return err
	}
	board := BoardName(name)
	tools := filepath.Join(e.rel(e.treeDir(ctx)), "tools")
	var inst *qemu.Instance
	if isTCP {
		if inst, err = qemu.StartTCP(ctx, o, addr); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: console on tcp://%s (one client at a time); Ctrl-C stops QEMU\n", board, inst.TCP())
		fmt.Fprintf(w, "  a pty for mpremote and pyboard.py: socat pty,link=/tmp/%s,rawer tcp:%s\n", board, inst.TCP())
		fmt.Fprintf(w, "  then as below with /tmp/%s\n", board)
	} else {
		if inst, err = qemu.StartPTY(ctx, o); err != nil {
			return err
		}
		link := filepath.Join(e.Root, "out", board, "console")
		tmp := link + ".new"
		_ = os.Remove(tmp)
		if err := os.Symlink(inst.PTY(), tmp); err == nil && os.Rename(tmp, link) == nil {
			defer os.Remove(link)
		}
		fmt.Fprintf(w, "%s: console on %s (also %s); Ctrl-C stops QEMU\n", board, inst.PTY(), e.rel(link))
		fmt.Fprintf(w, "  mpremote:   %s %s connect %s repl\n", python(), filepath.Join(tools, "mpremote", "mpremote.py"), inst.PTY())
		fmt.Fprintf(w, "  pyboard.py: %s %s -d %s script.py\n", python(), filepath.Join(tools, "pyboard.py"), inst.PTY())
	}
	defer inst.Stop()
	select {
	case <-inst.Done():
		return inst.Err()
	case <-ctx.Done():
		return nil
	}
}

// treeDir is the MicroPython tree in use, for the paths of its tools.
func (e *Env) treeDir(ctx context.Context) string {
	t, err := e.Tree(ctx)
	if err != nil {
		return filepath.Join(".mpforge", "micropython")
	}
	return t.Dir
}

// python is the interpreter with python3-serial: MPFORGE_PYTHON, else Debian's.
func python() string {
	if p := os.Getenv(EnvPython); p != "" {
		return p
	}
	return suite.DefaultPython
}

// OpenOCDOptions are the board's probe settings with the user's overrides:
// MPFORGE_PROBE (interface), MPFORGE_PROBE_SERIAL, MPFORGE_ADAPTER_KHZ and
// MPFORGE_OPENOCD_ARGS (extra -f/-c arguments, split on spaces, no shell).
func (e *Env) OpenOCDOptions(b *boards.Board) (openocd.Options, error) {
	o := openocd.Options{
		Interface: b.OpenOCD.Interface, Transport: b.OpenOCD.Transport, SpeedKHz: b.OpenOCD.SpeedKHz,
		Target: b.OpenOCD.Target, ScriptDirs: []string{b.Dir}, Logger: e.Logger,
		Binary: os.Getenv(EnvOpenOCDBinary),
	}
	for _, c := range b.OpenOCD.Commands {
		o.Extra = append(o.Extra, "-c", c)
	}
	if v := os.Getenv("MPFORGE_PROBE"); v != "" {
		o.Interface = v
	}
	o.Serial = os.Getenv("MPFORGE_PROBE_SERIAL")
	if v := os.Getenv("MPFORGE_ADAPTER_KHZ"); v != "" {
		khz, err := strconv.Atoi(v)
		if err != nil || khz <= 0 {
			return o, fmt.Errorf("MPFORGE_ADAPTER_KHZ=%q: want the adapter speed in kHz, e.g. 4000", v)
		}
		o.SpeedKHz = khz
	}
	o.Extra = append(o.Extra, strings.Fields(os.Getenv("MPFORGE_OPENOCD_ARGS"))...)
	if o.Interface == "" {
		return o, fmt.Errorf("board %s names no OpenOCD interface; set [openocd] interface in %s or MPFORGE_PROBE (e.g. cmsis-dap)", b.Name, e.rel(filepath.Join(b.Dir, boards.FileName)))
	}
	return o, nil
}

// Flash builds the board's firmware if needed and programs it through
// OpenOCD: with a flash algorithm run from RAM (the board's own loader, its
// vendor's FLM, or MPFORGE_FLASH_ALGORITHM) when the board names one, else
// with OpenOCD's own flash driver (program <elf> verify reset exit).
func (e *Env) Flash(ctx context.Context, name string, w io.Writer) error {
	b, err := e.Board(name)
	if err != nil {
		return err
	}
	o, err := e.OpenOCDOptions(b)
	if err != nil {
		return err
	}
	return e.flashWith(ctx, b, o, w)
}

// flashWith is Flash through the given OpenOCD options.
func (e *Env) flashWith(ctx context.Context, b *boards.Board, o openocd.Options, w io.Writer) error {
	res, job, err := e.buildFlashJob(ctx, b, w)
	if err != nil {
		return err
	}
	if job == nil {
		if err := openocd.Flash(ctx, o, res.ELF); err != nil {
			return err
		}
		fmt.Fprintf(w, "flashed %s with %s\n", b.Name, e.rel(res.ELF))
		return nil
	}
	record := flashRecord(res)
	// What is in flash is unknown from here on until this run succeeds.
	if err := os.Remove(record); err != nil && !os.IsNotExist(err) {
		return err
	}
	live := e.progress()
	job.Progress = func(p openocd.Progress) {
		if live != nil {
			live.Show(fmt.Sprintf("flash %s: %s", b.Name, p))
		}
	}
	sum, err := openocd.ProgramAlgorithm(ctx, o, *job)
	if live != nil {
		live.Done()
	}
	if err != nil {
		return err
	}
	if err := openocd.WriteRecord(record, sum.Record); err != nil {
		e.Logger.Warn("could not record what was flashed; the next flash:plan compares against nothing", "err", err)
	}
	fmt.Fprintf(w, "flashed %s: %s (%s at 0x%08x through %s)\n", b.Name, sum, e.rel(res.FlashImage), job.Base, e.rel(job.Algorithm.Path))
	return nil
}

// FlashPlan prints, without a probe, what flashing the board would do:
// which sectors it would erase and program and which it would skip,
// compared with the image the last successful flash left.
func (e *Env) FlashPlan(ctx context.Context, name string, w io.Writer) error {
	b, err := e.Board(name)
	if err != nil {
		return err
	}
	res, job, err := e.buildFlashJob(ctx, b, w)
	if err != nil {
		return err
	}
	if job == nil {
		return fmt.Errorf("board %s is flashed by OpenOCD's own flash driver (no [flash] loader or algorithm in its board file), which plans nothing ahead", b.Name)
	}
	record := flashRecord(res)
	prev, err := openocd.ReadRecord(record)
	if err != nil {
		return err
	}
	plan, err := openocd.PlanSectors(*job, prev)
	if err != nil {
		return err
	}
	plan.Write(w, e.rel(record))
	return nil
}

// flashRecord is where a successful flash records what it left in flash.
func flashRecord(res *firmware.Result) string {
	return filepath.Join(filepath.Dir(res.ELF), "flashed.json")
}

// buildFlashJob builds the board and returns the build and its flash job.
func (e *Env) buildFlashJob(ctx context.Context, b *boards.Board, w io.Writer) (*firmware.Result, *openocd.Job, error) {
	res, err := e.BuildBoard(ctx, b.Name, w)
	if err != nil {
		return nil, nil, err
	}
	job, err := e.flashJob(b, res)
	return res, job, err
}

// flashJob is how the board's flash algorithm programs its flash image, or
// nil when OpenOCD's own flash driver programs the board.
// MPFORGE_FLASH_ALGORITHM (a path, or $VAR/path) overrides the board file.
func (e *Env) flashJob(b *boards.Board, res *firmware.Result) (*openocd.Job, error) {
	f := b.Flash
	if v := os.Getenv("MPFORGE_FLASH_ALGORITHM"); v != "" {
		f.Algorithm, f.Loader = v, nil
	}
	var path string
	switch {
	case f.Algorithm != "":
		p, err := f.ResolveAlgorithm(os.LookupEnv)
		if err != nil {
			return nil, err
		}
		path = p
	case res.Loader != "":
		path = res.Loader
	default:
		return nil, nil
	}
	if f.WorkSize == 0 {
		return nil, fmt.Errorf("board %s: a flash algorithm needs [flash] work_area and work_size in %s", b.Name, e.rel(filepath.Join(b.Dir, boards.FileName)))
	}
	alg, err := flashalgo.Load(path)
	if err != nil {
		return nil, err
	}
	image, err := os.ReadFile(res.FlashImage)
	if err != nil {
		return nil, err
	}
	return &openocd.Job{
		Algorithm: alg, Image: image, Base: uint32(b.FlashBase()), ClockHz: uint32(b.ClockHz),
		Work: openocd.WorkArea{Addr: uint32(f.WorkArea), Size: uint32(f.WorkSize)},
	}, nil
}

// serialPort is the console port: MPFORGE_PORT, else the board file's.
func (e *Env) serialPort(b *boards.Board) (string, int, error) {
	port := os.Getenv("MPFORGE_PORT")
	if port == "" {
		port = b.Console.Port
	}
	if port == "" {
		return "", 0, fmt.Errorf("no serial port: set MPFORGE_PORT (e.g. /dev/ttyUSB0 or /dev/serial/by-id/...) or [console] port in the board file")
	}
	baud := b.Console.Baud
	if v := os.Getenv("MPFORGE_BAUD"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return "", 0, fmt.Errorf("MPFORGE_BAUD=%q: want a baud rate such as 115200", v)
		}
		baud = n
	}
	return port, baud, nil
}

// Monitor opens a serial terminal on the board's console port.
func (e *Env) Monitor(ctx context.Context, name string) error {
	b, err := e.Board(name)
	if err != nil {
		return err
	}
	port, baud, err := e.serialPort(b)
	if err != nil {
		return err
	}
	return monitor.Run(ctx, monitor.Options{Port: port, Baud: baud, Logger: e.Logger})
}

// RunScripts runs Python scripts (files, folders, globs; an argument may
// list several separated by commas) through the raw REPL: on the QEMU twins
// named by MPFORGE_QEMU, else on the serial ports of MPFORGE_PORT (both may
// list several, comma-separated: a rack, run side by side).
// MPFORGE_TIMEOUT sets each script's limit; MPFORGE_JUNIT writes a report;
// MPFORGE_TEST_INCLUDE/EXCLUDE filter; MPFORGE_FLASH=1 flashes first;
// MPFORGE_MOUNT says how each script's folder is served to the board.
func (e *Env) RunScripts(ctx context.Context, paths []string, w io.Writer) error {
	var o device.Options
	o.Out, o.Logger = w, e.Logger
	if v := os.Getenv("MPFORGE_TIMEOUT"); v != "" {
		d, err := device.ParseTimeout(v)
		if err != nil {
			return fmt.Errorf("MPFORGE_TIMEOUT=%q: want seconds or a duration such as 5m", v)
		}
		o.Timeout = d
	}
	mode, err := device.ParseMountMode(os.Getenv("MPFORGE_MOUNT"))
	if err != nil {
		return fmt.Errorf("MPFORGE_MOUNT=%w", err)
	}
	o.Mount = mode
	f, err := scriptFilter()
	if err != nil {
		return err
	}
	o.Filter = f
	if f, ok := w.(*os.File); ok && !term.IsTerminal(int(f.Fd())) {
		o.Stamp = true // a log: when each line arrived
	}
	junit := os.Getenv("MPFORGE_JUNIT")
	if junit != "" {
		if err := device.CheckJUnitPath(junit); err != nil {
			return err
		}
	}
	// Collect first: a typo in a path should not wait for a build or a board.
	if _, err := device.Scripts(paths, o.Filter); err != nil {
		return err
	}
	targets, err := e.scriptTargets(ctx, w)
	defer func() {
		for _, t := range targets {
			t.Close()
		}
	}()
	if err != nil {
		return err
	}
	reports, err := device.RunRack(ctx, targets, paths, o)
	if junit != "" && len(reports) > 0 {
		if jerr := device.WriteJUnitFile(junit, reports...); jerr != nil {
			return jerr
		}
	}
	return err
}

// scriptFilter reads MPFORGE_TEST_INCLUDE and MPFORGE_TEST_EXCLUDE, as test:target does.
func scriptFilter() (device.Filter, error) {
	var f device.Filter
	for _, v := range []struct {
		name string
		to   *[]*regexp.Regexp
	}{{EnvTestInclude, &f.Include}, {EnvTestExclude, &f.Exclude}} {
		if s := os.Getenv(v.name); s != "" {
			re, err := regexp.Compile(s)
			if err != nil {
				return f, fmt.Errorf("%s=%q is not a regular expression: %v", v.name, s, err)
			}
			*v.to = append(*v.to, re)
		}
	}
	return f, nil
}

// scriptTargets starts the twins of MPFORGE_QEMU or opens the ports of
// MPFORGE_PORT; every target opened is returned, also with an error.
func (e *Env) scriptTargets(ctx context.Context, w io.Writer) ([]*device.Target, error) {
	twins := device.SplitPaths(os.Getenv("MPFORGE_QEMU"))
	ports := device.SplitPaths(os.Getenv("MPFORGE_PORT"))
	flash := os.Getenv("MPFORGE_FLASH")
	if flash != "" && flash != "0" && flash != "1" {
		return nil, fmt.Errorf("MPFORGE_FLASH=%q: want 1 (flash, then run) or 0", flash)
	}
	if len(twins) > 0 {
		if len(ports) > 0 {
			e.Logger.Warn("MPFORGE_QEMU overrides MPFORGE_PORT: running on the QEMU twins, not on the serial ports", "MPFORGE_QEMU", strings.Join(twins, ","), "MPFORGE_PORT", strings.Join(ports, ","))
		}
		if flash == "1" {
			e.Logger.Info("MPFORGE_FLASH has nothing to do on a QEMU twin: it always runs the board's current build")
		}
		return e.twinTargets(ctx, twins)
	}
	b, err := e.Board("")
	if err != nil {
		return nil, err
	}
	port, baud, err := e.serialPort(b)
	if err != nil {
		if len(ports) == 0 {
			err = fmt.Errorf("%w (or MPFORGE_QEMU=mps2-an505 to run on a QEMU twin)", err)
		}
		return nil, err
	}
	if len(ports) == 0 {
		ports = []string{port}
	}
	oo, ooErr := e.OpenOCDOptions(b)
	if flash == "1" {
		if len(ports) > 1 {
			return nil, fmt.Errorf("MPFORGE_FLASH=1 with %d ports: flash the boards of a rack one by one (MPFORGE_PROBE_SERIAL picks the probe), then run", len(ports))
		}
		if err := e.Flash(ctx, b.Name, w); err != nil {
			return nil, err
		}
	}
	elf := filepath.Join(e.Root, "out", b.Name, "firmware.elf")
	digest, err := device.ELFDigest(elf)
	if err != nil {
		return nil, fmt.Errorf("%w; build the firmware the board runs (build:board %s), or MPFORGE_FLASH=1 to build, flash and run", err, b.Name)
	}
	want := &device.Identity{Board: b.Name, Digest: digest}
	var targets []*device.Target
	for _, port := range ports {
		so := device.SerialOptions{Port: port, Baud: baud}
		if ooErr == nil && len(ports) == 1 {
			// One probe per board is not known for a rack: a rack recovers by reopening the port.
			so.Reset = func(ctx context.Context) error { return openocd.Reset(ctx, oo) }
		}
		t, err := device.OpenSerial(ctx, so)
		if err != nil {
			return targets, err
		}
		t.ELF, t.Expect = elf, want
		targets = append(targets, t)
	}
	return targets, nil
}

// twinTargets builds each named board once and starts one QEMU per name;
// a board named twice gets "-2", "-3" for its later instances.
func (e *Env) twinTargets(ctx context.Context, names []string) ([]*device.Target, error) {
	opts := map[string]qemu.Options{}
	seen := map[string]int{}
	var targets []*device.Target
	for _, n := range names {
		o, ok := opts[n]
		if !ok {
			var err error
			if o, err = e.twin(ctx, n); err != nil {
				return targets, err
			}
			opts[n] = o
		}
		digest, err := device.ELFDigest(o.Kernel)
		if err != nil {
			return targets, err
		}
		t, err := device.StartQEMU(ctx, o)
		if err != nil {
			return targets, err
		}
		t.Name = BoardName(n)
		t.Expect = &device.Identity{Board: t.Name, Digest: digest}
		if seen[n]++; seen[n] > 1 {
			t.Name = fmt.Sprintf("%s-%d", t.Name, seen[n])
		}
		targets = append(targets, t)
	}
	return targets, nil
}
