#!/usr/bin/env python3
"""A second, independent checker for `gradient` certificates
(doc/gradient.md), in the Python standard library only: exact rationals,
LDL^T with Fraction pivots.

    python3 tests/verify_gradient.py CERT...    "VERIFIED" or "REJECTED: why"

Checks: P symmetric positive definite ("identity" or a matrix over the
realified state); gamma^2 P - A^T P A, beta_B I - B^T P B and beta_C P - C^T C
(beta_C I - C C^T for P = I) positive semidefinite; M2 = beta_B beta_C;
"stable" only with gamma < 1; every norms_f2[l] = ||K_l||_F^2; the horizon
the least lag from which M2 gamma^(2t) <= eps^2 covers every later lag
(none for gamma > 1; decided by binary fixed-point bounds, so a horizon of
10^9 costs milliseconds); for "marginal" and
"unstable", the eigenvalue evidence (a block of a structured A; v != 0
with phi(A) v = 0 for a monic phi of degree 1 or 2 with complex roots, and
phi(A) w = v for a Jordan chain; a cyclic vector v of phi^k, k = 1 or 2,
with |phi(0)| against 1; or a Stein form r >= 1, r^2 P - A^T P A > 0,
x^T P x < 0) and gamma = 1 for "marginal".
"""
import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_heads import Reject, num, matrix, realify, lags, run_files  # noqa: E402
from oracle import rank  # noqa: E402


class Unjudged(Exception):
    """A certificate outside what this checker decides (none at present)."""


def evidence_class(ev, M, Aent, blocks):
    """(class of |lambda| against 1: -1, 0, 1; is it a Jordan chain)."""
    if not isinstance(ev, dict) or not isinstance(ev.get('type'), str):
        raise Reject('bad evidence')
    A = [[Aent.get((i, j), Fraction(0)) for j in range(M)] for i in range(M)]
    if ev['type'] == 'block':
        s_ = ev.get('state')
        if set(ev) != {'type', 'state'} or blocks is None or not isinstance(s_, int) or isinstance(s_, bool):
            raise Reject('bad block evidence')
        blk = next((b for b in blocks if b[0] == s_), None)
        if blk is None:
            raise Reject('no block starts at that state')
        if len(blk) == 1:
            mod2 = A[s_][s_] ** 2
        else:
            a, b = A[s_][s_], A[s_ + 1][s_]
            if A[s_ + 1][s_ + 1] != a or A[s_][s_ + 1] != -b:
                raise Reject('not a rotation-scaling block')
            mod2 = a * a + b * b
        return (mod2 > 1) - (mod2 < 1), False
    if ev['type'] == 'cyclic':
        return cyclic_class(ev, M, A)
    if ev['type'] == 'stein':
        return stein_class(ev, M, A)
    if ev['type'] not in ('kernel', 'chain'):
        raise Reject('unknown evidence type')
    chain = ev['type'] == 'chain'
    if set(ev) != ({'type', 'poly', 'v', 'w'} if chain else {'type', 'poly', 'v'}):
        raise Reject('bad evidence keys')
    c = [num(x) for x in ev['poly']] if isinstance(ev['poly'], list) else []
    if len(c) not in (2, 3) or c[-1] != 1:
        raise Reject('phi must be monic of degree 1 or 2')
    if len(c) == 2:
        mod2 = c[0] ** 2
    else:
        if not c[1] ** 2 < 4 * c[0]:
            raise Reject('phi of degree 2 must have complex roots')
        mod2 = c[0]

    def phi(x):
        y = apply(A, x)
        if len(c) == 2:
            return [yi + c[0] * xi for yi, xi in zip(y, x)]
        z = apply(A, y)
        return [zi + c[1] * yi + c[0] * xi for zi, yi, xi in zip(z, y, x)]
    v = vector(ev['v'], M)
    if all(x == 0 for x in v) or any(x != 0 for x in phi(v)):
        raise Reject('phi(A) v = 0 with v != 0 fails')
    if chain and phi(vector(ev['w'], M)) != v:
        raise Reject('phi(A) w = v fails')
    return (mod2 > 1) - (mod2 < 1), chain


def apply(A, x):
    return [sum(a * b for a, b in zip(row, x) if a and b) for row in A]


def vector(v, M):
    if not isinstance(v, list) or len(v) != M:
        raise Reject('evidence vector of the wrong length')
    return [num(x) for x in v]


def cyclic_class(ev, M, A):
    """v, A v, ..., A^(kd-1) v independent and phi^k(A) v = 0: every root of
    phi is an eigenvalue (defective for k = 2); |phi(0)| >= 1 shows one of
    modulus >= 1, > 1 one outside."""
    if set(ev) != {'type', 'poly', 'power', 'v'}:
        raise Reject('bad cyclic evidence keys')
    k = ev['power']
    if not isinstance(k, int) or isinstance(k, bool) or k not in (1, 2):
        raise Reject('power must be 1 or 2')
    phi = [num(x) for x in ev['poly']] if isinstance(ev['poly'], list) else []
    if len(phi) < 2 or phi[-1] != 1 or k * (len(phi) - 1) > M:
        raise Reject('phi must be monic of degree 1 .. N / power')
    psi = phi if k == 1 else [sum(phi[i] * phi[n - i] for i in range(len(phi)) if 0 <= n - i < len(phi))
                              for n in range(2 * len(phi) - 1)]
    D = len(psi) - 1
    krylov = [vector(ev['v'], M)]
    for _ in range(D):
        krylov.append(apply(A, krylov[-1]))
    if any(sum(c * u[i] for c, u in zip(psi, krylov)) != 0 for i in range(M)):
        raise Reject('phi^k(A) v != 0')
    if rank(krylov[:D]) != D:   # the Krylov vectors as rows
        raise Reject('the cyclic space of v is smaller than deg phi^k')
    m = abs(phi[0])
    return (m > 1) - (m < 1), k == 2


def stein_class(ev, M, A):
    """r >= 1, r^2 P - A^T P A > 0 and x^T P x < 0 force |lambda| > r."""
    if set(ev) != {'type', 'r', 'P', 'x'}:
        raise Reject('bad stein evidence keys')
    r = num(ev['r'])
    P = matrix(ev['P'], M, M)
    x = vector(ev['x'], M)
    if r < 1:
        raise Reject('r < 1')
    if any(P[i][j] != P[j][i] for i in range(M) for j in range(i)):
        raise Reject('P is not symmetric')
    if sum(a * b for a, b in zip(x, apply(P, x))) >= 0:
        raise Reject('x^T P x >= 0')
    PA = mul(P, A)
    S = [[r * r * P[i][j] - sum(A[k][i] * PA[k][j] for k in range(M)) for j in range(M)] for i in range(M)]
    if not psd(S, strict=True):
        raise Reject('r^2 P - A^T P A is not positive definite')
    return 1, False


def psd(S, strict=False):
    """Exact LDL^T: every pivot >= 0 (> 0 when strict); a zero pivot needs a
    zero rest of its column."""
    n = len(S)
    if any(S[i][j] != S[j][i] for i in range(n) for j in range(i)):
        return False
    M = [row[:] for row in S]
    for k in range(n):
        piv = M[k][k]
        if piv < 0 or (strict and piv == 0):
            return False
        if piv == 0:
            if any(M[i][k] != 0 for i in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            if M[i][k]:
                f = M[i][k] / piv
                M[i] = [a - f * b for a, b in zip(M[i], M[k])]
    return True


def mul(X, Y):
    return [[sum(a * b for a, b in zip(row, col) if a and b) for col in zip(*Y)] for row in X]


def tr(X):
    return [list(r) for r in zip(*X)]


# ---- the horizon (doc/gradient.md, "Horizon in lags") ----------------------
# M2 gamma^(2t) <= eps^2 is decided for t up to 2^62 with outward-rounded
# binary fixed-point bounds: x = gamma (0 < x < 1) enclosed by
# floor/ceil(x 2^s) 2^-s, x^k by repeated squaring with every lower bound
# truncated and every upper bound rounded up to PREC bits; exact integers
# only when the bounds do not decide and x^k = R is possible (b^k must be
# R's denominator).

TINY = 1 << 50


def _trim(m, e, prec, up):
    """m 2^e with m cut to prec bits, down (floor) or up (ceiling)."""
    extra = m.bit_length() - prec
    if extra <= 0:
        return m, e
    return (-((-m) >> extra) if up else m >> extra), e + extra


def power_enclosure(a, b, k, prec):
    """(lo, hi), each (m, e), with lo <= (a/b)^k <= hi, for 0 < a < b."""
    s = prec + b.bit_length() - a.bit_length() + 1
    base = [_trim((a << s) // b, -s, prec, False), _trim(-((-(a << s)) // b), -s, prec, True)]
    acc = [(1, 0), (1, 0)]
    while True:
        if k & 1:
            acc = [_trim(acc[i][0] * base[i][0], acc[i][1] + base[i][1], prec, i == 1) for i in (0, 1)]
        k >>= 1
        if not k:
            return acc
        if base[1][1] + base[1][0].bit_length() < -TINY:   # a factor <= base remains
            return [(0, 0), (1, -TINY)]
        if base[0][0] and base[0][1] + base[0][0].bit_length() < -2 * TINY:
            base[0] = (0, 0)
        base = [_trim(base[i][0] ** 2, 2 * base[i][1], prec, i == 1) for i in (0, 1)]


def _sign_minus(x, R):
    """sign of m 2^e - R (R > 0), by bit lengths before any large shift."""
    m, e = x
    if m == 0:
        return -1
    u, v = R.numerator, R.denominator
    lm = m.bit_length() + v.bit_length()
    if lm + e <= u.bit_length() - 1:
        return -1
    if lm - 2 + e >= u.bit_length():
        return 1
    left, right = (m * v << e, u) if e >= 0 else (m * v, u << -e)
    return (left > right) - (left < right)


def power_at_most(M2, gamma, k, Q):
    """M2 gamma^k <= Q for 0 < gamma < 1, M2 > 0, Q > 0."""
    R = Q / M2
    a, b = gamma.numerator, gamma.denominator
    prec = 128 + k.bit_length()
    while prec <= 1 << 26:
        lo, hi = power_enclosure(a, b, k, prec)
        if _sign_minus(hi, R) <= 0:
            return True
        if _sign_minus(lo, R) > 0:
            return False
        nv = R.denominator.bit_length()
        if k < nv and k * (b.bit_length() - 1) < nv:   # equality possible
            return a ** k * R.denominator <= R.numerator * b ** k
        prec *= 2
    raise Unjudged('M2 gamma^k against eps^2 undecided within 2^26 bits')


def check_horizon(c, M2, gamma, delayed, dzero):
    """h is the least lag from which M2 gamma^(2t) <= eps^2 holds for every
    later t: none for gamma > 1 (M2 > 0) or gamma = 1 with M2 > eps^2; else
    the least such t (the envelope is nonincreasing), in lags t (direct,
    D = 0), max(t, 1) (direct, D != 0), t + 1 (delayed)."""
    eps, h = num(c['eps']), c['horizon']
    if eps <= 0 or not isinstance(h, int) or isinstance(h, bool) or not 0 <= h <= 1 << 62:
        raise Reject('bad eps or horizon')
    e2 = eps * eps
    if M2 > 0 and gamma > 1:
        raise Reject('no horizon exists: gamma > 1, the envelope grows without bound')
    if M2 > 0 and gamma == 1 and M2 > e2:
        raise Reject('no horizon exists: gamma = 1 and M2 > eps^2')

    def reaches(t):
        if M2 == 0 or (gamma == 0 and t >= 1):
            return True
        if gamma == 0 or gamma == 1 or t == 0:
            return M2 <= e2
        return power_at_most(M2, gamma, 2 * t, e2)
    if h == 0 and (delayed or not dzero):
        raise Reject('horizon 0 does not cover K_0')
    t = h - 1 if delayed else h
    if not reaches(t):
        raise Reject('the envelope does not reach eps at the horizon')
    if t > 0 and not (not delayed and not dzero and h == 1) and reaches(t - 1):
        raise Reject('the horizon is not the least lag')


def check(cert):
    if not isinstance(cert, dict) or cert.get('format') != 'ssmheads-cert/1':
        raise Reject('not an ssmheads-cert/1 certificate')
    c, w = cert.get('claim'), cert.get('witness')
    if not isinstance(c, dict) or c.get('kind') != 'gradient' or not isinstance(w, dict):
        raise Reject('not a gradient certificate')
    model = realify(cert.get('model'))
    delayed, M, Aent, blocks, B, C, D = model
    verdict = c.get('stable')
    if verdict in (None, 'stable'):
        if 'evidence' in w:
            raise Reject('evidence without a marginal or unstable verdict')
    elif verdict in ('marginal', 'unstable'):
        cls, chain = evidence_class(w.get('evidence'), M, Aent, blocks)
        if verdict == 'marginal' and (cls != 0 or chain or num(c['gamma']) != 1):
            raise Reject('marginal needs a simple unit-circle eigenvalue and gamma = 1')
        if verdict == 'unstable' and not (cls > 0 or (cls == 0 and chain)):
            raise Reject('unstable needs an eigenvalue outside the circle or a defective one on it')
    else:
        raise Reject('unknown verdict')
    p, d = len(C), len(B[0])
    A = [[Aent.get((i, j), Fraction(0)) for j in range(M)] for i in range(M)]
    gamma, M2 = num(c['gamma']), num(c['M2'])
    bB, bC = num(w['beta_B']), num(w['beta_C'])
    if gamma < 0:
        raise Reject('gamma < 0')
    if verdict == 'stable' and not gamma < 1:
        raise Reject('"stable" needs gamma < 1')
    identity = w['P'] == 'identity'
    if identity:
        P = [[Fraction(int(i == j)) for j in range(M)] for i in range(M)]
    else:
        P = matrix(w['P'], M, M)
        if any(P[i][j] != P[j][i] for i in range(M) for j in range(i)):
            raise Reject('P is not symmetric')
    if not psd(P, strict=True):
        raise Reject('P is not positive definite')
    AtPA = mul(mul(tr(A), P), A)
    g2 = gamma * gamma
    if not psd([[g2 * P[i][j] - AtPA[i][j] for j in range(M)] for i in range(M)]):
        raise Reject('gamma^2 P - A^T P A is not positive semidefinite')
    BtPB = mul(mul(tr(B), P), B)
    if not psd([[bB * (i == j) - BtPB[i][j] for j in range(d)] for i in range(d)]):
        raise Reject('beta_B I - B^T P B is not positive semidefinite')
    if identity:
        CCt = mul(C, tr(C))
        ok = psd([[bC * (i == j) - CCt[i][j] for j in range(p)] for i in range(p)])
    else:
        CtC = mul(tr(C), C)
        ok = psd([[bC * P[i][j] - CtC[i][j] for j in range(M)] for i in range(M)])
    if not ok:
        raise Reject('beta_C P - C^T C is not positive semidefinite')
    if M2 != bB * bC:
        raise Reject('M2 is not beta_B beta_C')
    nf = c['norms_f2']
    if not isinstance(nf, list):
        raise Reject('norms_f2 is not a list')
    K = lags(model, len(nf))
    for l, v in enumerate(nf):
        if num(v) != sum(x * x for row in K[l] for x in row):
            raise Reject('norms_f2[%d] is wrong' % l)
    if ('eps' in c) != ('horizon' in c):
        raise Reject('eps and horizon go together')
    if 'eps' in c:
        check_horizon(c, M2, gamma, delayed, all(x == 0 for row in D for x in row))
    return 'gamma = %s, M2 = %s' % (c['gamma'], c['M2'])


if __name__ == '__main__':
    sys.exit(run_files(sys.argv[1:], check, (Unjudged,)))
