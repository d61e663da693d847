#!/usr/bin/env python3
"""ssmheads batch, end to end: a manifest of witness models and weight files
with known answers; every emitted certificate re-verified by the standalone
checker; shards that partition the manifest; a run interrupted by SIGINT
and SIGTERM and finished with --resume (nothing lost, nothing duplicated);
an unterminated last line cut off on resume; manifest errors with exit 4
and the line named.  Prints "N passed, N failed".
"""
import json
import os
import random
import signal
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402
import time

PROG = os.environ.get('SSMHEADS', './ssmheads')
VERIFY = os.environ.get('SSMHEADS_VERIFY', os.path.join(os.path.dirname(PROG) or '.', 'ssmheads-verify'))
SEED = int(os.environ.get('SSMH_TEST_SEED', '20261124'))
TOP = os.environ.get('top_srcdir', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
W = os.path.join(TOP, 'witnesses')


def run(args, **kw):
    return subprocess.run([PROG] + args, capture_output=True, text=True, timeout=300, **kw)


def lines(path):
    with open(path) as f:
        return [json.loads(x) for x in f.read().splitlines()]


def f32hex(x):
    return struct.unpack('<f', struct.pack('<f', x))[0].hex()


def dense_model(rng, N, p, d):
    s = 0.9 / N ** 0.5
    return {"format": "ssmheads-model/1",
            "A": [[f32hex(rng.gauss(0, s)) for _ in range(N)] for _ in range(N)],
            "B": [[f32hex(rng.gauss(0, 1)) for _ in range(d)] for _ in range(N)],
            "C": [[f32hex(rng.gauss(0, 1)) for _ in range(N)] for _ in range(p)]}


def main():
    rng = random.Random(SEED)
    tmp = tempfile.mkdtemp(prefix='ssmh_batch_')

    tally = Tally()
    check = tally.check

    # 1. known answers: models and weight files, one invalid model
    known = [
        (os.path.join(W, 'heads', 'bank.json'), '', 2),
        (os.path.join(W, 'heads', 'rotation.json'), ' -n 4', 2),
        (os.path.join(W, 'heads', 'lambda_I.json'), '', 1),
        (os.path.join(W, 'heads', 'nilpotent_sparse.json'), '', 2),
        (os.path.join(W, 'weights', 's4d.safetensors'), ' --layout s4d', 2),
        (os.path.join(W, 'weights', 's5.safetensors'), ' --layout s5 --discretization bilinear', 4),
    ]
    man = os.path.join(tmp, 'manifest.txt')
    with open(man, 'w') as f:
        f.write('# known answers\n\n')
        for path, opts, _ in known:
            f.write(path + opts + '\n')
        f.write(json.dumps({"weights": os.path.join(W, 'weights', 'lru.safetensors'), "layout": "lru",
                            "id": "lru layer"}) + '\n')
        f.write(os.path.join(W, 'invalid', 'zero_den.json') + '\n')
    out = os.path.join(tmp, 'r.jsonl')
    certs = os.path.join(tmp, 'certs')
    r = run(['batch', man, '--out', out, '--cert-dir', certs, '--jobs', '3'])
    check(r.returncode == 4, 'exit = the largest entry exit (4 for the invalid model): %d %s' % (r.returncode, r.stderr))
    check(r.stderr == '' and r.stdout == '', 'quiet when not on a terminal')
    res = {x['line']: x for x in lines(out)}
    check(len(res) == len(known) + 2, 'one line per entry (%d)' % len(res))
    for i, (path, opts, k) in enumerate(known):
        x = res.get(i + 3, {})
        check(x.get('status') == 'ok' and x.get('exit') == 0 and x.get('heads', {}).get('k') == k
              and x.get('source') == path, 'known answer k = %d for %s%s: %s' % (k, path, opts, x))
        c = x.get('cert')
        v = subprocess.run([VERIFY, c], capture_output=True, text=True) if c else None
        check(v is not None and v.returncode == 0 and 's VERIFIED' in v.stdout, 'certificate of %s verified' % path)
    lru = res.get(len(known) + 3, {})
    check(lru.get('id') == 'lru layer' and lru.get('heads', {}).get('k') == 4 and lru.get('layout') == 'lru',
          'JSON line entry with its id: %s' % lru)
    bad = res.get(len(known) + 4, {})
    check(bad.get('exit') == 4 and bad.get('error', {}).get('path') == '$.A[1][1]'
          and 'zero denominator' in bad.get('error', {}).get('message', '') and 'cert' not in bad,
          'invalid model: error recorded with its JSON path: %s' % bad)
    check(len(os.listdir(certs)) == len(known) + 1 and all(n.endswith('.cert.json') for n in os.listdir(certs)),
          'one certificate per successful entry, no temporary files')

    # 2. stdout when no --out; the same answers with one job
    r = run(['batch', man, '--jobs', '1'])
    got = {x['line']: x.get('heads', {}).get('k') for x in map(json.loads, r.stdout.splitlines())}
    check(got == {x['line']: x.get('heads', {}).get('k') for x in res.values()}, 'stdout, one job: same answers')

    # 3. shards partition the manifest, deterministically
    seen = []
    for i in range(3):
        o = os.path.join(tmp, 'shard%d.jsonl' % i)
        run(['batch', man, '--shard', '%d/3' % i, '--out', o])
        seen.append(sorted(x['line'] for x in lines(o)))
    flat = sorted(sum(seen, []))
    check(flat == sorted(res) and all(seen), 'shards 0/3, 1/3, 2/3 partition the entries: %s' % seen)
    o = os.path.join(tmp, 'shard1b.jsonl')
    run(['batch', man, '--shard', '1/3', '--out', o])
    check(sorted(x['line'] for x in lines(o)) == seen[1], 'a shard is deterministic')
    for bad_shard in ('3/3', '-1/2', '1', '0/0', 'a/b'):
        r = run(['batch', man, '--shard', bad_shard])
        check(r.returncode == 3, '--shard %s is a usage error' % bad_shard)

    # 4. interrupted runs finished with --resume
    models = []
    for i in range(10):
        p = os.path.join(tmp, 'm%d.json' % i)
        with open(p, 'w') as f:
            json.dump(dense_model(rng, 112, 16, 16), f)
        models.append(p)
    slow = os.path.join(tmp, 'slow.txt')
    with open(slow, 'w') as f:
        f.write(''.join(p + '\n' for p in models))
    full = os.path.join(tmp, 'full.jsonl')
    run(['batch', slow, '--out', full, '--jobs', '2'])
    want = {x['id']: x['heads']['k'] for x in lines(full)}
    check(len(want) == 10 and set(want.values()) == {112}, 'uninterrupted run: 10 answers k = 112')
    for sig in (signal.SIGINT, signal.SIGTERM):
        o = os.path.join(tmp, 'int%d.jsonl' % sig)
        cd = os.path.join(tmp, 'certs%d' % sig)
        pr = subprocess.Popen([PROG, 'batch', slow, '--out', o, '--jobs', '2', '--cert-dir', cd],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        t0 = time.time()
        while time.time() - t0 < 60 and pr.poll() is None:
            if os.path.exists(o) and os.path.getsize(o) > 0:
                break
            time.sleep(0.01)
        pr.send_signal(sig)
        _, err = pr.communicate(timeout=120)
        before = lines(o)
        interrupted = pr.returncode == 128 + sig
        print("signal %d: exit %d after %d lines" % (sig, pr.returncode, len(before)))
        check(interrupted or pr.returncode == 0, 'signal %d: exit %d' % (sig, pr.returncode))
        if interrupted:
            check('--resume' in err and len(before) < 10, 'signal %d: message and a partial run (%d lines)'
                  % (sig, len(before)))
        check(all(n.endswith('.cert.json') for n in os.listdir(cd)), 'signal %d: no temporary certificate files' % sig)
        r = run(['batch', slow, '--out', o, '--jobs', '2', '--cert-dir', cd])
        check(r.returncode == 3 and lines(o) == before, 'existing results without --resume: exit 3, untouched')
        r = run(['batch', slow, '--out', o, '--resume', '--jobs', '2', '--cert-dir', cd])
        after = lines(o)
        check(r.returncode == 0 and after[:len(before)] == before, 'resume keeps the earlier lines')
        check(len(after) == 10 and {x['id']: x['heads']['k'] for x in after} == want,
              'signal %d: resumed run complete, nothing lost or duplicated' % sig)
        check(len(os.listdir(cd)) == 10, 'signal %d: every certificate present' % sig)

    # 5. an unterminated last line (an append cut short) is cut off on resume
    o = os.path.join(tmp, 'cut.jsonl')
    with open(full) as f:
        text = f.read().splitlines(True)
    with open(o, 'w') as f:
        f.write(''.join(text[:4]) + text[4][:25])
    r = run(['batch', slow, '--out', o, '--resume'])
    after = lines(o)
    check(r.returncode == 0 and len(after) == 10 and len({x['id'] for x in after}) == 10,
          'cut-off last line replaced by a complete one')
    with open(o, 'w') as f:
        f.write(text[0] + 'garbage\n' + text[1])
    r = run(['batch', slow, '--out', o, '--resume'])
    check(r.returncode == 4 and 'line 2' in r.stderr and open(o).read() == text[0] + 'garbage\n' + text[1],
          'a corrupt results line: exit 4, file untouched: %s' % r.stderr.strip())

    # 6. tasks: gradient (certificates verified) and minimal
    g = os.path.join(tmp, 'g.jsonl')
    gm = os.path.join(tmp, 'gman.txt')
    with open(gm, 'w') as f:
        f.write(os.path.join(W, 'gradient', 'rotation_dense.json') + '\n')
        f.write(os.path.join(W, 'weights', 's4d.safetensors') + ' --layout s4d\n')
    r = run(['batch', gm, '--task', 'gradient', '--eps', '1/1000', '--out', g, '--cert-dir', os.path.join(tmp, 'gc')])
    gl = sorted(lines(g), key=lambda x: x['line'])
    check(r.returncode == 0 and [x['gradient']['stable'] for x in gl] == ['marginal', 'stable'],
          'gradient task: verdicts %s' % [x.get('gradient', {}).get('stable') for x in gl])
    for x in gl:
        v = subprocess.run([VERIFY, x['cert']], capture_output=True, text=True)
        check(v.returncode == 0, 'gradient certificate verified: %s' % x['id'])
    r = run(['batch', gm, '--task', 'minimal'])
    ml = sorted(map(json.loads, r.stdout.splitlines()), key=lambda x: x['line'])
    check(r.returncode == 0 and [x['minimal']['mcmillan_degree'] for x in ml] == [2, 10], 'minimal task')

    # 6b. the example scripts of doc/batch.md: Slurm array tasks (simulated
    # through the environment) and GNU parallel (or background jobs)
    env = dict(os.environ, SSMHEADS=os.path.abspath(PROG))
    sl = os.path.join(tmp, 'slurm')
    for i in range(2):
        e = dict(env, SLURM_ARRAY_TASK_ID=str(i), SLURM_ARRAY_TASK_COUNT='2')
        r = subprocess.run(['sh', os.path.join(TOP, 'tools', 'batch-slurm.sh'), slow, sl], env=e,
                           capture_output=True, text=True, timeout=300)
        check(r.returncode == 0, 'batch-slurm.sh task %d: %s' % (i, r.stderr))
    got = {x['id']: x['heads']['k'] for i in range(2) for x in lines(os.path.join(sl, 'results-%d.jsonl' % i))}
    check(got == want and len(os.listdir(os.path.join(sl, 'certs'))) == 10, 'Slurm array: the whole manifest once')
    pa = os.path.join(tmp, 'par')
    r = subprocess.run(['sh', os.path.join(TOP, 'tools', 'batch-parallel.sh'), slow, '3', pa], env=env,
                       capture_output=True, text=True, timeout=300)
    got = {x['id']: x['heads']['k'] for i in range(3) for x in lines(os.path.join(pa, 'results-%d.jsonl' % i))}
    check(r.returncode == 0 and got == want and '10 result lines' in r.stdout,
          'batch-parallel.sh: the whole manifest once: %s' % r.stderr)

    # 7. manifest errors: exit 4, the manifest and the line named, nothing run
    cases = [
        ('a.json --layout foo\n', 'line 1', 'unknown layout'),
        ('a.json\n\n# c\na.json\n', 'line 4', 'same entry'),
        ('a.json --frobnicate 3\n', 'line 1', 'unknown option'),
        ('{"weights": "w.npz"}\n', 'line 1', 'needs a layout'),
        ('{"model": "a.json", "layout": "s4d"}\n', 'line 1', 'weights entries only'),
        ('{"model": 3}\n', '$.model', 'expected a string'),
        ('{"model": "a.json",}\n', 'line 1', 'invalid JSON'),
        ('a.json -n 0\n', 'line 1', 'n must be'),
        ('a.json --layout\n', 'line 1', 'needs a value'),
        ('# nothing\n', 'no entries', 'no entries'),
    ]
    for i, (text, where, what) in enumerate(cases):
        p = os.path.join(tmp, 'bad%d.txt' % i)
        with open(p, 'w') as f:
            f.write(text)
        o = os.path.join(tmp, 'bad%d.jsonl' % i)
        r = run(['batch', p, '--out', o])
        check(r.returncode == 4 and p in r.stderr and where in r.stderr and what in r.stderr
              and not os.path.exists(o), 'manifest error %r: %s' % (text, r.stderr.strip()))
    r = run(['batch', os.path.join(tmp, 'missing.txt')])
    check(r.returncode == 5, 'missing manifest: exit 5')
    r = run(['batch', man, '--resume'])
    check(r.returncode == 3, '--resume without --out: exit 3')
    r = run(['batch', man, '--task', 'minimal', '--cert-dir', certs])
    check(r.returncode == 3, 'minimal has no certificate: exit 3')

    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
