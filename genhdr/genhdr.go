// Package genhdr generates MicroPython's build headers in Go, byte for byte
// as the tree's own Python scripts do: qstrdefs.generated.h
// (makeqstrdefs.py, makeqstrdata.py), moduledefs.h (makemoduledefs.py),
// root_pointers.h (make_root_pointers.py), compressed.data.h
// (makecompresseddata.py) and mpversion.h (makeversionhdr.py).
//
// Everything except MPVersion is a pure function of bytes, so the build
// engine can run and cache each step on its own. The chain for one board:
//
//	per source:  out := `cc <cflags> -E -DNO_QSTR src`; f := Scan(out)
//	             (keep f.MarshalBinary() per source; rescan only what changed)
//	once:        c := Collect(all found, in source order)
//	qstrs:       in := QstrDefsPreprocessInput(py/qstrdefs.h, qstrdefsport.h, c)
//	             pre := QstrDefsUnquote(`cc <cflags> -E -` on in)
//	             QstrDefsGenerated(py/makeqstrdata.py, pre) -> qstrdefs.generated.h
//	others:      ModuleDefs(c), RootPointers(c), CompressedData(c) (only when
//	             MICROPY_ROM_TEXT_COMPRESSION=1), MPVersion(tree, date)
package genhdr
