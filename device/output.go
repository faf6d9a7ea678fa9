package device

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
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

// stampWriter starts every line with a prefix and, with stamp, the time of
// day, so that a CI log shows when each line arrived; whole lines only, so
// that boards writing side by side do not interleave inside a line.
type stampWriter struct {
	w       io.Writer
	prefix  string
	stamp   bool
	now     func() time.Time
	pending []byte
}

func newStampWriter(w io.Writer, prefix string, stamp bool) *stampWriter {
	return &stampWriter{w: w, prefix: prefix, stamp: stamp, now: time.Now}
}

func (s *stampWriter) Write(p []byte) (int, error) {
	s.pending = append(s.pending, p...)
	i := bytes.LastIndexByte(s.pending, '\n')
	if i < 0 {
		return len(p), nil
	}
	lines := s.pending[:i+1]
	s.pending = append([]byte(nil), s.pending[i+1:]...)
	return len(p), s.emit(lines)
}

// Flush writes an unfinished last line.
func (s *stampWriter) Flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	data := append(s.pending, '\n')
	s.pending = nil
	return s.emit(data)
}

func (s *stampWriter) emit(lines []byte) error {
	if s.prefix == "" && !s.stamp {
		_, err := s.w.Write(lines)
		return err
	}
	var b bytes.Buffer
	for len(lines) > 0 {
		i := bytes.IndexByte(lines, '\n')
		if s.stamp {
			b.WriteString(s.now().Format("15:04:05.000 "))
		}
		b.WriteString(s.prefix)
		b.Write(lines[:i+1])
		lines = lines[i+1:]
	}
	_, err := s.w.Write(b.Bytes())
	return err
}

// maxDiffLines bounds the diff shown for a .exp mismatch.
const maxDiffLines = 40

// lineDiff is a line diff of want and got ("- " want only, "+ " got only,
// "  " both), "" when they are equal.
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	a := strings.SplitAfter(want, "\n")
	b := strings.SplitAfter(got, "\n")
	if len(a)*len(b) > 4_000_000 {
		return fmt.Sprintf("- (%d lines)\n+ (%d lines)\n", len(a), len(b))
	}
	// Longest common subsequence, from the ends.
	l := make([][]int, len(a)+1)
	for i := range l {
		l[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out []string
	line := func(mark, s string) {
		if s == "" {
			return
		}
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		out = append(out, mark+s)
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			line("  ", a[i])
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || l[i+1][j] >= l[i][j+1]):
			line("- ", a[i])
			i++
		default:
			line("+ ", b[j])
			j++
		}
	}
	if len(out) > maxDiffLines {
		out = append(out[:maxDiffLines], fmt.Sprintf("... %d more lines\n", len(out)-maxDiffLines))
	}
	return strings.Join(out, "")
}
