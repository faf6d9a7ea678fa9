package console

import (
	"io"
	"unsafe"

	"golang.org/x/sys/windows"
)

// x/sys/windows has no PeekConsoleInput; these are kernel32's own.
var (
	kernel32         = windows.NewLazySystemDLL("kernel32.dll")
	peekConsoleInput = kernel32.NewProc("PeekConsoleInputW")
	readConsoleInput = kernel32.NewProc("ReadConsoleInputW")
)

// inputRecord is INPUT_RECORD with its KEY_EVENT_RECORD member (20 bytes).
type inputRecord struct {
	EventType                uint16
	_                        uint16
	KeyDown                  int32
	Repeat, VKey, Scan, Char uint16
	ControlKeys              uint32
}

const keyEvent = 0x0001 // KEY_EVENT

// waker is an event: the read waits on the console input handle and on
// it, so setting it ends a wait that a plain read could not leave.
type waker struct{ ev windows.Handle }

func newWaker() (waker, error) {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	return waker{ev}, err
}

func (k waker) wake() { _ = windows.SetEvent(k.ev) }

func (k waker) close() { _ = windows.CloseHandle(k.ev) }

// read waits for input on the console (or a pipe, when stdin is not a
// console) or a wake; 0 bytes and no error means try again.
func (k waker) read(fd uintptr, buf []byte) (int, error) {
	h := windows.Handle(fd)
	var mode uint32
	if windows.GetConsoleMode(h, &mode) != nil { // not a console: a pipe or file
		var n uint32
		if err := windows.ReadFile(h, buf, &n, nil); err != nil || n == 0 {
			return 0, io.EOF
		}
		return int(n), nil
	}
	ev, err := windows.WaitForMultipleObjects([]windows.Handle{h, k.ev}, false, windows.INFINITE)
	if err != nil {
		return 0, err
	}
	if ev == windows.WAIT_OBJECT_0+1 {
		return 0, io.EOF
	}
	// The handle is signalled by any input event (focus, mouse, resize);
	// only key presses make ReadFile return, so read only when one waits.
	if !keyWaiting(h) {
		return 0, nil
	}
	var n uint32
	if err := windows.ReadFile(h, buf, &n, nil); err != nil {
		return 0, err
	}
	return int(n), nil
}

// keyWaiting drops pending non-key events and reports whether a key press is next.
func keyWaiting(h windows.Handle) bool {
	var rec [16]inputRecord
	for {
		var n uint32
		ok, _, _ := peekConsoleInput.Call(uintptr(h), uintptr(unsafe.Pointer(&rec[0])), uintptr(len(rec)), uintptr(unsafe.Pointer(&n)))
		if ok == 0 || n == 0 {
			return false
		}
		for i := range n {
			if rec[i].EventType == keyEvent && rec[i].KeyDown != 0 {
				return true
			}
		}
		var read uint32
		if ok, _, _ := readConsoleInput.Call(uintptr(h), uintptr(unsafe.Pointer(&rec[0])), uintptr(n), uintptr(unsafe.Pointer(&read))); ok == 0 {
			return false
		}
	}
}
