package watch

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"mpforge/toolchain"
)

// okLine is the one line after a good build: time, then each region's use
// and its change since the previous good build (none on the first).
//
//	ok 0.9s  FLASH 201.3 KiB (+48 B)  RAM 210.0 KiB (+0 B)
func okLine(d time.Duration, now, prev []toolchain.RegionUse) string {
	var s strings.Builder
	fmt.Fprintf(&s, "ok %s", seconds(d))
	for _, u := range now {
		fmt.Fprintf(&s, "  %s %s", u.Name, toolchain.FormatBytes(u.Used))
		for _, p := range prev {
			if p.Name == u.Name {
				fmt.Fprintf(&s, " (%s)", delta(int64(u.Used)-int64(p.Used)))
			}
		}
	}
	return s.String()
}

// failLine is the build's error as the tool said it, under a first line
// that says it failed and that the last good firmware stays.
func failLine(d time.Duration, err error) string {
	return fmt.Sprintf("FAIL %s  (the last good firmware is unchanged)\n%s", seconds(d), strings.TrimRight(err.Error(), "\n"))
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

func delta(n int64) string {
	if n < 0 {
		return "-" + toolchain.FormatBytes(uint64(-n))
	}
	return "+" + toolchain.FormatBytes(uint64(n))
}

// printer serialises the watcher's lines with QEMU's console output, starts
// each of its lines on a line of its own (the REPL's ">>> " prompt ends
// without one), and ends lines with CR LF when the terminal is raw (the
// REPL of the run option).
type printer struct {
	mu  sync.Mutex
	w   io.Writer
	raw bool
	mid bool // the last byte written did not end a line
}

func (p *printer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.write(b)
}

func (p *printer) write(b []byte) (int, error) {
	if len(b) > 0 {
		p.mid = b[len(b)-1] != '\n'
	}
	return p.w.Write(b)
}

// line prints one message of the watcher's own, on a line of its own.
func (p *printer) line(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg = strings.TrimRight(msg, "\n") + "\n"
	if p.mid {
		msg = "\n" + msg
	}
	if p.raw {
		msg = strings.ReplaceAll(msg, "\n", "\r\n")
	}
	_, _ = p.write([]byte(msg))
}
