#!/usr/bin/env python3
"""The second checker (tests/verify_heads.py, Python standard library only)
against the C checker on the corpus: every `heads` certificate the producer
writes for the witness models must be VERIFIED by both, and for a few
hundred seeded mutants of them (claims, primes, lags, entries, annihilators,
dependencies, the embedded model) the two independent checkers must give the
same verdict.  A mutant accepted by one and rejected by the other is a bug in
one of them.  Prints "N passed, N failed".
"""
import copy
import glob
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402
import verify_approx  # noqa: E402
import verify_gradient  # noqa: E402
import verify_heads  # noqa: E402

PROG = os.environ.get('SSMHEADS', './ssmheads')
VERIFY = os.environ.get('SSMHEADS_VERIFY', os.path.join(os.path.dirname(PROG) or '.', 'ssmheads-verify'))
SEED = int(os.environ.get('SSMH_TEST_SEED', '20261124'))
MULT = max(0.01, float(os.environ.get('SSMH_TEST_MULT', '1')))  # may be fractional (valgrind)
TOP = os.environ.get('top_srcdir', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))


def py_verdict(cert):
    return verify_heads.verdict(verify_heads.check, cert)


def c_verdict(path):
    r = subprocess.run([VERIFY, path], capture_output=True, text=True, timeout=120)
    if r.returncode not in (0, 1):
        raise RuntimeError('checker exit %d: %s' % (r.returncode, r.stderr))
    return r.returncode == 0


def numeric_leaves(o, path=()):
    """Paths of the string/int leaves that hold numbers or integers."""
    if isinstance(o, dict):
        for k, v in o.items():
            yield from numeric_leaves(v, path + (k,))
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from numeric_leaves(v, path + (i,))
    elif isinstance(o, int) and not isinstance(o, bool):
        yield path
    elif isinstance(o, str):
        try:
            verify_heads.num(o)
            yield path
        except verify_heads.Reject:
            pass


def get(o, path):
    for k in path:
        o = o[k]
    return o


def put(o, path, v):
    for k in path[:-1]:
        o = o[k]
    o[path[-1]] = v


def mutate(rng, cert):
    m = copy.deepcopy(cert)
    leaves = [p for p in numeric_leaves(m) if p[0] in ('claim', 'witness', 'model') and p[-1] != 'format']
    op = rng.random()
    if op < 0.55 and leaves:
        p = rng.choice(leaves)
        v = get(m, p)
        if isinstance(v, int):
            put(m, p, v + rng.choice([-1, 1, 2]))
        else:
            x = verify_heads.num(v) + rng.choice([1, -1, verify_heads.Fraction(1, 3)])
            put(m, p, str(x))
    elif op < 0.7:
        w = m['witness']
        if w.get('lower'):
            lw = w['lower']
            choice = rng.randrange(3)
            if choice == 0 and len(lw['lags']) > 1:
                i = rng.randrange(len(lw['lags']) - 1)
                lw['entries'][i], lw['entries'][i + 1] = lw['entries'][i + 1], lw['entries'][i]
            elif choice == 1:
                lw['prime'] = rng.choice(['4611686018427387847', '3', '4', '1000000007',
                                          str(int(lw['prime']) + 2)])
            elif lw['lags']:
                lw['lags'].pop()
                lw['entries'].pop()
    elif op < 0.85:
        up = m['witness']['upper']
        if up['annihilator'].get('side') == 'cayley_hamilton':
            up['annihilator'] = {'side': 'B', 'coeffs': ['0', '1']}
        else:
            up['annihilator'] = rng.choice([{'side': 'cayley_hamilton'},
                                            dict(up['annihilator'], side='C' if up['annihilator']['side'] == 'B' else 'B')])
        if up.get('dependencies') and rng.random() < 0.5:
            up['dependencies'].pop(rng.randrange(len(up['dependencies'])))
    else:
        c = m['claim']
        key = rng.choice([k for k in ('k', 'n', 'k_inf', 'n_star') if k in c])
        c[key] = c[key] + rng.choice([-1, 1])
    return m


def mutate_generic(rng, cert):
    """One number of the claim, witness or model changed."""
    m = copy.deepcopy(cert)
    leaves = [p for p in numeric_leaves(m) if p[0] in ('claim', 'witness', 'model') and p[-1] != 'format']
    p = rng.choice(leaves)
    v = get(m, p)
    if isinstance(v, int):
        put(m, p, v + rng.choice([-1, 1]))
    else:
        put(m, p, str(verify_heads.num(v) + rng.choice([1, -1, verify_heads.Fraction(1, 1 << 20)])))
    return m


def judge_mutants(rng, kind, certs, check_fn, unjudged, path, check):
    """100 generic mutants of `certs` through the Python checker check_fn and
    the C checker: their verdicts must agree (mutants the Python checker does
    not judge are skipped)."""
    agree = acc = 0
    for it in range(max(1, int(100 * MULT))):
        m = mutate_generic(rng, rng.choice(certs))
        with open(path, 'w') as f:
            json.dump(m, f)
        a = verify_heads.verdict(check_fn, m, unjudged)
        if a is None:
            continue
        b = c_verdict(path)
        acc += a and b
        if a == b:
            agree += 1
        else:
            check(False, '%s verdicts differ (python %s, C %s): %s' % (kind, a, b, json.dumps(m)[:300]))
    print('%s: %d mutants agreed, %d accepted by both' % (kind, agree, acc))


def main():
    rng = random.Random(SEED)
    tmp = tempfile.mkdtemp(prefix='ssmh_2nd_')

    tally = Tally()
    check = tally.check

    models = sorted(glob.glob(os.path.join(TOP, 'witnesses', d, '*.json'))
                    for d in ('heads', 'models', 'minimal', 'gradient'))
    models = [m for group in models for m in group]
    for w, opts in (('ssm.npz', ['--layout', 'dense']), ('s4d.safetensors', ['--layout', 's4d']),
                    ('s5.safetensors', ['--layout', 's5']), ('lru.safetensors', ['--layout', 'lru']),
                    ('mamba2.safetensors', ['--layout', 'mamba2', '--headdim', '2'])):
        out = os.path.join(tmp, w + '.json')
        r = subprocess.run([PROG, 'import', os.path.join(TOP, 'witnesses', 'weights', w)] + opts + ['-o', out],
                           capture_output=True, text=True)
        if r.returncode == 0:
            models.append(out)
    certs = []
    for i, mp in enumerate(models):
        for n in (3, 12):
            cp = os.path.join(tmp, 'c%d_%d.json' % (i, n))
            r = subprocess.run([PROG, 'heads', mp, '-n', str(n), '--cert', cp], capture_output=True, text=True)
            if r.returncode != 0:
                continue
            cert = verify_heads.load(cp)
            ok_py, ok_c = py_verdict(cert), c_verdict(cp)
            check(ok_py and ok_c, 'corpus certificate %s (n = %d): python %s, C %s' % (mp, n, ok_py, ok_c))
            certs.append(cert)
    check(len(certs) >= 40, 'corpus size %d' % len(certs))

    agree = accepted = 0
    mp = os.path.join(tmp, 'mutant.json')
    for it in range(max(1, int(300 * MULT))):
        base = rng.choice(certs)
        m = mutate(rng, base)
        with open(mp, 'w') as f:
            json.dump(m, f)
        a, b = py_verdict(m), c_verdict(mp)
        accepted += a and b
        if a == b:
            agree += 1
        else:
            check(False, 'verdicts differ (python %s, C %s) on a mutant of %s: %s'
                  % (a, b, base['claim'], json.dumps(m)[:300]))
    check(agree > 0, 'mutants judged: %d agreed (%d still valid proofs)' % (agree, accepted))

    # gradient certificates: the second gradient checker against the C one
    gcerts = []
    gmodels = sorted(glob.glob(os.path.join(TOP, 'witnesses', 'gradient', '*.json'))) + \
        [os.path.join(TOP, 'witnesses', 'heads', f) for f in ('rotation_complex.json', 'cancel_2re.json')]
    for i, mp_ in enumerate(gmodels):
        cp = os.path.join(tmp, 'g%d.json' % i)
        if subprocess.run([PROG, 'gradient', mp_, '--eps', '1/100', '--cert', cp],
                          capture_output=True).returncode != 0:
            continue
        cert = verify_heads.load(cp)
        try:
            verify_gradient.check(cert)
            gcerts.append(cert)
            check(c_verdict(cp), 'gradient certificate of %s: C checker' % mp_)
        except verify_gradient.Unjudged:
            pass
        except verify_heads.Reject as e:
            check(False, 'gradient certificate of %s rejected by the Python checker: %s' % (mp_, e))
    check(len(gcerts) >= 5, 'gradient corpus judged by both: %d' % len(gcerts))
    judge_mutants(rng, 'gradient', gcerts, verify_gradient.check, verify_gradient.Unjudged, mp, check)

    # approx certificates: tests/verify_approx.py against the C checker
    acerts = []
    amodels = sorted(glob.glob(os.path.join(TOP, 'witnesses', 'approx', '*.json'))) + \
        [os.path.join(TOP, 'witnesses', 'heads', f) for f in ('rotation_complex.json', 'cancel_2re.json')]
    for i, mp_ in enumerate(amodels):
        for n, eps, method in ((3, '1', 'auto'), (5, '1/10', 'auto'), (4, '1/1000', 'auto'),
                               (5, '1/10', 'enclosure'), (30, '1', 'enclosure')):
            cp = os.path.join(tmp, 'a%d_%d_%s.json' % (i, n, method))
            if subprocess.run([PROG, 'approx', mp_, '-n', str(n), '--eps', eps, '--method', method,
                               '--cert', cp], capture_output=True).returncode != 0:
                continue
            cert = verify_heads.load(cp)
            try:
                verify_approx.check(cert)
                acerts.append(cert)
                check(c_verdict(cp), 'approx certificate of %s: C checker' % mp_)
            except verify_heads.Reject as e:
                check(False, 'approx certificate of %s rejected by the Python checker: %s' % (mp_, e))
    check(len(acerts) >= 8, 'approx corpus judged by both: %d' % len(acerts))
    judge_mutants(rng, 'approx', acerts, verify_approx.check, (), mp, check)
    # the false horizons of issue 15 (gamma > 1 or gamma = 1 with M2 > eps^2,
    # witnesses/verify): both checkers reject them, and accept them once the
    # horizon claim is dropped (the horizon was their only flaw); the large
    # horizons are accepted by both
    vdir = os.path.join(TOP, 'witnesses', 'verify')
    for cp in sorted(glob.glob(os.path.join(vdir, 'false_horizon_*.cert'))):
        cert = verify_heads.load(cp)
        py = verify_heads.verdict(verify_gradient.check, cert, verify_gradient.Unjudged)
        cut = copy.deepcopy(cert)
        del cut['claim']['eps'], cut['claim']['horizon']
        with open(mp, 'w') as f:
            json.dump(cut, f)
        check(py is False and not c_verdict(cp)
              and verify_heads.verdict(verify_gradient.check, cut, verify_gradient.Unjudged)
              and c_verdict(mp), '%s: rejected by both, accepted by both without the horizon'
              % os.path.basename(cp))
    for cp in sorted(glob.glob(os.path.join(vdir, 'horizon_*.cert'))):
        py = verify_heads.verdict(verify_gradient.check, verify_heads.load(cp), verify_gradient.Unjudged)
        check(py and c_verdict(cp), '%s: accepted by both' % os.path.basename(cp))

    # lag sequences that repeat (witnesses/verify/periodic_*.json): the C
    # checker sums the tail over the period (Brent), the Python one runs
    # every lag; both accept the true n and reject n + 1 and n - 1
    for model_, n, method in (('periodic_perm3.json', 1000, 'exact'),
                              ('periodic_rot99.json', 9000, 'enclosure')):
        cp = os.path.join(tmp, 'periodic.json')
        if subprocess.run([PROG, 'approx', os.path.join(vdir, model_), '-n', str(n), '--eps', '1/2',
                           '--method', method, '--cert', cp], capture_output=True).returncode != 0:
            check(False, 'approx certificate of %s' % model_)
            continue
        cert = verify_heads.load(cp)
        ok = verify_heads.verdict(verify_approx.check, cert) and c_verdict(cp)
        for dn in (-1, 1):
            m = copy.deepcopy(cert)
            m['claim']['n'] += dn
            with open(mp, 'w') as f:
                json.dump(m, f)
            ok = ok and not verify_heads.verdict(verify_approx.check, m) and not c_verdict(mp)
        check(ok, '%s, n = %d (%s): accepted by both, n +- 1 rejected by both' % (model_, n, method))

    # a repeated JSON key is refused by every checker (the C one by jansson,
    # the Python ones by their strict loader)
    if acerts and gcerts and certs:
        for kind, base, key in (('heads', certs[0], 'k'), ('gradient', gcerts[0], 'gamma'),
                                ('approx', acerts[0], 'H')):
            text = json.dumps(base)
            claim = '"claim": {'
            dup = text.replace(claim, claim + '"%s": %s, ' % (key, json.dumps(base['claim'][key])), 1)
            with open(mp, 'w') as f:
                f.write(dup)
            try:
                verify_heads.load(mp)
                py = 'accepted'
            except verify_heads.Reject:
                py = 'rejected'
            check(dup != text and py == 'rejected' and not c_verdict(mp),
                  'a %s certificate with a repeated claim key: python %s, C rejects' % (kind, py))
    print('%d mutants, %d agreed, %d accepted by both' % (max(1, int(300 * MULT)), agree, accepted))
    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
