package boards

import (
	"reflect"
	"strings"
)

// knownFields lists every dotted key a board file may set, for suggestions.
func knownFields() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if name == "" || name == "-" {
				continue
			}
			key := strings.TrimPrefix(prefix+"."+name, ".")
			out = append(out, key)
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, key)
			}
			if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
				walk(f.Type.Elem(), key)
			}
			if f.Type.Kind() == reflect.Map && f.Type.Elem().Kind() == reflect.Struct {
				walk(f.Type.Elem(), key+".*")
			}
		}
	}
	walk(reflect.TypeOf(file{}), "")
	return out
}

// closest returns the candidate within two edits of s, if any. A "*" in a
// candidate matches any one key part (a memory region's name).
func closest(s string, candidates []string) string {
	best, bestDist := "", 3
	parts := strings.Split(s, ".")
	for _, c := range candidates {
		cparts := strings.Split(c, ".")
		if len(cparts) != len(parts) {
			continue
		}
		for i := range cparts {
			if cparts[i] == "*" {
				cparts[i] = parts[i]
			}
		}
		cand := strings.Join(cparts, ".")
		if d := editDistance(s, cand); d < bestDist && d > 0 {
			best, bestDist = cand, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Closest is the candidate within two edits of s, "" when none is: the
// "did you mean" of other settings (mpforge's MPFORGE_* variables).
func Closest(s string, candidates []string) string { return closest(s, candidates) }
