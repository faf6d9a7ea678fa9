package build

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync"
)

// The build log is an append-only journal (like Ninja's .ninja_log and
// .ninja_deps in one): every finished step appends one record, so a build
// killed at any moment keeps the work it finished. Each frame carries a
// CRC; a torn last frame is dropped on load.

const logMagic = "mpforge-log-1\n"

const (
	framePath   = 'P' // interns a path: id = order of appearance
	frameState  = 'S' // path id, stat, digest
	frameRecord = 'R' // a finished step
)

// record is what a finished step leaves behind.
type record struct {
	Outputs       []string
	Command       Digest
	Inputs        []string // declared and discovered, in order
	InputsDigest  Digest
	OutputDigests []Digest
}

type buildLog struct {
	mu      sync.Mutex
	path    string
	f       *os.File
	w       *bufio.Writer
	ids     map[string]uint64
	paths   []string
	states  map[string]stateEntry
	records map[string]*record // by each output
	frames  int
}

func openLog(path string) (*buildLog, error) {
	l := &buildLog{path: path, ids: map[string]uint64{}, states: map[string]stateEntry{}, records: map[string]*record{}}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	good := l.parse(data)
	live := len(l.states) + len(l.records)
	if good < len(logMagic) || good != len(data) || l.frames > 2*live+1000 {
		if err := l.rewrite(); err != nil {
			return nil, err
		}
	} else {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		l.f, l.w = f, bufio.NewWriter(f)
	}
	return l, nil
}

// parse loads every whole frame and returns how many bytes were good.
func (l *buildLog) parse(data []byte) int {
	if len(data) < len(logMagic) || string(data[:len(logMagic)]) != logMagic {
		return 0
	}
	off := len(logMagic)
	for off < len(data) {
		n, k := binary.Uvarint(data[off:])
		if k <= 0 {
			break
		}
		if rest := uint64(len(data) - off - k); rest < 4 || n > rest-4 { // no n+4: it can wrap
			break
		}
		payload := data[off+k : off+k+int(n)]
		sum := binary.LittleEndian.Uint32(data[off+k+int(n):])
		if crc32.ChecksumIEEE(payload) != sum || !l.apply(payload) {
			break
		}
		off += k + int(n) + 4
		l.frames++
	}
	return off
}

func (l *buildLog) apply(p []byte) bool {
	if len(p) == 0 {
		return false
	}
	r := reader{b: p[1:], ok: true}
	switch p[0] {
	case framePath:
		path := r.str()
		l.ids[path] = uint64(len(l.paths))
		l.paths = append(l.paths, path)
	case frameState:
		path := r.path(l.paths)
		var e stateEntry
		e.Stat = fileStat{Size: int64(r.uvarint()), MTime: int64(r.uvarint()), Inode: r.uvarint()}
		e.Digest = r.digest()
		if r.ok {
			l.states[path] = e
		}
	case frameRecord:
		rec := &record{}
		for range r.count() {
			rec.Outputs = append(rec.Outputs, r.path(l.paths))
		}
		rec.Command = r.digest()
		for range r.count() {
			rec.Inputs = append(rec.Inputs, r.path(l.paths))
		}
		rec.InputsDigest = r.digest()
		for range rec.Outputs {
			rec.OutputDigests = append(rec.OutputDigests, r.digest())
		}
		if r.ok {
			for _, o := range rec.Outputs {
				l.records[o] = rec
			}
		}
	default:
		return false
	}
	return r.ok
}

// rewrite replaces the journal with one holding only live entries.
func (l *buildLog) rewrite() error {
	if l.f != nil {
		l.w.Flush()
		l.f.Close()
	}
	states, records := l.states, l.records
	l.ids, l.paths, l.frames = map[string]uint64{}, nil, 0
	tmp := l.path + ".tmp"
	if err := os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	l.f, l.w = f, bufio.NewWriter(f)
	l.w.WriteString(logMagic)
	for path, e := range states {
		l.writeState(path, e)
	}
	done := map[*record]bool{}
	for _, rec := range records {
		if !done[rec] {
			done[rec] = true
			l.writeRecord(rec)
		}
	}
	if err := l.w.Flush(); err != nil {
		f.Close()
		return err
	}
	// Closed before the rename and opened again after: Windows refuses to
	// rename a file that is open.
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, l.path); err != nil {
		return err
	}
	f, err = os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	l.f, l.w = f, bufio.NewWriter(f)
	return nil
}

func (l *buildLog) id(path string) uint64 {
	if id, ok := l.ids[path]; ok {
		return id
	}
	id := uint64(len(l.paths))
	l.ids[path] = id
	l.paths = append(l.paths, path)
	var w writer
	w.str(path)
	l.frame(framePath, w.b)
	return id
}

func (l *buildLog) frame(kind byte, body []byte) {
	payload := append([]byte{kind}, body...)
	var hdr [binary.MaxVarintLen64]byte
	l.w.Write(hdr[:binary.PutUvarint(hdr[:], uint64(len(payload)))])
	l.w.Write(payload)
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], crc32.ChecksumIEEE(payload))
	l.w.Write(sum[:])
	l.frames++
}

func (l *buildLog) writeState(path string, e stateEntry) {
	var w writer
	w.uvarint(l.id(path))
	w.uvarint(uint64(e.Stat.Size))
	w.uvarint(uint64(e.Stat.MTime))
	w.uvarint(e.Stat.Inode)
	w.b = append(w.b, e.Digest[:]...)
	l.frame(frameState, w.b)
}

func (l *buildLog) writeRecord(rec *record) {
	var w writer
	w.uvarint(uint64(len(rec.Outputs)))
	for _, o := range rec.Outputs {
		w.uvarint(l.id(o))
	}
	w.b = append(w.b, rec.Command[:]...)
	w.uvarint(uint64(len(rec.Inputs)))
	for _, in := range rec.Inputs {
		w.uvarint(l.id(in))
	}
	w.b = append(w.b, rec.InputsDigest[:]...)
	for _, d := range rec.OutputDigests {
		w.b = append(w.b, d[:]...)
	}
	l.frame(frameRecord, w.b)
}

// add journals a finished step and the file states learnt while checking it,
// and flushes, so the work survives the process being killed right after.
func (l *buildLog) add(rec *record, states map[string]stateEntry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for path, e := range states {
		if old, ok := l.states[path]; !ok || old != e {
			l.states[path] = e
			l.writeState(path, e)
		}
	}
	if rec != nil {
		for _, o := range rec.Outputs {
			l.records[o] = rec
		}
		l.writeRecord(rec)
	}
	return l.w.Flush()
}

func (l *buildLog) lookup(output string) *record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.records[output]
}

func (l *buildLog) knownStates() map[string]stateEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	cp := make(map[string]stateEntry, len(l.states))
	for k, v := range l.states {
		cp[k] = v
	}
	return cp
}

func (l *buildLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.w.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

type writer struct{ b []byte }

func (w *writer) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) str(s string)     { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }

type reader struct {
	b  []byte
	ok bool
}

// reader decodes a frame; ok turns false at the first malformed field and stays so.
func (r *reader) uvarint() uint64 {
	if !r.ok {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.ok = false
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a list length, which cannot exceed the bytes left (every
// element takes at least one): a corrupt count must not loop for ever.
func (r *reader) count() uint64 {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.ok = false
		return 0
	}
	return n
}

func (r *reader) str() string {
	n := r.uvarint()
	if !r.ok || uint64(len(r.b)) < n {
		r.ok = false
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) path(paths []string) string {
	id := r.uvarint()
	if !r.ok || id >= uint64(len(paths)) {
		r.ok = false
		return ""
	}
	return paths[id]
}

func (r *reader) digest() Digest {
	var d Digest
	if !r.ok || len(r.b) < len(d) {
		r.ok = false
		return d
	}
	copy(d[:], r.b)
	r.b = r.b[len(d):]
	return d
}

// RecordedInputs returns, for each output that has a record in the build
// log at logPath, the inputs (declared and discovered: the headers a
// compiler read) of the step that last wrote it. It only reads the log;
// call it holding the build's lock, after the run.
func RecordedInputs(logPath string, outputs []string) (map[string][]string, error) {
	data, err := os.ReadFile(logPath)
	if err != nil {
		return nil, fmt.Errorf("build log: %w", err)
	}
	l := &buildLog{ids: map[string]uint64{}, states: map[string]stateEntry{}, records: map[string]*record{}}
	l.parse(data)
	found := make(map[string][]string, len(outputs))
	for _, o := range outputs {
		if rec := l.records[o]; rec != nil {
			found[o] = rec.Inputs
		}
	}
	return found, nil
}
