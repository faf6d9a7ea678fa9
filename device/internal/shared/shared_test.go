package shared

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// readAll reads like a raw-REPL client's background reader: until Read fails.
func readAll(r io.Reader) (<-chan []byte, <-chan error) {
	got, done := make(chan []byte, 1), make(chan error, 1)
	go func() {
		var all []byte
		b := make([]byte, 7) // small reads leave bytes behind in the session
		for {
			n, err := r.Read(b)
			all = append(all, b[:n]...)
			if err != nil {
				got <- all
				done <- err
				return
			}
		}
	}()
	return got, done
}

// Sessions one after another each read their own part of what the board
// sends: a finished session's reader stops and takes nothing more, and every
// byte reaches one session, in order, while the board keeps sending.
func TestSessionsTakeTurns(t *testing.T) {
	host, board := net.Pipe()
	defer host.Close()
	conn := New(host)
	var sent bytes.Buffer
	for i := range 4000 {
		sent.WriteByte(byte('a' + i%26))
	}
	go func() {
		for b := sent.Bytes(); len(b) > 0; b = b[min(13, len(b)):] {
			if _, err := board.Write(b[:min(13, len(b))]); err != nil {
				return
			}
		}
		board.Close()
	}()

	var received []byte
	for turn := 0; ; turn++ {
		s := conn.Open()
		got, done := readAll(s)
		if turn < 5 {
			// Let this session read some, then end it while the board sends.
			time.Sleep(time.Duration(turn+1) * time.Millisecond)
			s.Close()
		}
		part, err := <-got, <-done
		received = append(received, part...)
		if turn < 5 {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("session %d: its reader ended with %v, want io.EOF once it closed", turn, err)
			}
			continue
		}
		// The last session reads until the board hangs up (io.EOF from the pipe).
		if !errors.Is(err, io.EOF) {
			t.Fatalf("last session ended with %v, want the connection's io.EOF", err)
		}
		break
	}
	if !bytes.Equal(received, sent.Bytes()) {
		t.Fatalf("sessions received %d bytes, the board sent %d; first difference at %d", len(received), sent.Len(), firstDiff(received, sent.Bytes()))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
