package firmware_test

import (
	"context"
	"testing"
	"time"

	"mpforge/internal/testfw"
)

// BenchmarkNoOpBuild is a rebuild with nothing to do: plan the graph, read
// the build log, stat every input, run nothing.
func BenchmarkNoOpBuild(b *testing.B) {
	root, tree := testfw.Checkout(b)
	if _, err := testfw.BuildWith(context.Background(), root, tree, "mps2-an385"); err != nil {
		b.Fatal(err)
	}
	// Files written in the last two seconds are hashed rather than trusted by
	// their stat; let them age, as they have by a developer's next build.
	time.Sleep(2500 * time.Millisecond)
	if _, err := testfw.BuildWith(context.Background(), root, tree, "mps2-an385"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := testfw.BuildWith(context.Background(), root, tree, "mps2-an385")
		if err != nil || len(res.Build.Ran) != 0 {
			b.Fatalf("no-op ran %v: %v", res.Build.Ran, err)
		}
	}
}
