package genhdr

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mpforge/internal/testenv"
)

// edgeInput is preprocessor output with the awkward cases the split rules
// have to get right. Python decodes it as UTF-8, so it stays valid UTF-8.
const edgeInput = "" +
	"# 0 \"first.c\"\n" +
	"# 0 \"<built-in>\"\n" +
	"x = MP_QSTR_one + MP_QSTR_two;MP_QSTR_;MP_QSTR_MP_QSTR_three xMP_QSTR_four\n" +
	"# 1 \"inc/header.h\" 1\n" + // not a source: stays in first.c
	"int h = MP_QSTR_from_header;\r\n" + // CRLF
	"#line 7 \"a.c\"\r" + // a lone CR ends a line too
	"MP_QSTR_first_a_section\n" +
	"#line7 \"c.c\"\n" + // not a marker (no space): scanned as text
	"#  12 \"spaced.c\"\n" + // \s+ before the number
	"MP_QSTR_in_spaced\n" +
	"# 12  \"notamarker.c\"\n" + // two spaces after the number: not a marker
	"#\v3\v\"vt.c\"\n" + // Python's \s includes \v
	"MP_QSTR_in_vt\n" +
	"# 4 \"a.c\" 2\n" + // back to a.c: a later non-empty section replaces the first
	"MP_QSTR_second_a_section\n" +
	"# 1 \"b.c\"\n" + // nothing in b.c
	"# 1 \"a.c\"\n" + // an empty section does not wipe a.c
	"# 1 \"dir/x.cpp\"\n" + // C++ source
	"MP_REGISTER_MODULE(MP_QSTR_mod, mod_obj); MP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_emod,\temod_obj);\n" +
	"MP_REGISTER_MODULE_DELEGATION(mod_obj, mod_attr);\n" +
	"MP_REGISTER_ROOT_POINTER(int a); MP_REGISTER_ROOT_POINTER(char *b[4]);MP_REGISTER_ROOT_POINTER(int a);\n" +
	"MP_COMPRESSED_ROM_TEXT(\"can't do %s\") MP_COMPRESSED_ROM_TEXT(\"\") MP_COMPRESSED_ROM_TEXT(\"two  spaces\")\n" +
	"MP_COMPRESSED_ROM_TEXT(\"  padded \")\n" +
	"# 1 \"d:\\w..x.c\"\n" + // ':', '\\' and '..' in a name
	"MP_QSTR_odd_name MP_COMPRESSED_ROM_TEXT(\"can't do %s\")\n" +
	"# 1 \".c\"\n" + // no extension: not a source
	"MP_QSTR_still_odd_name\n"

func TestScanEdgeCases(t *testing.T) {
	f := Scan([]byte(edgeInput))
	want := map[string]string{
		"first.c.qstr":            "Q(one)\nQ(two)\nQ(three)\nQ(four)\nQ(from_header)\n",
		"a.c.qstr":                "Q(second_a_section)\n",
		"spaced.c.qstr":           "Q(in_spaced)\n",
		"vt.c.qstr":               "Q(in_vt)\n",
		"dir__x.cpp.qstr":         "Q(mod)\nQ(emod)\n",
		"dir__x.cpp.module":       "MP_REGISTER_MODULE(MP_QSTR_mod, mod_obj);\nMP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_emod,\temod_obj);\nMP_REGISTER_MODULE_DELEGATION(mod_obj, mod_attr);\n",
		"dir__x.cpp.root_pointer": "MP_REGISTER_ROOT_POINTER(int a);\nMP_REGISTER_ROOT_POINTER(char *b[4]);\nMP_REGISTER_ROOT_POINTER(int a);\n",
		"dir__x.cpp.compress":     "can't do %s\n\ntwo  spaces\n  padded \n",
		"d@__w@@x.c.qstr":         "Q(odd_name)\nQ(still_odd_name)\n",
		"d@__w@@x.c.compress":     "can't do %s\n",
	}
	got := splitFiles([]*Found{f})
	for name, w := range want {
		if got[name] != w {
			t.Errorf("split file %s:\n want %q\n  got %q", name, w, got[name])
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected split file %s: %q", name, got[name])
		}
	}
	// Text before the first line marker belongs to no file (the script
	// would crash on it); Scan drops it.
	if got := splitFiles([]*Found{Scan([]byte("MP_QSTR_early\n# 1 \"e.c\"\nMP_QSTR_late\n"))}); len(got) != 1 || got["e.c.qstr"] != "Q(late)\n" {
		t.Errorf("text before the first marker: %q", got)
	}
}

// TestScanEdgeCasesOracle checks the expectations above against the script.
func TestScanEdgeCasesOracle(t *testing.T) {
	python3(t)
	tree := testenv.MicroPythonDir(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "edge.i")
	if err := os.WriteFile(in, []byte(edgeInput), 0o644); err != nil {
		t.Fatal(err)
	}
	f := Scan([]byte(edgeInput))
	got := splitFiles([]*Found{f})
	c := Collect([]*Found{f})
	collected := map[mode][]byte{modeQstr: c.Qstr, modeModule: c.Module, modeRootPointer: c.RootPointer, modeCompress: c.Compress}
	script := filepath.Join(tree, "py", "makeqstrdefs.py")
	for m := range numModes {
		name := modeNames[m]
		splitDir := filepath.Join(dir, name)
		out := filepath.Join(dir, name+".collected")
		runPython(t, dir, nil, nil, script, "split", name, in, splitDir, "_")
		runPython(t, dir, nil, nil, script, "cat", name, "_", splitDir, out)
		entries, err := os.ReadDir(splitDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(splitDir, e.Name()))
			if got[e.Name()] != string(data) {
				t.Errorf("split file %s: script %q, Scan %q", e.Name(), data, got[e.Name()])
			}
			delete(got, e.Name())
		}
		want, _ := os.ReadFile(out)
		diffText(t, name+" collected", want, collected[m])
	}
	for name := range got {
		t.Errorf("Scan made split file %s, the script did not", name)
	}

	// The generators on this input.
	for _, g := range []struct {
		script, input string
		run           func(*Collected) ([]byte, error)
	}{
		{"makemoduledefs.py", "module.collected", ModuleDefs},
		{"make_root_pointers.py", "root_pointer.collected", RootPointers},
	} {
		want := runPython(t, dir, nil, nil, filepath.Join(tree, "py", g.script), filepath.Join(dir, g.input))
		gotOut, err := g.run(c)
		if err != nil {
			t.Fatal(err)
		}
		diffText(t, g.script, want, gotOut)
	}
	// The empty word from "two  spaces" ranks among the 128 words here,
	// where the script fails (IndexError); so must we.
	cmd := exec.Command(python3(t), filepath.Join(tree, "py", "makecompresseddata.py"), filepath.Join(dir, "compress.collected"))
	if err := cmd.Run(); err == nil {
		t.Error("makecompresseddata.py accepted a message with two spaces among few words; the test input no longer covers the failure")
	}
	if _, err := CompressedData(c); err == nil {
		t.Error("CompressedData accepted what makecompresseddata.py rejects")
	}
}

// TestCollectKeepsDotPaths documents the one difference from the script's
// cat: sources whose path starts with '.' are kept, not dropped.
func TestCollectKeepsDotPaths(t *testing.T) {
	input := "# 1 \".mpforge/mp/py/a.c\"\nMP_QSTR_hidden\n# 1 \"./py/b.c\"\nMP_QSTR_dot\n# 1 \"py/c.c\"\nMP_QSTR_plain\n"
	c := Collect([]*Found{Scan([]byte(input))})
	if want := "Q(dot)\n\nQ(hidden)\n\nQ(plain)\n"; string(c.Qstr) != want {
		t.Errorf("Collect = %q, want %q", c.Qstr, want)
	}
	python3(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.i"), []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(testenv.MicroPythonDir(t), "py", "makeqstrdefs.py")
	runPython(t, dir, nil, nil, script, "split", "qstr", "in.i", "split", "_")
	runPython(t, dir, nil, nil, script, "cat", "qstr", "_", "split", "out")
	if got, _ := os.ReadFile(filepath.Join(dir, "out")); string(got) != "Q(plain)\n" {
		t.Errorf("makeqstrdefs.py cat now gives %q: if it keeps dot paths, drop the note in Collect's doc", got)
	}
}

func TestLineMarker(t *testing.T) {
	for line, want := range map[string]string{
		`# 1 "a.c"`:             "a.c",
		`# 1 "a.c" 1 3`:         "a.c",
		`#line 1 "a.c"`:         "a.c",
		"#\u3000\u0663 \"a.c\"": "a.c", // Unicode space and digit
		`# 1 ""`:                "",
		`# 1 "a.c`:              "",
		`#1 "a.c"`:              "",
		`# x "a.c"`:             "",
		`#lin 1 "a.c"`:          "",
		`#pragma once`:          "",
	} {
		got, ok := lineMarker([]byte(line))
		if got != want || ok != (want != "") {
			t.Errorf("lineMarker(%q) = %q, %v; want %q", line, got, ok, want)
		}
	}
}

func TestPySplitExt(t *testing.T) {
	for p, want := range map[string]string{
		"a.c": ".c", "dir/a.c": ".c", "a.b/c": "", ".c": "", "..c": "", ".a.c": ".c",
		"dir/.c": "", "a.tar.gz": ".gz", "a.": ".", "<built-in>": "",
	} {
		if got := pySplitExt(p); got != want {
			t.Errorf("pySplitExt(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestPyLines(t *testing.T) {
	var got []string
	pyLines([]byte("a\r\nb\rc\n\nd\r\r\ne"), func(l []byte) { got = append(got, string(l)) })
	if want := []string{"a", "b", "c", "", "d", "", "e"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("pyLines = %q, want %q", got, want)
	}
}

func TestFoundUnmarshalErrors(t *testing.T) {
	for _, data := range []string{
		"",
		"not a header\n",
		foundHeader + "\nqstr 2 a.c\nQ(x)\n",
		foundHeader + "\nbogus 0 a.c\n",
		foundHeader + "\nqstr -1 a.c\n",
		foundHeader + "\nqstr 1\n",
	} {
		var f Found
		if err := f.UnmarshalBinary([]byte(data)); err == nil {
			t.Errorf("UnmarshalBinary(%q) succeeded", data)
		}
	}
	var f Found
	if err := f.UnmarshalBinary([]byte(foundHeader + "\ncompress 2 a b.c\n\nx y\n")); err != nil {
		t.Fatal(err)
	}
	if got := f.files[modeCompress]["a b.c"]; len(got) != 2 || got[0] != "" || got[1] != "x y" {
		t.Errorf("decoded %q", got)
	}
}

func TestQstrHash(t *testing.T) {
	for _, c := range []struct {
		s     string
		bytes int
		want  uint64
	}{
		{"", 1, 5}, {"", 2, 5381}, {"a", 1, 196}, {"a", 2, 46532}, {"a", 0, 46532},
		{"q150", 1, 1},     // masked to 0, which means "not computed": becomes 1
		{"q1029806", 2, 1}, // the same with two bytes
	} {
		if got := qstrHash([]byte(c.s), c.bytes); got != c.want {
			t.Errorf("qstrHash(%q, %d) = %d, want %d", c.s, c.bytes, got, c.want)
		}
	}
}

// qstrdataInput is a qstrdefs.preprocessed.h with the qstr cases that need
// care: escapes, non-ASCII, duplicates, collisions with static qstrs and
// with each other, first-pool qstrs, control characters, a 255-byte qstr.
func qstrdataInput(hashBytes, lenBytes string) string {
	return "# 1 \"<stdin>\"\n" +
		"QCFG(BYTES_IN_LEN, (" + lenBytes + "))\n" +
		"QCFG(BYTES_IN_HASH, (" + hashBytes + "))\n" +
		"Q()\nQ(__dir__)\nQ(\\n)\nQ(\\r\\n)\nQ( )\nQ(zeta)\nQ(alpha)\nQ(alpha)\n" +
		"  Q(padded)  \n" +
		"Q(-)\nQ(_hyphen_)\nQ(a-b)\nQ(a.b/c:d)\nQ(\"quoted\")\nQ(back\\slash)\n" +
		"Q(über)\nQ(日本)\nQ(\U0001F600)\nQ(tab\there)\nQ(__add__)\nQ(<lambda>)\nQ(<string>)\n" +
		"Q(" + strings.Repeat("x", 255) + ")\n" +
		"Q(a)b)\nQ(no close\nnot a qstr\n"
}

func TestQstrDefsGeneratedOracle(t *testing.T) {
	python3(t)
	for _, tree := range testenv.MicroPythonDirs(t) {
		script, err := os.ReadFile(filepath.Join(tree, "py", "makeqstrdata.py"))
		if err != nil {
			t.Fatal(err)
		}
		for _, sizes := range [][2]string{{"1", "1"}, {"2", "1"}, {"0", "1"}, {"2", "2"}} {
			input := qstrdataInput(sizes[0], sizes[1])
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "in.h"), []byte(input), 0o644); err != nil {
				t.Fatal(err)
			}
			want := runPython(t, dir, nil, nil, filepath.Join(tree, "py", "makeqstrdata.py"), "in.h")
			got, err := QstrDefsGenerated(script, []byte(input))
			if err != nil {
				t.Fatal(err)
			}
			diffText(t, "qstrdefs.generated.h with hash/len bytes "+sizes[0]+"/"+sizes[1], want, got)
		}
	}
}

func TestQstrDefsGeneratedErrors(t *testing.T) {
	tree := testenv.MicroPythonDir(t)
	script, err := os.ReadFile(filepath.Join(tree, "py", "makeqstrdata.py"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ input, want string }{
		"empty":       {"", "no QCFG"},
		"no hash cfg": {"QCFG(BYTES_IN_LEN, (1))\nQ(a)\n", "BYTES_IN_HASH"},
		"expression":  {"QCFG(BYTES_IN_LEN, (1))\nQCFG(BYTES_IN_HASH, ((1) + 1))\n", "plain number"},
		"too long":    {"QCFG(BYTES_IN_LEN, (1))\nQCFG(BYTES_IN_HASH, (1))\nQ(" + strings.Repeat("y", 256) + ")\n", "too long"},
		"not utf-8":   {"QCFG(BYTES_IN_LEN, (1))\nQCFG(BYTES_IN_HASH, (1))\nQ(\xff)\n", "UTF-8"},
	} {
		_, err := QstrDefsGenerated(script, []byte(c.input))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", name, err, c.want)
		}
	}
	if _, err := QstrDefsGenerated([]byte("print('not the script')\n"), []byte(qstrdataInput("1", "1"))); err == nil || !strings.Contains(err.Error(), "makeqstrdata.py") {
		t.Errorf("a script without tables: err = %v", err)
	}
}

// TestQstrTablesFromScript checks the data read from each tree's script
// against facts of the .mpy format and the script's own additions.
func TestQstrTablesFromScript(t *testing.T) {
	for _, tree := range testenv.MicroPythonDirs(t) {
		script, err := os.ReadFile(filepath.Join(tree, "py", "makeqstrdata.py"))
		if err != nil {
			t.Fatal(err)
		}
		tables, err := parseQstrTables(script)
		if err != nil {
			t.Fatal(err)
		}
		if len(tables.static) < 100 || tables.static[0] != "" || tables.static[1] != "__dir__" || tables.static[2] != "\n" {
			t.Errorf("%s: static qstrs start %q (%d in all)", tree, tables.static[:3], len(tables.static))
		}
		if !tables.unsorted["__add__"] || !tables.unsorted["<lambda>"] || tables.unsorted["<module>"] {
			t.Errorf("%s: unexpected first-pool set", tree)
		}
		for r, want := range map[rune]string{'-': "hyphen", '\\': "backslash", 252: "uuml", '&': "amp", ' ': "space"} {
			if tables.names[r] != want {
				t.Errorf("%s: name of %q is %q, want %q", tree, r, tables.names[r], want)
			}
		}
		if got := tables.escape("a-b c\U0001F600"); got != "a_hyphen_b_space_c_0x1f600_" {
			t.Errorf("escape = %q", got)
		}
	}
}

func TestSedSteps(t *testing.T) {
	pyDefs := []byte("QCFG(BYTES_IN_LEN, MICROPY_QSTR_BYTES_IN_LEN)\nQ(a)\nQ(a)b)c\n Q(indented)\nQ(\nQ()")
	c := &Collected{Qstr: []byte("Q(x)\n\nQ(y)\n")}
	in := QstrDefsPreprocessInput(pyDefs, []byte("Q(port)\n"), c)
	wantIn := "QCFG(BYTES_IN_LEN, MICROPY_QSTR_BYTES_IN_LEN)\n\"Q(a)\"\n\"Q(a)b)\"c\n Q(indented)\nQ(\n\"Q()Q(port)\"\n\"Q(x)\"\n\n\"Q(y)\"\n"
	if string(in) != wantIn {
		t.Errorf("QstrDefsPreprocessInput:\n got %q\nwant %q", in, wantIn)
	}
	cpp := []byte("\"Q(a)\"\n\"Q(a)b)\"c\n\"Q(x)\" \"Q(y)\"\n\"Q()\"\n\"Q(\"\n\"Q(\n\"Q()\"")
	wantOut := "Q(a)\nQ(a)b)c\nQ(x)\" \"Q(y)\nQ()\n\"Q(\"\n\"Q(\nQ()"
	if got := QstrDefsUnquote(cpp); string(got) != wantOut {
		t.Errorf("QstrDefsUnquote:\n got %q\nwant %q", got, wantOut)
	}
	if _, err := exec.LookPath("sed"); err != nil {
		return
	}
	// The same through GNU sed itself.
	if got := sed(t, `s/^Q(.*)/"&"/`, append(append(append([]byte{}, pyDefs...), "Q(port)\n"...), c.Qstr...)); string(got) != wantIn {
		t.Errorf("sed quoting gives %q", got)
	}
	if got := sed(t, `s/^\"\(Q(.*)\)\"/\1/`, cpp); string(got) != wantOut {
		t.Errorf("sed unquoting gives %q", got)
	}
}

func TestGeneratorErrors(t *testing.T) {
	if _, err := ModuleDefs(&Collected{Module: []byte("MP_REGISTER_MODULE(MP_QSTR_m, a, b);\n")}); err == nil || !strings.Contains(err.Error(), "should be MP_REGISTER_MODULE(m, a)") {
		t.Errorf("ModuleDefs with three arguments: err = %v", err)
	}
	if _, err := CompressedData(&Collected{Compress: []byte("caf\u00e9 is closed\n")}); err == nil || !strings.Contains(err.Error(), "non-ascii") {
		t.Errorf("CompressedData with non-ASCII: err = %v", err)
	}
	if _, err := RootPointers(&Collected{RootPointer: []byte("MP_REGISTER_ROOT_POINTER(int \xff);\n")}); err == nil {
		t.Error("RootPointers accepted invalid UTF-8")
	}
	// Nothing collected is fine everywhere.
	empty := &Collected{}
	for name, g := range map[string]func(*Collected) ([]byte, error){"ModuleDefs": ModuleDefs, "RootPointers": RootPointers, "CompressedData": CompressedData} {
		if _, err := g(empty); err != nil {
			t.Errorf("%s on nothing: %v", name, err)
		}
	}
}

// TestCollectLaterWins checks the merge rule for a .c file that several
// sources include: the later source's non-empty section replaces the
// earlier one, per mode, as the later split overwrites the file.
func TestCollectLaterWins(t *testing.T) {
	first := Scan([]byte("# 1 \"one.c\"\n# 1 \"shared.c\" 1\nMP_QSTR_early MP_REGISTER_ROOT_POINTER(int x);\n"))
	second := Scan([]byte("# 1 \"two.c\"\n# 1 \"shared.c\" 1\nMP_QSTR_late\n"))
	c := Collect([]*Found{first, second})
	if string(c.Qstr) != "Q(late)\n" {
		t.Errorf("qstrs = %q, want only the later section", c.Qstr)
	}
	if string(c.RootPointer) != "MP_REGISTER_ROOT_POINTER(int x);\n" {
		t.Errorf("root pointers = %q: the later section had none, so the earlier stays", c.RootPointer)
	}
	if c := Collect([]*Found{second, first}); string(c.Qstr) != "Q(early)\n" {
		t.Errorf("reversed order: qstrs = %q", c.Qstr)
	}
}
