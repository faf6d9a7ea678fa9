package provision

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingMadeUpTool(t *testing.T) {
	fake := Tool{Command: "mpforge-no-such-tool", Package: "mpforge-fake-pkg", Why: "tests the error"}
	// A tool that is on PATH on every OS (Windows included): this test binary.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Dir(self)+string(os.PathListSeparator)+os.Getenv("PATH"))
	ok := Tool{Command: strings.TrimSuffix(filepath.Base(self), ".exe"), Package: "golang-go", Why: "tests a tool that is there"}
	if got := Missing([]Tool{ok, fake}); len(got) != 1 || got[0] != fake {
		t.Fatalf("Missing = %+v; want just the made-up tool", got)
	}
	err = Require([]Tool{ok, fake, fake})
	var me *MissingError
	if !errors.As(err, &me) || len(me.Tools) != 2 {
		t.Fatalf("Require = %v; want a *MissingError with the made-up tool twice", err)
	}
	for _, want := range []string{
		"mpforge-no-such-tool: mpforge-no-such-tool not found on PATH; it tests the error (Debian package mpforge-fake-pkg)",
		"install with: sudo apt-get install -y --no-install-recommends mpforge-fake-pkg\n",
	} {
		if !strings.Contains(err.Error()+"\n", want) {
			t.Errorf("Require error:\n%v\nwant it to contain %q", err, want)
		}
	}
	if Require([]Tool{ok}) != nil {
		t.Error("Require with only present tools returned an error")
	}
}

func TestProbes(t *testing.T) {
	if _, err := exec.LookPath("arm-none-eabi-gcc"); err == nil {
		noSpecs := Tool{Command: "arm-none-eabi-gcc", File: "mpforge-no-such.specs", Package: "libnewlib-arm-none-eabi"}
		if len(Missing([]Tool{noSpecs})) != 1 {
			t.Error("a specs file the compiler cannot find was not reported")
		}
		if err := Require([]Tool{noSpecs}); err == nil || !strings.Contains(err.Error(), "does not find mpforge-no-such.specs") {
			t.Errorf("Require(no specs) = %v", err)
		}
	}
	if _, err := exec.LookPath("python3"); err == nil {
		if len(Missing([]Tool{{Command: "python3", Module: "json"}})) != 0 {
			t.Error("python3 reported unable to import json")
		}
		if err := Require([]Tool{{Command: "python3", Module: "mpforge_no_such_module", Package: "python3-x"}}); err == nil ||
			!strings.Contains(err.Error(), "Python module mpforge_no_such_module for python3:") ||
			!strings.Contains(err.Error(), "cannot import mpforge_no_such_module") {
			t.Errorf("Require(no module) = %v", err)
		}
	}
}

// The toolchain is required on every machine that runs mpforge's tests, so the real probes
// (including newlib-nano's specs file) must find it.
func TestToolchainPresent(t *testing.T) {
	if err := Require(Toolchain); err != nil {
		t.Fatal(err)
	}
	for _, group := range [][]Tool{Emulator, Flasher, TestRunner, Launchers} {
		if err := Require(group); err != nil {
			t.Logf("not fatal here: %v", err)
		}
	}
}

func TestPackages(t *testing.T) {
	got := Packages(append(append([]Tool{}, Toolchain...), Emulator...))
	want := "gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
	if strings.Join(got, " ") != want {
		t.Errorf("Packages = %v, want %s", got, want)
	}
}

func TestCandidates(t *testing.T) {
	policy := `tar:
  Installed: 1.34+dfsg-1.2+deb12u1
  Candidate: 1.34+dfsg-1.2+deb12u1
  Version table:
 *** 1.34+dfsg-1.2+deb12u1 500
        500 http://deb.debian.org/debian bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
leftover:
  Installed: 1.0
  Candidate: (none)
  Version table:
`
	got := candidates(policy)
	if !got["tar"] || got["leftover"] || got["absent"] {
		t.Errorf("candidates = %v", got)
	}
}

func TestInstallRejectsBadNames(t *testing.T) {
	for _, bad := range []string{"-oAPT::Get::Foo=1", "Upper", "a b", "x;rm", ""} {
		if err := Install(context.Background(), nil, []string{"tar", bad}); err == nil || !strings.Contains(err.Error(), "is not a Debian package name") {
			t.Errorf("Install(%q) = %v", bad, err)
		}
	}
	if err := Install(context.Background(), nil, nil); err != nil {
		t.Errorf("Install(nothing) = %v", err)
	}
}

// Install of a package that is already present: a real apt-get run that changes nothing.
// Without root or password-less sudo, Install must instead say what to run.
func TestInstallPresentPackage(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("no apt-get here")
	}
	err := Install(context.Background(), nil, []string{"tar"})
	if os.Geteuid() == 0 || exec.Command("sudo", "-n", "true").Run() == nil {
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "run: sudo apt-get install -y --no-install-recommends tar") {
		t.Errorf("Install without privileges = %v; want the command to run", err)
	}
}
