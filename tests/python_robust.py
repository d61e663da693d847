#!/usr/bin/env python3
"""The Python package under stress: errors and limits as exceptions (the
class of the CLI's exit code, its message, the JSON path), the CPU-time and
memory limits in a process of their own (and Ctrl-C there), certificates
checked by both independent checkers (the C ssmheads-verify through
ssmheads.verify, and the Python tests/verify_*.py) with mutants rejected by
both, thousands of calls with flat memory (RSS measured), calls from
several threads, batch, the package without numpy and torch, and the
notebook views.  Prints "N passed, N failed, N skipped".
"""
import copy
import json
import os
import pickle
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import python_support as sup  # noqa: E402

ssmheads = sup.setup()
import verify_approx  # noqa: E402
import verify_gradient  # noqa: E402
import verify_heads  # noqa: E402
import verify_represent  # noqa: E402

W = os.path.join(sup.TOP, 'witnesses')
rng = random.Random(sup.SEED)


def errors(tally):
    M = ssmheads.Model
    tally.raises(ssmheads.InvalidInput, lambda: M([[1, 2], [3]], [[1], [1]], [[1, 1]]),
                 'a ragged A', lambda e: e.exit_code == 4 and e.path.startswith('$.A'))
    tally.raises(ssmheads.InvalidInput, lambda: M([[1, 2], [3, 4]], [[1]], [[1, 1]]),
                 'B with the wrong number of rows', lambda e: e.path.startswith('$.B'))
    tally.raises(ssmheads.InvalidInput, lambda: M([[1, 'x']], [[1]], [[1]]),
                 'InvalidInput carries the path and the library\'s message',
                 lambda e: e.path == '$.A[0][1]' and str(e) == 'model: $.A[0][1]: not a number: "x"'
                 and isinstance(e, ValueError))
    tally.raises(ssmheads.FileError, lambda: M.load('/nonexistent/m.json'),
                 'a missing file is a FileError (an OSError)',
                 lambda e: e.exit_code == 5 and isinstance(e, OSError)
                 and e.file == '/nonexistent/m.json')
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, 'bad.json')
        with open(bad, 'w') as f:
            f.write('{"format": "ssmheads-model/1",\n "A": [[1]], "B": [[1]], "C": [[1]],,}')
        tally.raises(ssmheads.InvalidInput, lambda: M.load(bad), 'broken JSON: line and column',
                     lambda e: e.file == bad and e.line == 2)
        m = M([['1/2']], [[1]], [[1]], name='half')
        path = os.path.join(tmp, 'saved.json')
        m.save(path)
        tally.check(M.load(path) == m and [n for n in os.listdir(tmp) if '.tmp' in n] == [],
                    'save (atomic, by the library) and load give the same model')
        tally.raises(ssmheads.FileError, lambda: m.save(os.path.join(tmp, 'no', 'dir.json')),
                     'save into a missing directory: FileError')
    m = M([['1/2', 1], [0, '1/3']], [[1], [0]], [[0, 1]])
    tally.raises(ssmheads.UsageError, lambda: m.heads(n=0), 'n = 0', lambda e: e.path == '$.n')
    tally.raises(ssmheads.UsageError, lambda: m.heads(n='3'), 'n as a string')
    tally.raises(ssmheads.UsageError, lambda: m.heads(n=True), 'n as a boolean')
    tally.raises(ssmheads.UsageError, lambda: m.construct(), 'construct needs n',
                 lambda e: e.path == '$.n' and e.exit_code == 3)
    tally.raises(ssmheads.UsageError, lambda: m.approx(n=4), 'approx needs eps')
    tally.raises(ssmheads.UsageError, lambda: m.gradient(eps=-1), 'a negative eps',
                 lambda e: e.path == '$.eps')
    tally.raises(ssmheads.UsageError, lambda: m.approx(n=4, eps=1, method='fast'),
                 'an unknown method')
    tally.raises(TypeError, lambda: m.heads(n=4, max_bitz=3), 'an unknown keyword')
    tally.raises(ssmheads.UsageError, lambda: m.heads(max_bits='lots'), 'max_bits as a string')
    halves = M.load(os.path.join(W, 'approx', 'halves.json'))
    tally.raises(ssmheads.Undecided, lambda: halves.approx(n=3, eps=1, method='enclosure'),
                 'eps on a boundary: Undecided (exit 2)',
                 lambda e: e.exit_code == 2 and 'too close' in str(e))
    grow = M([['3/7']], [[1]], [[1]])
    tally.raises(ssmheads.LimitExceeded, lambda: grow.gradient(lags=400, max_bits=300),
                 'max_bits: LimitExceeded', lambda e: e.exit_code == 6 and 'max-bits' in str(e))
    tally.check(grow.gradient(lags=20, max_bits=300).stable == 'stable', 'max_bits not hit')
    tally.raises(ssmheads.LimitExceeded, lambda: M([['12345678901234567890']], [[1]], [[1]],
                                                   max_digits=10),
                 'max_digits names the entry', lambda e: e.path == '$.A[0][0]')
    tally.raises(ssmheads.LimitExceeded,
                 lambda: M.diag(['1/2', '1/3', '1/4'], [[1]] * 3, [[1] * 3], max_dim=2),
                 'max_dim')
    e = ssmheads.InvalidInput('msg', 'f.json', '$.A', 1, 2, 'parse error', -1, 4)
    e2 = pickle.loads(pickle.dumps(e))
    tally.check(type(e2) is ssmheads.InvalidInput and str(e2) == str(e) and e2.path == '$.A',
                'exceptions pickle (for multiprocessing)')
    # a file an import cannot read names the file; layouts as `import` refuses them
    tally.raises(ssmheads.InvalidInput,
                 lambda: ssmheads.import_weights(os.path.join(W, 'weights', 'ssm.npz'),
                                                 layout='s5'),
                 'import: a missing tensor', lambda e: 'Lambda_re' in str(e))
    tally.raises(ssmheads.UsageError,
                 lambda: ssmheads.import_weights(os.path.join(W, 'weights', 'ssm.npz'),
                                                 layout='mamba'), 'import: an unknown layout')


def big_dense(np):
    N = 160
    g = np.random.default_rng(sup.SEED)
    return ssmheads.Model(g.normal(0, 0.9 / N ** 0.5, (N, N)).astype(np.float32),
                          g.normal(0, 1, (N, 8)).astype(np.float32),
                          g.normal(0, 1, (8, N)).astype(np.float32))


def children():
    """Processes whose parent is this one."""
    me, out = os.getpid(), []
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open('/proc/%s/stat' % d) as f:
                    if int(f.read().rsplit(')', 1)[1].split()[1]) == me:
                        out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def process_limits(tally, np):
    m = ssmheads.Model.load(os.path.join(W, 'heads', 'rotation.json'))
    tally.check(m.heads(n=8, isolate=True).as_dict() == m.heads(n=8).as_dict()
                and m.gradient(eps='1/10', isolate=True).svg == m.gradient(eps='1/10').svg,
                'isolate=True (ssmheads call) answers as the in-process call')
    tally.raises(ssmheads.UsageError, lambda: m.heads(timeout=-1), 'timeout must be positive')
    tally.raises(ssmheads.InvalidInput,
                 lambda: ssmheads.Model([[1, 'x']], [[1]], [[1]], isolate=True),
                 'errors come back from the isolated process too',
                 lambda e: e.path == '$.A[0][1]')
    if np is None:
        tally.skip(4, 'timeout, max_memory and Ctrl-C need numpy for their big model')
        return
    big = big_dense(np)
    t0 = time.time()
    tally.raises(ssmheads.LimitExceeded, lambda: big.gradient(lags=3000, timeout=1),
                 'timeout=1: LimitExceeded', lambda e: 'time limit' in str(e))
    tally.check(time.time() - t0 < 60, 'timeout=1 ends within a minute (%.1f s)' % (
        time.time() - t0))
    if sup.asan():
        tally.skip(1, 'max_memory: AddressSanitizer reserves the address space')
    else:
        # (the exact representation's lags grow past 60 MiB within seconds)
        tally.raises(ssmheads.LimitExceeded, lambda: big.construct(n=200, max_memory=60 << 20),
                     'max_memory=60 MiB: LimitExceeded', lambda e: 'memory' in str(e))
    # Ctrl-C during an isolated call: KeyboardInterrupt, and the child is gone
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.time()
    try:
        big.gradient(lags=3000, isolate=True)
        got = 'no interrupt'
    except KeyboardInterrupt:
        got = 'interrupt'
    timer.join()
    time.sleep(0.2)
    tally.check(got == 'interrupt' and time.time() - t0 < 30 and not children(),
                'Ctrl-C stops an isolated call and its process (%s, %.1f s, children %s)' % (
                    got, time.time() - t0, children()))


def python_verdict(check, cert, unjudged=()):
    return verify_heads.verdict(check, json.loads(json.dumps(cert)), unjudged)


def certificates(tally):
    rot = ssmheads.Model.load(os.path.join(W, 'attention', 'rot.json'))
    decay = ssmheads.Model.diag(['1/2', '-1/3', '0x1p-4'], [[1], [1], [1]], [[1, 2, '3/4']])
    layer = ssmheads.Attention.load(os.path.join(W, 'attention', 'exact_span.json'))
    one = ssmheads.Attention(values=[[[1, 0], [0, 1]]])
    made = [('heads', rot.heads(n=8, certificate=True), verify_heads.check, ()),
            ('heads', decay.heads(n=5, certificate=True), verify_heads.check, ()),
            ('gradient', decay.gradient(eps='1/100', certificate=True), verify_gradient.check,
             verify_gradient.Unjudged),
            ('represent', layer.represent(rot, n=100, certificate=True), verify_represent.check,
             ()),
            ('represent', one.represent(rot, n=4, certificate=True), verify_represent.check, ()),
            ('approx', decay.approx(n=6, eps='1/10', certificate=True), verify_approx.check, ())]
    for kind, r, check, unjudged in made:
        c = ssmheads.verify(r)
        tally.check(bool(c) and c.exit_code == 0 and c.message,
                    '%s certificate: the C checker accepts it (%r)' % (kind, c))
        tally.check(python_verdict(check, r.certificate, unjudged) is True,
                    '%s certificate: the Python checker accepts it' % kind)
        # a mutant whose claim is false: k + 1, half the gamma, the verdict
        # flipped, H + 1
        bad = copy.deepcopy(r.certificate)
        claim = bad['claim']
        if kind == 'heads':
            claim['k'] += 1
        elif kind == 'gradient':
            claim['gamma'] = str(Fraction(claim['gamma']) / 2)
        elif kind == 'represent':
            claim['representable'] = not claim['representable']
        else:
            claim['H'] += 1
        v = ssmheads.verify(bad)
        tally.check(not v and v.exit_code == 1 and v.message,
                    '%s certificate with a false claim: the C checker rejects it (%r)' % (kind, v))
        tally.check(python_verdict(check, bad, unjudged) is not True,
                    '%s certificate with a false claim: the Python checker rejects it' % kind)
    # the embedded model must be the one given
    r = rot.heads(n=8, certificate=True)
    tally.check(ssmheads.verify(r, model=rot) and not ssmheads.verify(r, model=decay),
                'verify(model=...) requires the embedded model')
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'c.json')
        with open(path, 'w') as f:
            json.dump(r.certificate, f)
        tally.check(ssmheads.verify(path) and ssmheads.verify(json.dumps(r.certificate))
                    and ssmheads.verify(r.certificate), 'verify takes a path, JSON text, a dict')
    tally.check(not ssmheads.verify('{"format": "ssmheads-cert/1"}'),
                'a truncated certificate is rejected')
    tally.raises(ssmheads.UsageError, lambda: ssmheads.verify(rot.heads(n=8)),
                 'verify of a result without a certificate')
    tally.raises(ssmheads.FileError, lambda: ssmheads.verify('/nonexistent/c.json'),
                 'verify of a missing file')


def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def flat_memory(tally):
    """Thousands of calls -- models, answers, errors -- with flat RSS."""
    rounds = max(300, int((300 if sup.asan() else 2000) * sup.MULT))
    att = ssmheads.Attention(values=[[[1, 0], [0, 1]], [[0, -1], [1, 0]]])

    def one(i):
        m = ssmheads.Model([[Fraction(1, 2 + i % 5), 1], [0, -0.25]], [[1, 0], [0, 1]],
                           [[1, 0], [0, 1]])
        m.heads(n=6, certificate=True)
        m.gradient(eps='1/100', plot=True)
        att.represent(m, n=3)
        try:
            ssmheads.Model([[1, 'nope']], [[1]], [[1]])
        except ssmheads.InvalidInput:
            pass
        try:
            m.lags(400, max_bits=64)
        except ssmheads.LimitExceeded:
            pass
    if not os.path.exists('/proc/self/statm'):
        tally.skip(1, 'flat RSS: no /proc here to read it from (a chroot without /proc?)')
        return
    for i in range(100):
        one(i)
    before = rss()
    t0 = time.time()
    for i in range(rounds):
        one(i)
    grown = rss() - before
    calls = rounds * 6
    print('%d calls in %.1f s: RSS %.1f MiB -> %.1f MiB' % (calls, time.time() - t0,
                                                           before / 2 ** 20, (before + grown) / 2 ** 20))
    if sup.asan():   # its quarantine holds freed memory back: RSS says nothing there
        tally.skip(1, 'flat RSS under AddressSanitizer (%d calls ran)' % calls)
    else:
        tally.check(grown < 4 << 20, '%d calls: RSS grew by %.2f MiB (< 4 MiB)' % (
            calls, grown / 2 ** 20))


def threads(tally):
    models = [ssmheads.Model.diag([Fraction(1, k + 2), Fraction(-1, k + 3), '1/7'], [[1]] * 3,
                                  [[1, k, 2]]) for k in range(8)]
    want = [m.gradient(eps='1/1000').as_dict() for m in models]
    got = [None] * 8

    def work(i):
        for _ in range(5):
            got[i] = models[i].gradient(eps='1/1000').as_dict()
    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    tally.check(got == want, 'eight threads calling at once get the lone answers')
    rs = ssmheads.batch(models, 'heads', n=4, jobs=3)
    tally.check([r.as_dict() for r in rs] == [m.heads(n=4).as_dict() for m in models],
                'batch(models, "heads") in 3 threads')
    rs = ssmheads.batch(models[:2] + [models[0]], 'approx', errors='return', n=3)
    tally.check(all(isinstance(r, ssmheads.UsageError) for r in rs),
                'batch errors="return": each failure in its place')
    seen = []
    ssmheads.batch(models, 'minimal', progress=lambda d, t: seen.append((d, t)))
    tally.check(seen[-1] == (8, 8) and len(seen) == 8, 'batch progress callback')


def without_numpy(tally):
    code = r'''
import sys
class Block:
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('numpy', 'torch'):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
sys.path.insert(0, sys.argv[1])
import ssmheads
m = ssmheads.Model([[0.5, '1/3'], [0, 1]], [[1], [1]], [[1, 0]])
r = m.heads(n=4)
assert 'numpy' not in sys.modules and 'torch' not in sys.modules
print(r.k, m.A[0][0])
'''
    p = subprocess.run([sys.executable, '-c', code, os.path.join(sup.TOP, 'python')],
                       capture_output=True, text=True, env=os.environ)
    tally.check(p.returncode == 0 and p.stdout.strip() == '1 1/2',
                'the package imports and works without numpy and torch (%s %s)' % (
                    p.stdout.strip(), p.stderr.strip()[-300:]))
    p = subprocess.run([sys.executable, '-c', 'import sys; sys.path.insert(0, sys.argv[1]); '
                        'import ssmheads; print(sorted(m for m in ("numpy", "torch") '
                        'if m in sys.modules))', os.path.join(sup.TOP, 'python')],
                       capture_output=True, text=True)
    tally.check(p.stdout.strip() == '[]', 'import ssmheads imports neither numpy nor torch')


def views(tally):
    m = ssmheads.Model.load(os.path.join(W, 'attention', 'rot.json'))
    g = m.gradient(eps='1/10')
    h = g._repr_html_()
    tally.check(h.count('<svg') == 1 and '<table>' in h and 'stable' in h,
                'the gradient result shows a table and the library\'s plot')
    a = m.approx(n=5, eps='1/2', curve=True)
    tally.check(a.svg and a.svg.startswith('<svg') and a.svg in a._repr_html_()
                and len(a.curve) == a.k + 1 and all(lo <= hi for lo, hi in a.curve),
                'the approx result holds its curve and plot')
    r = m.heads(n=8)
    tally.check(repr(r).startswith('HeadsResult(k=2, n=8,') and r.k_at(1) == 1
                and r.k_at(10 ** 6) == r.k_inf, 'heads repr and k_at: %r' % r)
    r2 = pickle.loads(pickle.dumps(r))
    m2 = pickle.loads(pickle.dumps(m))
    tally.check(m2 == m and m2.heads(n=8) == r and r2 == r and r2.model == m,
                'models and results pickle')
    tally.check(m.with_length(5).heads().n == 5 and m.with_length(5).length == 5
                and m.with_length(None).length is None, 'with_length')
    named = ssmheads.Model([['1/2']], [[1]], [[1]], name='<b>x</b>')
    tally.check('&lt;b&gt;' in named._repr_html_(), 'HTML is escaped')
    tally.check(repr(m) == 'Model(N=2, d=2, p=2, diag, direct)', 'model repr: %r' % m)


def versions(tally):
    with open(os.path.join(sup.TOP, 'python', 'pyproject.toml')) as f:
        text = f.read()
    lib = ssmheads.library_version()[0]
    tally.check('version = "%s"' % lib in text and ssmheads.__version__ == lib,
                'pyproject.toml, the package and the library have one version (%s)' % lib)


def readme_blocks():
    with open(os.path.join(sup.TOP, 'README.md'), encoding='utf-8') as f:
        text = f.read()
    start = text.index('\n## Python\n')
    section = text[start:text.index('\n## ', start + 1)]
    blocks, at = [], 0
    while '```python' in section[at:]:
        b = section.index('```python', at) + len('```python')
        e = section.index('```', b)
        blocks.append(section[b:e])
        at = e + 3
    return blocks


def run_readme(code, shim=''):
    prelude = ('import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]); '
               + shim + 'exec(sys.stdin.read())')
    return subprocess.run([sys.executable, '-c', prelude, os.path.join(sup.TOP, 'python'),
                           os.path.join(sup.TOP, 'tests')],
                          input=code, capture_output=True, text=True, cwd=sup.TOP, timeout=600)


def readme_example(tally, torch_ok):
    """The README's Python examples run as written (from the source tree); the
    second one's `from s4d import S4D` is the transcription of s4d.py."""
    blocks = readme_blocks()
    tally.check(len(blocks) == 2, 'the README has two Python examples')
    p = run_readme(blocks[0])
    tally.check(p.returncode == 0 and '2 2 2 [1, 2]' in p.stdout and '$.A[0][1]' in p.stdout,
                'the README example runs: %s %s' % (p.stdout[-300:], p.stderr[-500:]))
    if not torch_ok:
        tally.skip(1, 'the README example from a PyTorch S4D module needs torch')
        return
    p = run_readme(blocks[1], "import s4d_transcription; sys.modules['s4d'] = s4d_transcription; ")
    tally.check(p.returncode == 0 and '4 4 4' in p.stdout and 'heads: k(64) = 4 proven' in
                p.stdout and 'ssmheads scan: 3 SSM layers' in p.stdout and
                'ImportNote' in p.stderr,
                'the README example from a PyTorch S4D module runs: %s %s' % (
                    p.stdout[-600:], p.stderr[-500:]))


def main():
    tally = sup.Tally()
    np = None
    if sup.have('numpy'):
        import numpy as np
    errors(tally)
    process_limits(tally, np)
    certificates(tally)
    threads(tally)
    without_numpy(tally)
    views(tally)
    versions(tally)
    if np is not None:
        readme_example(tally, sup.have('torch'))
    else:
        tally.skip(3, 'the README examples need numpy')
    flat_memory(tally)
    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
