#!/usr/bin/env python3
"""A second, independent checker for `represent` certificates
(doc/cert-represent.md), in the Python standard library only.

    python3 tests/verify_represent.py CERT...   "VERIFIED" or "REJECTED: why"

It forms V_h (V_h = W_O W_V for projection heads) and every K_l exactly,
then checks: for `representable: true`, sum_h c_h(l) V_h = K_l for l <
min(L, n) and, when n > L, a monic annihilator q (q(A) B = 0 or C q(A) = 0)
with L >= deg q + 1; for `representable: false`, <W, V_h> = 0 for every head,
<W, K_l*> != 0 and the coefficients of every earlier lag.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_heads import Reject, num, matrix, realify, lags, annihilator_degree, run_files  # noqa: E402


def values(att, p, d):
    if not isinstance(att, dict) or att.get('format') != 'ssmheads-attention/1' \
            or not isinstance(att.get('heads'), list) or not att['heads']:
        raise Reject('attention: not ssmheads-attention/1 with heads')
    V = []
    for h in att['heads']:
        if not isinstance(h, dict):
            raise Reject('attention: bad head')
        if set(h) == {'value'}:
            v = matrix(h['value'], p, d)
        elif set(h) == {'W_V', 'W_O'}:
            wv, wo = matrix(h['W_V'], None, d), matrix(h['W_O'], p, None)
            if len(wo[0]) != len(wv):
                raise Reject('attention: W_O and W_V do not fit')
            v = [[sum(a * b for a, b in zip(row, col)) for col in zip(*wv)] for row in wo]
        else:
            raise Reject('attention: a head has "value" or "W_V" and "W_O"')
        if len(v) != p or len(v[0]) != d:
            raise Reject('attention: value map is not p x d')
        V.append(v)
    return V


def check(cert):
    if not isinstance(cert, dict) or cert.get('format') != 'ssmheads-cert/1':
        raise Reject('not an ssmheads-cert/1 certificate')
    c, w = cert.get('claim'), cert.get('witness')
    if not isinstance(c, dict) or c.get('kind') != 'represent' or not isinstance(w, dict):
        raise Reject('not a represent certificate')
    model = realify(cert.get('model'))
    p, d = len(model[5]), len(model[4][0])
    V = values(cert.get('attention'), p, d)
    H = len(V)
    n = c.get('n')
    if not isinstance(n, int) or isinstance(n, bool) or n < 1 or not isinstance(c.get('representable'), bool):
        raise Reject('claim: n and representable')

    def combo(cf):
        if not isinstance(cf, list) or len(cf) != H:
            raise Reject('one coefficient per head expected')
        cf = [num(x) for x in cf]
        return [[sum(cf[h] * V[h][i][j] for h in range(H)) for j in range(d)] for i in range(p)]

    if c['representable']:
        L = w.get('L')
        ker = w.get('kernels')
        if not isinstance(L, int) or isinstance(L, bool) or L < 1 or not isinstance(ker, list) or len(ker) != H \
                or any(not isinstance(k, list) or len(k) != L for k in ker):
            raise Reject('kernels: H arrays of L coefficients')
        K = lags(model, min(L, n))
        for l in range(min(L, n)):
            if combo([ker[h][l] for h in range(H)]) != K[l]:
                raise Reject('kernels do not give K_%d' % l)
        if n > L:
            if annihilator_degree(model, w.get('recurrence')) + 1 > L:
                raise Reject('L < deg q + 1')
        elif 'recurrence' in w:
            raise Reject('a recurrence is given although n <= L')
        return 'represents on n = %d' % n
    ls = c.get('witness_lag')
    if not isinstance(ls, int) or isinstance(ls, bool) or not 0 <= ls < n:
        raise Reject('witness_lag must be in [0, n)')
    W = matrix(w.get('W'), p, d)

    def inner(X, Y):
        return sum(a * b for ra, rb in zip(X, Y) for a, b in zip(ra, rb))
    if any(inner(W, v) != 0 for v in V):
        raise Reject('W is not orthogonal to every V_h')
    K = lags(model, ls + 1)
    if inner(W, K[ls]) == 0:
        raise Reject('<W, K_l*> = 0')
    before = w.get('before')
    if not isinstance(before, list) or len(before) != ls:
        raise Reject('before: one row per earlier lag')
    for l in range(ls):
        if combo(before[l]) != K[l]:
            raise Reject('before[%d] does not give K_%d' % (l, l))
    return 'cannot represent: K_%d leaves the span' % ls


if __name__ == '__main__':
    sys.exit(run_files(sys.argv[1:], check))
