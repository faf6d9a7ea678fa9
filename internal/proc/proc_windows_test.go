package proc

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// treeRole makes the test binary a tool (which starts a child of its own
// and prints the child's pid) or that child; both then wait to be stopped.
const treeRole = "PROC_TEST_TREE_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(treeRole) {
	case "tool":
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), treeRole+"=child")
		if err := child.Start(); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		fmt.Println(child.Process.Pid)
		time.Sleep(time.Minute)
		os.Exit(0)
	case "child":
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestCancelStopsTheWholeTree: a tool that started a child of its own is
// stopped together with that child when the context ends, though Windows
// has no process groups to signal.
func TestCancelStopsTheWholeTree(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := Command(ctx, syscall.SIGTERM, 2*time.Second, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), treeRole+"=tool")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	child, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("no child pid from the tool: %q", line)
	}
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_TERMINATE, false, uint32(child))
	if err != nil {
		t.Fatalf("open the tool's child %d: %v", child, err)
	}
	defer windows.CloseHandle(h)
	if ev, _ := windows.WaitForSingleObject(h, 0); ev != uint32(windows.WAIT_TIMEOUT) {
		t.Fatalf("the tool's child %d is not running before the cancel", child)
	}
	start := time.Now()
	cancel()
	if err := cmd.Wait(); err == nil {
		t.Fatal("the tool exited 0: it was not stopped")
	}
	if ev, _ := windows.WaitForSingleObject(h, 5000); ev != windows.WAIT_OBJECT_0 {
		windows.TerminateProcess(h, 1)
		t.Fatalf("the tool's child %d outlived the cancelled tool", child)
	}
	t.Logf("tool and child stopped %v after the cancel", time.Since(start).Round(time.Millisecond))
}
