package mptree

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a MicroPython release number, e.g. 1.26.1.
type Version struct {
	Major, Minor, Micro int
}

// Pinned is the version `mage setup` fetches and Locate expects for the managed copy.
var Pinned = Version{1, 26, 1}

// supportedSeries are the major.minor series mpforge builds; micro releases of a series
// do not change what the build needs.
var supportedSeries = []Version{{1, 25, 0}, {1, 26, 0}}

// ParseVersion reads "1.26.1", "v1.26.1" or "1.26" (micro 0).
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimPrefix(s, "v"), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("version %q: want MAJOR.MINOR or MAJOR.MINOR.MICRO, e.g. 1.26.1", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p != strconv.Itoa(v) {
			return Version{}, fmt.Errorf("version %q: %q is not a number", s, p)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Micro)
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than o.
func (v Version) Compare(o Version) int {
	for _, d := range [...]int{v.Major - o.Major, v.Minor - o.Minor, v.Micro - o.Micro} {
		if d < 0 {
			return -1
		}
		if d > 0 {
			return 1
		}
	}
	return 0
}

// Supported reports whether mpforge can build this version's series.
func (v Version) Supported() bool {
	for _, s := range supportedSeries {
		if v.Major == s.Major && v.Minor == s.Minor {
			return true
		}
	}
	return false
}

// supportedText lists the supported series for error messages: "1.25 or 1.26".
func supportedText() string {
	names := make([]string, len(supportedSeries))
	for i, s := range supportedSeries {
		names[i] = fmt.Sprintf("%d.%d", s.Major, s.Minor)
	}
	return strings.Join(names, " or ")
}
