package build

import (
	"crypto/sha256"
	"io"
	"os"
	"sync"
	"time"
)

// Digest identifies file content (or a command line).
type Digest [16]byte

// DigestOf hashes bytes.
func DigestOf(data []byte) Digest {
	sum := sha256.Sum256(data)
	var d Digest
	copy(d[:], sum[:])
	return d
}

// DigestStrings hashes a list of strings unambiguously.
func DigestStrings(parts ...string) Digest {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		for i := range n {
			n[i] = byte(len(p) >> (8 * i))
		}
		h.Write(n[:])
		io.WriteString(h, p)
	}
	var d Digest
	copy(d[:], h.Sum(nil))
	return d
}

// missing is the digest of a file that does not exist.
var missing = DigestStrings("\x00missing")

// fileStat is what the stat fast path compares.
type fileStat struct {
	Size  int64
	MTime int64  // nanoseconds
	Inode uint64 // the file's identity where the OS gives one cheaply (fileID)
}

func statOf(fi os.FileInfo) fileStat {
	return fileStat{Size: fi.Size(), MTime: fi.ModTime().UnixNano(), Inode: fileID(fi)}
}

// racyWindow: a file modified this recently may change again within the
// same mtime tick, so its stat is not trusted as proof of its content.
const racyWindow = 2 * time.Second

// digester returns the content digest of files, hashing each at most once per
// build and not at all when its stat matches the one recorded with its digest.
type digester struct {
	mu    sync.Mutex
	known map[string]stateEntry // from the log: stat -> digest
	seen  map[string]Digest     // this build
	fresh map[string]stateEntry // newly hashed, to be logged
}

type stateEntry struct {
	Stat   fileStat
	Digest Digest
}

func newDigester(known map[string]stateEntry) *digester {
	return &digester{known: known, seen: map[string]Digest{}, fresh: map[string]stateEntry{}}
}

// file returns the digest of path's current content.
func (d *digester) file(path string) Digest {
	d.mu.Lock()
	if dg, ok := d.seen[path]; ok {
		d.mu.Unlock()
		return dg
	}
	d.mu.Unlock()
	dg, entry, trusted := d.compute(path)
	d.mu.Lock()
	d.seen[path] = dg
	if trusted {
		d.fresh[path] = entry
	}
	d.mu.Unlock()
	return dg
}

// drain returns the file states hashed since the last drain, for the log.
func (d *digester) drain() map[string]stateEntry {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.fresh
	d.fresh = map[string]stateEntry{}
	return out
}

// forget drops what this build knows of path (the step that writes it just ran).
func (d *digester) forget(paths ...string) {
	d.mu.Lock()
	for _, p := range paths {
		delete(d.seen, p)
	}
	d.mu.Unlock()
}

func (d *digester) compute(path string) (Digest, stateEntry, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return missing, stateEntry{}, false
	}
	st := statOf(fi)
	d.mu.Lock()
	prev, ok := d.known[path]
	d.mu.Unlock()
	if ok && prev.Stat == st {
		return prev.Digest, prev, false
	}
	f, err := os.Open(path)
	if err != nil {
		return missing, stateEntry{}, false
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return missing, stateEntry{}, false
	}
	var dg Digest
	copy(dg[:], h.Sum(nil))
	trusted := time.Since(fi.ModTime()) > racyWindow
	return dg, stateEntry{Stat: st, Digest: dg}, trusted
}
