package tasks

import (
	"os"
	"sort"
	"strings"

	"github.com/charmbracelet/log"

	"mpforge/boards"
)

// knownVars are the MPFORGE_* variables mpforge reads (README, docs/); a
// variable with the prefix that is not here is most likely a typo, which
// would otherwise be ignored without a word.
var knownVars = []string{
	"MPFORGE_BOARD", "MPFORGE_JOBS", "MPFORGE_CC_LAUNCHER", "MPFORGE_FROZEN",
	"MPFORGE_PORT", "MPFORGE_BAUD", "MPFORGE_QEMU", "MPFORGE_QEMU_SERIAL",
	"MPFORGE_TIMEOUT", "MPFORGE_JUNIT", "MPFORGE_FLASH", "MPFORGE_MOUNT", "MPFORGE_FLASH_ALGORITHM",
	"MPFORGE_TEST_INCLUDE", "MPFORGE_TEST_EXCLUDE", "MPFORGE_TEST_DIRS", "MPFORGE_PYTHON",
	"MPFORGE_PROBE", "MPFORGE_PROBE_SERIAL", "MPFORGE_ADAPTER_KHZ", "MPFORGE_OPENOCD_ARGS",
	"MPFORGE_SIZE_BASELINE", "MPFORGE_FUZZTIME", "MPFORGE_SOURCES",
	// Where tools and caches are (docs/platforms.md).
	"MPFORGE_TOOLCHAIN", "MPFORGE_QEMU_BIN", "MPFORGE_OPENOCD_BIN", "MPFORGE_CACHE_URL",
	"MPFORGE_MPY_CROSS_CACHE", "MPFORGE_FETCH", "MPFORGE_DEBIAN_MIRROR", "MPFORGE_WINE_ROOT",
	// Read by tests: a vendor file to use, the emulated probe's log.
	"MPFORGE_TEST_FLM", "MPFORGE_EMU_DEBUG",
	// Set by mpforge's own tests for the processes they start.
	"MPFORGE_TEST_TREES", "MPFORGE_TEST_CI_ROOT", "MPFORGE_TEST_CHILD_ROOT", "MPFORGE_TEST_CHILD_TREE",
	"MPFORGE_WATCH_CHILD", "MPFORGE_WATCH_LIMIT_CHILD",
}

// warnUnknownVars warns about every MPFORGE_* variable in environ that
// mpforge does not read, with the nearest known name.
func warnUnknownVars(logger *log.Logger, environ []string) {
	var unknown []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "MPFORGE_") && !contains(knownVars, name) {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		if near := boards.Closest(name, knownVars); near != "" {
			logger.Warn("unknown variable ignored", "name", name, "did you mean", near)
		} else {
			logger.Warn("unknown variable ignored", "name", name, "known", "see docs/scripts.md and README.md")
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// environ is os.Environ, a variable for tests.
var environ = os.Environ
