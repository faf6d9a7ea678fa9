// Package qemu runs a firmware ELF on its QEMU twin with the console UART on
// pipes (for programs such as the script runner), on a pty (for the serial
// monitor and other terminal tools), on a TCP socket (StartTCP), or on this
// terminal (Interactive).
//
// QEMU runs in its own process group and is killed with it when the context
// ends or Stop is called, so no emulator outlives the caller.
package qemu

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/log"

	"mpforge/internal/proc"
)

// DefaultBinary is the emulator used when Options.Binary is empty.
const DefaultBinary = "qemu-system-arm"

// Options say what to emulate.
type Options struct {
	Binary  string // emulator executable; DefaultBinary when empty
	Machine string // QEMU machine, e.g. "mps2-an505"
	Kernel  string // firmware ELF
	// Args are further QEMU arguments (the board file's qemu.args), appended
	// as given, e.g. "-semihosting" for firmware that exits through it.
	Args   []string
	Logger *log.Logger // QEMU's own messages at debug level; nil is quiet
}

// Instance is one running QEMU.
type Instance struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	done   chan struct{}
	err    error // exit status, valid after done is closed
	stderr *tail
	pty    string
	tcp    string
	conn   *pipeConn
}

// how long QEMU gets to exit after SIGTERM before it is killed outright.
const stopGrace = 3 * time.Second

func (o Options) args(serial string) ([]string, error) {
	if o.Machine == "" {
		return nil, errors.New("qemu: no machine given (e.g. mps2-an505); set it in the board file's emulator section")
	}
	if o.Kernel == "" {
		return nil, errors.New("qemu: no firmware ELF given; build the board first")
	}
	if _, err := os.Stat(o.Kernel); err != nil {
		return nil, fmt.Errorf("qemu: firmware %s is missing (%w); build the board first", o.Kernel, err)
	}
	a := []string{"-machine", o.Machine, "-display", "none", "-monitor", "none", "-serial", serial, "-kernel", o.Kernel}
	return append(a, o.Args...), nil
}

func (o Options) binary() string {
	if o.Binary != "" {
		return o.Binary
	}
	return DefaultBinary
}

// start launches QEMU with the given stdio files; the caller closes its
// copies of them once start returns.
func start(ctx context.Context, o Options, serial string, stdin, stdout *os.File) (*Instance, error) {
	args, err := o.args(serial)
	if err != nil {
		return nil, err
	}
	bin, err := exec.LookPath(o.binary())
	if err != nil {
		return nil, fmt.Errorf("qemu: %s not found on PATH; install QEMU's Arm system emulator (Debian/Ubuntu: apt install qemu-system-arm)", o.binary())
	}
	ctx, cancel := context.WithCancel(ctx)
	cmd := proc.Command(ctx, syscall.SIGTERM, stopGrace, bin, args...)
	cmd.Stdin, cmd.Stdout = stdin, stdout
	errR, errW, err := os.Pipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("qemu: %w", err)
	}
	cmd.Stderr = errW
	if o.Logger != nil {
		o.Logger.Debug("starting QEMU", "argv", strings.Join(append([]string{bin}, args...), " "))
	}
	if err := cmd.Start(); err != nil {
		cancel()
		errR.Close()
		errW.Close()
		return nil, fmt.Errorf("qemu: cannot start %s: %w", bin, err)
	}
	errW.Close()
	in := &Instance{cmd: cmd, cancel: cancel, done: make(chan struct{}), stderr: &tail{}}
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		in.stderr.follow(errR, o.Logger)
		errR.Close()
	}()
	go func() {
		err := cmd.Wait()
		<-logged
		// Killed by us (Stop or the caller's context) is not an error of QEMU's.
		if err != nil && ctx.Err() == nil {
			in.err = fmt.Errorf("qemu exited: %w%s", err, in.stderr.suffix())
		}
		close(in.done)
	}()
	return in, nil
}

// StartPipe starts QEMU with the console UART on pipes; Conn reads and writes it.
func StartPipe(ctx context.Context, o Options) (*Instance, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("qemu: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("qemu: %w", err)
	}
	in, err := start(ctx, o, "stdio", inR, outW)
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, err
	}
	in.conn = &pipeConn{r: outR, w: inW}
	return in, nil
}

// ptyLine is what QEMU prints on stdout once its pty exists.
var ptyLine = regexp.MustCompile(`char device redirected to (\S+)`)

// StartPTY starts QEMU with the console UART on a new pty; PTY names it.
func StartPTY(ctx context.Context, o Options) (*Instance, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("qemu: %w", err)
	}
	in, err := start(ctx, o, "pty", nil, outW)
	outW.Close()
	if err != nil {
		outR.Close()
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		defer outR.Close()
		sc := bufio.NewScanner(outR)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if m := ptyLine.FindStringSubmatch(line); m != nil && !sent {
				found <- m[1]
				sent = true
			} else if o.Logger != nil {
				o.Logger.Debug("qemu: " + line)
			}
		}
		if !sent {
			close(found)
		}
	}()
	select {
	case p, ok := <-found:
		if ok {
			in.pty = p
			return in, nil
		}
	case <-ctx.Done():
	}
	in.Stop()
	<-in.done
	return nil, fmt.Errorf("qemu did not create its pty%s", in.stderr.suffix())
}

// StartTCP starts QEMU with the console UART on a TCP server socket at addr
// ("127.0.0.1:4444"; one client at a time, which may come and go) and
// returns once the socket accepts connections.
func StartTCP(ctx context.Context, o Options, addr string) (*Instance, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("qemu: console address %q: want host:port, e.g. 127.0.0.1:4444", addr)
	}
	if l, err := net.Listen("tcp", addr); err != nil {
		return nil, fmt.Errorf("qemu: cannot serve the console on %s: %w", addr, err)
	} else {
		l.Close()
	}
	in, err := start(ctx, o, fmt.Sprintf("tcp:%s:%s,server=on,wait=off", host, port), nil, nil)
	if err != nil {
		return nil, err
	}
	// A connection that opens and closes again proves the server listens;
	// QEMU then waits for the next client.
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			in.tcp = addr
			return in, nil
		}
		select {
		case <-in.done:
			return nil, fmt.Errorf("qemu exited before serving its console on %s%s", addr, in.stderr.suffix())
		case <-ctx.Done():
			in.Stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TCP is the console address of an instance started with StartTCP ("" otherwise).
func (in *Instance) TCP() string { return in.tcp }

// Conn is the console UART of an instance started with StartPipe (nil otherwise).
// Reads end with io.EOF when QEMU exits.
func (in *Instance) Conn() io.ReadWriteCloser {
	if in.conn == nil {
		return nil
	}
	return in.conn
}

// PTY is the console pty of an instance started with StartPTY ("" otherwise).
func (in *Instance) PTY() string { return in.pty }

// Pid is QEMU's process id (and process group id).
func (in *Instance) Pid() int { return in.cmd.Process.Pid }

// Done is closed when QEMU has exited.
func (in *Instance) Done() <-chan struct{} { return in.done }

// Err is why QEMU exited on its own (with its last messages), or nil if it
// exited cleanly or was stopped. Valid once Done is closed.
func (in *Instance) Err() error {
	<-in.done
	return in.err
}

// Stop ends QEMU (SIGTERM to its process group, SIGKILL after a grace
// period) and waits for it. Stop on a stopped instance does nothing.
func (in *Instance) Stop() error {
	in.cancel()
	<-in.done
	if in.conn != nil {
		in.conn.Close()
	}
	return in.err
}

// pipeConn is the console seen through QEMU's stdio.
type pipeConn struct {
	r, w *os.File
	once sync.Once
}

func (c *pipeConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *pipeConn) Write(p []byte) (int, error) { return c.w.Write(p) }

func (c *pipeConn) Close() error {
	c.once.Do(func() {
		c.w.Close()
		c.r.Close()
	})
	return nil
}

// tail logs QEMU's stderr and keeps its last lines for error messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

const tailLines = 10

func (t *tail) follow(r io.Reader, logger *log.Logger) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if logger != nil {
			logger.Debug("qemu: " + line)
		}
		t.mu.Lock()
		t.lines = append(t.lines, line)
		if len(t.lines) > tailLines {
			t.lines = t.lines[1:]
		}
		t.mu.Unlock()
	}
}

// suffix is ": <last lines>" or "" when QEMU said nothing.
func (t *tail) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return ""
	}
	return ": " + strings.Join(t.lines, "; ")
}
