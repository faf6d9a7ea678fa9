// Package provision checks for the system tools mpforge drives and installs the missing ones
// from Debian packages with apt-get.
package provision

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
	"strings"

	"github.com/charmbracelet/log"
)

// Tool is something mpforge runs, and the Debian package that provides it.
type Tool struct {
	Command string // program looked up on PATH
	Package string // Debian package that provides it
	Why     string // what it does for mpforge, as a verb phrase ("compiles the firmware")
	// File, when set, is a file the GCC driver Command must find (gcc -print-file-name), for
	// parts of a toolchain that are not programs, such as newlib-nano's nano.specs.
	File string
	// Module, when set, is a module the Python interpreter Command must be able to import.
	Module string
}

// The tools, grouped by what they are for.
var (
	// Toolchain builds firmware.
	Toolchain = []Tool{
		{Command: "arm-none-eabi-gcc", Package: "gcc-arm-none-eabi", Why: "compiles and links the firmware"},
		{Command: "arm-none-eabi-objcopy", Package: "binutils-arm-none-eabi", Why: "writes firmware.bin and firmware.hex"},
		{Command: "arm-none-eabi-size", Package: "binutils-arm-none-eabi", Why: "prints the size report"},
		{Command: "arm-none-eabi-gcc", File: "nano.specs", Package: "libnewlib-arm-none-eabi", Why: "provides the newlib-nano C and math libraries (--specs=nano.specs -lc -lm)"},
	}
	// Host builds mpy-cross from the MicroPython tree, for frozen Python modules.
	Host = []Tool{
		{Command: "gcc", Package: "gcc", Why: "builds mpy-cross from the MicroPython tree, for frozen Python modules"},
		{Command: "gcc", File: "crt1.o", Package: "libc6-dev", Why: "provides the C library that mpy-cross is built against"},
		{Command: "python3", Package: "python3", Why: "runs the tree's tools/mpy-tool.py, which writes frozen_content.c"},
	}
	// Emulator runs the QEMU boards (mps2-an385, mps2-an505).
	Emulator = []Tool{
		{Command: "qemu-system-arm", Package: "qemu-system-arm", Why: "runs the QEMU boards"},
	}
	// Flasher programs real boards through a debug probe.
	Flasher = []Tool{
		{Command: "openocd", Package: "openocd", Why: "flashes boards through CMSIS-DAP or J-Link probes"},
	}
	// TestRunner runs MicroPython's own test suite against a board.
	TestRunner = []Tool{
		{Command: "/usr/bin/python3", Package: "python3", Why: "runs MicroPython's tests/run-tests.py (Debian's python3, which python3-serial serves)"},
		{Command: "/usr/bin/python3", Module: "serial", Package: "python3-serial", Why: "lets run-tests.py reach a board over its serial port"},
	}
	// TestTools are what mpforge's own tests use besides the tools above:
	// emulation of what needs hardware, the peer tools and pytest.
	TestTools = []Tool{
		{Command: "/usr/bin/python3", Module: "unicorn", Package: "python3-unicorn", Why: "runs flash algorithms and an emulated debug probe on a Cortex-M33 in the tests"},
		{Command: "/usr/bin/python3", Module: "platformdirs", Package: "python3-platformdirs", Why: "lets the tree's tools/mpremote run (fs, mount) against a twin in the tests"},
		{Command: "/usr/bin/python3", Module: "pytest", Package: "python3-pytest", Why: "runs the pytest_mpforge plugin's own tests"},
		{Command: "cmake", Package: "cmake", Why: "builds the embedding tests' product from the exported tree"},
		{Command: "make", Package: "make", Why: "links the embedding tests' product with libmicropython.a"},
		{Command: "redis-server", Package: "redis-server", Why: "is the shared ccache back-end in the team-cache test"},
	}
	// Launchers are optional compiler launchers that speed up rebuilds.
	Launchers = []Tool{
		{Command: "ccache", Package: "ccache", Why: "caches compiler output across clean builds (optional)"},
		{Command: "distcc", Package: "distcc", Why: "spreads compiles over other machines (optional)"},
	}
)

// String names the tool as the user would look for it.
func (t Tool) String() string {
	switch {
	case t.File != "":
		return t.File + " for " + t.Command
	case t.Module != "":
		return "Python module " + t.Module + " for " + t.Command
	}
	return t.Command
}

// Missing returns the tools that are not usable here, in order.
func Missing(tools []Tool) []Tool {
	var out []Tool
	for _, t := range tools {
		if problem(t) != "" {
			out = append(out, t)
		}
	}
	return out
}

// problem says why t is not usable, or "" when it is.
func problem(t Tool) string {
	path, err := exec.LookPath(t.Command)
	if err != nil {
		return t.Command + " not found on PATH"
	}
	switch {
	case t.File != "":
		// The driver prints the bare name back when it does not find the file.
		out, err := exec.Command(path, "-print-file-name="+t.File).Output()
		found := strings.TrimSpace(string(out))
		if err != nil || !filepath.IsAbs(found) {
			return path + " does not find " + t.File
		}
		if _, err := os.Stat(found); err != nil {
			return path + " does not find " + t.File
		}
	case t.Module != "":
		if err := exec.Command(path, "-c", "import "+t.Module).Run(); err != nil {
			return path + " cannot import " + t.Module
		}
	}
	return ""
}

// MissingError lists unusable tools and says how to install them.
type MissingError struct {
	Tools   []Tool
	reasons []string // why each of Tools is unusable, when known
}

func (e *MissingError) Error() string {
	var b strings.Builder
	b.WriteString("missing tools:")
	for i, t := range e.Tools {
		reason := "missing"
		if i < len(e.reasons) {
			reason = e.reasons[i]
		}
		fmt.Fprintf(&b, "\n  - %s: %s; it %s (Debian package %s)", t, reason, t.Why, t.Package)
	}
	fmt.Fprintf(&b, "\ninstall with: %s", InstallCommand(Packages(e.Tools)))
	return b.String()
}

// Require returns a *MissingError naming every unusable tool and why, or nil when all are usable.
func Require(tools []Tool) error {
	e := &MissingError{}
	for _, t := range tools {
		if why := problem(t); why != "" {
			e.Tools = append(e.Tools, t)
			e.reasons = append(e.reasons, why)
		}
	}
	if len(e.Tools) == 0 {
		return nil
	}
	return e
}

// Packages returns the Debian packages that provide tools, without duplicates, in order.
func Packages(tools []Tool) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tools {
		if !seen[t.Package] {
			seen[t.Package] = true
			out = append(out, t.Package)
		}
	}
	return out
}

// InstallCommand is the command a user runs to install pkgs by hand.
func InstallCommand(pkgs []string) string {
	return "sudo apt-get install -y --no-install-recommends " + strings.Join(pkgs, " ")
}

// packageName is Debian's package name syntax (optionally with :arch); it also keeps an
// argument that starts with "-" from being taken as an apt-get option.
var packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$`)

// Install installs Debian packages with apt-get (never through a shell): as root directly,
// otherwise through `sudo -n` when sudo works without a password; otherwise it returns an
// error with the exact command to run. When apt does not know a package yet (no package
// lists, or lists too old) it runs `apt-get update` first. Output goes to logger (nil: quiet).
func Install(ctx context.Context, logger *log.Logger, pkgs []string) error {
	if len(pkgs) == 0 {
		return nil
	}
	for _, p := range pkgs {
		if !packageName.MatchString(p) {
			return fmt.Errorf("%q is not a Debian package name", p)
		}
	}
	if logger == nil {
		logger = log.New(io.Discard)
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("apt-get not found: this is not a Debian-like system; install the equivalents of these Debian packages yourself: %s", strings.Join(pkgs, " "))
	}
	prefix, err := privilege(ctx)
	if err != nil {
		return fmt.Errorf("%w; run: %s", err, InstallCommand(pkgs))
	}
	if unknown := unknownPackages(ctx, pkgs); len(unknown) > 0 {
		logger.Info("updating apt package lists", "unknown", strings.Join(unknown, " "))
		if err := Run(ctx, logger, append(prefix, "apt-get", "update", "-o", "DPkg::Lock::Timeout=300")); err != nil {
			return err
		}
	}
	logger.Info("installing packages", "packages", strings.Join(pkgs, " "))
	// Wait for a dpkg lock held by another apt run (unattended upgrades) rather than failing.
	argv := append(prefix, "apt-get", "install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300")
	return Run(ctx, logger, append(argv, pkgs...))
}

// privilege returns the argv prefix that runs apt-get as root.
func privilege(ctx context.Context) ([]string, error) {
	if os.Geteuid() == 0 {
		return nil, nil
	}
	if _, err := exec.LookPath("sudo"); err != nil {
		return nil, fmt.Errorf("installing packages needs root, and sudo is not installed")
	}
	if err := exec.CommandContext(ctx, "sudo", "-n", "true").Run(); err != nil {
		return nil, fmt.Errorf("installing packages needs root, and sudo asks for a password")
	}
	return []string{"sudo", "-n"}, nil
}

// unknownPackages returns the packages apt has no installation candidate for.
func unknownPackages(ctx context.Context, pkgs []string) []string {
	out, err := exec.CommandContext(ctx, "apt-cache", append([]string{"policy"}, pkgs...)...).Output()
	if err != nil {
		return pkgs // no usable lists: treat all as unknown so they get updated
	}
	known := candidates(string(out))
	var unknown []string
	for _, p := range pkgs {
		if !known[p] {
			unknown = append(unknown, p)
		}
	}
	return unknown
}

// candidates reads `apt-cache policy` output: which packages have an installation candidate.
// apt prints nothing for a package it does not know and "Candidate: (none)" for one it knows
// only from dpkg's status.
func candidates(policy string) map[string]bool {
	known := map[string]bool{}
	name := ""
	for _, line := range strings.Split(policy, "\n") {
		if line != "" && line[0] != ' ' && strings.HasSuffix(line, ":") {
			name = strings.TrimSuffix(line, ":")
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Candidate:"); ok && name != "" {
			known[name] = strings.TrimSpace(v) != "(none)"
		}
	}
	return known
}

// Run executes argv (an installer: apt-get, debootstrap) non-interactively, logging its
// output line by line at debug level; a failure's error carries the last lines.
func Run(ctx context.Context, logger *log.Logger, argv []string) error {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var last []string
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		logger.Debug(sc.Text())
		if last = append(last, sc.Text()); len(last) > 12 {
			last = last[1:]
		}
	}
	if err != nil {
		return fmt.Errorf("%s failed (%v):\n%s", strings.Join(argv, " "), err, strings.Join(last, "\n"))
	}
	return nil
}
