package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/charmbracelet/log"
	"github.com/fsnotify/fsnotify"
)

// The kernel's inotify limits, named in the errors that hit them.
const (
	maxWatchesFile   = "/proc/sys/fs/inotify/max_user_watches"
	maxInstancesFile = "/proc/sys/fs/inotify/max_user_instances"
)

// fsWatcher keeps inotify watches on exactly the folders of the current Set.
// Folders are watched rather than files, so that an editor replacing a file
// (write a temporary, rename it over) or deleting and recreating it is seen
// the same way as a write in place.
type fsWatcher struct {
	fs     *fsnotify.Watcher
	r      *resolved
	logger *log.Logger
}

func newFSWatcher(logger *log.Logger) (*fsWatcher, error) {
	fs, err := fsnotify.NewWatcher()
	if err != nil {
		if errors.Is(err, syscall.EMFILE) {
			return nil, fmt.Errorf("cannot start watching: this user has reached the limit on inotify instances (%s = %s), "+
				"each editor and file watcher takes one; close some or raise it: sudo sysctl fs.inotify.max_user_instances=1024 (%w)",
				maxInstancesFile, readLimit(maxInstancesFile), err)
		}
		return nil, fmt.Errorf("cannot start watching: %w", err)
	}
	return &fsWatcher{fs: fs, r: resolve(Set{}), logger: logger}, nil
}

func (w *fsWatcher) close() error { return w.fs.Close() }

// sync makes the watches match s: new folders are added, folders no longer
// needed are dropped. It returns the wanted folders that came or went since
// the last sync, as changes: their own events may be lost while watches move.
func (w *fsWatcher) sync(s Set) ([]string, error) {
	missing := w.r.missing
	w.r = resolve(s)
	for d := range w.r.want {
		if missing[d] {
			w.r.missing[d] = true // still wanted; resync sees whether it is back
		}
	}
	return w.resync()
}

// resync re-applies the current Set after folders came or went.
func (w *fsWatcher) resync() ([]string, error) {
	targets := w.r.targets()
	current := w.fs.WatchList()
	var changed []string
	for _, p := range current {
		if !targets[p] {
			if w.r.want[p] {
				changed = append(changed, p) // a wanted folder is gone
			}
			_ = w.fs.Remove(p) // already gone when the folder was deleted
		}
	}
	var added []string
	for t := range targets {
		if !slices.Contains(current, t) {
			added = append(added, t)
		}
	}
	slices.Sort(added)
	for _, t := range added {
		err := w.fs.Add(t)
		switch {
		case err == nil:
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			// Deleted since targets() looked (fs.ErrNotExist: on Windows a
			// folder whose parent went too is ERROR_PATH_NOT_FOUND, not
			// ENOENT); its parent's event resyncs again.
		default:
			return nil, watchError(t, len(targets), err)
		}
	}
	for d := range w.r.want {
		gone := !targets[d]
		if !gone && w.r.missing[d] {
			changed = append(changed, d) // a wanted folder is back
		}
		w.r.missing[d] = gone
	}
	if w.logger != nil {
		w.logger.Debug("watching", "folders", len(targets))
	}
	slices.Sort(changed)
	return slices.Compact(changed), nil
}

// watchError explains why a folder cannot be watched; the inotify watch
// limit is the one users hit (IDEs and other watchers share it).
func watchError(dir string, need int, err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("cannot watch %s: the inotify watch limit is reached (%s = %s, shared by every program of this user; "+
			"this build needs %d); raise it: sudo sysctl fs.inotify.max_user_watches=524288 "+
			"(add the line fs.inotify.max_user_watches=524288 to /etc/sysctl.d/90-inotify.conf to keep it), "+
			"or close other file watchers: %w", dir, maxWatchesFile, readLimit(maxWatchesFile), need, err)
	}
	return fmt.Errorf("cannot watch %s: %w", dir, err)
}

func readLimit(file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}
