#!/usr/bin/env python3
"""A toy producer of `approx` enclosure certificates (doc/approx.md,
"Enclosure certificates") for tiny models, in the Python standard library
only: a test tool, independent of the C producer, to exercise both checkers
and to seed mutation tests.

    python3 tests/approx_enclosure_gen.py MODEL.json -n N --eps E [--relative]
            [-s S] [--P P.json] [--ldl-bits B] [--margin K] -o CERT.json

Envelope: P = identity (or the N x N matrix of --P, a JSON list of rows),
gamma = the least multiple of 2^-24 with gamma^2 P - A^T P A >= 0 (exit 2
when none is < 1), beta_C = the least multiple of 2^-24 (times a power of 2)
with beta_C P - C^T C >= 0, all checked exactly.  The rounded lags, Gt, E2,
e, u, rt, v and every bound are exact Fractions; only the spectrum of Gt
(Jacobi rotations in floats) proposes H, the basis (top-H eigenvectors
rounded to 2^-30), t, y.  L, D: the exact LDL^T of M (R = 0), or rounded to
multiples of 2^-B with --ldl-bits (R != 0, checked against (rho - delta)^2).
Exit 0 with a certificate, 2 when the bounds do not separate (eps too close
to a boundary of the curve, or a too coarse s), 3 on bad usage.
"""
import argparse
import json
import math
import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from verify_heads import Reject, num, realify  # noqa: E402  (parsing only)
import verify_approx  # noqa: E402  (its exact basis residual only)

HALF = Fraction(1, 2)


class Undecided(Exception):
    pass


def rnd(x):
    """round(x) = floor(x + 1/2), exactly."""
    return math.floor(x + HALF)


def dyadic(x, k):
    """x rounded to the nearest multiple of 2^-k (x a float or a Fraction)."""
    w = Fraction(2) ** k
    return rnd(Fraction(x) * w) / w


def sqrt_up(x, k):
    """The least multiple a / 2^k of 2^-k with (a / 2^k)^2 >= x (x >= 0)."""
    if x <= 0:
        return Fraction(0)
    y = x * 4 ** k
    m = -(-y.numerator // y.denominator)            # ceil
    a = math.isqrt(m - 1) + 1 if m > 0 else 0       # a^2 >= m >= y
    return Fraction(a, 2 ** k)


def sqrt_bits(x, extra=40):
    """Enough fraction bits for a relative precision of ~2^-extra."""
    if x <= 0:
        return extra
    return max(extra, extra - (x.numerator.bit_length() - x.denominator.bit_length()) // 2)


def ldl(S):
    """Exact LDL^T of a symmetric Fraction matrix: (L rows, D) or None when
    not positive semidefinite."""
    n = len(S)
    L = [[Fraction(0)] * n for _ in range(n)]
    D = [Fraction(0)] * n
    for j in range(n):
        dj = S[j][j] - sum(L[j][k] ** 2 * D[k] for k in range(j))
        if dj < 0:
            return None
        D[j] = dj
        L[j][j] = Fraction(1)
        for i in range(j + 1, n):
            v = S[i][j] - sum(L[i][k] * L[j][k] * D[k] for k in range(j))
            if dj == 0:
                if v != 0:
                    return None
            else:
                L[i][j] = v / dj
    return L, D


def is_psd(S):
    return ldl(S) is not None


def mat_mul(X, Y):
    return [[sum(a * b for a, b in zip(row, col)) for col in zip(*Y)] for row in X]


def transpose(X):
    return [list(r) for r in zip(*X)]


def least_dyadic(ok, hi, bits):
    """The least multiple g of hi / 2^bits in (0, hi] with ok(g), ok(hi)
    assumed; ok must be monotone."""
    lo_k, hi_k = 0, 2 ** bits                  # ok(hi_k) holds
    while hi_k - lo_k > 1:
        mid = (lo_k + hi_k) // 2
        if ok(hi * Fraction(mid, 2 ** bits)):
            hi_k = mid
        else:
            lo_k = mid
    if ok(Fraction(0)):
        return Fraction(0)
    return hi * Fraction(hi_k, 2 ** bits)


def envelope(A, C, P, identity, bits=24):
    N, p = len(A), len(C)
    AtPA = mat_mul(mat_mul(transpose(A), P), A)

    def g_ok(g):
        return is_psd([[g * g * P[i][j] - AtPA[i][j] for j in range(N)] for i in range(N)])
    top = 1 - Fraction(1, 2 ** bits)
    if not g_ok(top):
        raise Undecided('A does not contract the P-norm below 1 - 2^-%d: no envelope' % bits)
    gamma = least_dyadic(g_ok, Fraction(1), bits)
    if identity:
        CC = mat_mul(C, transpose(C))

        def b_ok(b):
            return is_psd([[b * (i == j) - CC[i][j] for j in range(p)] for i in range(p)])
    else:
        CC = mat_mul(transpose(C), C)

        def b_ok(b):
            return is_psd([[b * P[i][j] - CC[i][j] for j in range(N)] for i in range(N)])
    hi = Fraction(1)
    while not b_ok(hi):
        hi *= 2
    beta = least_dyadic(b_ok, hi, bits)
    Lam = Fraction(1) if identity else max(sum(abs(x) for x in row) for row in P)
    return gamma, beta, Lam


def rounded_lags(delayed, A, B, C, D, n, s):
    """[Kt_l as a row-major vec of Fractions for l < n] (doc/approx.md)."""
    N, d, p = len(A), len(B[0]), len(C)
    sc = Fraction(2 ** s)
    X = [[Fraction(rnd(sc * x)) / sc for x in row] for row in B]
    out = []
    for l in range(n):
        if delayed and l == 0:
            out.append([x for row in D for x in row])
            continue
        K = [[sum(C[i][t] * X[t][j] for t in range(N)) for j in range(d)] for i in range(p)]
        if l == 0:
            K = [[K[i][j] + D[i][j] for j in range(d)] for i in range(p)]
        out.append([x for row in K for x in row])
        AX = mat_mul(A, X)
        X = [[Fraction(rnd(sc * x)) / sc for x in row] for row in AX]
    return out


def jacobi(S, sweeps=100):
    """Eigenvalues (descending) and unit eigenvectors of a symmetric float
    matrix by cyclic Jacobi rotations."""
    n = len(S)
    a = [row[:] for row in S]
    V = [[float(i == j) for j in range(n)] for i in range(n)]
    for _ in range(sweeps):
        off = sum(a[i][j] ** 2 for i in range(n) for j in range(n) if i != j)
        scale = sum(a[i][i] ** 2 for i in range(n)) or 1.0
        if off <= 1e-32 * scale:
            break
        for p_ in range(n):
            for q in range(p_ + 1, n):
                if a[p_][q] == 0.0:
                    continue
                th = (a[q][q] - a[p_][p_]) / (2 * a[p_][q])
                t = (1.0 if th >= 0 else -1.0) / (abs(th) + math.sqrt(th * th + 1))
                c = 1 / math.sqrt(t * t + 1)
                s_ = t * c
                for k in range(n):
                    akp, akq = a[k][p_], a[k][q]
                    a[k][p_], a[k][q] = c * akp - s_ * akq, s_ * akp + c * akq
                for k in range(n):
                    apk, aqk = a[p_][k], a[q][k]
                    a[p_][k], a[q][k] = c * apk - s_ * aqk, s_ * apk + c * aqk
                for k in range(n):
                    vkp, vkq = V[k][p_], V[k][q]
                    V[k][p_], V[k][q] = c * vkp - s_ * vkq, s_ * vkp + c * vkq
    pairs = sorted(((a[i][i], [V[k][i] for k in range(n)]) for i in range(n)), key=lambda x: -x[0])
    return [x[0] for x in pairs], [x[1] for x in pairs]


def S(x):
    return str(x)


def generate(model_json, n, eps_text, relative, s, Pmat=None, ldl_bits=None, margin_bits=None):
    delayed, N, Aent, _, B, C, D = realify(model_json)
    p, d = len(C), len(B[0])
    pd = p * d
    A = [[Aent.get((i, j), Fraction(0)) for j in range(N)] for i in range(N)]
    eps = num(eps_text)
    if eps <= 0 or n < 1 or not 1 <= s <= 4096:
        raise ValueError('need eps > 0, n >= 1, 1 <= s <= 4096')
    identity = Pmat is None
    P = [[Fraction(int(i == j)) for j in range(N)] for i in range(N)] if identity else \
        [[num(x) for x in row] for row in Pmat]
    gamma, beta, Lam = envelope(A, C, P, identity)

    K = rounded_lags(delayed, A, B, C, D, n, s)
    G = [[Fraction(0)] * pd for _ in range(pd)]
    for l, v in enumerate(K):
        nz = [(i, x) for i, x in enumerate(v) if x]
        for i, x in nz:
            for j, y in nz:
                G[i][j] += (n - l) * x * y
    trG = sum(G[i][i] for i in range(pd))
    E2 = Fraction(n * (n + 1), 2) * d * beta * Lam * N / 4 ** (s + 1) / (1 - gamma) ** 2
    e = sqrt_up(E2, sqrt_bits(E2))
    u = sqrt_up(trG, sqrt_bits(trG))
    delta = e * (2 * u + e)
    e2 = eps * eps
    tau_lo, tau_hi = (e2 * (trG - delta), e2 * (trG + delta)) if relative else (e2, e2)

    sup = [i for i in range(pd) if G[i][i] != 0]
    nS = len(sup)
    lam, vec = jacobi([[float(G[i][j]) for j in sup] for i in sup]) if nS else ([], [])
    tau_f = float(e2 * trG) if relative else float(e2)
    H = next(h for h in range(nS + 1) if sum(max(x, 0.0) for x in lam[h:]) <= tau_f)
    scale = lam[0] if lam and lam[0] > 0 else 1.0
    top = math.frexp(scale)[1]                # 2^(top-1) <= scale < 2^top

    def embed(x):
        full = [Fraction(0)] * pd
        for k, i in enumerate(sup):
            full[i] = x[k]
        return full

    def vmap(full):
        return [[S(full[i * d + j]) for j in range(d)] for i in range(p)]

    # upper witness
    V = [embed([dyadic(x, 30) for x in vec[k]]) for k in range(H)]
    try:
        rt = verify_approx.residual(G, V, trG)
    except Reject:
        raise Undecided('the rounded basis is dependent')
    if rt < 0:
        raise AssertionError('negative residual')
    v = sqrt_up(rt, sqrt_bits(rt))
    up = rt + e * (2 * v + e)
    if up > tau_lo:
        raise Undecided('H = %d: error2_upper %.6g > tau_lo %.6g (eps too close to E(H), or s too small)'
                        % (H, float(up), float(tau_lo)))
    claim = {'kind': 'approx', 'n': n, 'H': H, 'eps': eps_text, 'relative': relative,
             'error2_upper': S(up)}
    wit = {'method': 'enclosure', 's': s,
           'envelope': {'gamma': S(gamma), 'P': 'identity' if identity else [[S(x) for x in r] for r in P],
                        'beta_C': S(beta)},
           'e': S(e), 'u': S(u), 'basis': [vmap(x) for x in V], 'v': S(v)}
    if H == 1:
        low = trG - delta
    elif H >= 2:
        m = H - 1
        r = m                                  # past eigenvalues equal to lambda_m (float cluster)
        while r < nS and lam[r] >= lam[m - 1] * (1 - 1e-12):
            r += 1
        nxt = lam[r] if r < nS else 0.0
        gap = lam[r - 1] - nxt
        if gap <= 0:
            raise Undecided('no spectral gap after eigenvalue %d' % r)
        t = dyadic(nxt + gap / 2 if r == m else nxt + gap * (1 - 2 ** -8), 60 - top)
        xs = [[dyadic(x, 30) for x in vec[k]] for k in range(r)]
        found = None
        for mb in ([margin_bits] if margin_bits is not None else (48, 40, 32, 24, 16, 8)):
            rho = delta + Fraction(2) ** (top - mb)
            eta = 2 * rho
            if t < rho:
                continue
            y = [dyadic((Fraction(lam[k]) - t + eta) / sum(a * a for a in xs[k]), 60 - top) for k in range(r)]
            if any(yk < 0 for yk in y):
                continue
            M = [[sum(y[k] * xs[k][a] * xs[k][b] for k in range(r)) - G[sup[a]][sup[b]]
                  + (t - rho if a == b else 0) for b in range(nS)] for a in range(nS)]
            f = ldl(M)
            if f is None:
                continue
            L, Dg = f
            if ldl_bits is not None:
                L = [[dyadic(x, ldl_bits) for x in row] for row in L]
                Dg = [max(Fraction(0), Fraction(math.floor(x * 2 ** ldl_bits), 2 ** ldl_bits)) for x in Dg]
                sq = Fraction(0)
                for a in range(nS):
                    for b in range(nS):
                        R = M[a][b] - sum((L[a][k] if k < a else 1) * Dg[k] * (L[b][k] if k < b else 1)
                                          for k in range(min(a, b) + 1))
                        sq += R * R
                if (rho - delta) ** 2 < sq:
                    continue
            found = (rho, y, L, Dg)
            break
        if found is None:
            raise Undecided('no lower witness for m = %d (M not PSD for any margin)' % m)
        rho, y, L, Dg = found
        low = trG - delta - m * t - sum(yk * sum(a * a for a in x) for yk, x in zip(y, xs))
        wit['lower'] = {'support': sup, 't': S(t), 'rho': S(rho),
                        'vectors': [vmap(embed(x)) for x in xs], 'y': [S(x) for x in y],
                        'L': [[S(L[i][k]) for k in range(i)] for i in range(nS)],
                        'D': [S(x) for x in Dg]}
    if H >= 1:
        if low <= tau_hi:
            raise Undecided('H = %d: the lower bound %.6g on E(%d)^2 is not above tau_hi %.6g'
                            % (H, float(low), H - 1, float(tau_hi)))
        claim['error2_lower_prev'] = S(low)
    return {'format': 'ssmheads-cert/1', 'model': model_json, 'claim': claim, 'witness': wit}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('model')
    ap.add_argument('-n', type=int, required=True)
    ap.add_argument('--eps', required=True)
    ap.add_argument('--relative', action='store_true')
    ap.add_argument('-s', type=int, default=40)
    ap.add_argument('--P', help='a JSON file holding the N x N matrix P (default: identity)')
    ap.add_argument('--ldl-bits', type=int, help='round L, D to multiples of 2^-B (then R != 0)')
    ap.add_argument('--margin', type=int, help='rho = delta + 2^-K times the top eigenvalue\'s scale')
    ap.add_argument('-o', required=True)
    a = ap.parse_args(argv)
    try:
        with open(a.model) as f:
            model = json.load(f)
        Pm = None
        if a.P:
            with open(a.P) as f:
                Pm = json.load(f)
        cert = generate(model, a.n, a.eps, a.relative, a.s, Pm, a.ldl_bits, a.margin)
    except Undecided as e:
        print('approx_enclosure_gen: undecided: %s' % e, file=sys.stderr)
        return 2
    except (Reject, ValueError, OSError) as e:
        print('approx_enclosure_gen: %s' % e, file=sys.stderr)
        return 3
    with open(a.o, 'w') as f:
        json.dump(cert, f)
    c = cert['claim']
    print('H = %d, error2_upper = %.6g, error2_lower_prev = %s' % (
        c['H'], float(Fraction(c['error2_upper'])),
        '%.6g' % float(Fraction(c['error2_lower_prev'])) if 'error2_lower_prev' in c else '-'))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
