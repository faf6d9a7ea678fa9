package tasks

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"mpforge/boards"
	"mpforge/device"
	"mpforge/device/monitor"
	"mpforge/device/openocd"
	"mpforge/device/qemu"
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
	return qemu.Options{Machine: b.QEMU.Machine, Args: b.QEMU.Args, Logger: e.Logger}, nil
}

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

// RunQEMU runs the board's firmware on its QEMU twin with the REPL in this terminal.
func (e *Env) RunQEMU(ctx context.Context, name string) error {
	o, err := e.twin(ctx, name)
	if err != nil {
		return err
	}
	return qemu.Interactive(ctx, o, os.Stdin, os.Stdout)
}

// OpenOCDOptions are the board's probe settings with the user's overrides:
// MPFORGE_PROBE (interface), MPFORGE_PROBE_SERIAL, MPFORGE_ADAPTER_KHZ and
// MPFORGE_OPENOCD_ARGS (extra -f/-c arguments, split on spaces, no shell).
func (e *Env) OpenOCDOptions(b *boards.Board) (openocd.Options, error) {
	o := openocd.Options{
		Interface: b.OpenOCD.Interface, Transport: b.OpenOCD.Transport, SpeedKHz: b.OpenOCD.SpeedKHz,
		Target: b.OpenOCD.Target, ScriptDirs: []string{b.Dir}, Logger: e.Logger,
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

// Flash builds the board's firmware if needed and programs it through OpenOCD.
func (e *Env) Flash(ctx context.Context, name string, w io.Writer) error {
	b, err := e.Board(name)
	if err != nil {
		return err
	}
	o, err := e.OpenOCDOptions(b)
	if err != nil {
		return err
	}
	res, err := e.BuildBoard(ctx, b.Name, w)
	if err != nil {
		return err
	}
	if err := openocd.Flash(ctx, o, res.ELF); err != nil {
		return err
	}
	fmt.Fprintf(w, "flashed %s with %s\n", b.Name, e.rel(res.ELF))
	return nil
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

// RunScripts runs Python scripts (files or folders) on a board through the
// raw REPL: on the QEMU twin named by MPFORGE_QEMU, else on the serial port.
// MPFORGE_TIMEOUT sets each script's limit; MPFORGE_JUNIT writes a report.
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
	var target *device.Target
	if twin := os.Getenv("MPFORGE_QEMU"); twin != "" {
		q, err := e.twin(ctx, twin)
		if err != nil {
			return err
		}
		if target, err = device.StartQEMU(ctx, q); err != nil {
			return err
		}
	} else {
		b, err := e.Board("")
		if err != nil {
			return err
		}
		port, baud, err := e.serialPort(b)
		if err != nil {
			return fmt.Errorf("%w (or MPFORGE_QEMU=mps2-an505 to run on a QEMU twin)", err)
		}
		so := device.SerialOptions{Port: port, Baud: baud}
		if oo, err := e.OpenOCDOptions(b); err == nil {
			so.Reset = func(ctx context.Context) error { return openocd.Reset(ctx, oo) }
		}
		if target, err = device.OpenSerial(ctx, so); err != nil {
			return err
		}
	}
	defer target.Close()
	report, err := device.RunScripts(ctx, target, paths, o)
	if junit := os.Getenv("MPFORGE_JUNIT"); junit != "" && report != nil {
		if jerr := device.WriteJUnitFile(junit, report); jerr != nil {
			return jerr
		}
	}
	return err
}
