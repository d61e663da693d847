#!/usr/bin/env python3
"""The progress line (issue 19): on a terminal a long command shows on
stderr what it is doing (SSMHEADS_PROGRESS_DELAY=0 here instead of the 2
seconds, so a small model suffices) and erases the line before its results;
--no-progress, or a stderr that is not a terminal, shows nothing; stdout
is the same JSON either way.  Prints "N passed, N failed"."""
import json
import os
import pty
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402

PROG = os.environ.get('SSMHEADS', './ssmheads')
TOP = os.environ.get('top_srcdir', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
MODEL = os.path.join(TOP, 'witnesses', 'hard', 'comp4_10.json')


def run(extra, tty):
    env = dict(os.environ, SSMHEADS_PROGRESS_DELAY='0')
    if not tty:
        p = subprocess.run([PROG, 'gradient', MODEL, '--json'] + extra, capture_output=True, env=env,
                           timeout=600)
        return p.returncode, p.stdout.decode(), p.stderr.decode()
    master, slave = pty.openpty()
    p = subprocess.Popen([PROG, 'gradient', MODEL, '--json'] + extra, stdout=subprocess.PIPE,
                         stderr=slave, env=env)
    os.close(slave)
    out = p.stdout.read()
    err = b''
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:   # EIO: the child closed the terminal
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    p.wait(timeout=600)
    return p.returncode, out.decode(), err.decode(errors='replace')


def have_pty():
    """False where no terminal can be opened (a chroot without /dev/pts)."""
    try:
        master, slave = pty.openpty()
    except OSError:
        return False
    os.close(master)
    os.close(slave)
    return True


def main():
    t = Tally()
    rc, out, err = run([], False)
    t.check(rc == 0 and err == '', 'not a terminal: nothing on stderr: %r' % err[:200])
    ref = json.loads(out)
    if not have_pty():
        # the terminal checks need a pseudo-terminal; without any there is
        # nothing left to test but the case above
        print('SKIP 5: no pseudo-terminal can be opened here (is /dev/pts mounted?)')
        return t.finish()
    rc, out, err = run([], True)
    t.check(rc == 0, 'terminal: exit %d' % rc)
    t.check('\rssmheads: gradient: ' in err, 'terminal: a progress line on stderr: %r' % err[:200])
    t.check(err.endswith('\r\033[K'), 'terminal: the line is erased at the end: %r' % err[-40:])
    t.check(json.loads(out) == ref, 'terminal: the same JSON')
    rc, out, err = run(['--no-progress'], True)
    t.check(rc == 0 and err == '', '--no-progress: nothing on stderr: %r' % err[:200])
    t.check(json.loads(out) == ref, '--no-progress: the same JSON')
    return t.finish()


if __name__ == '__main__':
    sys.exit(main())
