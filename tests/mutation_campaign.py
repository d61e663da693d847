#!/usr/bin/env python3
"""Certificate mutation campaign (issue 7): every certificate of the corpus,
mutated systematically -- each number and index (+1, -1, doubled, negated,
zeroed, made malformed), each array (shortened, lengthened, reordered),
each key (deleted, an unknown one added), each claim field, the embedded
model -- and every mutant classified by an independent computation:

- heads certificates: tests/verify_heads.py (the second checker, Python
  standard library) decides whether the mutant is still a valid proof, and
  when it is, tests/oracle.py (brute-force exact ranks) must confirm its
  claim -- so the classifier is itself cross-checked;
- heads certificates with the mode form of the lower witness (the
  producer's `heads --no-profile` on block-diagonal witnesses, and the
  valid hand-made witnesses/verify/mode_*.cert): besides the systematic
  mutants, each mode index moved to the next and previous mode, each part
  flipped, adjacent entries and adjacent modes swapped (judged as above),
  and the claims the mode form cannot prove whatever the model -- k moved
  by one, the true n_star or profile added, n below F -- which the
  classifier must itself reject;
- gradient certificates (verdicts stable, marginal, unstable, or none): the
  same systematic mutants, judged by tests/verify_gradient.py (the second
  gradient checker: exact LDL^T of P, gamma^2 P - A^T P A and the beta
  bounds, exact norms, the horizon, the eigenvalue evidence);
- represent certificates (every witness attention layer against every heads
  witness model it fits, n = 2 and 8): the same systematic mutants, judged by
  tests/verify_represent.py;
- approx certificates (witnesses/approx and two heads witnesses, exact and
  enclosure witnesses, four
  (n, eps) each): the same systematic mutants, judged by
  tests/verify_approx.py;
- gradient, represent and approx certificates: claim mutations that are
  false by construction (another stability verdict, the horizon moved by
  one, the representability flipped, H moved by one);
- resource attacks (issue 15): one number replaced by the largest numbers,
  integers and exponents the format allows ("1e100000", 10^5 nines,
  "0x1p-400000", 2^63 - 1, ...) or one list lengthened to 10^5 entries; the
  C checker must end each in a verdict or a named limit (exit 0, 1, 4, 6)
  within a hard time limit, and an accepted one must be a valid proof.

The C checker (ssmheads-verify) must reject every mutant classified "claim
false or proof invalid"; the script fails if it accepts one.  Mutants that
are still valid proofs may be accepted or (over-strictly) rejected; both are
counted.

    python3 tests/mutation_campaign.py [--limit N] [--seed S]

make check runs it with --limit (a seeded sample); `make mutation-campaign`
runs all of it (doc/mutation.md records the counts).
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
import oracle  # noqa: E402
import verify_approx  # noqa: E402
import verify_gradient  # noqa: E402
import verify_heads  # noqa: E402
import verify_represent  # noqa: E402

PROG = os.environ.get('SSMHEADS', './ssmheads')
VERIFY = os.environ.get('SSMHEADS_VERIFY', os.path.join(os.path.dirname(PROG) or '.', 'ssmheads-verify'))
TOP = os.environ.get('top_srcdir', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))


# block-diagonal witnesses on which `heads --no-profile` writes the mode form
# (with the imported S4D, S5, LRU and Mamba-2 weights: conjugate pairs, both parts)
MODE_MODELS = ('heads/distinct_diag.json', 'heads/rotation_complex.json', 'heads/delayed.json',
               'heads/lambda_I_diag.json', 'heads/float_trap_eigs.json')
MODE_LAYOUTS = ('s4d', 's5', 'lru', 'mamba2')
MIN_MODE_CERTS = 8   # of the producer's; fewer means the mode form went missing


def hand_made_mode_certs():
    """The valid hand-made mode-form certificates (witnesses/verify/mode_form.case)."""
    return [f for f in sorted(glob.glob(os.path.join(TOP, 'witnesses', 'verify', 'mode_*.cert')))
            if not os.path.basename(f).startswith('mode_bad_')]


def run(args):
    return subprocess.run([PROG] + args, capture_output=True, text=True, timeout=300)


def corpus(tmp, small=False):
    """(kind, certificate) pairs written by the producer for the witnesses
    (small: represent certificates against three models only, for make check)."""
    out = []
    models = []
    for d in ('heads', 'models', 'minimal', 'gradient'):
        models += sorted(glob.glob(os.path.join(TOP, 'witnesses', d, '*.json')))
    for w, opts in (('ssm.npz', ['--layout', 'dense']), ('s4d.safetensors', ['--layout', 's4d']),
                    ('s5.safetensors', ['--layout', 's5']), ('lru.safetensors', ['--layout', 'lru']),
                    ('mamba2.safetensors', ['--layout', 'mamba2'])):
        p = os.path.join(tmp, w + '.json')
        if run(['import', os.path.join(TOP, 'witnesses', 'weights', w)] + opts + ['-o', p]).returncode == 0:
            models.append(p)
    for i, m in enumerate(models):
        for n in (3, 12):
            c = os.path.join(tmp, 'h%d_%d.json' % (i, n))
            if run(['heads', m, '-n', str(n), '--cert', c]).returncode == 0:
                out.append(('heads', verify_heads.load(c)))
    mode_models = [os.path.join(TOP, 'witnesses', m) for m in MODE_MODELS] + \
        [p for p in models if os.path.basename(p).split('.')[0] in MODE_LAYOUTS]
    for i, m in enumerate(mode_models):   # the mode form of the lower witness
        c = os.path.join(tmp, 'hm%d.json' % i)
        if run(['heads', m, '--no-profile', '--cert', c]).returncode == 0:
            cert = verify_heads.load(c)
            if is_mode_form(cert):
                out.append(('heads', cert))
    out += [('heads', verify_heads.load(f)) for f in hand_made_mode_certs()]
    gmodels = sorted(glob.glob(os.path.join(TOP, 'witnesses', 'gradient', '*.json'))) + \
        [os.path.join(TOP, 'witnesses', 'heads', f) for f in ('rotation_complex.json', 'cancel_2re.json')]
    for i, m in enumerate(gmodels):   # stable, none, marginal (block), unstable (kernel, chain, block)
        c = os.path.join(tmp, 'g%d.json' % i)
        if run(['gradient', m, '--eps', '1/100', '--cert', c]).returncode == 0:
            out.append(('gradient', verify_heads.load(c)))
    amodels = sorted(glob.glob(os.path.join(TOP, 'witnesses', 'approx', '*.json'))) + \
        [os.path.join(TOP, 'witnesses', 'heads', f) for f in ('rotation_complex.json', 'cancel_2re.json')]
    for i, m in enumerate(amodels):
        for n, eps in ((3, '1'), (5, '1/10'), (4, '1/1000'), (3, '4')):
            c = os.path.join(tmp, 'a%d_%d_%s.json' % (i, n, eps.replace('/', '_')))
            if run(['approx', m, '-n', str(n), '--eps', eps, '--cert', c]).returncode == 0:
                out.append(('approx', verify_heads.load(c)))
        for n, eps in ((5, '1/10'), (12, '1'), (40, '1/2')):   # the enclosure witness
            c = os.path.join(tmp, 'ae%d_%d.json' % (i, n))
            if run(['approx', m, '-n', str(n), '--eps', eps, '--method', 'enclosure',
                    '--cert', c]).returncode == 0:
                out.append(('approx', verify_heads.load(c)))
        for n, eps in ((3, '5/2'), (12, '1')):   # the mode witness (diagonal models)
            c = os.path.join(tmp, 'am%d_%d.json' % (i, n))
            if run(['approx', m, '-n', str(n), '--eps', eps, '--method', 'modes',
                    '--cert', c]).returncode == 0:
                out.append(('approx', verify_heads.load(c)))
    atts = sorted(glob.glob(os.path.join(TOP, 'witnesses', 'attention', '*.json')))
    heads_models = sorted(glob.glob(os.path.join(TOP, 'witnesses', 'heads', '*.json')))
    if small:
        heads_models = [m for m in heads_models
                        if os.path.basename(m) in ('rotation.json', 'distinct_diag.json', 'bank.json')]
    for i, a in enumerate(atts):
        for j, mdl in enumerate(heads_models):
            for n in (2, 8):
                c = os.path.join(tmp, 'r%d_%d_%d.json' % (i, j, n))
                if run(['represent', a, mdl, '-n', str(n), '--cert', c]).returncode in (0, 1) \
                        and os.path.exists(c):
                    out.append(('represent', json.load(open(c))))
    return out


def leaves(o, path=()):
    if isinstance(o, dict):
        yield path, o
        for k, v in o.items():
            yield from leaves(v, path + (k,))
    elif isinstance(o, list):
        yield path, o
        for i, v in enumerate(o):
            yield from leaves(v, path + (i,))
    else:
        yield path, o


def setp(o, path, v):
    for k in path[:-1]:
        o = o[k]
    o[path[-1]] = v


def delp(o, path):
    for k in path[:-1]:
        o = o[k]
    del o[path[-1]]


def is_num(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    if isinstance(v, str):
        try:
            verify_heads.num(v)
            return True
        except verify_heads.Reject:
            return False
    return False


def number_ops(v):
    if isinstance(v, int):
        return [v + 1, v - 1, 2 * v + 1, -v if v else 1, 0, 'x', 0.5]
    x = verify_heads.num(v)
    return [str(x + 1), str(x - 1), str(2 * x + 1), str(-x if x else 1), '0', '1/0', 0.5]


def structural_mutants(cert, rng):
    """Systematic mutants of a certificate (as (label, mutant))."""
    out = []
    for path, v in list(leaves(cert)):
        if not path or path == ('format',):
            continue
        where = '.'.join(map(str, path))
        if is_num(v):
            ops = number_ops(v)
            for op in rng.sample(ops, 3):
                m = copy.deepcopy(cert)
                setp(m, path, op)
                out.append(('number %s -> %r' % (where, op), m))
        elif isinstance(v, list) and v:
            m = copy.deepcopy(cert)
            setp(m, path, v[:-1])
            out.append(('shorten %s' % where, m))
            m = copy.deepcopy(cert)
            setp(m, path, v + [copy.deepcopy(v[-1])])
            out.append(('lengthen %s' % where, m))
            if len(v) > 1 and v[0] != v[1]:
                m = copy.deepcopy(cert)
                setp(m, path, [v[1], v[0]] + v[2:])
                out.append(('swap %s' % where, m))
        elif isinstance(v, dict):
            m = copy.deepcopy(cert)
            setp(m, path + ('unknown_key',), 1)
            out.append(('add key to %s' % where, m))
        if isinstance(path[-1], str) and path[-1] != 'format':
            m = copy.deepcopy(cert)
            delp(m, path)
            out.append(('delete %s' % where, m))
    return out


def heads_class(m):
    """True when the mutant is still a valid proof of a true claim."""
    try:
        verify_heads.check(m)
    except verify_heads.Reject:
        return False
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        return False
    # the second checker accepted: the brute-force oracle must agree
    c = m['claim']
    want = oracle.heads(m['model'], c['n'])
    for key in ('k', 'k_inf', 'n_star'):
        if key in c and c[key] != want[key]:
            raise SystemExit('classifier bug: verify_heads accepted a false %s (%s)' % (key, json.dumps(c)))
    return True


def gradient_class(m):
    """True / False as for heads_class; None when the second checker does
    not judge the certificate (a marginal or unstable verdict)."""
    return verify_heads.verdict(verify_gradient.check, m, verify_gradient.Unjudged)


def represent_class(m):
    return verify_heads.verdict(verify_represent.check, m)


def approx_class(m):
    return verify_heads.verdict(verify_approx.check, m)


def is_mode_form(cert):
    w = cert.get('witness') if isinstance(cert, dict) else None
    lw = w.get('lower') if isinstance(w, dict) else None
    return isinstance(lw, dict) and 'modes' in lw


def mode_mutants(cert):
    """Mutants of a mode-form heads certificate (doc/cert-heads.md) that the
    systematic ones reach only by chance, as (label, mutant): "mode ..."
    ones to be judged, "contract ..." ones the mode form cannot prove
    whatever the model (the classifier must reject them too)."""
    if not is_mode_form(cert):
        return []
    out = []
    lw, c = cert['witness']['lower'], cert['claim']
    A = cert['model']['A']
    N = len(A['diag']) if 'diag' in A else len(A['complex_diag']['re'])

    def mutant(label, where, key, value):
        m = copy.deepcopy(cert)
        (m['witness']['lower'] if where == 'lower' else m['claim'])[key] = value
        out.append((label, m))
    for i, (s, part) in enumerate(lw['modes']):
        for s2 in sorted({(s + 1) % N, (s - 1) % N} - {s}):
            modes = copy.deepcopy(lw['modes'])
            modes[i][0] = s2
            mutant('mode index %d: %d -> %d' % (i, s, s2), 'lower', 'modes', modes)
        modes = copy.deepcopy(lw['modes'])
        modes[i][1] = 1 - part
        mutant('mode part %d: %d -> %d' % (i, part, 1 - part), 'lower', 'modes', modes)
    for key in ('entries', 'modes'):
        for i in range(len(lw[key]) - 1):
            v = copy.deepcopy(lw[key])
            v[i], v[i + 1] = v[i + 1], v[i]
            mutant('mode %s %d <-> %d' % (key, i, i + 1), 'lower', key, v)
    truth = oracle.heads(cert['model'])
    for dk in (-1, 1):
        if c['k'] + dk >= 0:
            mutant('contract k %+d' % dk, 'claim', 'k', c['k'] + dk)
    mutant('contract n_star added', 'claim', 'n_star', truth['n_star'])
    mutant('contract profile added', 'claim', 'profile', truth['profile'])
    F = verify_heads.lag_bound(verify_heads.realify(cert['model']), cert['witness']['upper'])
    for n in sorted({1, F - 1}):
        if 1 <= n < F:
            mutant('contract n = %d below F = %d' % (n, F), 'claim', 'n', n)
    return out


def claim_mutants(kind, cert):
    """Mutants whose claim is false by construction."""
    out = []
    c = cert['claim']
    if kind == 'gradient':
        for v in ('stable', 'marginal', 'unstable'):
            if c.get('stable') != v and 'stable' in c:
                m = copy.deepcopy(cert)
                m['claim']['stable'] = v
                out.append(('verdict -> %s' % v, m))
        if isinstance(c.get('horizon'), int):
            for dh in (-1, 1):
                if c['horizon'] + dh >= 0:
                    m = copy.deepcopy(cert)
                    m['claim']['horizon'] = c['horizon'] + dh
                    out.append(('horizon %+d' % dh, m))
    elif kind == 'approx':
        for dh in (-1, 1):   # H is the least: neither H - 1 nor H + 1 is
            if c['H'] + dh >= 0:
                m = copy.deepcopy(cert)
                m['claim']['H'] = c['H'] + dh
                out.append(('H %+d' % dh, m))
    elif kind == 'represent' and isinstance(c.get('representable'), bool):
        m = copy.deepcopy(cert)
        m['claim']['representable'] = not c['representable']
        out.append(('representable flipped', m))
    return out


# ---- resource attacks (issue 15) ------------------------------------------
# The largest numbers, lengths and exponents the format allows, put in place
# of one number or one list of a corpus certificate.  The C checker must end
# each in a verdict (0 or 1), "not a certificate" (4) or a named resource
# limit (6), within a hard time limit: never a signal, an abort or a hang.
# An accepted one must still be a valid proof (the Python checker, when it
# finishes in time, must agree).

HUGE_INTS = [2 ** 62, 2 ** 63 - 1, 10 ** 8, -2 ** 63]
HUGE_NUMBERS = ['1e100000', '1e99999', '-1e99999', '1e-99999', '9' * 100000, '1/' + '7' * 100000,
                '0x1p400000', '0x1p-400000']
# make check's sample: the numbers beyond --max-digits (refused at once);
# the ones just within it take seconds each, minutes under valgrind, and are
# left to the full campaign
QUICK_NUMBERS = ['1e100000', '-1e100000', '0x1p400000', '0x1p-400000']
LONG_LIST = 100000


def resource_mutants(cert, rng, long_list=LONG_LIST, numbers=HUGE_NUMBERS):
    out = []
    for path, v in list(leaves(cert)):
        if not path or path[0] == 'format' or path[-1] == 'format':
            continue
        where = '.'.join(map(str, path))
        if is_num(v):
            for op in rng.sample(HUGE_INTS if isinstance(v, int) else numbers, 2):
                m = copy.deepcopy(cert)
                setp(m, path, op)
                out.append(('huge %s -> %.20s' % (where, op), m))
        elif isinstance(v, list) and v and not isinstance(v[-1], (list, dict)):
            m = copy.deepcopy(cert)
            setp(m, path, v + [v[-1]] * (long_list - len(v)))
            out.append(('long %s (%d entries)' % (where, long_list), m))
    return out


def python_checker(kind):
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), 'verify_%s.py' % kind)


def run_resource(kind, lab, m, path, bad, counts):
    """One resource mutant; failures into bad."""
    vg = os.path.basename(VERIFY).startswith('vg-')
    with open(path, 'w') as f:
        json.dump(m, f)
    try:
        r = subprocess.run([VERIFY, path], capture_output=True, text=True, timeout=2400 if vg else 120)
    except subprocess.TimeoutExpired:
        bad.append('resource mutant not ended within the time limit: %s %s' % (kind, lab))
        return
    if r.returncode not in (0, 1, 4, 6):
        bad.append('checker exit %d on resource mutant %s %s: %s' % (r.returncode, kind, lab,
                                                                    r.stderr[-200:]))
        return
    counts['resource_exit_%d' % r.returncode] = counts.get('resource_exit_%d' % r.returncode, 0) + 1
    if r.returncode == 0:
        try:
            p = subprocess.run([sys.executable, python_checker(kind), path], capture_output=True,
                               text=True, timeout=20,
                               env=dict(os.environ, SSMH_PY_MAX_CHARS='300000'))
            if 'REJECTED' in p.stdout:
                bad.append('ACCEPTED an invalid resource mutant: %s %s (%s)' % (kind, lab, p.stdout[-200:]))
        except subprocess.TimeoutExpired:
            counts['resource_accepted_unjudged'] = counts.get('resource_accepted_unjudged', 0) + 1


def main(argv):
    limit = int(argv[argv.index('--limit') + 1]) if '--limit' in argv else None
    mult = float(os.environ.get('SSMH_TEST_MULT', '1'))
    if limit is not None:   # SSMH_TEST_MULT scales the sample (fractional under valgrind)
        limit = max(1, int(limit * mult))
    seed = int(argv[argv.index('--seed') + 1]) if '--seed' in argv else \
        int(os.environ.get('SSMH_TEST_SEED', '20261124'))
    rng = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix='ssmh_mut_')
    certs = corpus(tmp, small=limit is not None)
    jobs, fixed = [], []
    for kind, cert in certs:
        if kind in ('heads', 'represent', 'approx') or (kind == 'gradient' and gradient_class(cert)):
            jobs += [(kind, lab, m) for lab, m in structural_mutants(cert, rng)]
        fixed += [(kind, lab, m) for lab, m in claim_mutants(kind, cert)]
        if kind == 'heads':
            mm = mode_mutants(cert)
            if limit is not None:   # make check: one of each sort per certificate, scaled
                sorts = {}
                for lab, m in mm:
                    sorts.setdefault(' '.join(lab.split()[:2]), []).append((lab, m))
                mm = [rng.choice(v) for _, v in sorted(sorts.items())]
                mm = rng.sample(mm, min(len(mm), max(2, int(len(mm) * mult))))
            fixed += [(kind, lab, m) for lab, m in mm]
    total = len(jobs) + len(fixed)
    if limit is not None and limit < len(jobs):   # a sample; the claim mutants always run
        jobs = rng.sample(jobs, limit)
    jobs += fixed
    # a valid certificate lengthened to 10^5 lags of growing exact size (a
    # rotation's constant norms) is checked, not refused: about 20 s, as long
    # as the producer takes to write it; the sample of make check uses 10^4
    resource = [(kind, lab, m) for kind, cert in certs
                for lab, m in (resource_mutants(cert, rng) if limit is None else
                               resource_mutants(cert, rng, LONG_LIST // 10, QUICK_NUMBERS))]
    total_resource = len(resource)
    if limit is not None:   # a seeded sample, scaled like the rest
        resource = rng.sample(resource, min(len(resource), max(1, limit // 10)))
    counts = {'invalid_rejected': 0, 'invalid_ACCEPTED': 0, 'valid_accepted': 0, 'valid_rejected': 0}
    per_kind = {}
    bad = []
    path = os.path.join(tmp, 'mutant.json')
    for kind, lab, m in jobs:
        word = lab.split()[0]
        structural = word in ('number', 'shorten', 'lengthen', 'swap', 'add', 'delete', 'mode')
        if word == 'contract':          # the mode form cannot prove it: the classifier must agree
            valid = False
            if heads_class(m):
                bad.append('classifier accepted a mode-form mutant the contract forbids: %s' % lab)
        elif not structural:
            valid = False               # claim mutants: false by construction
        elif kind == 'heads':
            valid = heads_class(m)
        elif kind == 'represent':
            valid = represent_class(m)
        elif kind == 'approx':
            valid = approx_class(m)
        else:
            valid = gradient_class(m)
            if valid is None:           # not judged independently: not counted
                continue
        with open(path, 'w') as f:
            json.dump(m, f)
        r = subprocess.run([VERIFY, path], capture_output=True, text=True, timeout=300)
        if r.returncode not in (0, 1):
            bad.append('checker exit %d on %s %s: %s' % (r.returncode, kind, lab, r.stderr[:200]))
            continue
        acc = r.returncode == 0
        key = ('valid_' if valid else 'invalid_') + ('accepted' if acc else ('rejected' if valid else 'rejected'))
        if not valid and acc:
            key = 'invalid_ACCEPTED'
            bad.append('ACCEPTED an invalid mutant: %s %s' % (kind, lab))
        counts[key] += 1
        pk = per_kind.setdefault('heads/modes' if kind == 'heads' and is_mode_form(m) else kind, [0, 0])
        pk[0] += 1
        pk[1] += valid
    for kind, lab, m in resource:
        run_resource(kind, lab, m, path, bad, counts)
    n_mode = sum(1 for kind, c in certs if kind == 'heads' and is_mode_form(c)) - len(hand_made_mode_certs())
    if n_mode < MIN_MODE_CERTS:
        bad.append('only %d mode-form certificates from the producer (at least %d expected)'
                   % (n_mode, MIN_MODE_CERTS))
    print('corpus: %d certificates (%s; %d heads ones with the mode form, %d of those hand-made)' % (
        len(certs), ', '.join('%s %d' % (k, sum(1 for c in certs if c[0] == k))
                              for k in ('heads', 'gradient', 'represent', 'approx')),
        n_mode + len(hand_made_mode_certs()), len(hand_made_mode_certs())))
    print('mutants: %d run of %d enumerated (seed %d)' % (len(jobs), total, seed))
    print('resource attacks: %d run of %d enumerated' % (len(resource), total_resource))
    for k, (n, v) in sorted(per_kind.items()):
        print('  %-9s %6d mutants, %5d still valid proofs' % (k, n, v))
    for k, v in counts.items():
        print('  %-17s %6d' % (k, v))
    for b in bad[:20]:
        print('FAIL', b)
    print('%d passed, %d failed' % (len(jobs) + len(resource) - len(bad), len(bad)))
    return 0 if not bad else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
