// Package tasks holds what the Mage targets do, so that magefile.go stays a
// list of targets and everything here can be tested without Mage.
package tasks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/log"
	"golang.org/x/term"

	"mpforge/boards"
	"mpforge/build"
	"mpforge/mptree"
	"mpforge/provision"
	"mpforge/toolchain"
)

// DefaultBoard is built when neither an argument nor MPFORGE_BOARD names one.
const DefaultBoard = "fr30xx"

// Env is the checkout the targets work on and how they report.
type Env struct {
	Root    string
	Logger  *log.Logger
	Verbose bool
	Jobs    int
}

// NewEnv finds the checkout from the working directory (Mage runs targets
// there) and sets up logging: quiet by default, every command with verbose.
func NewEnv(verbose bool) (*Env, error) {
	root, err := findRoot()
	if err != nil {
		return nil, err
	}
	logger := log.NewWithOptions(os.Stderr, log.Options{Level: log.InfoLevel})
	if verbose {
		logger.SetLevel(log.DebugLevel)
	}
	jobs := runtime.NumCPU()
	if s := os.Getenv("MPFORGE_JOBS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("MPFORGE_JOBS=%q: want a positive number of parallel compiles", s)
		}
		jobs = n
	}
	warnUnknownVars(logger, environ()) // envcheck.go
	return &Env{Root: root, Logger: logger, Verbose: verbose, Jobs: jobs}, nil
}

func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "boards")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				return d, nil
			}
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside an mpforge checkout (no go.mod with boards/ above it)", dir)
		}
	}
}

// BoardName picks the board: the argument, else MPFORGE_BOARD, else the default.
func BoardName(arg string) string {
	if arg != "" {
		return arg
	}
	if b := os.Getenv("MPFORGE_BOARD"); b != "" {
		return b
	}
	return DefaultBoard
}

// Board loads one board file, with the user's frozen modules (MPFORGE_FROZEN) added.
func (e *Env) Board(name string) (*boards.Board, error) {
	b, err := boards.Load(filepath.Join(e.Root, "boards"), BoardName(name))
	if err == nil {
		err = e.addUserFrozen(b)
	}
	return b, err
}

// Tree finds the MicroPython tree, fetching the managed copy when there is
// none and MICROPY_DIR is not set.
func (e *Env) Tree(ctx context.Context) (mptree.Tree, error) {
	t, err := mptree.Locate(e.Root)
	if errors.Is(err, mptree.ErrNoTree) {
		e.Logger.Info("no MicroPython tree yet; fetching the managed copy", "version", mptree.Pinned.String())
		return mptree.Fetch(ctx, e.Logger, e.Root, mptree.Pinned)
	}
	return t, err
}

// Toolchain finds the cross compiler, installing it when it is missing and
// this user may install packages.
func (e *Env) Toolchain(ctx context.Context) (*toolchain.Toolchain, error) {
	tc, err := toolchain.Find(ctx)
	var missing *toolchain.MissingError
	// With MPFORGE_TOOLCHAIN set only that folder is searched: Debian's
	// package would not land there.
	if errors.As(err, &missing) && os.Getenv(toolchain.EnvToolchain) == "" {
		e.Logger.Info("cross toolchain missing; installing it", "tool", missing.Tool)
		if ierr := installTools(ctx, e.Logger, provision.Toolchain); ierr != nil {
			return nil, fmt.Errorf("%w\n%v", err, ierr)
		}
		tc, err = toolchain.Find(ctx)
	}
	if err != nil {
		return nil, err
	}
	if l := os.Getenv("MPFORGE_CC_LAUNCHER"); strings.TrimSpace(l) != "" {
		if tc.Launcher, err = launcher(l); err != nil {
			return nil, err
		}
	}
	return tc, sharedCache(tc.Launcher)
}

// EnvCacheURL names a build cache shared by a team: ccache's remote storage
// (redis://host:port, http://host/path/, ...), for every compile.
const EnvCacheURL = "MPFORGE_CACHE_URL"

// sharedCache hands MPFORGE_CACHE_URL to ccache as CCACHE_REMOTE_STORAGE,
// which the compilers this process starts inherit; the user's own ccache
// configuration applies otherwise.
func sharedCache(launcher []string) error {
	url := strings.TrimSpace(os.Getenv(EnvCacheURL))
	if url == "" {
		return nil
	}
	if len(launcher) == 0 || !strings.HasPrefix(filepath.Base(launcher[0]), "ccache") {
		return fmt.Errorf("%s=%q needs ccache in front of the compiler: set MPFORGE_CC_LAUNCHER=ccache (ccache 4.4 or later, e.g. sudo apt-get install ccache)", EnvCacheURL, url)
	}
	scheme, _, ok := strings.Cut(url, "://")
	if !ok || !slices.Contains([]string{"redis", "redis+unix", "http", "file"}, scheme) {
		return fmt.Errorf("%s=%q: want a ccache remote storage URL such as redis://cache.example:6379 or http://cache.example/ccache/", EnvCacheURL, url)
	}
	return os.Setenv("CCACHE_REMOTE_STORAGE", url)
}

// hostTools installs what a board's frozen modules need (the host compiler
// for mpy-cross, python3 for mpy-tool) when it is missing.
func (e *Env) hostTools(ctx context.Context, b *boards.Board) error {
	if len(b.Frozen.Modules) == 0 {
		return nil
	}
	return installTools(ctx, e.Logger, provision.Host)
}

// progress returns a live status line when stderr is a terminal, a plain
// line every few seconds in a log (so that a CI log shows a long build
// moving), nothing when verbose (then every command is printed instead).
func (e *Env) progress() *build.Progress {
	switch {
	case e.Verbose:
		return nil
	case !term.IsTerminal(int(os.Stderr.Fd())):
		return build.NewPlainProgress(os.Stderr, plainProgressEvery)
	}
	return build.NewProgress(os.Stderr)
}

// plainProgressEvery is how often a build in a log prints where it is.
const plainProgressEvery = 5 * time.Second

// installTools installs the packages behind the missing tools. Without
// apt (Windows, macOS) it leaves them to the user: the tool's own lookup
// then says what to download and which variable to set.
func installTools(ctx context.Context, logger *log.Logger, tools []provision.Tool) error {
	missing := provision.Missing(tools)
	if len(missing) == 0 {
		return nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		logger.Debug("no apt-get; not installing", "packages", strings.Join(provision.Packages(missing), " "))
		return nil
	}
	return provision.Install(ctx, logger, provision.Packages(missing))
}
