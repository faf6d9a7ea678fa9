package console_test

import (
	"os"
	"testing"
	"time"

	"mpforge/device/console"
)

// These tests need no terminal: they run on every OS, Windows included.

// keys collects keystrokes until the console ends them.
func keys(t *testing.T, c *console.Console) string {
	t.Helper()
	var got []byte
	timeout := time.After(30 * time.Second)
	for {
		select {
		case k, ok := <-c.Keys():
			if !ok {
				return string(got)
			}
			got = append(got, k...)
		case <-timeout:
			t.Fatalf("keys never ended; got %q", got)
		}
	}
}

func TestPipeInputEndsAtEOF(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c, err := console.Open(r)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w.Write([]byte("print(1)\r"))
	w.Close()
	if got := keys(t, c); got != "print(1)\r" {
		t.Errorf("keys = %q", got)
	}
}
