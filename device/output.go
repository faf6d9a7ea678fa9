package device

import (
	"bytes"
	"io"
	"strings"
)

// lineWriter turns the board's "\r\n" into "\n" as output streams through.
// With a replacer it works line by line so that a replacement never straddles
// two writes (used to name the script in tracebacks).
type lineWriter struct {
	w       io.Writer
	rep     *strings.Replacer
	pending []byte // without rep: a held-back '\r'; with rep: the unfinished line
}

func newLineWriter(w io.Writer, rep *strings.Replacer) *lineWriter {
	return &lineWriter{w: w, rep: rep}
}

func (l *lineWriter) Write(p []byte) (int, error) {
	data := append(l.pending, p...)
	l.pending = nil
	if l.rep == nil {
		if n := len(data); n > 0 && data[n-1] == '\r' {
			l.pending = []byte{'\r'}
			data = data[:n-1]
		}
		return len(p), l.emit(data)
	}
	i := bytes.LastIndexByte(data, '\n')
	if i < 0 {
		l.pending = data
		return len(p), nil
	}
	l.pending = append([]byte(nil), data[i+1:]...)
	return len(p), l.emit(data[:i+1])
}

// Flush writes what is held back (an unfinished last line).
func (l *lineWriter) Flush() error {
	data := l.pending
	l.pending = nil
	return l.emit(data)
}

func (l *lineWriter) emit(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	out := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	if l.rep != nil {
		out = []byte(l.rep.Replace(string(out)))
	}
	_, err := l.w.Write(out)
	return err
}

// maxCapture bounds the output kept per script for the report.
const maxCapture = 1 << 20

// capture keeps a script's output for the report, up to maxCapture bytes.
type capture struct {
	buf       bytes.Buffer
	truncated bool
}

func (c *capture) Write(p []byte) (int, error) {
	if room := maxCapture - c.buf.Len(); len(p) > room {
		c.buf.Write(p[:max(room, 0)])
		c.truncated = true
		return len(p), nil
	}
	return c.buf.Write(p)
}

func (c *capture) String() string {
	if c.truncated {
		return c.buf.String() + "\n[output truncated at 1 MiB]\n"
	}
	return c.buf.String()
}
