package watch

import (
	"bytes"
	"testing"
	"time"

	"mpforge/toolchain"
)

func TestOKLineShowsEachRegionAndItsChange(t *testing.T) {
	use := func(name string, used uint64) toolchain.RegionUse {
		return toolchain.RegionUse{Region: toolchain.Region{Name: name}, Used: used}
	}
	prev := []toolchain.RegionUse{use("FLASH", 206131), use("RAM", 200000)}
	now := []toolchain.RegionUse{use("FLASH", 206179), use("RAM", 198976)}
	if got, want := okLine(900*time.Millisecond, now, prev), "ok 0.9s  FLASH 201.3 KiB (+48 B)  RAM 194.3 KiB (-1 KiB)"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got, want := okLine(12*time.Second, now, nil), "ok 12.0s  FLASH 201.3 KiB  RAM 194.3 KiB"; got != want {
		t.Errorf("first build: got %q, want %q", got, want)
	}
}

func TestPrinterStartsItsLinesOnALineOfTheirOwn(t *testing.T) {
	for _, c := range []struct {
		raw  bool
		want string
	}{
		{false, ">>> \nok 1\nMicroPython\nok 2\nline a\nline b\n"},
		{true, ">>> \r\nok 1\r\nMicroPython\r\nok 2\r\nline a\r\nline b\r\n"},
	} {
		var b bytes.Buffer
		p := &printer{w: &b, raw: c.raw}
		p.Write([]byte(">>> ")) // the REPL's prompt
		p.line("ok 1")
		if c.raw {
			p.Write([]byte("MicroPython\r\n"))
		} else {
			p.Write([]byte("MicroPython\n"))
		}
		p.line("ok 2\n")
		p.line("line a\nline b")
		if b.String() != c.want {
			t.Errorf("raw=%v: got %q, want %q", c.raw, b.String(), c.want)
		}
	}
}
