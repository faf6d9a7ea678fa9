package winetest

import "testing"

func TestMajor(t *testing.T) {
	for in, want := range map[string]int{
		"wine-10.0 (Debian 10.0~repack-6)": 10,
		"wine-8.0 (Debian 8.0~repack-4)":   8,
		"wine-9.22":                        9,
		"":                                 0,
		"Wine (staging)":                   0,
	} {
		if got := major(in); got != want {
			t.Errorf("major(%q) = %d, want %d", in, got, want)
		}
	}
}
