package genhdr

import (
	"embed"
	"io/fs"
	"sync"

	"mpforge/build"
)

// The generator's own code, so that a cache of things built from its
// headers (the host mpy-cross) can tell one generator from another
// whatever the checkout's path.
//
//go:embed *.go
var self embed.FS

// SourceDigest identifies this package's code.
var SourceDigest = sync.OnceValue(func() build.Digest {
	var parts []string
	fs.WalkDir(self, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := self.ReadFile(path)
			parts = append(parts, path, string(data))
		}
		return nil
	})
	return build.DigestStrings(parts...)
})
