#!/usr/bin/env python3
"""Resource limits (issue 7): --max-state/--max-dim, --max-digits,
--max-bits, --timeout and --max-memory each end a run with exit 6 and a
message saying which limit, in bounded time, leaving no output file; and a
run interrupted by SIGINT or SIGTERM leaves its output complete or absent.
(--max-memory is skipped for AddressSanitizer builds, which need their
address space.)  Prints "N passed, N failed".
"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402
import time

PROG = os.environ.get('SSMHEADS', './ssmheads')
SEED = int(os.environ.get('SSMH_TEST_SEED', '20261124'))


def f32hex(x):
    return struct.unpack('<f', struct.pack('<f', x))[0].hex()


def under_valgrind():
    """make check-valgrind runs the program through vg-ssmheads: CPU time,
    address space and signal timing are valgrind's then, not ours."""
    return os.path.basename(PROG).startswith('vg-')


def asan_build():
    for p in (PROG, os.path.join(os.path.dirname(PROG), '.libs', 'ssmheads'),
              os.path.join(os.path.dirname(PROG), '.libs', 'libssmheads.so')):
        try:
            with open(p, 'rb') as f:
                if b'__asan_init' in f.read():
                    return True
        except OSError:
            pass
    return False


def hollow_bank(tmp, check):
    """A channel bank whose B and C claim 2^27 realified entries (32768
    complex modes, 2048 channels) with 32 nonzeros each: within the dense
    bounds of the default limits, so both programs accept it, and they hold
    it sparsely -- heads (16 independent lags on 32 positions: an
    annihilator of degree 16, checked on the blocks B's columns meet) and
    gradient and both verifications run under a 1 GiB address space (a dense
    B alone would take 2 GiB in the producer and 6 GiB in the checker)."""
    import resource
    H, modes = 2048, 16
    N = H * modes
    used = list(range(0, H, 64))
    lam = [("%d/%d" % (j + 2, 3 * (j + 4)), "1/%d" % (j + 3)) for j in range(8)]
    re, im = [lam[0][0]] * N, [lam[0][1]] * N   # 8 distinct eigenvalues
    for j, c in enumerate(used):
        re[c * modes], im[c * modes] = lam[j % 8]
    model = os.path.join(tmp, 'hollow.json')
    with open(model, 'w') as f:
        json.dump({"format": "ssmheads-model/1", "name": "hollow bank",
                   "A": {"complex_diag": {"re": re, "im": im}},
                   "B": {"rows": N, "cols": H, "entries": [[c * modes, c, "1"] for c in used]},
                   "C": {"re": {"rows": H, "cols": N,
                                "entries": [[c, c * modes, "%d/3" % (j + 1)] for j, c in enumerate(used)]},
                         "im": {"rows": H, "cols": N,
                                "entries": [[c, c * modes, "%d/5" % (j * j % 7 + 1)] for j, c in enumerate(used)]}}}, f)

    def capped():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    for cmd in (['heads', model, '-n', '4'], ['gradient', model, '--eps', '1/1000']):
        cert = os.path.join(tmp, 'hollow_%s.cert' % cmd[0])
        r = subprocess.run([PROG] + cmd + ['--cert', cert], capture_output=True, text=True,
                           timeout=300, preexec_fn=capped)
        check(r.returncode == 0 and os.path.exists(cert),
              'hollow bank, %s under 1 GiB: exit 0 (%d %s)' % (cmd[0], r.returncode, r.stderr.strip()[:200]))
        r = subprocess.run([PROG, 'verify', cert], capture_output=True, text=True, timeout=300,
                           preexec_fn=capped)
        check(r.returncode == 0 and 's VERIFIED' in r.stdout
              and (cmd[0] != 'heads' or 'annihilator degree 16' in r.stdout),
              'hollow bank, verify %s under 1 GiB: verified (%d %s %s)'
              % (cmd[0], r.returncode, r.stdout.strip()[-200:], r.stderr.strip()[:200]))


def main():
    rng = random.Random(SEED)
    tmp = tempfile.mkdtemp(prefix='ssmh_lim_')

    tally = Tally()
    check = tally.check

    def run(args, timeout=120):
        t0 = time.time()
        r = subprocess.run([PROG] + args, capture_output=True, text=True, timeout=timeout)
        return r, time.time() - t0

    grow = os.path.join(tmp, 'grow.json')
    with open(grow, 'w') as f:
        json.dump({"format": "ssmheads-model/1", "A": [["3/7"]], "B": [[1]], "C": [[1]]}, f)
    out = os.path.join(tmp, 'out.json')
    r, _ = run(['gradient', grow, '--lags', '400', '--max-bits', '300', '--cert', out])
    check(r.returncode == 6 and '--max-bits' in r.stderr and not os.path.exists(out),
          '--max-bits: exit 6, message, no certificate (%d %s)' % (r.returncode, r.stderr.strip()))
    r, _ = run(['gradient', grow, '--lags', '20', '--max-bits', '300'])
    check(r.returncode == 0, '--max-bits not hit: exit 0')

    r, _ = run(['heads', grow, '--max-state', '0'])
    check(r.returncode == 3, '--max-state 0 is a usage error')
    three = os.path.join(tmp, 'three.json')
    with open(three, 'w') as f:
        json.dump({"format": "ssmheads-model/1", "A": {"diag": ["1/2", "1/3", "1/4"]},
                   "B": [[1], [1], [1]], "C": [[1, 1, 1]]}, f)
    r, _ = run(['heads', three, '--max-state', '2'])
    check(r.returncode == 6 and 'limit' in r.stderr, '--max-state 2 on N = 3: exit 6 (%s)' % r.stderr.strip())
    r, _ = run(['heads', three, '--max-digits', '0'])
    check(r.returncode == 3, '--max-digits 0 is a usage error')
    digits = os.path.join(tmp, 'digits.json')
    with open(digits, 'w') as f:
        json.dump({"format": "ssmheads-model/1", "A": [["12345678901234567890"]], "B": [[1]], "C": [[1]]}, f)
    r, _ = run(['heads', digits, '--max-digits', '10'])
    check(r.returncode == 6 and '$.A[0][0]' in r.stderr, '--max-digits: exit 6 naming the entry')

    # a dense float32-derived model that takes several CPU seconds
    N = 160
    big = os.path.join(tmp, 'big.json')
    s = 0.9 / N ** 0.5
    with open(big, 'w') as f:
        json.dump({"format": "ssmheads-model/1",
                   "A": [[f32hex(rng.gauss(0, s)) for _ in range(N)] for _ in range(N)],
                   "B": [[f32hex(rng.gauss(0, 1)) for _ in range(8)] for _ in range(N)],
                   "C": [[f32hex(rng.gauss(0, 1)) for _ in range(N)] for _ in range(8)]}, f)
    if under_valgrind():
        print('(--timeout, --max-memory and interruption not tested under valgrind)')
        return tally.finish()
    # verify has the same limits (issue 15): exit 6, "s NOT VERIFIED", the limit named
    vdir = os.path.join(os.environ.get('top_srcdir', '.'), 'witnesses', 'verify')
    r, secs = run(['verify', os.path.join(vdir, 'attack_lags_growth.cert'), '--timeout', '1'])
    check(r.returncode == 6 and 'time limit' in r.stderr and 's NOT VERIFIED' in r.stdout and secs < 30,
          'verify --timeout 1: exit 6 in %.1f s (%d %s)' % (secs, r.returncode, r.stderr.strip()[:100]))
    if not asan_build():
        r, secs = run(['verify', os.path.join(vdir, 'attack_approx_exact_n.cert'), '--max-memory', '60M'])
        check(r.returncode == 6 and 'out of memory' in r.stderr and 's NOT VERIFIED' in r.stdout,
              'verify --max-memory 60M: exit 6 (%d %s)' % (r.returncode, r.stderr.strip()[:100]))
    out = os.path.join(tmp, 'out2.json')
    r, secs = run(['gradient', big, '--lags', '3000', '--timeout', '1', '--cert', out])
    check(r.returncode == 6 and 'time limit' in r.stderr and not os.path.exists(out) and secs < 30,
          '--timeout 1: exit 6 in %.1f s, no output (%d %s)' % (secs, r.returncode, r.stderr.strip()[:100]))

    if asan_build():
        print('(--max-memory not tested: AddressSanitizer build)')
    else:
        # (the exact representation's lags grow past 60 MiB within seconds)
        out = os.path.join(tmp, 'out3.json')
        r, secs = run(['construct', big, '-n', '200', '--max-memory', '60M', '-o', out])
        check(r.returncode == 6 and 'memory' in r.stderr and not os.path.exists(out),
              '--max-memory 60M: exit 6, message, no output (%d %s)' % (r.returncode, r.stderr.strip()[:200]))
        r, _ = run(['heads', three, '--max-memory', '0'])
        check(r.returncode == 0, '--max-memory 0 means no limit')
    if not asan_build():
        hollow_bank(tmp, check)
    # interruption: SIGINT or SIGTERM at a random moment of a --cert or -o
    # run leaves the output complete or absent, and no temporary file
    import signal
    d = os.path.join(tmp, 'int')
    os.makedirs(d)
    ok, finished = True, 0
    for i in range(12):
        out = os.path.join(d, 'c%d.json' % i)
        args = ['heads', big, '--cert', out] if i % 2 else ['minimal', big, '-o', out]
        p = subprocess.Popen([PROG] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.6))
        p.send_signal(signal.SIGINT if i % 3 else signal.SIGTERM)
        p.wait(timeout=120)
        if os.path.exists(out):
            finished += 1
            try:
                json.load(open(out))
            except ValueError:
                ok = False
                print('incomplete output after signal (run %d, %s, exit %d)' % (i, args[0], p.returncode))
        stray = [n for n in os.listdir(d) if '.tmp.' in n]
        if stray:
            ok = False
            print('temporary files left (run %d, %s, exit %d): %s' % (i, args[0], p.returncode, stray))
            for n in stray:
                os.unlink(os.path.join(d, n))
    check(ok, 'interrupted --cert / -o runs: outputs complete or absent, no temporary files '
          '(%d of 12 finished first)' % finished)
    r, _ = run(['heads', three, '--max-memory', 'lots'])
    check(r.returncode == 3, '--max-memory lots is a usage error')
    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
