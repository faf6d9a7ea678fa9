package tasks

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/log"
)

func TestWarnUnknownVars(t *testing.T) {
	var b bytes.Buffer
	warnUnknownVars(log.New(&b), []string{"MPFORGE_JUINT=r.xml", "MPFORGE_PORT=/dev/ttyUSB0", "MPFORGE_ZZZZZZ=1", "HOME=/root"})
	out := b.String()
	if !strings.Contains(out, "MPFORGE_JUINT") || !strings.Contains(out, "MPFORGE_JUNIT") {
		t.Errorf("typo not caught with its nearest name:\n%s", out)
	}
	if !strings.Contains(out, "MPFORGE_ZZZZZZ") || strings.Contains(out, "name=MPFORGE_PORT") || strings.Contains(out, "HOME") {
		t.Errorf("warnings:\n%s", out)
	}
}
