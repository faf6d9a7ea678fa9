package device

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"mpforge/device/rawrepl"
)

// Identity is which firmware a board runs (port/modmpforge.c's mpforge.build).
type Identity struct {
	Board       string
	MicroPython string
	Revision    string // git revision of the checkout it was built from; may be empty
	Digest      string // hex of the ELF's GNU build-id
}

func (id Identity) String() string {
	s := id.Board
	if id.MicroPython != "" {
		s += ", MicroPython " + id.MicroPython
	}
	if id.Revision != "" {
		s += ", revision " + id.Revision
	}
	if id.Digest != "" {
		s += ", build " + short(id.Digest)
	}
	return s
}

func short(digest string) string { return digest[:min(12, len(digest))] }

// ErrWrongFirmware: the board does not run the firmware the run expects.
var ErrWrongFirmware = errors.New("the board runs other firmware")

// ELFDigest is the hex GNU build-id of an ELF file, "" when it has none.
func ELFDigest(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading the firmware's identity: %w", err)
	}
	defer f.Close()
	sec := f.Section(".note.gnu.build-id")
	if sec == nil {
		return "", nil
	}
	data, err := sec.Data()
	if err != nil || len(data) < 12 {
		return "", fmt.Errorf("reading the build-id of %s: %v", path, err)
	}
	bo := f.ByteOrder
	namesz, descsz := bo.Uint32(data[0:]), bo.Uint32(data[4:])
	off := 12 + (namesz+3)&^3
	if uint64(off)+uint64(descsz) > uint64(len(data)) {
		return "", fmt.Errorf("%s: malformed build-id note", path)
	}
	return hex.EncodeToString(data[off : off+descsz]), nil
}

// identityProbe prints the four fields one per line; "-" when the firmware
// has no mpforge module (not built by mpforge, or older).
const identityProbe = "try:\n import mpforge\n b = mpforge.build\n for k in ('board', 'micropython', 'revision', 'digest'):\n  print(b[k])\nexcept ImportError:\n print('-')\n"

// ReadIdentity asks the board which firmware it runs; ok is false when the
// firmware cannot tell (no mpforge module). The board must be at the raw
// REPL prompt and is again afterwards.
func ReadIdentity(ctx context.Context, c *rawrepl.Client) (id Identity, ok bool, err error) {
	var out, errOut bytes.Buffer
	if err := c.Exec(ctx, []byte(identityProbe), &out, &errOut); err != nil {
		return id, false, fmt.Errorf("asking the board for its firmware identity: %w %s", err, strings.TrimSpace(errOut.String()))
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(out.String(), "\r\n", "\n")), "\n")
	if len(lines) != 4 {
		return id, false, nil
	}
	return Identity{Board: lines[0], MicroPython: lines[1], Revision: lines[2], Digest: lines[3]}, true, nil
}

// checkIdentity compares what the board runs with what the run expects.
func checkIdentity(got Identity, ok bool, want Identity) error {
	hint := "flash it first (MPFORGE_FLASH=1 flashes, then runs), or point the run at the right board"
	if !ok {
		return fmt.Errorf("%w: it cannot say which (no mpforge module), the run expects %s; %s", ErrWrongFirmware, want, hint)
	}
	if got.Board != want.Board {
		return fmt.Errorf("%w: it runs firmware for board %s (%s), the run expects %s; %s", ErrWrongFirmware, got.Board, got, want, hint)
	}
	if want.Digest != "" && got.Digest != want.Digest {
		return fmt.Errorf("%w: it runs %s, but out/%s/ holds %s (a different build); %s", ErrWrongFirmware, got, want.Board, want, hint)
	}
	return nil
}
