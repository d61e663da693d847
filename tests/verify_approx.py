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

Enclosure certificates (witness.method "enclosure", doc/approx.md) are
checked on the fixed-point lags Kt_l of the integer recursion
Xt_{j+1} = round(2^s A Xt_j) / 2^s and Gt from them: the envelope (P > 0,
gamma^2 P - A^T P A >= 0, beta_C P - C^T C >= 0), e^2 >= E2, u^2 >= tr Gt,
v^2 >= rt, error2_upper = rt + e (2 v + e) <= tau_lo, and the lower witness
(support, rho >= delta, t >= rho, (rho - delta)^2 >= ||M - L D L^T||_F^2,
error2_lower_prev = tr Gt - delta - (H-1) t - sum y_i ||x_i||^2 > tau_hi).

Mode certificates (witness.method "modes", doc/approx.md) of diag and
complex_diag models are checked in the m-dimensional mode space: the mode
functions (each block's part 0, part 1 for a 2 x 2 block, then D), Psi =
Zm^T Zm exactly (from the Gram matrices of C's columns and B's rows), the
integer states z_{g+1} = round(lambda z_g) and Gammat = Phit W Phit^T / 4^s
(lags after the joint state repeats in closed form), |lambda|^2 <= 1,
1 <= s <= 96, e^2 >= E2, u^2 >= tr Gammat, T_lo/T_hi; the upper
witness ((1 + eta) I - Y^T Psi Y >= 0, error2_upper = T_hi - (tr(S^T
Gammat S) - delta tr(S^T S)) / (1 + eta) <= tau_lo) and the lower one
((i) L L^T - c2 Psi_up >= 0, (ii) L^T (Yz - Gammat - delta I) L + t c2 I
>= 0, error2_lower_prev = T_lo - (H-1) t - sum b_i^T Psi b_i > tau_hi).
"""
import math
import os
import sys
from fractions import Fraction
from math import gcd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify_heads import Reject, num, matrix, realify, lags, run_files  # noqa: E402
from verify_gradient import psd, mul, tr as transpose  # noqa: E402


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


def residual(G, V, total, den=1):
    """total - tr((V^T V)^{-1} V^T (G / den) V): the part of tr(G / den)
    that span V misses (V: value maps as flat vectors)."""
    if not V:
        return total
    pd = len(G)
    GV = [[sum(G[i][j] * v[j] for j in range(pd) if v[j]) for i in range(pd)] for v in V]
    VtV = [[sum(a * b for a, b in zip(x, y)) for y in V] for x in V]
    VtGV = [[sum(a * b for a, b in zip(x, gv)) / den for gv in GV] for x in V]
    X = solve(VtV, VtGV)
    return total - sum(X[i][i] for i in range(len(V)))


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
    if w.get('method') == 'enclosure':
        return check_enclosure(c, w, model, n, H, eps)
    if w.get('method') == 'modes':
        return check_modes(c, w, model, n, H, eps)
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
    res = residual(G, V, total)
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


# ---------------------------------------------------------------------------
# Enclosure certificates (doc/approx.md, "Enclosure certificates"): rounded
# fixed-point lags Kt_l with a certified error E2, carried through the upper
# and the lower witness.

def _integer(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _lcm_den(values):
    q = 1
    for x in values:
        q = q * x.denominator // gcd(q, x.denominator)
    return q


def _at(where, fn, *args):
    """fn(*args), with `where: ` put in front of a rejection's message."""
    try:
        return fn(*args)
    except Reject as e:
        raise Reject('%s: %s' % (where, e))


def _number(v, where):
    return _at(where, num, v)


def _nonneg_list(a, count, path, what):
    """An array of exactly count exact numbers >= 0."""
    if not isinstance(a, list) or len(a) != count:
        raise Reject('%s: must hold %s' % (path, what))
    out = [_number(x, '%s[%d]' % (path, k)) for k, x in enumerate(a)]
    for k, x in enumerate(out):
        if x < 0:
            raise Reject('%s[%d]: negative' % (path, k))
    return out


def rounded_lags(model, n, s):
    """(den, [integer vec(Kt_l) * den for l < n]) with Kt_l the lags of the
    fixed-point recursion Xt_0 = round(2^s B) / 2^s, Xt_{j+1} =
    round(2^s A Xt_j) / 2^s, round(x) = floor(x + 1/2).  Xt_j = Z_j / 2^s is
    kept as the integer matrix Z_j; lags after Z_j = 0 are zero."""
    delayed, N, Aent, _, B, C, D = model
    p, d = len(C), len(B[0])
    qA = _lcm_den(Aent.values())
    Aint = [(i, j, int(a * qA)) for (i, j), a in Aent.items() if a]
    Z = [[math.floor(x * (1 << s) + Fraction(1, 2)) for x in row] for row in B]
    qC = _lcm_den(x for row in C for x in row)
    qD = _lcm_den(x for row in D for x in row)
    qCs = qC << s
    den = qCs * qD // gcd(qCs, qD)
    cf = den // qCs                      # Kt = C Z / (qC 2^s) = Cint Z cf / den
    Cint = [[(int(x * qC), t) for t, x in enumerate(row) if x] for row in C]
    Dint = [int(x * den) for row in D for x in row]
    out = []
    zero = all(x == 0 for row in Z for x in row)
    for l in range(n):
        if delayed and l == 0:
            out.append(Dint[:])
            continue
        if zero:
            vec = [0] * (p * d)
        else:
            vec = [cf * sum(c_ * Z[t][j] for c_, t in Cint[i]) for i in range(p) for j in range(d)]
        if l == 0:
            vec = [a + b for a, b in zip(vec, Dint)]
        out.append(vec)
        if not zero and l + 1 < n:        # Z_{j+1} = round(A Z_j) = floor((2 Aint Z + qA) / (2 qA))
            Y = [[0] * d for _ in range(N)]
            for i, j, a in Aint:
                zj, yi = Z[j], Y[i]
                for k in range(d):
                    if zj[k]:
                        yi[k] += a * zj[k]
            Z = [[(2 * y + qA) // (2 * qA) for y in row] for row in Y]
            zero = all(x == 0 for row in Z for x in row)
    return den, out


def check_envelope(env, model, where='witness.envelope'):
    """(gamma, beta_C, Lambda) after checking P > 0, gamma^2 P - A^T P A >= 0
    and beta_C P - C^T C >= 0 (beta_C I - C C^T for "identity") exactly."""
    delayed, N, Aent, _, B, C, D = model
    p = len(C)
    if not isinstance(env, dict) or set(env) != {'gamma', 'P', 'beta_C'}:
        raise Reject('%s: keys must be gamma, P, beta_C' % where)
    gamma = _number(env['gamma'], where + '.gamma')
    if not 0 <= gamma < 1:
        raise Reject('%s.gamma: must be in [0, 1)' % where)
    bC = _number(env['beta_C'], where + '.beta_C')
    identity = isinstance(env['P'], str)
    if identity:
        if env['P'] != 'identity':
            raise Reject('%s.P: not "identity" nor a matrix' % where)
        P = [[Fraction(int(i == j)) for j in range(N)] for i in range(N)]
        Lam = Fraction(1)
    else:
        P = _at(where + '.P', matrix, env['P'], N, N)
        if len(P) != N or any(len(row) != N for row in P):
            raise Reject('%s.P: not N x N' % where)
        if any(P[i][j] != P[j][i] for i in range(N) for j in range(i)):
            raise Reject('%s.P: not symmetric' % where)
        if not psd(P, strict=True):
            raise Reject('%s.P: not positive definite' % where)
        Lam = max(sum(abs(x) for x in row) for row in P)
    A = [[Aent.get((i, j), Fraction(0)) for j in range(N)] for i in range(N)]
    AtPA = mul(mul(transpose(A), P), A)
    g2 = gamma * gamma
    if not psd([[g2 * P[i][j] - AtPA[i][j] for j in range(N)] for i in range(N)]):
        raise Reject('%s.gamma: gamma^2 P - A^T P A is not positive semidefinite' % where)
    if identity:
        CCt = mul(C, transpose(C))
        ok = psd([[bC * (i == j) - CCt[i][j] for j in range(p)] for i in range(p)])
    else:
        CtC = mul(transpose(C), C)
        ok = psd([[bC * P[i][j] - CtC[i][j] for j in range(N)] for i in range(N)])
    if not ok:
        raise Reject('%s.beta_C: beta_C P - C^T C is not positive semidefinite' % where)
    return gamma, bC, Lam


def check_enclosure(c, w, model, n, H, eps):
    delayed, N, Aent, _, B, C, D = model
    p, d = len(C), len(B[0])
    pd = p * d
    keys = {'method', 's', 'envelope', 'e', 'u', 'basis', 'v'} | ({'lower'} if H >= 2 else set())
    if set(w) != keys:
        raise Reject('witness: keys (enclosure: %s)' % ', '.join(sorted(keys)))
    s = w['s']
    if not _integer(s) or not 1 <= s <= 4096:
        raise Reject('witness.s: must be an integer in 1 ... 4096')
    gamma, bC, Lam = check_envelope(w['envelope'], model)

    # the error of the rounded lags: e^2 >= E2, u^2 >= tr Gt, delta = e (2 u + e)
    E2 = Fraction(n * (n + 1), 2) * d * bC * Lam * N / (4 ** (s + 1)) / (1 - gamma) ** 2
    e = _number(w['e'], 'witness.e')
    if e < 0 or e * e < E2:
        raise Reject('witness.e: e >= 0 with e^2 >= E2 fails')
    den, vecs = rounded_lags(model, n, s)
    den2 = den * den
    Gi = [[0] * pd for _ in range(pd)]          # Gt = Gi / den^2
    for l, v in enumerate(vecs):
        nz = [(i, x) for i, x in enumerate(v) if x]
        wl = n - l
        for i, x in nz:
            row, wx = Gi[i], wl * x
            for j, y in nz:
                row[j] += wx * y
    trGt = Fraction(sum(Gi[i][i] for i in range(pd)), den2)
    u = _number(w['u'], 'witness.u')
    if u < 0 or u * u < trGt:
        raise Reject('witness.u: u >= 0 with u^2 >= tr Gt fails')
    delta = e * (2 * u + e)
    e2 = eps * eps
    if c['relative']:
        tau_lo, tau_hi = e2 * (trGt - delta), e2 * (trGt + delta)
    else:
        tau_lo = tau_hi = e2

    # upper witness: rt = tr Gt - tr((V^T V)^-1 V^T Gt V), v^2 >= rt
    V = _at('witness.basis', maps, w['basis'], p, d, H)
    rt = _at('witness.basis', residual, Gi, V, trGt, den2)
    v = _number(w['v'], 'witness.v')
    if v < 0 or v * v < rt:
        raise Reject('witness.v: v >= 0 with v^2 >= rt fails')
    up = num(c['error2_upper'])
    if up != rt + e * (2 * v + e):
        raise Reject('claim.error2_upper: is not rt + e (2 v + e)')
    if up > tau_lo:
        raise Reject('claim.error2_upper: exceeds tau_lo')

    # lower witness
    if H == 0:
        return 'H = 0 within eps on n = %d (enclosure, s = %d)' % (n, s)
    low = num(c['error2_lower_prev'])
    if H == 1:
        if low != trGt - delta:
            raise Reject('claim.error2_lower_prev: for H = 1 must be tr Gt - delta')
    else:
        lo = w['lower']
        lkeys = {'support', 't', 'rho', 'vectors', 'y', 'L', 'D'}
        if not isinstance(lo, dict) or set(lo) != lkeys:
            raise Reject('witness.lower: keys (%s)' % ', '.join(sorted(lkeys)))
        sup = lo['support']
        if not isinstance(sup, list) or not all(_integer(i) for i in sup):
            raise Reject('witness.lower.support: not a list of integers')
        if any(a >= b for a, b in zip(sup, sup[1:])) or (sup and (sup[0] < 0 or sup[-1] >= pd)):
            raise Reject('witness.lower.support: not strictly increasing in [0, p d)')
        S = len(sup)
        inside = set(sup)
        for i in range(pd):
            if i not in inside and Gi[i][i]:
                raise Reject('witness.lower.support: a rounded lag is nonzero at vec position %d' % i)
        t = _number(lo['t'], 'witness.lower.t')
        rho = _number(lo['rho'], 'witness.lower.rho')
        if rho < delta:
            raise Reject('witness.lower.rho: rho < delta')
        if t < rho:
            raise Reject('witness.lower.t: t < rho')
        Xs = _at('witness.lower.vectors', maps, lo['vectors'], p, d)
        r = len(Xs)
        if r < 1:
            raise Reject('witness.lower.vectors: need at least one')
        for k, x in enumerate(Xs):
            if any(x[i] for i in range(pd) if i not in inside):
                raise Reject('witness.lower.vectors[%d]: nonzero outside the support' % k)
        y = _nonneg_list(lo['y'], r, 'witness.lower.y', 'one number per vector')
        Ls = lo['L']
        if not isinstance(Ls, list) or len(Ls) != S:
            raise Reject('witness.lower.L: must hold one row per support position')
        L = []
        for i, row in enumerate(Ls):
            if not isinstance(row, list) or len(row) != i:
                raise Reject('witness.lower.L[%d]: must hold %d entries' % (i, i))
            L.append([_number(x, 'witness.lower.L[%d][%d]' % (i, k)) for k, x in enumerate(row)] + [Fraction(1)])
        Dg = _nonneg_list(lo['D'], S, 'witness.lower.D', 'one number per support position')
        # M = sum_k y_k x_k x_k^T - Gt + (t - rho) I and R = M - L diag(D) L^T, on the support
        xs = [[x[i] for i in sup] for x in Xs]
        sq = Fraction(0)
        for a in range(S):
            for b in range(a + 1):
                m_ = sum(yk * xk[a] * xk[b] for yk, xk in zip(y, xs)) - Fraction(Gi[sup[a]][sup[b]], den2)
                if a == b:
                    m_ += t - rho
                m_ -= sum(L[a][k] * Dg[k] * L[b][k] for k in range(b + 1))
                sq += m_ * m_ if a == b else 2 * m_ * m_
        if (rho - delta) ** 2 < sq:
            raise Reject('witness.lower: (rho - delta)^2 < ||M - L D L^T||_F^2')
        bound = trGt - delta - (H - 1) * t - sum(yk * sum(a * a for a in x) for yk, x in zip(y, Xs))
        if low != bound:
            raise Reject('claim.error2_lower_prev: is not tr Gt - delta - (H-1) t - sum y_i ||x_i||^2')
    if low <= tau_hi:
        raise Reject('claim.error2_lower_prev: not above tau_hi')
    return 'H = %d within eps on n = %d (enclosure, s = %d)' % (H, n, s)


# ---------------------------------------------------------------------------
# Mode certificates (doc/approx.md, "Mode certificates"): a diag or
# complex_diag model's lags are K_l = sum_j phi_j(l) Z_j over its m mode
# functions, so G = Zm Gamma Zm^T and every check lives in the m x m mode
# space: Psi = Zm^T Zm exactly, Gammat from the integer fixed-point states.

MODE_STATE_CAP = 1 << 22      # distinct fixed-point states run (a resource cap, not a rule)


def mode_functions(model):
    """(blocks, funcs, hasD): blocks as (t, a, beta, size) in the order of
    their first state; funcs as lists of (coef, a, b) meaning
    coef c_a b_b^T, in the doc's order (each block's part 0, then part 1
    for a 2 x 2 block), plus 'D' last when D != 0.  Rejects a dense model
    and any block with |lambda|^2 > 1."""
    delayed, N, Aent, blocks, B, C, D = model
    if blocks is None:
        raise Reject('witness.method "modes": needs a diag or complex_diag model')
    out, funcs = [], []
    for blk in sorted(blocks, key=lambda b: b[0]):
        t = blk[0]
        a = Aent.get((t, t), Fraction(0))
        if len(blk) == 1:
            if a * a > 1:
                raise Reject('model: the block at state %d has |lambda|^2 > 1' % t)
            out.append((t, a, Fraction(0), 1))
            funcs.append([(1, t, t)])
        else:
            beta = Aent.get((t + 1, t), Fraction(0))
            if blk != [t, t + 1] or Aent.get((t + 1, t + 1)) != a or Aent.get((t, t + 1)) != -beta:
                raise Reject('model: malformed 2 x 2 block at state %d' % t)
            if a * a + beta * beta > 1:
                raise Reject('model: the block at state %d has |lambda|^2 > 1' % t)
            out.append((t, a, beta, 2))
            funcs.append([(1, t, t), (1, t + 1, t + 1)])             # X
            funcs.append([(1, t + 1, t), (-1, t, t + 1)])            # Y
    hasD = any(x != 0 for row in D for x in row)
    if hasD:
        funcs.append('D')
    return out, funcs, hasD


def mode_gram(model, funcs):
    """Psi_jk = <Z_j, Z_k>_F exactly, from the Gram matrices of C's columns
    and B's rows (<c_a b_b^T, c_a' b_b'^T> = (c_a . c_a') (b_b . b_b'),
    <D, c_a b_b^T> = c_a^T D b_b)."""
    _, N, _, _, B, C, D = model
    p, d = len(C), len(B[0])
    used = sorted({x for f in funcs if f != 'D' for _, a, b in f for x in (a, b)})
    CtC = {(a, b): sum(C[i][a] * C[i][b] for i in range(p)) for a in used for b in used}
    BBt = {(a, b): sum(B[a][j] * B[b][j] for j in range(d)) for a in used for b in used}
    DB = {b: [sum(D[i][j] * B[b][j] for j in range(d)) for i in range(p)] for b in used}
    CDB = {(a, b): sum(C[i][a] * DB[b][i] for i in range(p)) for a in used for b in used}
    DD = sum(x * x for row in D for x in row)
    m = len(funcs)
    Psi = [[Fraction(0)] * m for _ in range(m)]
    for j, f in enumerate(funcs):
        for k in range(j + 1):
            g = funcs[k]
            if f == 'D' and g == 'D':
                v = DD
            elif f == 'D' or g == 'D':
                v = sum(cf * CDB[(a, b)] for cf, a, b in (g if f == 'D' else f))
            else:
                v = sum(c1 * c2 * CtC[(a1, a2)] * BBt[(b1, b2)] for c1, a1, b1 in f for c2, a2, b2 in g)
            Psi[j][k] = Psi[k][j] = Fraction(v)
    return Psi


def mode_gamma(blocks, hasD, delayed, n, s):
    """4^s Gammat = Phit W Phit^T as an m x m integer matrix.  The joint
    integer state (z, or (x, y) per block) follows z_{g+1} = round(lambda
    z_g), round(v) = floor(v + 1/2), from z_0 = 2^s, (x, y)_0 = (2^s, 0);
    lag l = g (direct) or g + 1 (delayed) has weight n - l.  Once the joint
    state repeats (mu, period P), the remaining lags are added in closed
    form."""
    one = 1 << s
    steps = []
    for t, a, beta, size in blocks:
        q = a.denominator * beta.denominator // gcd(a.denominator, beta.denominator)
        steps.append((size, int(a * q), int(beta * q), q))
    state = []
    for size, _, _, _ in steps:
        state += [one] if size == 1 else [one, 0]
    state = tuple(state)

    def step(st):
        out, i = [], 0
        for size, an, bn, q in steps:
            if size == 1:
                out.append((2 * an * st[i] + q) // (2 * q))
                i += 1
            else:
                x, y = st[i], st[i + 1]
                out.append((2 * (an * x - bn * y) + q) // (2 * q))
                out.append((2 * (bn * x + an * y) + q) // (2 * q))
                i += 2
        return tuple(out)

    off = 1 if delayed else 0
    cnt = n - off                  # the lags with g >= 0
    seq, index, cycle = [], {}, None
    first = state
    for g in range(cnt):
        if state in index:
            cycle = (index[state], g - index[state])
            break
        if len(seq) >= MODE_STATE_CAP:
            raise Reject('witness.s: more than %d distinct fixed-point states (resource cap of this checker)'
                         % MODE_STATE_CAP)
        index[state] = g
        seq.append(state)
        state = step(state)
    weights = []
    for i in range(len(seq)):
        if cycle is None or i < cycle[0]:
            weights.append(cnt - i)
        else:
            mu, P = cycle
            r = i - mu
            K = (cnt - 1 - mu - r) // P
            weights.append((K + 1) * (cnt - mu - r) - P * K * (K + 1) // 2)
    ms = len(first)
    m = ms + (1 if hasD else 0)
    Gi = [[0] * m for _ in range(m)]
    for st, wt in zip(seq, weights):
        nz = [(j, x) for j, x in enumerate(st) if x]
        for j, x in nz:
            row, wx = Gi[j], wt * x
            for k, y in nz:
                row[k] += wx * y
    if hasD:
        Gi[ms][ms] = n * one * one
        if not delayed and cnt > 0:     # lag 0 holds both the states at g = 0 and D
            for j, x in enumerate(first):
                Gi[ms][j] = Gi[j][ms] = n * one * x
    return Gi


def _mode_vectors(a, count, m, path, what):
    """A list of vectors of m exact numbers (count of them when given)."""
    if not isinstance(a, list) or (count is not None and len(a) != count):
        raise Reject('%s: must hold %s' % (path, what))
    out = []
    for h, v in enumerate(a):
        if not isinstance(v, list) or len(v) != m:
            raise Reject('%s[%d]: must hold m = %d numbers' % (path, h, m))
        out.append([_number(x, '%s[%d][%d]' % (path, h, j)) for j, x in enumerate(v)])
    return out


def _quad(x, M, y):
    return sum(xi * sum(a * b for a, b in zip(row, y) if a and b) for xi, row in zip(x, M) if xi)


def check_modes(c, w, model, n, H, eps):
    delayed = model[0]
    keys = {'method', 's', 'e', 'u', 'basis', 'eta'} | ({'lower'} if H >= 2 else set())
    if set(w) != keys:
        raise Reject('witness: keys (modes: %s)' % ', '.join(sorted(keys)))
    blocks, funcs, hasD = mode_functions(model)
    m = len(funcs)
    s = w['s']
    if not _integer(s) or not 1 <= s <= 96:
        raise Reject('witness.s: must be an integer in 1 ... 96')

    # e^2 >= E2 = (n1 4^(-s-1) + n2 2^(-2s-1)) (n S2 - S3), checked before any lag
    n1 = sum(1 for b in blocks if b[3] == 1)
    n2 = len(blocks) - n1
    S2 = (n - 1) * n * (2 * n - 1) // 6
    S3 = ((n - 1) * n // 2) ** 2
    E2 = (Fraction(n1, 4 ** (s + 1)) + Fraction(n2, 2 ** (2 * s + 1))) * (n * S2 - S3)
    e = _number(w['e'], 'witness.e')
    if e < 0 or e * e < E2:
        raise Reject('witness.e: e >= 0 with e^2 >= E2 fails')
    Gi = mode_gamma(blocks, hasD, delayed, n, s)
    den = Fraction(1, 4 ** s)
    Gt = [[x * den for x in row] for row in Gi]            # Gammat
    trGt = sum(Gt[j][j] for j in range(m))
    u = _number(w['u'], 'witness.u')
    if u < 0 or u * u < trGt:
        raise Reject('witness.u: u >= 0 with u^2 >= tr Gammat fails')
    delta = e * (2 * u + e)
    Psi = mode_gram(model, funcs)
    trPsi = sum(Psi[j][j] for j in range(m))
    trGP = sum(Gt[j][k] * Psi[k][j] for j in range(m) for k in range(m))
    T_lo, T_hi = trGP - delta * trPsi, trGP + delta * trPsi
    e2 = eps * eps
    tau_lo, tau_hi = (e2 * T_lo, e2 * T_hi) if c['relative'] else (e2, e2)

    # upper witness: (1 + eta) I - Y^T Psi Y >= 0, S = Psi Y,
    # error2_upper = T_hi - (tr(S^T Gammat S) - delta tr(S^T S)) / (1 + eta)
    Ys = _mode_vectors(w['basis'], H, m, 'witness.basis', 'H vectors of m numbers')
    eta = _number(w['eta'], 'witness.eta')
    if eta < 0:
        raise Reject('witness.eta: negative')
    Sv = [[sum(a * b for a, b in zip(row, y) if a and b) for row in Psi] for y in Ys]   # columns of S
    YPY = [[sum(a * b for a, b in zip(y, sk)) for sk in Sv] for y in Ys]
    if not psd([[(1 + eta) * (i == j) - YPY[i][j] for j in range(H)] for i in range(H)]):
        raise Reject('witness.eta: (1 + eta) I - Y^T Psi Y is not positive semidefinite')
    sgs = sum(_quad(sk, Gt, sk) for sk in Sv)
    sts = sum(x * x for sk in Sv for x in sk)
    up = num(c['error2_upper'])
    if up != T_hi - (sgs - delta * sts) / (1 + eta):
        raise Reject('claim.error2_upper: is not T_hi - (tr(S^T Gammat S) - delta tr(S^T S)) / (1 + eta)')
    if up > tau_lo:
        raise Reject('claim.error2_upper: exceeds tau_lo')

    if H == 0:
        return 'H = 0 within eps on n = %d (modes, m = %d, s = %d)' % (n, m, s)
    low = num(c['error2_lower_prev'])
    if H == 1:
        if low != T_lo:
            raise Reject('claim.error2_lower_prev: for H = 1 must be T_lo')
    else:
        lo = w['lower']
        lkeys = {'t', 'vectors', 'L', 'c2', 'q'}
        if not isinstance(lo, dict) or set(lo) != lkeys:
            raise Reject('witness.lower: keys (%s)' % ', '.join(sorted(lkeys)))
        t = _number(lo['t'], 'witness.lower.t')
        if t < 0:
            raise Reject('witness.lower.t: negative')
        bs = _mode_vectors(lo['vectors'], None, m, 'witness.lower.vectors', 'a list of vectors')
        Ls = lo['L']
        if not isinstance(Ls, list) or len(Ls) != m:
            raise Reject('witness.lower.L: must hold m = %d rows' % m)
        L = []
        for i, row in enumerate(Ls):
            if not isinstance(row, list) or len(row) != i + 1:
                raise Reject('witness.lower.L[%d]: must hold %d entries' % (i, i + 1))
            vals = [_number(x, 'witness.lower.L[%d][%d]' % (i, k)) for k, x in enumerate(row)]
            if vals[i] == 0:
                raise Reject('witness.lower.L[%d][%d]: zero diagonal entry' % (i, i))
            L.append(vals + [Fraction(0)] * (m - i - 1))
        c2 = _number(lo['c2'], 'witness.lower.c2')
        if not 0 < c2 <= 1:
            raise Reject('witness.lower.c2: must be in (0, 1]')
        q = lo['q']
        if not _integer(q) or not 0 <= q <= 4096:
            raise Reject('witness.lower.q: must be an integer in [0, 4096]')
        # Psi_up = Psir + diag(sum_k |Psi_jk - Psir_jk|), Psir = round(2^q Psi) / 2^q
        sc = 1 << q
        Psir = [[Fraction(math.floor(x * sc + Fraction(1, 2)), sc) for x in row] for row in Psi]
        Pup = [row[:] for row in Psir]
        for j in range(m):
            Pup[j][j] += sum(abs(a - b) for a, b in zip(Psi[j], Psir[j]))
        LLt = mul(L, transpose(L))
        if not psd([[LLt[i][j] - c2 * Pup[i][j] for j in range(m)] for i in range(m)]):
            raise Reject('witness.lower: (i) L L^T - c2 Psi_up is not positive semidefinite')
        Mx = [[sum(b[i] * b[j] for b in bs) - Gt[i][j] - (delta if i == j else 0) for j in range(m)]
              for i in range(m)]
        LtML = mul(mul(transpose(L), Mx), L)
        if not psd([[LtML[i][j] + (t * c2 if i == j else 0) for j in range(m)] for i in range(m)]):
            raise Reject('witness.lower: (ii) L^T (Yz - Gammat - delta I) L + t c2 I is not positive semidefinite')
        bound = T_lo - (H - 1) * t - sum(_quad(b, Psi, b) for b in bs)
        if low != bound:
            raise Reject('claim.error2_lower_prev: is not T_lo - (H-1) t - sum b_i^T Psi b_i')
    if low <= tau_hi:
        raise Reject('claim.error2_lower_prev: not above tau_hi')
    return 'H = %d within eps on n = %d (modes, m = %d, s = %d)' % (H, n, m, s)


if __name__ == '__main__':
    sys.exit(run_files(sys.argv[1:], check))
