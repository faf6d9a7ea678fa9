package toolchain

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// EnvToolchain names the folder of a cross toolchain installed by hand:
// the one with bin/arm-none-eabi-gcc in it.
const EnvToolchain = "MPFORGE_TOOLCHAIN"

// DownloadURL is where Arm publishes the Arm GNU Toolchain, for systems
// without Debian's packages.
const DownloadURL = "https://developer.arm.com/downloads/-/arm-gnu-toolchain-downloads"

// locator finds the cross compiler: the folder EnvToolchain names, else
// PATH, else the folders Arm's installers use on Windows and macOS.
type locator struct {
	goos         string
	getenv       func(string) string
	applications string // macOS's /Applications
}

var system = locator{goos: runtime.GOOS, getenv: os.Getenv, applications: "/Applications"}

// find returns the path of the cross tool name (arm-none-eabi-gcc), with
// exec.LookPath's rules (".exe" on Windows).
func (l locator) find(name string) (string, error) {
	if dir := l.getenv(EnvToolchain); dir != "" {
		path, err := exec.LookPath(filepath.Join(dir, "bin", name))
		if err != nil {
			return "", &MissingError{Tool: name, Where: fmt.Sprintf("in %s=%s (want %s)", EnvToolchain, dir, filepath.Join(dir, "bin", name)),
				Hint: fmt.Sprintf("the Arm GNU Toolchain's installer into %s, or point %s at the folder that has bin/%s (unset, PATH is searched)", dir, EnvToolchain, name)}
		}
		return path, nil
	}
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	for _, dir := range l.installDirs() {
		if path, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return path, nil
		}
	}
	return "", &MissingError{Tool: name, Where: l.searched(), Hint: l.installHint()}
}

// installDirs are the bin folders of the Arm GNU Toolchain's installers,
// newest version first.
func (l locator) installDirs() []string {
	var patterns []string
	switch l.goos {
	case "windows":
		for _, v := range []string{"ProgramFiles(x86)", "ProgramFiles"} {
			if root := l.getenv(v); root != "" {
				patterns = append(patterns, filepath.Join(root, "Arm GNU Toolchain arm-none-eabi", "*", "bin"))
			}
		}
	case "darwin":
		patterns = append(patterns, filepath.Join(l.applications, "ArmGNUToolchain", "*", "arm-none-eabi", "bin"))
	}
	var dirs []string
	for _, p := range patterns {
		found, _ := filepath.Glob(p)
		slices.SortStableFunc(found, func(a, b string) int { return compareVersions(versionOf(b, p), versionOf(a, p)) })
		dirs = append(dirs, found...)
	}
	return dirs
}

// versionOf is the part of dir that the pattern's "*" matched ("13.3.rel1").
func versionOf(dir, pattern string) string {
	prefix, _, _ := strings.Cut(pattern, "*")
	v, _, _ := strings.Cut(strings.TrimPrefix(dir, prefix), string(filepath.Separator))
	return v
}

// compareVersions orders "13.3.rel1" before "14.2.rel1" and "9.2" before
// "10.3": number by number.
func compareVersions(a, b string) int {
	na, nb := numbers(a), numbers(b)
	for i := 0; i < min(len(na), len(nb)); i++ {
		if na[i] != nb[i] {
			return na[i] - nb[i]
		}
	}
	return len(na) - len(nb)
}

func numbers(s string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

func (l locator) searched() string {
	switch l.goos {
	case "windows":
		return `on PATH or in %ProgramFiles(x86)%\Arm GNU Toolchain arm-none-eabi\<version>\bin`
	case "darwin":
		return "on PATH or in /Applications/ArmGNUToolchain/<version>/arm-none-eabi/bin"
	}
	return "on PATH"
}

// installHint says how to get the toolchain: Debian's packages where apt
// is, else Arm's download and the variable to point at it.
func (l locator) installHint() string {
	if l.goos == "linux" && hasApt() {
		return InstallHint
	}
	return fmt.Sprintf("the Arm GNU Toolchain for arm-none-eabi from %s (its installer's default folder is found), or set %s to the folder that has bin/%sgcc",
		DownloadURL, EnvToolchain, Prefix)
}

// hasApt says whether Debian's packages can be had here, even with a PATH
// that leaves apt-get out.
func hasApt() bool {
	if _, err := exec.LookPath("apt-get"); err == nil {
		return true
	}
	_, err := os.Stat("/usr/bin/apt-get")
	return err == nil
}
