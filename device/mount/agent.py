# Board side of `device/mount`: a VFS whose files live on the host, reached
# over the console UART the script runs on. Sent through the raw REPL before
# each script; everything it defines is deleted again except the mounted
# object. Frame: board -> host DLE 0xA5 op args (int: u32 LE, str/bytes:
# u32 LE length + data); host -> board 0xA5, i32 LE status (-errno on
# error), then what the op returns.
def _mpforge_mount(where):
    import os, sys, io, select, micropython

    class Link:
        def __init__(s):
            s.i = sys.stdin.buffer
            s.o = sys.stdout.buffer
            s.p = select.poll()
            s.p.register(s.i, select.POLLIN)

        def call(s, op, *args):
            # Ctrl-C (0x03) may be a data byte in the reply: no interrupt
            # until end() re-arms it.
            micropython.kbd_intr(-1)
            o = s.o
            o.write(bytes((0x10, 0xA5, op)))
            for a in args:
                if isinstance(a, int):
                    o.write((a & 0xFFFFFFFF).to_bytes(4, "little"))
                else:
                    if isinstance(a, str):
                        a = a.encode()
                    o.write(len(a).to_bytes(4, "little"))
                    o.write(a)
            if not s.p.poll(5000) or s.i.read(1) != b"\xa5":
                s.end()
                raise OSError(19)  # ENODEV: nobody serves the folder
            r = s.int()
            if r < 0:
                s.end()
                raise OSError(-r)
            return r

        def int(s):
            v = int.from_bytes(s.i.read(4), "little")
            return v - 0x100000000 if v & 0x80000000 else v

        def data(s):
            n = s.int()
            return s.i.read(n) if n else b""

        def end(s):
            micropython.kbd_intr(3)

    class File(io.IOBase):
        def __init__(s, link, fd, text):
            s.l, s.fd, s.text = link, fd, text
            s.buf = b""  # read ahead by readline, not yet returned

        def _get(s, n):
            l = s.l
            l.call(3, s.fd, n)
            b = l.data()
            l.end()
            return b

        def _take(s, n):
            # n < 0: to the end, in one reply (one allocation on the board).
            b = s.buf
            if 0 <= n <= len(b):
                s.buf = b[n:]
                return b[:n]
            s.buf = b""
            return b + s._get(n if n < 0 else n - len(b))

        def _str(s, b):
            return str(b, "utf-8") if s.text else b

        def readinto(s, buf):
            b = s._take(len(buf))
            buf[: len(b)] = b
            return len(b)

        def read(s, n=-1):
            return s._str(s._take(n))

        def readline(s):
            while b"\n" not in s.buf:
                more = s._get(256)
                if not more:
                    break
                s.buf += more
            i = s.buf.find(b"\n") + 1 or len(s.buf)
            line, s.buf = s.buf[:i], s.buf[i:]
            return s._str(line)

        def readlines(s):
            return list(s)

        def __iter__(s):
            return s

        def __next__(s):
            line = s.readline()
            if not line:
                raise StopIteration
            return line

        def write(s, b):
            if s.buf:
                s.seek(0, 1)  # drop the read-ahead: write where the reader is
            if isinstance(b, str):
                b = b.encode()
            n = s.l.call(4, s.fd, b)
            s.l.end()
            return n

        def seek(s, off, whence=0):
            if whence == 1:
                off -= len(s.buf)
            s.buf = b""
            r = s.l.call(5, s.fd, off, whence)
            s.l.end()
            return r

        def tell(s):
            return s.seek(0, 1)

        def flush(s):
            pass

        def close(s):
            if s.fd >= 0:
                fd, s.fd = s.fd, -1
                s.l.call(6, fd)
                s.l.end()

        def ioctl(s, op, arg):
            if op == 4:  # MP_STREAM_CLOSE
                s.close()
            if op == 11:  # MP_STREAM_GET_BUFFER_SIZE: the import reader's chunk
                return 512
            return 0

        def __enter__(s):
            return s

        def __exit__(s, *a):
            s.close()

    class Host:
        def __init__(s):
            s.l = Link()
            s.cwd = "/"

        def _abs(s, p):
            return p if p.startswith("/") else s.cwd.rstrip("/") + "/" + p

        def _simple(s, op, *args):
            r = s.l.call(op, *args)
            s.l.end()
            return r

        def mount(s, readonly, mkfs):
            pass

        def umount(s):
            pass

        def stat(s, p):
            l = s.l
            l.call(1, s._abs(p))
            mode, size, mtime = l.int(), l.int(), l.int()
            l.end()
            return (mode, 0, 0, 0, 0, 0, size, mtime, mtime, mtime)

        def ilistdir(s, p):
            l = s.l
            n = l.call(2, s._abs(p))
            out = []
            for _ in range(n):
                name = str(l.data(), "utf-8")
                out.append((name, l.int(), 0, l.int()))
            l.end()
            return iter(out)

        def open(s, p, mode):
            flags = 1 if "w" in mode else 2 if "a" in mode else 3 if "+" in mode else 0
            fd = s._simple(7, s._abs(p), flags)
            return File(s.l, fd, "b" not in mode)

        def chdir(s, p):
            p = s._abs(p)
            if not s.stat(p)[0] & 0x4000:
                raise OSError(20)  # ENOTDIR
            s.cwd = p

        def getcwd(s):
            return s.cwd

        def remove(s, p):
            s._simple(8, s._abs(p))

        def mkdir(s, p):
            s._simple(9, s._abs(p))

        def rmdir(s, p):
            s._simple(10, s._abs(p))

        def rename(s, a, b):
            s._simple(11, s._abs(a), s._abs(b))

        def statvfs(s, p):
            return (512, 512, 0, 0, 0, 0, 0, 0, 0, 255)

    os.mount(Host(), where)
    os.chdir(where)


_mpforge_mount(%q)
del _mpforge_mount
