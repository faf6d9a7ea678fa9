package build

import (
	"strings"
	"testing"
	"time"
)

// In a log the status is a plain line at most every interval: no control
// sequences, none for a build quicker than the interval.
func TestPlainProgress(t *testing.T) {
	var b strings.Builder
	now := time.Unix(1000, 0)
	p := NewPlainProgress(&b, 5*time.Second)
	p.now = func() time.Time { return now }
	p.last = now
	for i, at := range []time.Duration{time.Second, 4 * time.Second, 6 * time.Second, 7 * time.Second, 12 * time.Second} {
		now = time.Unix(1000, 0).Add(at)
		p.Show("[" + string(rune('1'+i)) + "/5] CC py/obj.c")
	}
	p.Clear()
	p.Done()
	if want := "[3/5] CC py/obj.c\n[5/5] CC py/obj.c\n"; b.String() != want {
		t.Errorf("plain progress wrote %q, want %q", b.String(), want)
	}
}
