package mount

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conn is a board that sends out and records what the host answers.
type conn struct {
	r   io.Reader
	got bytes.Buffer
}

func (c *conn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *conn) Write(p []byte) (int, error) { return c.got.Write(p) }

// frame encodes a request the way agent.py does.
func frame(op byte, args ...any) []byte {
	b := []byte{dle, magic, op}
	for _, a := range args {
		switch v := a.(type) {
		case int:
			b = binary.LittleEndian.AppendUint32(b, uint32(int32(v)))
		case string:
			b = binary.LittleEndian.AppendUint32(b, uint32(len(v)))
			b = append(b, v...)
		}
	}
	return b
}

// status is the reply's status word, checking its sync byte.
func status(t *testing.T, reply []byte) int32 {
	t.Helper()
	if len(reply) < 5 || reply[0] != magic {
		t.Fatalf("reply %q: want 0xA5 then a status", reply)
	}
	return int32(binary.LittleEndian.Uint32(reply[1:5]))
}

// Output around requests passes through unchanged, a DLE that starts no
// request included; requests are answered on the connection.
func TestRequestsLeaveTheOutputStream(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	var board bytes.Buffer
	board.WriteString("before \x10x after\x04")
	board.Write(frame(opStat, "a.txt"))
	board.WriteString("middle")
	board.Write(frame(opOpen, "/a.txt", flagWrite))
	board.WriteString("end\x10")
	c := &conn{r: &board}
	s := New(c, Options{})
	if err := s.Serve(dir, false); err != nil {
		t.Fatal(err)
	}
	defer s.Close() // the served folder is open; Windows cannot delete it while it is
	out, err := io.ReadAll(s)
	if err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if want := "before \x10x after\x04middleend\x10"; string(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
	replies := c.got.Bytes()
	if st := status(t, replies); st != 0 {
		t.Fatalf("stat status %d", st)
	}
	mode := binary.LittleEndian.Uint32(replies[5:])
	size := binary.LittleEndian.Uint32(replies[9:])
	if mode != 0x8000 || size != 10 {
		t.Errorf("stat: mode %#x size %d, want a 10-byte file", mode, size)
	}
	if st := status(t, replies[17:]); st != -eROFS {
		t.Errorf("open for writing on a read-only mount: status %d, want -EROFS", st)
	}
}

func TestPathsStayInTheFolder(t *testing.T) {
	for in, want := range map[string]string{
		"/": ".", "": ".", "a/../b": "b", "../../etc/passwd": "etc/passwd", "/x/./y/": "x/y",
	} {
		if got := clean([]byte(in)); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnknownRequestIsAnError(t *testing.T) {
	c := &conn{r: bytes.NewReader([]byte{dle, magic, 99})}
	_, err := io.ReadAll(New(c, Options{}))
	if err == nil || !strings.Contains(err.Error(), "unknown request 99") {
		t.Errorf("err = %v", err)
	}
}

func TestAgentMountPoint(t *testing.T) {
	if _, err := Agent("/remote"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"remote", "/a/b", "/", `/x"`} {
		if _, err := Agent(bad); err == nil {
			t.Errorf("Agent(%q) accepted", bad)
		}
	}
}
