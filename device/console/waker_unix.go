//go:build unix

package console

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// waker is a self-pipe: poll waits on the terminal and on it, so a byte
// written to it ends a wait that a plain read could not leave.
type waker struct{ r, w *os.File }

func newWaker() (waker, error) {
	r, w, err := os.Pipe()
	return waker{r, w}, err
}

func (k waker) wake() { _, _ = k.w.Write([]byte{0}) }

func (k waker) close() {
	k.r.Close()
	k.w.Close()
}

// read waits for input on fd or a wake; 0 bytes and no error means try again.
func (k waker) read(fd uintptr, buf []byte) (int, error) {
	fds := []unix.PollFd{
		{Fd: int32(fd), Events: unix.POLLIN},
		{Fd: int32(k.r.Fd()), Events: unix.POLLIN},
	}
	if _, err := unix.Poll(fds, -1); err != nil {
		if errors.Is(err, unix.EINTR) {
			return 0, nil
		}
		return 0, err
	}
	if fds[1].Revents != 0 {
		return 0, io.EOF
	}
	n, err := unix.Read(int(fd), buf)
	switch {
	case errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
		return 0, nil
	case err != nil:
		return 0, err
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}
