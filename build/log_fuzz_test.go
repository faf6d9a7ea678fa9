package build

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// sampleLog writes a real journal through the log's own API: paths, file
// states and step records, as a build leaves them.
func sampleLog(t testing.TB, path string) []byte {
	l, err := openLog(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		out := fmt.Sprintf("out/obj/f%d.o", i)
		in := fmt.Sprintf("py/f%d.c", i)
		states := map[string]stateEntry{in: {Stat: fileStat{Size: int64(100 + i), MTime: 1e18 + int64(i), Inode: uint64(i)}, Digest: DigestStrings(in)}}
		rec := &record{Outputs: []string{out}, Command: DigestStrings("cc", in), Inputs: []string{in, "py/mpconfig.h"},
			InputsDigest: DigestStrings(in, "h"), OutputDigests: []Digest{DigestStrings(out)}}
		if err := l.add(rec, states); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// loaded is what a journal gives the next build.
func loaded(t *testing.T, path string) (map[string]stateEntry, map[string]record) {
	l, err := openLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	recs := map[string]record{}
	for o, r := range l.records {
		recs[o] = *r
	}
	return l.states, recs
}

// FuzzLogDamage: a journal cut short or with a byte changed anywhere loads
// exactly the frames before the damage (never the damaged frame, never a
// panic), and the journal on disk is whole again afterwards.
func FuzzLogDamage(f *testing.F) {
	dir := f.TempDir()
	good := sampleLog(f, filepath.Join(dir, "sample"))
	f.Add(uint32(0), byte(0), uint32(len(good)))
	f.Add(uint32(len(logMagic)), byte(0x80), uint32(len(good)))
	f.Add(uint32(len(good)-1), byte(1), uint32(len(good)))
	f.Add(uint32(0), byte(0), uint32(len(good)-3))
	f.Fuzz(func(t *testing.T, pos uint32, flip byte, cut uint32) {
		data := append([]byte(nil), good...)
		damage := len(data)
		if n := int(cut % uint32(len(data)+1)); n < len(data) {
			data, damage = data[:n], n
		}
		if flip != 0 && len(data) > 0 {
			p := int(pos % uint32(len(data)))
			data[p] ^= flip
			damage = min(damage, p)
		}
		// The frames that end before the damage are the ones to keep.
		keep := len(logMagic)
		for keep < damage {
			n, k := binary.Uvarint(good[keep:])
			end := keep + k + int(n) + 4
			if end > damage {
				break
			}
			keep = end
		}
		if damage < len(logMagic) {
			keep = 0
		}
		path := filepath.Join(t.TempDir(), "log")
		os.WriteFile(path, data, 0o644)
		states, recs := loaded(t, path)
		ref := filepath.Join(t.TempDir(), "ref")
		os.WriteFile(ref, good[:keep], 0o644)
		wantStates, wantRecs := loaded(t, ref)
		if !reflect.DeepEqual(states, wantStates) || !reflect.DeepEqual(recs, wantRecs) {
			t.Fatalf("damage at %d: loaded %d states, %d records; want the %d and %d before it", damage, len(states), len(recs), len(wantStates), len(wantRecs))
		}
		after, _ := os.ReadFile(path)
		var l buildLog
		l.ids, l.states, l.records = map[string]uint64{}, map[string]stateEntry{}, map[string]*record{}
		if n := l.parse(after); n != len(after) || n < len(logMagic) {
			t.Fatalf("after loading, the journal is not whole: %d of %d bytes parse", n, len(after))
		}
	})
}

// FuzzLogFrames: frames with valid checksums but any content load without
// a panic or a hang, and what they load survives the journal's rewrite.
func FuzzLogFrames(f *testing.F) {
	f.Add([]byte{3, 'P', 1, 'a', 2, 'S', 0})
	f.Add([]byte{12, 'R', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0})
	f.Add([]byte{11, 'R', 1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, payloads []byte) {
		data := []byte(logMagic)
		for len(payloads) > 0 {
			n := min(int(payloads[0]), len(payloads)-1)
			p := payloads[1 : 1+n]
			payloads = payloads[1+n:]
			data = binary.AppendUvarint(data, uint64(len(p)))
			data = append(data, p...)
			data = binary.LittleEndian.AppendUint32(data, crc32.ChecksumIEEE(p))
		}
		path := filepath.Join(t.TempDir(), "log")
		os.WriteFile(path, data, 0o644)
		states, recs := loaded(t, path)
		again, recsAgain := loaded(t, path)
		if !reflect.DeepEqual(states, again) || !reflect.DeepEqual(recs, recsAgain) {
			t.Fatalf("a reload after the rewrite differs: %d/%d states, %d/%d records", len(states), len(again), len(recs), len(recsAgain))
		}
	})
}
