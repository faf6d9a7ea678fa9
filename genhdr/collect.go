package genhdr

import (
	"sort"
	"strings"
)

// Collected holds, per mode, the text makeqstrdefs.py "cat" writes:
// qstrdefs.collected.h, moduledefs.collected, root_pointers.collected and
// compressed.collected. The engine may write them out for inspection or
// hash them to decide whether a header must be regenerated.
type Collected struct {
	Qstr        []byte
	Module      []byte
	RootPointer []byte
	Compress    []byte
}

// Collect merges per-source scan results the way makeqstrdefs.py "cat"
// does. Each mode keeps one line list per split file name; when two
// results name the same file (a .c file included by several sources), the
// later one in found wins, as the later split overwrites the earlier file.
// Pass found in a stable order (the source list). All lines of all files
// are then sorted bytewise, each keeping its trailing newline, and joined
// with "\n" (so the text has a blank line between entries, like the
// script's output; duplicates stay).
//
// One deliberate difference: the script gathers the split files with
// glob("*.<mode>"), which skips names starting with '.', so everything
// found in a source whose line-marker path starts with '.' ("./py/x.c",
// ".mpforge/micropython/py/map.c") is silently lost and the build fails
// later on undefined MP_QSTR_ names. Collect keeps those files. With the
// paths make uses ("../../py/map.c") or absolute ones, the two agree.
func Collect(found []*Found) *Collected {
	var texts [numModes][]byte
	for m := range numModes {
		files := map[string][]string{}
		for _, f := range found {
			if f == nil {
				continue
			}
			for name, lines := range f.files[m] {
				files[name] = lines
			}
		}
		var all []string
		for _, lines := range files {
			for _, l := range lines {
				all = append(all, l+"\n")
			}
		}
		sort.Strings(all)
		texts[m] = []byte(strings.Join(all, "\n"))
	}
	return &Collected{
		Qstr:        texts[modeQstr],
		Module:      texts[modeModule],
		RootPointer: texts[modeRootPointer],
		Compress:    texts[modeCompress],
	}
}
