package proc

import (
	"errors"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// sysProcAttr starts the tool in a process group of its own, so that a
// console Ctrl-C reaches it only through us.
func sysProcAttr(syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP}
}

// stopGroup ends the tool and everything it started. Windows has no
// signals to send a tree, so the tree is found from a process snapshot
// and each process is terminated, children first.
func stopGroup(pid int, _ syscall.Signal) error {
	tree, err := descendants(uint32(pid))
	if err != nil {
		return err
	}
	var errs []error
	for i := len(tree) - 1; i >= 0; i-- {
		h, err := windows.OpenProcess(windows.PROCESS_TERMINATE, false, tree[i])
		if err != nil {
			continue // gone already
		}
		if err := windows.TerminateProcess(h, 1); err != nil {
			errs = append(errs, err)
		}
		windows.CloseHandle(h)
	}
	return errors.Join(errs...)
}

// descendants returns pid followed by every process below it, parents first.
func descendants(pid uint32) ([]uint32, error) {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return nil, err
	}
	defer windows.CloseHandle(snap)
	children := map[uint32][]uint32{}
	var e windows.ProcessEntry32
	e.Size = uint32(unsafe.Sizeof(e))
	for err = windows.Process32First(snap, &e); err == nil; err = windows.Process32Next(snap, &e) {
		children[e.ParentProcessID] = append(children[e.ParentProcessID], e.ProcessID)
	}
	// Parent ids are not cleared when a parent exits and its id is reused,
	// so the links may loop: visit each process once.
	tree, seen := []uint32{pid}, map[uint32]bool{pid: true}
	for i := 0; i < len(tree); i++ {
		for _, c := range children[tree[i]] {
			if !seen[c] {
				seen[c] = true
				tree = append(tree, c)
			}
		}
	}
	return tree, nil
}
