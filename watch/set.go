package watch

import (
	"os"
	"path/filepath"
	"strings"
)

// Set is what a build reads, as the watcher needs it.
type Set struct {
	// Dirs are folders whose entries are inputs: source and include folders,
	// the port, the board folders. Watched without their subfolders.
	Dirs []string
	// Trees are folders read with all their subfolders (the base of a "**"
	// glob): new subfolders are watched as they appear.
	Trees []string
	// Files are the build's known inputs. Any change to one calls for a
	// build, whatever its name; other files count only when their name looks
	// like a source (see sourceExt), since a glob or an include may pick
	// them up.
	Files []string
	// Ignore are folders never watched and whose changes never count: the
	// build's output folder.
	Ignore []string
}

// sourceExt (C, assembler, linker scripts, board files, frozen Python) are
// the kinds of files a new or changed file in a watched folder must be to
// call for a build when the build does not know it yet. Editors' swap,
// backup and temporary files (x.c.swp, x.c~, x.c___jb_tmp___, 4913,
// .goutputstream-*) do not match, so they never trigger a build by themselves.
var sourceExt = map[string]bool{
	".c": true, ".h": true, ".s": true, ".S": true, ".inc": true, ".ld": true, ".toml": true, ".py": true,
}

// resolved is a Set turned into lookups.
type resolved struct {
	want   map[string]bool // every folder whose entries matter, Trees expanded
	files  map[string]bool
	trees  []string
	ignore []string
	// missing are wanted folders that did not exist at the last resync.
	missing map[string]bool
}

func resolve(s Set) *resolved {
	r := &resolved{want: map[string]bool{}, files: map[string]bool{}, missing: map[string]bool{}}
	for _, d := range s.Ignore {
		r.ignore = append(r.ignore, filepath.Clean(d))
	}
	add := func(d string) {
		if d = filepath.Clean(d); !r.ignored(d) {
			r.want[d] = true
		}
	}
	for _, d := range s.Dirs {
		add(d)
	}
	for _, f := range s.Files {
		f = filepath.Clean(f)
		if !r.ignored(f) {
			r.files[f] = true
			add(filepath.Dir(f))
		}
	}
	for _, t := range s.Trees {
		t = filepath.Clean(t)
		r.trees = append(r.trees, t)
		add(t)
		_ = filepath.WalkDir(t, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return nil // gone or unreadable: the parent's events tell us when it comes back
			}
			if d.IsDir() {
				if r.ignored(p) {
					return filepath.SkipDir
				}
				add(p)
			}
			return nil
		})
	}
	return r
}

func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

func (r *resolved) ignored(path string) bool {
	for _, d := range r.ignore {
		if within(path, d) {
			return true
		}
	}
	return false
}

func (r *resolved) inTree(path string) bool {
	for _, t := range r.trees {
		if within(path, t) {
			return true
		}
	}
	return false
}

// ancestorOfWanted says whether path is a parent of a folder we need, so
// that its creation or removal changes what can be watched.
func (r *resolved) ancestorOfWanted(path string) bool {
	for d := range r.want {
		if strings.HasPrefix(d, path+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// classify says whether a change to path calls for a build, and whether it
// changes which folders exist to be watched (a folder we need came or went).
func (r *resolved) classify(path string, created bool) (build, resync bool) {
	path = filepath.Clean(path)
	if r.ignored(path) {
		return false, false
	}
	if r.want[path] || r.ancestorOfWanted(path) {
		return true, true
	}
	if created && r.inTree(path) {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			return true, true // a new subfolder a "**" glob reads
		}
	}
	if r.files[path] {
		return true, false
	}
	base := filepath.Base(path)
	if strings.HasPrefix(base, ".#") { // Emacs' lock link, named like the file it locks
		return false, false
	}
	dir := filepath.Dir(path)
	return (r.want[dir] || r.inTree(dir)) && sourceExt[filepath.Ext(base)], false
}

// targets are the folders to hand to inotify: every wanted folder that
// exists, and for one that does not, its nearest existing parent, so that
// its creation is seen.
func (r *resolved) targets() map[string]bool {
	t := map[string]bool{}
	for d := range r.want {
		t[nearestExisting(d)] = true
	}
	return t
}

func nearestExisting(dir string) string {
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}
