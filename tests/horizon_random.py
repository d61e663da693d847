#!/usr/bin/env python3
"""The gradient horizon against exact arithmetic (issue 15, doc/gradient.md
"Horizon in lags").  One-state models A = [[g]], B = [[b]], C = [[1]] (so
P = 1, beta_B = b^2, beta_C = 1, M2 = b^2 is a valid envelope with gamma =
g) in all three lag forms (direct with D = 0 and D != 0, delayed), with:

- seeded random gamma < 1 and eps, horizons small enough that the least t
  is found here with exact Fraction powers;
- exact ties M2 gamma^(2t) = eps^2 (gamma = 1/2, eps = 2^-t; gamma = 2/3,
  M2 = (3/2)^(2t) eps^2), where only the exact fallback can decide;
- gamma > 1 and gamma = 1 (no horizon unless M2 <= eps^2);
- large horizons (gamma = 1 - 10^-k), where both checkers must agree.

For each, the certificate claiming the true horizon h must be accepted by
the C checker and tests/verify_gradient.py, and h - 1 and h + 1 rejected by
both (none at all when no horizon exists); the producer's horizon for the
same model must be h.  Prints "N passed, N failed".
"""
import json
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402
import verify_gradient  # noqa: E402
import verify_heads  # noqa: E402

PROG = os.environ.get('SSMHEADS', './ssmheads')
VERIFY = os.environ.get('SSMHEADS_VERIFY', os.path.join(os.path.dirname(PROG) or '.', 'ssmheads-verify'))
SEED = int(os.environ.get('SSMH_TEST_SEED', '20261124'))
MULT = max(0.01, float(os.environ.get('SSMH_TEST_MULT', '1')))


def s(x):
    x = F(x)
    return str(x.numerator) if x.denominator == 1 else '%d/%d' % (x.numerator, x.denominator)


def exact_horizon(M2, g, eps, form):
    """h by the definition, with exact powers (None: there is none)."""
    e2 = F(eps) ** 2
    if M2 > 0 and (g > 1 or (g == 1 and M2 > e2)):
        return None
    t = 0
    while not (M2 == 0 or M2 * g ** (2 * t) <= e2):
        t += 1
    return {'direct': t, 'D': max(t, 1), 'delayed': t + 1}[form]


def certificate(g, b, eps, form, h):
    m = {"format": "ssmheads-model/1", "A": [[s(g)]], "B": [[s(b)]], "C": [["1"]]}
    if form == 'D':
        m["D"] = [["1/3"]]
    if form == 'delayed':
        m["convention"] = "delayed"
    K0 = F(1, 3) + b if form == 'D' else (0 if form == 'delayed' else b)
    claim = {"kind": "gradient", "gamma": s(g), "M2": s(b * b), "norms_f2": [s(K0 * K0)]}
    if h is not None:
        claim["eps"] = s(eps)
        claim["horizon"] = h
    return {"format": "ssmheads-cert/1", "model": m, "claim": claim,
            "witness": {"P": [["1"]], "beta_B": s(b * b), "beta_C": "1"}}


def verdicts(cert, path):
    with open(path, 'w') as f:
        json.dump(cert, f)
    c = subprocess.run([VERIFY, path], capture_output=True, text=True, timeout=120)
    py = verify_heads.verdict(verify_gradient.check, cert, verify_gradient.Unjudged)
    return c.returncode, py


def main():
    rng = random.Random(SEED)
    tally = Tally()
    tmp = tempfile.mkdtemp(prefix='ssmh_hor_')
    path = os.path.join(tmp, 'c.json')
    cases = []   # (gamma, b, eps, form, exact?); the producer runs on the random ones and gamma >= 1
    forms = ('direct', 'D', 'delayed')
    for _ in range(max(1, int(8 * MULT))):
        g = F(rng.randint(1, 63), 64) if rng.random() < 0.5 else F(rng.randint(1, 999), rng.randint(1000, 1300))
        cases.append((g, F(rng.randint(1, 9), rng.randint(1, 9)), F(1, rng.randint(2, 10 ** 6)),
                      rng.choice(forms), True))
    t = rng.randint(3, 40)
    cases.append((F(1, 2), F(1), F(1, 2 ** t), rng.choice(forms), True))        # a tie at t
    cases.append((F(2, 3), F(3, 2) ** 5 * F(1, 7), F(1, 7), rng.choice(forms), True))   # a tie at 5
    cases.append((F(2), F(1, 1000), F(1, 100), rng.choice(forms), True))        # gamma > 1
    cases.append((F(1), F(1, 1000), F(1, 10000), 'direct', True))               # gamma = 1, none
    cases.append((F(1), F(1, 1000), F(1, 100), 'delayed', True))                # gamma = 1, h = 1
    for k in (6, 9):                                                            # h ~ 10^k
        cases.append((1 - F(1, 10 ** k), F(1), F(1, 1000), rng.choice(forms), False))
    for g, b, eps, form, exact in cases:
        M2 = b * b
        if exact:
            h = exact_horizon(M2, g, eps, form)
        else:   # too far for exact powers: verify_gradient's bounds, cross-checked below
            e2 = eps * eps   # M2 > eps^2 here, so t = 0 fails
            lo, hi = 0, 1
            while not verify_gradient.power_at_most(M2, g, 2 * hi, e2):
                lo, hi = hi, 2 * hi
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (lo, mid) if verify_gradient.power_at_most(M2, g, 2 * mid, e2) else (mid, hi)
            h = {'direct': hi, 'D': max(hi, 1), 'delayed': hi + 1}[form]
        what = 'gamma %s, M2 %s, eps %s, %s' % (s(g), s(M2), s(eps), form)
        if h is None:   # no horizon: every claim of one is rejected
            for claim_h in (0, 1, 5):
                rc, py = verdicts(certificate(g, b, eps, form, claim_h), path)
                tally.check(rc == 1 and py is False, '%s: no horizon, h = %d rejected (C %d, python %s)'
                            % (what, claim_h, rc, py))
            rc, py = verdicts(certificate(g, b, eps, form, None), path)
            tally.check(rc == 0 and py, '%s: the envelope alone accepted' % what)
        else:
            rc, py = verdicts(certificate(g, b, eps, form, h), path)
            tally.check(rc == 0 and py, '%s: h = %d accepted (C %d, python %s)' % (what, h, rc, py))
            for dh in (-1, 1):
                if h + dh < 0:
                    continue
                rc, py = verdicts(certificate(g, b, eps, form, h + dh), path)
                tally.check(rc == 1 and py is False, '%s: h = %d rejected (C %d, python %s)'
                            % (what, h + dh, rc, py))
        if not exact or (g < 1 and (g.denominator in (2, 3) or b == F(3, 2) ** 5 * F(1, 7))):
            continue   # the ties and the far horizons: the checkers only
        # the producer's horizon for the same model (its own envelope)
        mp = os.path.join(tmp, 'm.json')
        with open(mp, 'w') as f:
            json.dump(certificate(g, b, eps, form, None)["model"], f)
        r = subprocess.run([PROG, 'gradient', mp, '--eps', s(eps), '--json'], capture_output=True,
                           text=True, timeout=120)
        if r.returncode == 0:
            got = json.loads(r.stdout)
            # the producer proves its own gamma (just above rho): its horizon
            # may exceed ours, never undercut a valid one; none iff none
            gh = got['horizon']
            ok = (gh is None) == (h is None) if g >= 1 else (gh is not None and gh >= h)
            tally.check(ok and (gh is not None or got.get('horizon_none')),
                        '%s: producer horizon %s (ours %s; %s)' % (what, gh, h, got.get('horizon_none')))
        else:
            tally.check(False, '%s: producer exit %d: %s' % (what, r.returncode, r.stderr[:200]))
    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
