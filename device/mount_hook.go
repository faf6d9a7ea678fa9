package device

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"mpforge/device/mount"
	"mpforge/device/rawrepl"
)

// MountMode says whether the runner serves each script's folder to the board.
type MountMode int

const (
	MountOff      MountMode = iota // the board sees only its own files
	MountReadOnly                  // the folder is at /remote, read-only
	MountWritable                  // the folder is at /remote, and scripts may write to it
)

// ParseMountMode reads MPFORGE_MOUNT's values: "off", "ro", "rw" ("" is ro).
func ParseMountMode(s string) (MountMode, error) {
	switch s {
	case "", "ro":
		return MountReadOnly, nil
	case "rw":
		return MountWritable, nil
	case "off", "0":
		return MountOff, nil
	}
	return MountOff, fmt.Errorf("%q: want ro (the default: scripts read their folder), rw (they may also write to it) or off", s)
}

// connect makes the raw-REPL client for the target's console, through a
// mount server when the scripts' folders are served.
func (r *runner) connect() *rawrepl.Client {
	r.unmount() // a recovered board gets a new server
	if r.sess != nil {
		r.sess.Close()
	}
	r.sess = r.t.session()
	if r.o.Mount == MountOff {
		return rawrepl.New(r.sess, r.o.REPL)
	}
	r.mount = mount.New(r.sess, mount.Options{Logger: r.o.Logger})
	return rawrepl.New(r.mount, r.o.REPL)
}

// attach serves the script's folder and mounts it on the freshly reset
// board at mount.DefaultPoint, which becomes the current directory.
func (r *runner) attach(ctx context.Context, script string) error {
	if r.mount == nil {
		return nil
	}
	if err := r.mount.Serve(filepath.Dir(script), r.o.Mount == MountWritable); err != nil {
		return err
	}
	err := mount.Attach(ctx, r.client, mount.DefaultPoint)
	if errors.Is(err, mount.ErrUnsupported) {
		// A firmware without the VFS pieces (fr30xx-minimal) still runs
		// scripts, just without their folder: say so once.
		if r.o.Logger != nil {
			r.o.Logger.Warn("scripts run without their folder on the board", "err", err)
		}
		r.unmount()
		return nil
	}
	return err
}

// unmount lets go of the served folder and its open files, however the run
// ended: on Windows an open folder cannot be deleted or renamed.
func (r *runner) unmount() {
	if r.mount != nil {
		r.mount.Close()
		r.mount = nil
	}
}

// detach soft-resets the board after the last script so no mount is left
// that nobody serves any more.
func (r *runner) detach(ctx context.Context) {
	if r.mount == nil {
		return
	}
	_ = r.client.SoftReset(ctx)
	r.unmount()
}
