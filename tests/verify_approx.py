#!/usr/bin/env python3
"""A second, independent checker for `approx` certificates (doc/approx.md),
in the Python standard library only.

    python3 tests/verify_approx.py CERT...   "VERIFIED" or "REJECTED: why"

With G = sum_{l<n} (n-l) vec(K_l) vec(K_l)^T (exact Fractions) and
tau = eps^2 (times tr G when relative), it checks: the basis's residual
tr G - tr((V^T V)^{-1} V^T G V) equals error2_upper and is <= tau; for H = 1,
error2_lower_prev = tr G > tau; for H >= 2, t >= 0, Y >= 0, Z = W Y W^T,
Z - G + t I >= 0 (exact LDL^T) and error2_lower_prev = tr G - (H-1) t - tr Z
> tau.
"""
import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_heads import Reject, num, matrix, realify, lags, run_files  # noqa: E402
from verify_gradient import psd  # noqa: E402


def solve(A, B):
    """A^{-1} B exactly (Gauss-Jordan); Reject when A is singular."""
    n = len(A)
    M = [list(A[i]) + list(B[i]) for i in range(n)]
    for c in range(n):
        piv = next((i for i in range(c, n) if M[i][c] != 0), None)
        if piv is None:
            raise Reject('basis: value maps are linearly dependent')
        M[c], M[piv] = M[piv], M[c]
        inv = 1 / M[c][c]
        M[c] = [x * inv for x in M[c]]
        for i in range(n):
            if i != c and M[i][c] != 0:
                f = M[i][c]
                M[i] = [a - f * b for a, b in zip(M[i], M[c])]
    return [row[n:] for row in M]


def maps(a, p, d, count=None):
    if not isinstance(a, list) or (count is not None and len(a) != count):
        raise Reject('value maps: wrong count')
    out = []
    for v in a:
        mm = matrix(v, p, d)
        out.append([x for row in mm for x in row])
    return out


def check(cert):
    if not isinstance(cert, dict) or cert.get('format') != 'ssmheads-cert/1':
        raise Reject('not an ssmheads-cert/1 certificate')
    c, w = cert.get('claim'), cert.get('witness')
    if not isinstance(c, dict) or c.get('kind') != 'approx' or not isinstance(w, dict):
        raise Reject('not an approx certificate')
    if set(c) - {'kind', 'n', 'H', 'eps', 'relative', 'error2_upper', 'error2_lower_prev'}:
        raise Reject('claim: unknown field')
    model = realify(cert.get('model'))
    _, _, _, _, B, C, _ = model
    p, d = len(C), len(B[0])
    n, H = c.get('n'), c.get('H')
    if type(n) is not int or type(H) is not int or n < 1 or not 0 <= H <= p * d:
        raise Reject('claim: n and H')
    if not isinstance(c.get('relative'), bool):
        raise Reject('claim: relative')
    eps = num(c.get('eps'))
    if eps <= 0:
        raise Reject('claim: eps must be > 0')
    if ('error2_lower_prev' in c) != (H >= 1):
        raise Reject('claim: error2_lower_prev exactly when H >= 1')
    if set(w) != ({'basis', 'lower'} if H >= 2 else {'basis'}):
        raise Reject('witness: keys')
    K = lags(model, n)
    vecs = [[x for row in k for x in row] for k in K]
    pd = p * d
    G = [[Fraction(0)] * pd for _ in range(pd)]
    for l, v in enumerate(vecs):
        nz = [(i, x) for i, x in enumerate(v) if x]
        for i, x in nz:
            for j, y in nz:
                G[i][j] += (n - l) * x * y
    total = sum(G[i][i] for i in range(pd))
    tau = eps * eps * (total if c['relative'] else 1)
    V = maps(w['basis'], p, d, H)
    if H:
        GV = [[sum(G[i][j] * v[j] for j in range(pd) if v[j]) for i in range(pd)] for v in V]
        VtV = [[sum(a * b for a, b in zip(u, v)) for v in V] for u in V]
        VtGV = [[sum(a * b for a, b in zip(u, gv)) for gv in GV] for u in V]
        X = solve(VtV, VtGV)
        res = total - sum(X[i][i] for i in range(H))
    else:
        res = total
    if res != num(c['error2_upper']):
        raise Reject('error2_upper is not the basis residual')
    if res > tau:
        raise Reject('residual exceeds eps^2')
    if H >= 1:
        low = num(c['error2_lower_prev'])
        if low <= tau:
            raise Reject('error2_lower_prev not above eps^2')
        if H == 1:
            if low != total:
                raise Reject('error2_lower_prev for H = 1 must be tr G')
        else:
            lo = w['lower']
            if not isinstance(lo, dict) or set(lo) != {'t', 'vectors', 'Y'}:
                raise Reject('lower: keys')
            t = num(lo['t'])
            if t < 0:
                raise Reject('lower: t < 0')
            W = maps(lo['vectors'], p, d)
            r = len(W)
            if not 1 <= r <= pd:
                raise Reject('lower: vector count')
            Y = matrix(lo['Y'], r, r)
            if not psd(Y):
                raise Reject('lower: Y not PSD')
            WY = [[sum(W[a][i] * Y[a][b] for a in range(r)) for b in range(r)] for i in range(pd)]
            Z = [[sum(WY[i][b] * W[b][j] for b in range(r)) for j in range(pd)] for i in range(pd)]
            bound = total - (H - 1) * t - sum(Z[i][i] for i in range(pd))
            S = [[Z[i][j] - G[i][j] + (t if i == j else 0) for j in range(pd)] for i in range(pd)]
            keep = [i for i in range(pd) if any(S[i][j] != 0 for j in range(pd))]
            if not psd([[S[i][j] for j in keep] for i in keep]):
                raise Reject('lower: Z - G + t I not PSD')
            if bound != low:
                raise Reject('error2_lower_prev is not tr G - (H-1) t - tr Z')
    return 'H = %d within eps on n = %d' % (H, n)


if __name__ == '__main__':
    sys.exit(run_files(sys.argv[1:], check))
