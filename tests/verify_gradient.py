#!/usr/bin/env python3
"""A second, independent checker for `gradient` certificates with the verdict
`stable` or no verdict (doc/gradient.md), in the Python standard library
only: exact rationals, LDL^T with Fraction pivots.  (Marginal and unstable
verdicts carry eigenvalue evidence this checker does not re-derive; it
refuses to judge them.)

    python3 tests/verify_gradient.py CERT...    "VERIFIED" or "REJECTED: why"

Checks: P symmetric positive definite ("identity" or a matrix over the
realified state); gamma^2 P - A^T P A, beta_B I - B^T P B and beta_C P - C^T C
(beta_C I - C C^T for P = I) positive semidefinite; M2 = beta_B beta_C;
"stable" only with gamma < 1; every norms_f2[l] = ||K_l||_F^2; the horizon
the least lag allowed by M2 gamma^(2t) <= eps^2.
"""
import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_heads import Reject, num, matrix, realify, lags, run_files  # noqa: E402


class Unjudged(Exception):
    """A certificate outside what this checker decides (a verdict with evidence)."""


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


def check(cert):
    if not isinstance(cert, dict) or cert.get('format') != 'ssmheads-cert/1':
        raise Reject('not an ssmheads-cert/1 certificate')
    c, w = cert.get('claim'), cert.get('witness')
    if not isinstance(c, dict) or c.get('kind') != 'gradient' or not isinstance(w, dict):
        raise Reject('not a gradient certificate')
    if c.get('stable', 'stable') != 'stable':
        raise Unjudged('verdict %r carries evidence this checker does not judge' % c.get('stable'))
    model = realify(cert.get('model'))
    delayed, M, Aent, _, B, C, D = model
    p, d = len(C), len(B[0])
    A = [[Aent.get((i, j), Fraction(0)) for j in range(M)] for i in range(M)]
    gamma, M2 = num(c['gamma']), num(c['M2'])
    bB, bC = num(w['beta_B']), num(w['beta_C'])
    if gamma < 0:
        raise Reject('gamma < 0')
    if 'stable' in c and not gamma < 1:
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
        eps, h = num(c['eps']), c['horizon']
        if eps <= 0 or not isinstance(h, int) or isinstance(h, bool) or h < 0:
            raise Reject('bad eps or horizon')
        e2 = eps * eps

        def below(t):
            return M2 * g2 ** t <= e2
        t = h - 1 if delayed else h
        if t < 0 or not below(t):
            raise Reject('the envelope does not reach eps at the horizon')
        while t > 0 and below(t - 1):
            t -= 1
        dzero = all(x == 0 for row in D for x in row)
        least = t + 1 if delayed else (t if dzero or t >= 1 else 1)
        if least != h:
            raise Reject('the horizon is not the least lag')
    return 'gamma = %s, M2 = %s' % (c['gamma'], c['M2'])


if __name__ == '__main__':
    sys.exit(run_files(sys.argv[1:], check, (Unjudged,)))
