// Package toolchain finds the GNU Arm cross compiler and runs it: compile,
// link, objcopy, and reading what they leave behind (depfiles, ELF sizes).
package toolchain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"mpforge/build"
	"mpforge/internal/proc"
)

// Prefix is the GNU triplet prefix of the cross tools.
const Prefix = "arm-none-eabi-"

// InstallHint is what to run when the toolchain is missing.
const InstallHint = "sudo apt-get install --no-install-recommends gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi (or run `mage setup`)"

// Toolchain is a found cross toolchain.
type Toolchain struct {
	GCC     string
	Objcopy string
	Ar      string // for MicroPython as a static library (build:lib)
	Version string // first line of gcc --version
	// Fingerprint changes when the compiler is replaced (an upgrade), so
	// that every object is rebuilt.
	Fingerprint string
	// Launcher is put in front of every compile (ccache, distcc).
	Launcher []string
}

// MissingError is a tool that is not installed.
type MissingError struct {
	Tool, Hint string
	Where      string // where it was looked for; "" is "on PATH"
}

func (e *MissingError) Error() string {
	where := e.Where
	if where == "" {
		where = "on PATH"
	}
	return fmt.Sprintf("%s not found %s; install it with: %s", e.Tool, where, e.Hint)
}

// Find locates arm-none-eabi-gcc and checks that newlib-nano is there too.
// What gcc says of itself is cached per compiler binary (path, size, mtime),
// so a no-op build does not pay for starting the compiler.
func Find(ctx context.Context) (*Toolchain, error) {
	return system.toolchain(ctx)
}

func (l locator) toolchain(ctx context.Context) (*Toolchain, error) {
	gcc, err := l.find(Prefix + "gcc")
	if err != nil {
		return nil, err
	}
	// objcopy from gcc's own folder, so that two toolchains are not mixed,
	// else from PATH (gcc may be ccache's masquerading link).
	objcopy, err := exec.LookPath(filepath.Join(filepath.Dir(gcc), Prefix+"objcopy"))
	if err != nil {
		if objcopy, err = exec.LookPath(Prefix + "objcopy"); err != nil {
			return nil, &MissingError{Tool: Prefix + "objcopy", Where: "beside " + gcc + " or on PATH", Hint: l.installHint()}
		}
	}
	ar, err := exec.LookPath(Prefix + "ar")
	if err != nil {
		return nil, &MissingError{Tool: Prefix + "ar", Hint: InstallHint}
	}
	fi, err := os.Stat(gcc)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%s %d %d", gcc, fi.Size(), fi.ModTime().UnixNano())
	cache := cachePath()
	version, specs, ok := readProbe(cache, key)
	if !ok {
		out, err := exec.CommandContext(ctx, gcc, "--version").Output()
		if err != nil {
			return nil, fmt.Errorf("%s --version: %w", gcc, err)
		}
		version, _, _ = strings.Cut(string(out), "\n")
		out, err = exec.CommandContext(ctx, gcc, "-print-file-name=nano.specs").Output()
		if err != nil {
			return nil, fmt.Errorf("%s -print-file-name: %w", gcc, err)
		}
		specs = strings.TrimSpace(string(out))
		writeProbe(cache, key, version, specs)
	}
	if _, err := os.Stat(specs); err != nil || !filepath.IsAbs(specs) {
		return nil, &MissingError{Tool: "newlib-nano (nano.specs)", Where: "by " + gcc, Hint: l.installHint()}
	}
	return &Toolchain{GCC: gcc, Objcopy: objcopy, Ar: ar, Version: version, Fingerprint: key + " " + version}, nil
}

func cachePath() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "mpforge", "toolchain-probe-v2")
}

// readProbe returns the cached answer of the compiler identified by key.
func readProbe(path, key string) (version, specs string, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", false
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 3 || lines[0] != key {
		return "", "", false
	}
	return lines[1], lines[2], true
}

// writeProbe caches a probe; failing to is harmless (the next build probes again).
func writeProbe(path, key, version, specs string) {
	if path != "" {
		_ = build.WriteFileAtomic(path, []byte(key+"\n"+version+"\n"+specs+"\n"))
	}
}

// Run runs argv in dir and returns its combined output.
func Run(ctx context.Context, dir string, argv []string) ([]byte, error) {
	var out bytes.Buffer
	err := run(ctx, dir, argv, &out, &out)
	return out.Bytes(), err
}

// Output runs argv like Run but keeps stdout (a preprocessor's output) apart
// from stderr (its diagnostics).
func Output(ctx context.Context, dir string, argv []string) (stdout, stderr []byte, err error) {
	var out, errOut bytes.Buffer
	err = run(ctx, dir, argv, &out, &errOut)
	return out.Bytes(), errOut.Bytes(), err
}

// run starts argv in its own process group, so that cancelling ctx stops the
// compiler driver and everything it started (cc1, as, ld).
func run(ctx context.Context, dir string, argv []string, stdout, stderr io.Writer) error {
	// SIGKILL: a compiler has nothing to clean up, and must not outlive a
	// build that was killed outright.
	cmd := proc.Command(ctx, syscall.SIGKILL, time.Second, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && ctx.Err() == nil {
		err = fmt.Errorf("%s exited with status %d", filepath.Base(argv[0]), exitErr.ExitCode())
	}
	return err
}

// ParseDepfile returns the prerequisites of a Makefile-style depfile as
// gcc -MD writes it (escaped spaces, line continuations).
func ParseDepfile(data []byte) []string {
	s := strings.ReplaceAll(string(data), "\\\n", " ")
	s = strings.ReplaceAll(s, "\\\r\n", " ")
	var deps []string
	for _, line := range strings.Split(s, "\n") {
		_, rest, ok := strings.Cut(line, ": ")
		if !ok {
			if strings.HasSuffix(strings.TrimSpace(line), ":") {
				continue // phony target of -MP
			}
			continue
		}
		var cur strings.Builder
		flush := func() {
			if cur.Len() > 0 {
				deps = append(deps, cur.String())
				cur.Reset()
			}
		}
		for i := 0; i < len(rest); i++ {
			c := rest[i]
			switch {
			case c == '\\' && i+1 < len(rest) && (rest[i+1] == ' ' || rest[i+1] == '#'):
				cur.WriteByte(rest[i+1])
				i++
			case c == '$' && i+1 < len(rest) && rest[i+1] == '$':
				cur.WriteByte('$')
				i++
			case c == ' ' || c == '\t':
				flush()
			default:
				cur.WriteByte(c)
			}
		}
		flush()
		break // the first rule is the object's; -MP adds phony ones after it
	}
	return deps
}
