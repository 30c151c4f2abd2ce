#!/usr/bin/env python3
"""pty_run.py OUT TRANSCRIPT cmd...: run cmd with its stderr (only) on a
pseudo-terminal, stdout to OUT, and save every byte the terminal got to
TRANSCRIPT.  Bounded: the command is killed after 60 s.  Exits with the
command's status."""
import os
import pty
import select
import subprocess
import sys
import time


def main():
    out, transcript, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    master, slave = pty.openpty()
    with open(out, "wb") as fo:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fo,
                             stderr=slave, close_fds=True)
    os.close(slave)
    got = b""
    deadline = time.time() + 60
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                d = os.read(master, 65536)
            except OSError:     # EIO: the last writer closed the pty
                break
            if not d:
                break
            got += d
        elif p.poll() is not None:
            break
    if p.poll() is None:
        p.kill()
    rc = p.wait()
    os.close(master)
    with open(transcript, "wb") as f:
        f.write(got)
    sys.exit(rc if rc >= 0 else 128 - rc)


main()
