#!/usr/bin/env python3
"""Independent exact oracle (Python standard library only: fractions).

Reads an ssmheads-model/1 file and computes, with exact rationals and no code
shared with the C library: the realified matrices, the lag operators K_l, the
interaction rank k(n), k_inf, n* and the profile.  Used by the tests to
cross-check the C code on random models.

    python3 tests/oracle.py MODEL [-n N]      prints one JSON object
"""
import json
import re
import sys
from fractions import Fraction

_DEC = re.compile(r'^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$')
_HEX = re.compile(r'^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$')


def num(v):
    """An exact rational from a model-file number (string or JSON integer)."""
    if isinstance(v, bool) or isinstance(v, float):
        raise ValueError("not an exact number: %r" % (v,))
    if isinstance(v, int):
        return Fraction(v)
    s = v
    if '/' in s:
        a, b = s.split('/')
        return Fraction(int(a), int(b))
    m = _HEX.match(s)
    if m and (m.group(2) or m.group(3)):
        sign, i, f, e = m.groups()
        f = f or ''
        x = Fraction(int((i or '0') + f, 16), 16 ** len(f)) * Fraction(2) ** int(e or 0)
        return -x if sign == '-' else x
    m = _DEC.match(s)
    if not m or not (m.group(2) or m.group(3)):
        raise ValueError("not a number: %r" % s)
    sign, i, f, e = m.groups()
    f = f or ''
    x = Fraction(int((i or '0') + f), 10 ** len(f)) * Fraction(10) ** int(e or 0)
    return -x if sign == '-' else x


def mat(a):
    return [[num(x) for x in row] for row in a]


def realify(model):
    """(A, B, C, D, delayed) as lists of Fractions, realified exactly."""
    A = model['A']
    delayed = model.get('convention', 'direct') == 'delayed'
    if isinstance(A, list):
        A, B, C = mat(A), mat(model['B']), mat(model['C'])
    elif 'diag' in A:
        lam = [num(x) for x in A['diag']]
        n = len(lam)
        A = [[lam[i] if i == j else Fraction(0) for j in range(n)] for i in range(n)]
        B, C = mat(model['B']), mat(model['C'])
    else:
        re_, im_ = [num(x) for x in A['complex_diag']['re']], [num(x) for x in A['complex_diag']['im']]
        n = len(re_)
        f = 1 if model.get('output', '2re') == 're' else 2

        def cplx(v):
            if isinstance(v, dict):
                return mat(v['re']), mat(v['im'])
            r = mat(v)
            return r, [[Fraction(0)] * len(r[0]) for _ in r]
        Br, Bi = cplx(model['B'])
        Cr, Ci = cplx(model['C'])
        M = 2 * n
        A = [[Fraction(0)] * M for _ in range(M)]
        for s in range(n):
            A[2 * s][2 * s], A[2 * s][2 * s + 1] = re_[s], -im_[s]
            A[2 * s + 1][2 * s], A[2 * s + 1][2 * s + 1] = im_[s], re_[s]
        B = []
        for s in range(n):
            B.append(list(Br[s]))
            B.append(list(Bi[s]))
        C = [[x for s in range(n) for x in (f * Cr[i][s], -f * Ci[i][s])] for i in range(len(Cr))]
    p, d = len(C), len(B[0])
    D = mat(model['D']) if 'D' in model else [[Fraction(0)] * d for _ in range(p)]
    return A, B, C, D, delayed


def matmul(X, Y):
    return [[sum((X[i][k] * Y[k][j] for k in range(len(Y)) if X[i][k]), Fraction(0))
             for j in range(len(Y[0]))] for i in range(len(X))]


def lags(model, count):
    A, B, C, D, delayed = realify(model)
    out, X = [], B
    for l in range(count):
        if delayed and l == 0:
            out.append([row[:] for row in D])
            continue
        K = matmul(C, X)
        if l == 0:
            K = [[K[i][j] + D[i][j] for j in range(len(K[0]))] for i in range(len(K))]
        out.append(K)
        X = matmul(A, X)
    return out


def rank(rows):
    rows = [r[:] for r in rows]
    rk, col = 0, 0
    ncols = len(rows[0]) if rows else 0
    while rk < len(rows) and col < ncols:
        piv = next((i for i in range(rk, len(rows)) if rows[i][col] != 0), None)
        if piv is None:
            col += 1
            continue
        rows[rk], rows[piv] = rows[piv], rows[rk]
        for i in range(rk + 1, len(rows)):
            if rows[i][col]:
                f = rows[i][col] / rows[rk][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rk])]
        rk += 1
        col += 1
    return rk


def heads(model, n=None):
    """k(n), k_inf, n*, profile by brute force over lags 0..M (Cayley-Hamilton)."""
    A = realify(model)[0]
    M = len(A)
    count = max(M + 1, n or 0)
    Ks = lags(model, count)
    vecs = [[x for row in K for x in row] for K in Ks]
    prof, basis_rank = [], 0
    # incremental ranks k(1..count)
    acc = []
    for j in range(count):
        acc.append(vecs[j])
        prof.append(rank(acc))
    k_inf = prof[M]
    n_star = next(j + 1 for j in range(count) if prof[j] == k_inf)
    res = {'k_inf': k_inf, 'n_star': n_star, 'profile': prof[:n_star]}
    if n:
        res['k'] = prof[n - 1]
        res['n'] = n
    else:
        res['k'] = k_inf
    return res


def main(argv):
    path = argv[1]
    n = int(argv[argv.index('-n') + 1]) if '-n' in argv else None
    with open(path) as f:
        model = json.load(f)
    print(json.dumps(heads(model, n)))


if __name__ == '__main__':
    main(sys.argv)
