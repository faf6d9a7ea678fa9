// Package mount serves a folder of the host to a MicroPython board over the
// board's console, the same link the raw REPL runs on, so a script can
// `import mylib` and `open("data/vectors.bin", "rb")` from the folder it
// came from without anything copied or frozen into the firmware.
//
// The board side is a small Python VFS (agent.py) that Attach runs through
// the raw REPL and mounts (at /remote by default, then chdir there). Each of
// its file operations writes a request into its stdout: DLE 0xA5, an op
// byte, then the arguments (an int as u32 LE, a string as u32 LE length and
// bytes). Server sits between the raw-REPL client and the connection: it
// takes those requests out of what the board sends, answers them on the
// same connection (0xA5, an i32 LE status that is a negative errno on
// error, then the op's data) and passes every other byte through. The
// folder is opened as an os.Root, so no path the board sends (.., absolute
// paths, symlinks) reaches outside it; it is read-only unless served with
// Writable.
package mount

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/charmbracelet/log"

	"mpforge/device/rawrepl"
)

// DefaultPoint is where Attach mounts the folder on the board.
const DefaultPoint = "/remote"

const (
	dle   = 0x10
	magic = 0xA5
)

// ops, as agent.py sends them.
const (
	opStat = iota + 1
	opListdir
	opRead
	opWrite
	opSeek
	opClose
	opOpen
	opRemove
	opMkdir
	opRmdir
	opRename
)

// open flags, as agent.py sends them.
const (
	flagRead = iota
	flagWrite
	flagAppend
	flagUpdate
)

const (
	// maxArg bounds a string or write the board sends (the agent sends at
	// most a path or one write() call); longer is a broken frame.
	maxArg = 1 << 20
	// maxRead bounds one read reply (a read to the end asks for at most
	// this): the board reads a reply as fast as it comes, into one buffer.
	maxRead = 1 << 20
	// maxOpen bounds the files a script keeps open at once.
	maxOpen = 64
)

// Options tune a Server.
type Options struct {
	Logger *log.Logger // requests at debug level; nil is quiet
}

// Server filters one board connection; see the package comment. Read and
// Write may be called from different goroutines (the raw-REPL client reads
// in the background).
type Server struct {
	conn io.ReadWriter
	r    *bufio.Reader
	o    Options
	wmu  sync.Mutex // one writer at a time: replies and the client's bytes

	mu       sync.Mutex
	root     *os.Root
	writable bool
	files    map[int]*os.File
	nextFD   int
}

// New wraps conn; until Serve names a folder, requests fail with ENODEV.
func New(conn io.ReadWriter, o Options) *Server {
	return &Server{conn: conn, r: bufio.NewReaderSize(conn, 4096), o: o, files: map[int]*os.File{}}
}

// Serve makes dir the folder the board sees from now on, closing whatever
// the previous one had open. Writable allows the board to create, change
// and delete files in it.
func (s *Server) Serve(dir string, writable bool) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("mount: serving %s: %w", dir, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
	s.root, s.writable = root, writable
	return nil
}

// Close stops serving (open files are closed; later requests get ENODEV).
// The connection stays open: it belongs to the caller.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
	return nil
}

func (s *Server) closeLocked() {
	for fd, f := range s.files {
		f.Close()
		delete(s.files, fd)
	}
	if s.root != nil {
		s.root.Close()
		s.root = nil
	}
}

// Write sends p to the board.
func (s *Server) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.conn.Write(p)
}

// Read returns what the board sent, with the requests taken out and answered.
func (s *Server) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if s.r.Buffered() == 0 {
			if _, err := s.r.Peek(1); err != nil {
				return 0, err
			}
		}
		buf, _ := s.r.Peek(s.r.Buffered())
		if i := strings.IndexByte(string(buf), dle); i != 0 {
			if i < 0 {
				i = len(buf)
			}
			return s.r.Read(p[:min(len(p), i)])
		}
		// A DLE: a request if the magic byte follows, else plain output.
		hdr, err := s.r.Peek(2)
		if len(hdr) < 2 {
			// The connection ended after a DLE: it was output.
			n, _ := s.r.Read(p[:1])
			return n, err
		}
		if hdr[1] != magic {
			return s.r.Read(p[:1])
		}
		s.r.Discard(2)
		if err := s.request(); err != nil {
			return 0, err
		}
	}
}

// reply collects the data an answer carries after its status.
type reply struct{ b []byte }

func (r *reply) int(v int64) { r.b = binary.LittleEndian.AppendUint32(r.b, uint32(int32(v))) }
func (r *reply) data(d []byte) {
	r.int(int64(len(d)))
	r.b = append(r.b, d...)
}

// args lists each op's arguments in the agent's order: i an int, s a string.
var args = map[byte]string{
	opStat: "s", opListdir: "s", opRemove: "s", opMkdir: "s", opRmdir: "s",
	opRead: "ii", opWrite: "is", opSeek: "iii", opClose: "i", opOpen: "si", opRename: "ss",
}

// request reads one request after its DLE and magic bytes, and answers it.
func (s *Server) request() error {
	op, err := s.r.ReadByte()
	if err != nil {
		return err
	}
	spec, ok := args[op]
	if !ok {
		return fmt.Errorf("mount: the board sent unknown request %d (agent and host out of step?)", op)
	}
	var iv []int64
	var sv [][]byte
	var b [4]byte
	for _, kind := range spec {
		if _, err := io.ReadFull(s.r, b[:]); err != nil {
			return err
		}
		n := binary.LittleEndian.Uint32(b[:])
		if kind == 'i' {
			iv = append(iv, int64(int32(n)))
			continue
		}
		if n > maxArg {
			return fmt.Errorf("mount: the board sent a %d-byte argument (broken frame?)", n)
		}
		d := make([]byte, n)
		if _, err := io.ReadFull(s.r, d); err != nil {
			return err
		}
		sv = append(sv, d)
	}
	var out reply
	s.mu.Lock()
	status := s.handle(op, iv, sv, &out)
	s.mu.Unlock()
	if s.o.Logger != nil {
		s.o.Logger.Debug("mount request", "op", op, "ints", iv, "strs", fmt.Sprintf("%q", sv), "status", status)
	}
	msg := binary.LittleEndian.AppendUint32([]byte{magic}, uint32(int32(status)))
	if status >= 0 {
		msg = append(msg, out.b...)
	}
	_, err = s.Write(msg)
	return err
}

// handle runs one request: its return value is the status (negative errno
// on failure), out collects the data that follows it.
func (s *Server) handle(op byte, iv []int64, sv [][]byte, out *reply) int64 {
	if s.root == nil {
		return -eNODEV
	}
	var p string
	if len(sv) > 0 {
		p = clean(sv[0])
	}
	write := op == opWrite || op == opRemove || op == opMkdir || op == opRmdir || op == opRename ||
		(op == opOpen && iv[0] != flagRead)
	if write && !s.writable {
		return -eROFS
	}
	switch op {
	case opStat:
		fi, err := s.root.Stat(p)
		if err != nil {
			return errno(err)
		}
		out.int(mode(fi))
		out.int(fi.Size())
		out.int(fi.ModTime().Unix())
		return 0
	case opListdir:
		d, err := s.root.Open(p)
		if err != nil {
			return errno(err)
		}
		defer d.Close()
		ents, err := d.ReadDir(-1)
		if err != nil {
			return errno(err)
		}
		for _, e := range ents {
			fi, err := e.Info()
			if err != nil {
				return errno(err)
			}
			out.data([]byte(e.Name()))
			out.int(mode(fi))
			out.int(fi.Size())
		}
		return int64(len(ents))
	case opOpen:
		if len(s.files) >= maxOpen {
			return -eMFILE
		}
		flags := map[int64]int{
			flagRead:   os.O_RDONLY,
			flagWrite:  os.O_WRONLY | os.O_CREATE | os.O_TRUNC,
			flagAppend: os.O_WRONLY | os.O_CREATE | os.O_APPEND,
			flagUpdate: os.O_RDWR,
		}
		fl, ok := flags[iv[0]]
		if !ok {
			return -eINVAL
		}
		f, err := s.root.OpenFile(p, fl, 0o644)
		if err != nil {
			return errno(err)
		}
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			f.Close()
			return -eISDIR
		}
		s.nextFD++
		s.files[s.nextFD] = f
		return int64(s.nextFD)
	case opRemove:
		if fi, err := s.root.Stat(p); err == nil && fi.IsDir() {
			return -eISDIR
		}
		return errno(s.root.Remove(p))
	case opRmdir:
		if fi, err := s.root.Stat(p); err == nil && !fi.IsDir() {
			return -eNOTDIR
		}
		return errno(s.root.Remove(p))
	case opMkdir:
		return errno(s.root.Mkdir(p, 0o755))
	case opRename:
		return errno(s.root.Rename(p, clean(sv[1])))
	}
	// File ops.
	f := s.files[int(iv[0])]
	if f == nil {
		return -eBADF
	}
	switch op {
	case opRead:
		want := iv[1]
		if want < 0 || want > maxRead {
			want = maxRead
		}
		buf := make([]byte, want)
		n, err := io.ReadFull(f, buf)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return errno(err)
		}
		out.data(buf[:n])
		return 0
	case opWrite:
		n, err := f.Write(sv[0])
		if err != nil {
			return errno(err)
		}
		return int64(n)
	case opSeek:
		pos, err := f.Seek(iv[1], int(iv[2]))
		if err != nil {
			return errno(err)
		}
		return pos
	case opClose:
		delete(s.files, int(iv[0]))
		return errno(f.Close())
	}
	return -eINVAL
}

// clean turns a path the board sends (absolute within the mount, or
// relative to its root) into one os.Root accepts; os.Root itself refuses
// whatever would still lead outside the folder.
func clean(p []byte) string {
	c := strings.TrimPrefix(path.Clean("/"+string(p)), "/")
	if c == "" {
		return "."
	}
	return c
}

// mode is the stat mode MicroPython's os module expects.
func mode(fi fs.FileInfo) int64 {
	if fi.IsDir() {
		return 0x4000
	}
	return 0x8000
}

// MicroPython's errno numbers (py/mperrno.h), which need not be the host's.
const (
	eNOENT  = 2
	eIO     = 5
	eBADF   = 9
	eACCES  = 13
	eEXIST  = 17
	eNODEV  = 19
	eNOTDIR = 20
	eISDIR  = 21
	eINVAL  = 22
	eMFILE  = 24
	eNOSPC  = 28
	eROFS   = 30
)

// errno is MicroPython's negative errno for err (0 for nil).
func errno(err error) int64 {
	if err == nil {
		return 0
	}
	for _, m := range []struct {
		target error
		no     int64
	}{
		{fs.ErrNotExist, eNOENT}, {fs.ErrExist, eEXIST}, {fs.ErrPermission, eACCES},
		{syscall.ENOTDIR, eNOTDIR}, {syscall.EISDIR, eISDIR}, {syscall.ENOSPC, eNOSPC},
		{syscall.EROFS, eROFS}, {syscall.EINVAL, eINVAL},
	} {
		if errors.Is(err, m.target) {
			return -m.no
		}
	}
	if strings.Contains(err.Error(), "escapes") {
		// os.Root's "path escapes from parent" has no errno.
		return -eACCES
	}
	return -eIO
}

//go:embed agent.py
var agentSrc string

var pointRE = regexp.MustCompile(`^/[A-Za-z0-9_]+$`)

// Agent is the Python source that mounts the served folder at point (e.g.
// DefaultPoint) on the board and makes it the current directory. Run it
// through the raw REPL before the script.
func Agent(point string) ([]byte, error) {
	if !pointRE.MatchString(point) {
		return nil, fmt.Errorf("mount: mount point %q: want one folder name under /, such as %s", point, DefaultPoint)
	}
	src := strings.Replace(agentSrc, "%q", strconv.Quote(point), 1)
	// Compiled under its own name, so a traceback through the agent does not
	// blame the lines of the user's script (the runner names <stdin> after it).
	return []byte("exec(compile(" + strconv.Quote(src) + ", \"<mount>\", \"exec\"))\n"), nil
}

// ErrUnsupported: the board's firmware cannot run the agent.
var ErrUnsupported = errors.New("mount: the board's firmware cannot mount a host folder")

// Attach runs the agent on the board through c (at the raw REPL prompt), so
// the served folder appears at point and is the current directory.
func Attach(ctx context.Context, c *rawrepl.Client, point string) error {
	src, err := Agent(point)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := c.Exec(ctx, src, &out, &out); err != nil {
		if errors.Is(err, rawrepl.ErrRaised) {
			return fmt.Errorf("%w (it needs MICROPY_VFS, io.IOBase and select): %s", ErrUnsupported, strings.TrimSpace(out.String()))
		}
		return fmt.Errorf("mount: %w", err)
	}
	return nil
}
