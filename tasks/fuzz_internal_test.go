package tasks

import "testing"

// The outputs are go test's own, as CI printed them.
func TestDeadlineRace(t *testing.T) {
	race := "fuzz: elapsed: 30s, execs: 5 (0/sec), new interesting: 0 (total: 3)\n" +
		"fuzz: elapsed: 31s, execs: 5 (0/sec), new interesting: 0 (total: 3)\n" +
		"--- FAIL: FuzzLoad (31.17s)\n    context deadline exceeded\nFAIL\nexit status 1\nFAIL\tmpforge/device/flashalgo\t31.172s\n"
	if !deadlineRace([]byte(race)) {
		t.Error("the coordinator's deadline failure is not recognised")
	}
	for name, out := range map[string]string{
		"panic": "--- FAIL: FuzzLoad (0.20s)\n    --- FAIL: FuzzLoad (0.00s)\n        testing.go:1591: panic: runtime error: index out of range\n" +
			"    Failing input written to testdata/fuzz/FuzzLoad/1c56d4e2d1b29445\nFAIL\nexit status 1\n",
		"hang": "--- FAIL: FuzzLoad (12.06s)\n    fuzzing process hung or terminated unexpectedly while minimizing: EOF\n" +
			"    context deadline exceeded\nFAIL\n",
		"build error": "# mpforge/device/flashalgo\n./flashalgo.go:12:2: undefined: x\nFAIL\tmpforge/device/flashalgo [build failed]\n",
	} {
		if deadlineRace([]byte(out)) {
			t.Errorf("%s: taken for the deadline race", name)
		}
	}
}

func TestNewInputs(t *testing.T) {
	before := map[string]bool{"a": true, "b": true}
	after := map[string]bool{"a": true, "b": true, "d": true, "c": true}
	if got := newInputs(before, after); len(got) != 2 || got[0] != "c" || got[1] != "d" {
		t.Errorf("newInputs = %v, want [c d]", got)
	}
}
