package tasks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mpforge/boards"
	"mpforge/build"
	"mpforge/device"
	"mpforge/release"
)

// BannerTimeout bounds the wait for MicroPython's banner after a flash or a power-up.
const BannerTimeout = 15 * time.Second

// checklist prints one line per step as it finishes and keeps everything
// for the report file, which holds the details a person sends back.
type checklist struct {
	w       io.Writer
	lines   []string
	details bytes.Buffer
	failed  string // the first step that failed
}

func (c *checklist) step(name string, err error, okText string) bool {
	status, text := "ok", okText
	if err != nil {
		status, text = "FAIL", firstLine(err.Error())
		if c.failed == "" {
			c.failed = name
		}
		fmt.Fprintf(&c.details, "== %s failed\n%v\n\n", name, err)
	}
	line := fmt.Sprintf("  %-4s  %-8s %s", status, name, text)
	c.lines = append(c.lines, line)
	fmt.Fprintln(c.w, line)
	return err == nil
}

func (c *checklist) skip(names ...string) {
	for _, n := range names {
		line := fmt.Sprintf("  %-4s  %-8s %s", "--", n, "not checked")
		c.lines = append(c.lines, line)
		fmt.Fprintln(c.w, line)
	}
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// HIL is the first-board checklist: build, flash (hardware) or boot (QEMU
// twin), MicroPython's banner on the console, the REPL, and the smoke
// scripts in python/smoke; then a verdict and a report file to send back.
// Hardware needs MPFORGE_PORT and a probe; a board with a QEMU twin and no
// MPFORGE_PORT runs the same checklist on the twin.
func (e *Env) HIL(ctx context.Context, name string, w io.Writer) error {
	b, err := e.Board(name)
	if err != nil {
		return err
	}
	c := &checklist{w: w}
	onTwin := b.QEMU.Machine != "" && os.Getenv("MPFORGE_PORT") == ""
	where := "on the board"
	if onTwin {
		where = "on its QEMU twin " + b.QEMU.Machine
	}
	fmt.Fprintf(w, "%s: first-board check %s\n", b.Name, where)
	report := filepath.Join(e.Root, "out", b.Name, "hil-report.txt")
	defer func() { e.writeHILReport(ctx, report, b, c) }()

	var buildOut bytes.Buffer
	res, err := e.BuildBoard(ctx, b.Name, &buildOut)
	fmt.Fprintf(&c.details, "== build\n%s\n", buildOut.Bytes())
	okText := ""
	if err == nil {
		okText = e.rel(res.FlashImage)
	}
	if !c.step("build", err, okText) {
		c.skip("console", "flash", "banner", "scripts")
		return c.verdict(report, e)
	}

	var target *device.Target
	if onTwin {
		o, err := e.qemuTwin(b)
		if err == nil {
			o.Kernel = res.ELF
			target, err = device.StartQEMU(ctx, o)
		}
		if !c.step("console", err, "QEMU "+b.QEMU.Machine+", console on a pipe") {
			c.skip("flash", "banner", "scripts")
			return c.verdict(report, e)
		}
	} else {
		port, baud, err := e.serialPort(b)
		if err == nil {
			target, err = device.OpenSerial(ctx, device.SerialOptions{Port: port, Baud: baud})
		}
		if !c.step("console", err, fmt.Sprintf("%s at %d baud", port, baud)) {
			c.skip("flash", "banner", "scripts")
			return c.verdict(report, e)
		}
	}
	defer target.Close()
	// Watch the console before the flash resets the chip, so the banner it
	// prints on its way up is seen.
	watch := device.WatchBoot(target.Conn)
	target.Conn = watch

	if onTwin {
		c.step("flash", nil, "not needed: QEMU loads firmware.elf")
	} else {
		var flashOut bytes.Buffer
		err := e.Flash(ctx, b.Name, &flashOut)
		fmt.Fprintf(&c.details, "== flash\n%s\n", flashOut.Bytes())
		if !c.step("flash", err, firstLine(strings.TrimSpace(flashOut.String()))) {
			c.skip("banner", "scripts")
			return c.verdict(report, e)
		}
	}

	bctx, cancel := context.WithTimeout(ctx, BannerTimeout)
	banner, before, err := watch.Banner(bctx)
	cancel()
	if len(before) > 0 {
		fmt.Fprintf(&c.details, "== console before the banner\n%q\n\n", before)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no MicroPython banner within %v; the console showed %d bytes (see the report): check TX/RX crossed, GND, the baud rate, then docs/fr30xx.md step 5", BannerTimeout, len(before))
	}
	if !c.step("banner", err, banner) {
		c.skip("scripts")
		return c.verdict(report, e)
	}

	var scriptsOut bytes.Buffer
	smoke := filepath.Join(e.Root, "python", "smoke")
	rep, err := device.RunScripts(ctx, target, []string{smoke}, device.Options{Out: &scriptsOut, Logger: e.Logger, Timeout: 30 * time.Second})
	fmt.Fprintf(&c.details, "== scripts\n%s\n", scriptsOut.Bytes())
	text := ""
	if rep != nil {
		text = rep.Summary()
	}
	c.step("scripts", err, text)
	return c.verdict(report, e)
}

// verdict prints the outcome and what to send back; it fails when a step did.
func (c *checklist) verdict(report string, e *Env) error {
	if c.failed == "" {
		fmt.Fprintf(c.w, "verdict: PASS: the board runs MicroPython (details: %s)\n", e.rel(report))
		return nil
	}
	fmt.Fprintf(c.w, "verdict: FAIL at %s. Send %s and the lines above to the firmware team.\n", c.failed, e.rel(report))
	return fmt.Errorf("first-board check failed at %s", c.failed)
}

// writeHILReport writes what a person with the board sends back: the
// checklist, the versions of everything involved, and each step's output.
func (e *Env) writeHILReport(ctx context.Context, path string, b *boards.Board, c *checklist) {
	var r bytes.Buffer
	fmt.Fprintf(&r, "mpforge first-board check of %s, %s\n\n", b.Name, time.Now().UTC().Format(time.RFC3339))
	for _, l := range c.lines {
		fmt.Fprintln(&r, l)
	}
	fmt.Fprintf(&r, "\nmpforge %s; board %s (%s)\n", release.GitRevision(ctx, e.Root), b.Name, b.Description)
	if tc, err := e.Toolchain(ctx); err == nil {
		fmt.Fprintf(&r, "toolchain: %s\n", tc.Version)
	}
	fmt.Fprintf(&r, "\n%s", c.details.Bytes())
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
		if err := build.WriteFileAtomic(path, r.Bytes()); err != nil {
			e.Logger.Warn("could not write the report", "path", path, "err", err)
		}
	}
}
