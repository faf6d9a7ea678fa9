package genhdr

import (
	"reflect"
	"testing"
)

const scanSeed = `# 1 "py/obj.c"
# 1 "<built-in>"
static const mp_rom_map_elem_t t[] = { { MP_ROM_QSTR(MP_QSTR_foo), MP_ROM_QSTR(MP_QSTR___init__) } };
MP_REGISTER_MODULE(MP_QSTR_machine, mp_module_machine);
MP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_time, mp_module_time);
MP_REGISTER_ROOT_POINTER(mp_obj_t dupterm_objs[1]);
# 40 "py/../extmod/modx.c" 2
mp_raise_ValueError(MP_COMPRESSED_ROM_TEXT("bad \"value\""));
`

// FuzzScan: any preprocessor output scans without a panic, its result
// survives the split-file encoding unchanged, and the header generators
// take it without a panic.
func FuzzScan(f *testing.F) {
	f.Add([]byte(scanSeed))
	f.Add([]byte("# 1 \"a\\x.c\"\nMP_QSTR_\xff\r\nMP_REGISTER_MODULE(,);"))
	f.Fuzz(func(t *testing.T, pre []byte) {
		found := Scan(pre)
		data, err := found.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Found
		if err := back.UnmarshalBinary(data); err != nil {
			t.Fatalf("its own encoding does not decode: %v\n%q", err, data)
		}
		if !reflect.DeepEqual(found.files, back.files) {
			t.Fatalf("round trip changed the scan:\n%v\n%v", found.files, back.files)
		}
		c := Collect([]*Found{found})
		ModuleDefs(c)
		RootPointers(c)
		CompressedData(c)
	})
}

// FuzzScanResult: a corrupt or truncated split file is an error (never a
// panic or a huge allocation), and whatever decodes encodes back the same.
func FuzzScanResult(f *testing.F) {
	seed, _ := Scan([]byte(scanSeed)).MarshalBinary()
	f.Add(seed)
	f.Add([]byte(foundHeader + "\nqstr 99999999999 x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var g Found
		if g.UnmarshalBinary(data) != nil {
			return
		}
		again, _ := g.MarshalBinary()
		var h Found
		if err := h.UnmarshalBinary(again); err != nil || !reflect.DeepEqual(g.files, h.files) {
			t.Fatalf("a decoded scan does not re-encode the same: %v", err)
		}
	})
}
