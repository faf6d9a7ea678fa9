# Board side of boardfs.Sync: copy the mounted host folder (the current
# directory, /remote) into the board's own filesystem at DEST, rewriting only
# files whose bytes differ, so unchanged files cost no flash erase.
def _mpforge_sync(dest):
    import os

    buf = bytearray(512)
    mv = memoryview(buf)
    copied = same = 0

    def isdir(p):
        try:
            return os.stat(p)[0] & 0x4000
        except OSError:
            return False

    def equal(src, dst):
        try:
            if os.stat(dst)[6] != os.stat(src)[6]:
                return False
        except OSError:
            return False
        other = bytearray(512)
        with open(src, "rb") as a, open(dst, "rb") as b:
            while True:
                n = a.readinto(buf)
                if n != b.readinto(other) or buf[:n] != other[:n]:
                    return False
                if not n:
                    return True

    def walk(rel):
        nonlocal copied, same
        here = dest.rstrip("/") + rel
        if rel and not isdir(here):
            os.mkdir(here)
        for name in sorted(os.listdir("/remote" + rel)):
            src = "/remote" + rel + "/" + name
            dst = here.rstrip("/") + "/" + name
            if os.stat(src)[0] & 0x4000:
                walk(rel + "/" + name)
            elif equal(src, dst):
                same += 1
            else:
                with open(src, "rb") as a, open(dst, "wb") as b:
                    while True:
                        n = a.readinto(buf)
                        if not n:
                            break
                        b.write(mv[:n])
                print("copied", dst, os.stat(dst)[6])
                copied += 1

    if not isdir(dest):
        os.mkdir(dest)
    walk("")
    print("synced", copied, "copied", same, "unchanged")


_mpforge_sync(%q)
del _mpforge_sync
