package mptree

import (
	"strings"
	"testing"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Version
		err  string
	}{
		{in: "1.26.1", want: Version{1, 26, 1}},
		{in: "v1.25.0", want: Version{1, 25, 0}},
		{in: "1.26", want: Version{1, 26, 0}},
		{in: "1", err: "want MAJOR.MINOR"},
		{in: "1.2.3.4", err: "want MAJOR.MINOR"},
		{in: "1.x.0", err: `"x" is not a number`},
		{in: "1.-2.0", err: `"-2" is not a number`},
		{in: "1.26.01", err: `"01" is not a number`},
		{in: "", err: "want MAJOR.MINOR"},
	} {
		got, err := ParseVersion(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseVersion(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if tc.in[0] != 'v' && strings.Count(tc.in, ".") == 2 && got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestVersionCompareAndSupported(t *testing.T) {
	order := []Version{{1, 9, 4}, {1, 22, 0}, {1, 25, 0}, {1, 26, 0}, {1, 26, 1}, {2, 0, 0}}
	for i, a := range order {
		for j, b := range order {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%v.Compare(%v) = %d, want %d", a, b, got, want)
			}
		}
	}
	for v, want := range map[Version]bool{
		{1, 25, 0}: true, {1, 25, 3}: true, {1, 26, 1}: true,
		{1, 24, 1}: false, {1, 27, 0}: false, {2, 26, 0}: false,
	} {
		if v.Supported() != want {
			t.Errorf("%v.Supported() = %v, want %v", v, !want, want)
		}
	}
	if !Pinned.Supported() {
		t.Errorf("Pinned %v is not a supported version", Pinned)
	}
}
