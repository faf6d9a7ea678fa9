package genhdr

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// deflateInputs are inputs that exercise zlib's paths: empty and tiny
// inputs, incompressible data (stored blocks), text with many matches,
// long runs (maximal matches, far matches), and inputs past 64K (window
// slides, several blocks).
func deflateInputs() map[string][]byte {
	r := rand.New(rand.NewSource(1))
	random := func(n int) []byte {
		b := make([]byte, n)
		r.Read(b)
		return b
	}
	words := strings.Fields("can't convert to int object has no attribute argument must be a " +
		"str bytes unsupported types for expected index out of range %s %d %q")
	text := func(n int, vocabulary int) []byte {
		var b bytes.Buffer
		for b.Len() < n {
			b.WriteString(words[r.Intn(min(vocabulary, len(words)))])
			if r.Intn(9) == 0 {
				b.WriteString(`\0`)
			} else {
				b.WriteByte(' ')
			}
		}
		return b.Bytes()[:n]
	}
	in := map[string][]byte{
		"empty":          {},
		"one":            []byte("a"),
		"two":            []byte("ab"),
		"three":          []byte("abc"),
		"short":          []byte("hello hello hello"),
		"random-100":     random(100),
		"random-5000":    random(5000),
		"random-70000":   random(70000),
		"text-1k":        text(1000, 30),
		"text-20k":       text(20000, 30),
		"text-100k":      text(100000, 12),
		"text-300k":      text(300000, 30),
		"run-100k":       bytes.Repeat([]byte("a"), 100000),
		"period-5000":    bytes.Repeat(random(5000), 12),
		"mixed-200k":     append(append(text(60000, 30), random(70000)...), text(70000, 5)...),
		"few-symbols-9k": bytes.Repeat([]byte("ab\x00\xff"), 2300),
	}
	// Messages like the real ones, joined as makecompresseddata.py does.
	var msgs []string
	for i := range 400 {
		msgs = append(msgs, string(text(10+i%50, 30)))
	}
	in["messages"] = []byte(strings.Join(msgs, `\0`))
	return in
}

func TestDeflateLenMatchesZlib(t *testing.T) {
	if !pythonZlibIsClassic(t) {
		t.Skipf("python3's zlib is %q, not madler's zlib, whose output sizes deflateLen models", zlibVersion)
	}
	dir := t.TempDir()
	inputs := deflateInputs()
	var names []string
	for name, data := range inputs {
		names = append(names, name)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// One line per input and level: the raw deflate length (wbits -15).
	script := `import sys, zlib
for name in sys.argv[1:]:
    data = open(name, "rb").read()
    print(name, " ".join(str(len(zlib.compress(data, level, wbits=-15))) for level in range(4, 10)))
`
	out := runPython(t, dir, nil, nil, append([]string{"-c", script}, names...)...)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(names) {
		t.Fatalf("python printed %d lines for %d inputs:\n%s", len(lines), len(names), out)
	}
	for _, line := range lines {
		f := strings.Fields(line)
		name := f[0]
		for i, s := range f[1:] {
			level := 4 + i
			want, _ := strconv.Atoi(s)
			if got := deflateLen(inputs[name], level); got != want {
				t.Errorf("%s (%d bytes) at level %d: deflateLen = %d, zlib gives %d", name, len(inputs[name]), level, got, want)
			}
		}
	}
}

func BenchmarkDeflateLen(b *testing.B) {
	data := deflateInputs()["messages"]
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		deflateLen(data, 9)
	}
}
