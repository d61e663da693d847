#!/usr/bin/env python3
"""A second, independent checker for `heads` certificates (doc/cert-heads.md),
in the Python standard library only: exact rationals (fractions), no shared
code with the producer or with the C checker.

    python3 tests/verify_heads.py CERT...     prints "VERIFIED" or
                                              "REJECTED: reason" per file;
                                              exit 0 iff all are verified

It re-derives everything from the embedded model: the realified A, B, C, D;
the lag entries modulo the certificate's prime for the lower bound (Gaussian
elimination without pivoting, every pivot nonzero and invertible); the
annihilating polynomial and every dependency exactly over Q; the structural
support; and then the claimed k(n), k_inf, n_star and profile.  A lower
witness of the mode form (diag and complex_diag models) names rows X_s / Y_s
of groups of equal eigenvalues instead of lags; they are built from the
realified B rows and C columns, eliminated the same way, and prove k_inf
only, with the trivial upper bound min(Z, F).
"""
import json
import os
import re
import sys
from fractions import Fraction

NUM = re.compile(r'^[+-]?(\d+(\.\d*)?|\.\d+)([eEdD][+-]?\d+)?$')   # d, D: Fortran's exponent
FRAC = re.compile(r'^[+-]?\d+/\d+$')
HEX = re.compile(r'^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$')


class Reject(Exception):
    pass


# the longest number string read (a resource cap, not a validity rule; the
# mutation campaign raises it to judge its largest-number mutants)
MAX_CHARS = int(os.environ.get('SSMH_PY_MAX_CHARS', '10000'))
if hasattr(sys, 'set_int_max_str_digits'):   # Python >= 3.11 caps int(str) at 4300 digits
    sys.set_int_max_str_digits(max(MAX_CHARS, 4300))


def num(v):
    """An exact rational from a JSON integer or a string as in SPEC 3.1."""
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise Reject('not an exact number: %r' % (v,))
    if isinstance(v, int):
        return Fraction(v)
    if len(v) > MAX_CHARS:
        raise Reject('number too long')
    if FRAC.match(v):
        a, b = v.split('/')
        if int(b) == 0:
            raise Reject('zero denominator')
        return Fraction(int(a), int(b))
    if NUM.match(v):
        v = v.replace('d', 'e').replace('D', 'e')   # "0.1D+05" as SLICOT data files write it
        m = re.match(r'^[+-]?[^eE]*[eE]([+-]?\d+)$', v)
        if m and abs(int(m.group(1))) > 100000:
            raise Reject('exponent too large')
        return Fraction(v)
    h = HEX.match(v)
    if h and (h.group(2) or h.group(3)):
        mant = int((h.group(2) + h.group(3)) or '0', 16)
        e = int(h.group(4)) - 4 * len(h.group(3))
        if abs(e) > 100000:
            raise Reject('exponent too large')
        x = Fraction(mant) * (Fraction(2) ** e)
        return -x if h.group(1) == '-' else x
    raise Reject('not an exact number: %r' % v[:40])


def matrix(v, rows=None, cols=None):
    if isinstance(v, dict):
        if set(v) != {'rows', 'cols', 'entries'}:
            raise Reject('bad sparse matrix')
        r, c = v['rows'], v['cols']
        if not (isinstance(r, int) and isinstance(c, int)) or r < 0 or c < 0 or r * c > 1 << 24:
            raise Reject('bad sparse matrix shape')
        out = [[Fraction(0)] * c for _ in range(r)]
        last = -1
        for e in v['entries']:
            if not (isinstance(e, list) and len(e) == 3 and all(isinstance(x, int) and not isinstance(x, bool)
                                                                for x in e[:2])):
                raise Reject('bad sparse entry')
            i, j = e[0], e[1]
            if not (0 <= i < r and 0 <= j < c) or i * c + j <= last:
                raise Reject('sparse positions out of range or not increasing')
            last = i * c + j
            out[i][j] = num(e[2])
    else:
        if not isinstance(v, list) or not all(isinstance(row, list) for row in v):
            raise Reject('not a matrix')
        out = [[num(x) for x in row] for row in v]
        if len({len(row) for row in out}) > 1:
            raise Reject('ragged matrix')
    if rows is not None and len(out) != rows:
        raise Reject('wrong number of rows')
    if cols is not None and out and len(out[0]) != cols:
        raise Reject('wrong number of columns')
    return out


def realify(m):
    """(delayed, A as {(i, j): value} with blocks, block list, B, C, D)."""
    if not isinstance(m, dict) or m.get('format') != 'ssmheads-model/1':
        raise Reject('model: not ssmheads-model/1')
    allowed = {'format', 'convention', 'A', 'B', 'C', 'D', 'length', 'name', 'source', 'output'}
    if set(m) - allowed:
        raise Reject('model: unknown keys')
    conv = m.get('convention', 'direct')
    if conv not in ('direct', 'delayed'):
        raise Reject('model: bad convention')
    A = m['A']
    out = m.get('output')
    if isinstance(A, dict) and 'complex_diag' in A:
        cd = A['complex_diag']
        re_, im_ = [num(x) for x in cd['re']], [num(x) for x in cd['im']]
        N = len(re_)
        if N == 0 or len(im_) != N or set(A) != {'complex_diag'}:
            raise Reject('model: bad complex_diag')
        f = 1 if out == 're' else 2
        if out not in (None, 're', '2re'):
            raise Reject('model: bad output')

        def cm(v, rows, cols):
            if isinstance(v, dict) and 'entries' not in v:
                r_ = matrix(v['re'], rows, cols)
                return r_, matrix(v['im'], len(r_), len(r_[0]) if r_ else cols)
            r_ = matrix(v, rows, cols)
            return r_, [[Fraction(0)] * len(r_[0]) for _ in r_]
        Br, Bi = cm(m['B'], N, None)
        Cr, Ci = cm(m['C'], None, N)
        d, p = len(Br[0]), len(Cr)
        M = 2 * N
        Aent, blocks = {}, []
        for s in range(N):
            Aent[(2 * s, 2 * s)] = re_[s]
            Aent[(2 * s + 1, 2 * s + 1)] = re_[s]
            if im_[s] != 0:
                Aent[(2 * s, 2 * s + 1)] = -im_[s]
                Aent[(2 * s + 1, 2 * s)] = im_[s]
                blocks.append([2 * s, 2 * s + 1])
            else:
                blocks += [[2 * s], [2 * s + 1]]
        B = [None] * M
        for s in range(N):
            B[2 * s], B[2 * s + 1] = Br[s], Bi[s]
        C = [[Fraction(0)] * M for _ in range(p)]
        for i in range(p):
            for s in range(N):
                C[i][2 * s] = f * Cr[i][s]
                C[i][2 * s + 1] = -f * Ci[i][s]
    else:
        if out is not None:
            raise Reject('model: output is for complex models')
        if isinstance(A, dict) and 'diag' in A:
            if set(A) != {'diag'}:
                raise Reject('model: bad A')
            lam = [num(x) for x in A['diag']]
            M = len(lam)
            Aent = {(i, i): lam[i] for i in range(M)}
            blocks = [[i] for i in range(M)]
        else:
            Ad = matrix(A)
            M = len(Ad)
            if M == 0 or any(len(r) != M for r in Ad):
                raise Reject('model: A not square')
            Aent = {(i, j): Ad[i][j] for i in range(M) for j in range(M) if Ad[i][j] != 0}
            blocks = None
        if M == 0:
            raise Reject('model: empty A')
        B = matrix(m['B'], M, None)
        C = matrix(m['C'], None, M)
        d, p = len(B[0]), len(C)
    if d == 0 or p == 0:
        raise Reject('model: empty B or C')
    D = matrix(m['D'], p, d) if 'D' in m else [[Fraction(0)] * d for _ in range(p)]
    return conv == 'delayed', M, Aent, blocks, B, C, D


def apply(Aent, M, X):
    """A X for X given as a list of M rows."""
    cols = len(X[0])
    Y = [[0] * cols for _ in range(M)]
    for (i, j), a in Aent.items():
        xj, yi = X[j], Y[i]
        for c in range(cols):
            if xj[c]:
                yi[c] += a * xj[c]
    return Y


def lags(model, count, reduce=None):
    """K_0 .. K_{count-1} (exact, or mapped through reduce)."""
    delayed, M, Aent, _, B, C, D = model
    if reduce:
        Aent = {k: reduce(v) for k, v in Aent.items()}
        B = [[reduce(x) for x in r] for r in B]
        C = [[reduce(x) for x in r] for r in C]
        D = [[reduce(x) for x in r] for r in D]
    p, d = len(C), len(B[0])
    X, out = B, []
    for l in range(count):
        if delayed and l == 0:
            out.append([row[:] for row in D])
            continue
        K = [[sum(C[i][t] * X[t][j] for t in range(M) if C[i][t]) for j in range(d)] for i in range(p)]
        if l == 0:
            K = [[K[i][j] + D[i][j] for j in range(d)] for i in range(p)]
        if reduce:
            K = [[reduce(x) for x in r] for r in K]
        out.append(K)
        X = apply(Aent, M, X)
        if reduce:
            X = [[reduce(x) for x in r] for r in X]
    return out


def support(model):
    delayed, M, Aent, blocks, B, C, D = model
    p, d = len(C), len(B[0])
    if blocks is None:
        return p * d
    mask = {(i, j) for i in range(p) for j in range(d) if D[i][j] != 0}
    for blk in blocks:
        rows = [i for i in range(p) if any(C[i][s] != 0 for s in blk)]
        cols = [j for j in range(d) if any(B[s][j] != 0 for s in blk)]
        mask |= {(i, j) for i in rows for j in cols}
    return len(mask)


def is_prime(n):
    if n < 2:
        return False
    for q in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % q == 0:
            return n == q
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):   # deterministic below 3.3e24
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def annihilator_degree(model, ann):
    """The degree m of a monic q (1 <= m <= M) with q(A) B = 0 (side "B") or
    C q(A) = 0 (side "C"), checked exactly; Reject otherwise."""
    delayed, M, Aent, blocks, B, C, D = model
    if not isinstance(ann, dict) or ann.get('side') not in ('B', 'C'):
        raise Reject('bad annihilator')
    q = [num(x) for x in ann.get('coeffs', [])] if isinstance(ann.get('coeffs', []), list) else []
    mdeg = len(q) - 1
    if mdeg < 1 or mdeg > M or q[-1] != 1:
        raise Reject('annihilator not monic of degree 1..M')
    if ann['side'] == 'B':                       # q(A) B = sum q_i A^i B
        X, A = B, Aent
    else:                                        # C q(A): transpose
        X, A = [list(r) for r in zip(*C)], {(j, i): a for (i, j), a in Aent.items()}
    acc = [[q[0] * x for x in r] for r in X]
    for i in range(1, mdeg + 1):
        X = apply(A, M, X)
        acc = [[a + q[i] * x for a, x in zip(ra, rx)] for ra, rx in zip(acc, X)]
    if any(x != 0 for r in acc for x in r):
        raise Reject('the annihilator does not annihilate')
    return mdeg


def lag_bound(model, up):
    """F of the upper witness up (doc/cert-heads.md): every K_l with l >= F
    lies in span{K_l : l < F}; the annihilator is checked exactly."""
    delayed, M, Aent, blocks, B, C, D = model
    if not isinstance(up, dict):
        raise Reject('no upper witness')
    ann = up.get('annihilator')
    if not isinstance(ann, dict) or ann.get('side') not in ('B', 'C', 'cayley_hamilton'):
        raise Reject('bad annihilator')
    mdeg = M if ann['side'] == 'cayley_hamilton' else annihilator_degree(model, ann)
    dzero = not delayed and all(x == 0 for r in D for x in r)
    return mdeg if dzero else mdeg + 1


def ints(v, what):
    if not isinstance(v, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in v):
        raise Reject('%s must be a list of integers' % what)
    return v


def lower_prime(lw):
    """The prime P of a lower witness (either form)."""
    if not isinstance(lw, dict) or not isinstance(lw.get('prime'), str) or not lw['prime'].isdigit():
        raise Reject('bad lower witness')
    P = int(lw['prime'])
    if not (2 < P < 1 << 63) or not is_prime(P):
        raise Reject('the modulus is not a prime in (2, 2^63)')
    return P


def entry_positions(ents, r, p, d):
    """r distinct positions (row, col) of a p x d lag matrix."""
    if not isinstance(ents, list) or len(ents) != r or \
            not all(isinstance(e, list) and len(e) == 2 for e in ents):
        raise Reject('entries do not match the rows of the witness')
    ents = [tuple(ints(e, 'entry')) for e in ents]
    if any(not (0 <= i < p and 0 <= j < d) for i, j in ents) or len(set(ents)) != len(ents):
        raise Reject('bad entry positions')
    return ents


def reducer(P):
    """x -> x mod P for exact rationals; Reject when P divides a denominator."""
    def red(x):
        if x.denominator % P == 0:
            raise Reject('the prime divides a denominator')
        return x.numerator * pow(x.denominator, -1, P) % P
    return red


def eliminate(X, P):
    """Gaussian elimination of the square X mod P in the given order, no
    pivoting: Reject unless every leading principal minor is nonzero mod P."""
    r = len(X)
    for c in range(r):
        if X[c][c] % P == 0:
            raise Reject('a leading minor vanishes mod P')
        inv = pow(X[c][c], -1, P)
        if X[c][c] * inv % P != 1:
            raise Reject('a pivot has no inverse mod P')
        for i in range(c + 1, r):
            f = X[i][c] * inv % P
            if f:
                X[i] = [(a - f * b) % P for a, b in zip(X[i], X[c])]


def mode_states(raw, M):
    """The modes of a block-diagonal model, each as its list of realified
    states (diag: mode s owns state s; complex_diag: states 2s, 2s + 1);
    Reject for a dense A."""
    A = raw.get('A')
    if isinstance(A, dict) and 'diag' in A:
        return [[s] for s in range(M)]
    if isinstance(A, dict) and 'complex_diag' in A:
        return [[2 * s, 2 * s + 1] for s in range(M // 2)]
    raise Reject('the mode form is for diag and complex_diag models')


def check_mode_form(raw, model, claim, lw, up, F):
    """The mode form of the lower witness (doc/cert-heads.md): r rows X_s /
    Y_s of eigenvalue groups, independent mod P, prove k_inf >= r; with the
    trivial upper bound r = min(Z, F) that is the claim k(n) = r, n >= F."""
    delayed, M, Aent, blocks, B, C, D = model
    p, d = len(C), len(B[0])
    if 'lags' in lw:
        raise Reject('lower: lags and modes together')
    P = lower_prime(lw)
    modes = lw['modes']
    if not isinstance(modes, list) or not all(isinstance(x, list) and len(x) == 2 for x in modes):
        raise Reject('lower: modes must be pairs [s, part]')
    modes = [tuple(ints(x, 'mode')) for x in modes]
    r = len(modes)
    ents = entry_positions(lw.get('entries'), r, p, d)
    states = mode_states(raw, M)
    eig = [(Aent.get((st[0], st[0]), 0), Aent.get((st[0] + 1, st[0]), 0) if len(st) == 2 else 0)
           for st in states]
    group = {}
    for u, (a, b) in enumerate(eig):
        group.setdefault((a, abs(b)), []).append(u)
    named = set()
    for s, part in modes:
        if not (0 <= s < len(states)) or part not in (0, 1):
            raise Reject('lower: mode [%r, %r] out of range' % (s, part))
        a, b = eig[s]
        if a == 0 and b == 0:
            raise Reject('lower: mode %d has eigenvalue 0' % s)
        if part == 1 and b == 0:
            raise Reject('lower: part 1 of mode %d, whose eigenvalue is real' % s)
        if ((a, abs(b)), part) in named:
            raise Reject('lower: mode [%d, %d] names a group and part already named' % (s, part))
        named.add(((a, abs(b)), part))
    red = reducer(P)                 # P may divide no denominator of B, C (A is not reduced)
    Bp = [[red(x) for x in row] for row in B]
    Cp = [[red(x) for x in row] for row in C]

    def value(s, part, i, j):
        a, b = eig[s]
        v = 0
        for u in group[(a, abs(b))]:
            t = states[u][0]
            if part == 0:
                v += sum(Cp[i][t_] * Bp[t_][j] for t_ in states[u])
            else:
                sg = 1 if eig[u][1] > 0 else -1
                v += sg * (Cp[i][t + 1] * Bp[t][j] - Cp[i][t] * Bp[t + 1][j])
        return v % P

    eliminate([[value(s, part, i, j) for (i, j) in ents] for s, part in modes], P)

    # the claim: k_inf = r only
    n, k = claim['n'], claim['k']
    if 'n_star' in claim or 'profile' in claim:
        raise Reject('the mode form proves k_inf only: no n_star, no profile')
    deps = up.get('dependencies', [])
    if deps != []:
        raise Reject('the mode form takes no dependencies')
    Z = support(model)
    if n < F:
        raise Reject('the mode form proves k(n) for n >= F = %d only (n = %d)' % (F, n))
    if k != r or r != min(Z, F):
        raise Reject('k(%d) = %d is not proven (r = %d modes, min(Z, F) = %d)' % (n, k, r, min(Z, F)))
    if 'k_inf' in claim:
        ki = claim['k_inf']
        if not isinstance(ki, int) or isinstance(ki, bool) or ki != r:
            raise Reject('k_inf not proven')
    return 'k(%d) = %d' % (n, k)


def check(cert):
    if not isinstance(cert, dict) or cert.get('format') != 'ssmheads-cert/1':
        raise Reject('not an ssmheads-cert/1 certificate')
    claim, wit = cert.get('claim'), cert.get('witness')
    if not isinstance(claim, dict) or claim.get('kind') != 'heads' or not isinstance(wit, dict):
        raise Reject('not a heads certificate')
    model = realify(cert.get('model'))
    delayed, M, Aent, blocks, B, C, D = model
    p, d = len(C), len(B[0])
    n, k = claim.get('n'), claim.get('k')
    if not isinstance(n, int) or isinstance(n, bool) or n < 1 or not isinstance(k, int) or isinstance(k, bool):
        raise Reject('claim n, k must be integers, n >= 1')

    # upper: the annihilator and F
    up = wit.get('upper')
    F = lag_bound(model, up)

    # lower: pivots independent mod P
    lw = wit.get('lower')
    if isinstance(lw, dict) and 'modes' in lw:
        return check_mode_form(cert['model'], model, claim, lw, up, F)
    if lw is None:
        piv, ents, P = [], [], None
    else:
        P = lower_prime(lw)
        piv = ints(lw.get('lags'), 'lags')
        ents = entry_positions(lw.get('entries'), len(piv), p, d)
        if any(a >= b for a, b in zip(piv, piv[1:])) or (piv and (piv[0] < 0 or piv[-1] >= F)):
            raise Reject('lags not increasing below F')
    r = len(piv)
    if r:
        Kp = lags(model, piv[-1] + 1, reducer(P))
        eliminate([[Kp[l][i][j] for (i, j) in ents] for l in piv], P)

    # dependencies, exactly
    deps = up.get('dependencies', [])
    if not isinstance(deps, list):
        raise Reject('bad dependencies')
    covered = set()
    if deps:
        need = max(dep.get('lag', 0) if isinstance(dep, dict) else 0 for dep in deps)
        if not isinstance(need, int) or need < 0 or need >= F:
            raise Reject('dependency lag out of range')
        K = lags(model, need + 1)
        for dep in deps:
            if not isinstance(dep, dict):
                raise Reject('bad dependency')
            lag, pv = dep.get('lag'), ints(dep.get('pivots'), 'pivots')
            cf = [num(x) for x in dep.get('coeffs', [])]
            if not isinstance(lag, int) or lag in piv or len(cf) != len(pv) or \
                    any(x not in piv or x >= lag for x in pv):
                raise Reject('bad dependency for lag %r' % (lag,))
            comb = [[sum(c_ * K[x][i][j] for c_, x in zip(cf, pv)) for j in range(d)] for i in range(p)]
            if comb != K[lag]:
                raise Reject('dependency for lag %d does not hold' % lag)
            covered.add(lag)
    Z = support(model)

    def S(j):
        return sum(1 for x in piv if x < j)

    def proven(j):
        """k(j) if the certificate proves it, else None."""
        lower = S(j)
        if all(l in piv or l in covered or S(l) == Z for l in range(min(j, F))):
            return lower
        if lower == min(j, Z, F):
            return lower
        return None

    if proven(n) != k:
        raise Reject('k(%d) = %d is not proven (S = %d)' % (n, k, S(n)))
    if 'k_inf' in claim or 'n_star' in claim:
        ki, ns = claim.get('k_inf'), claim.get('n_star')
        if proven(F) != ki or ki != r or ns != (piv[-1] + 1 if r else 1):
            raise Reject('k_inf / n_star not proven')
    prof = claim.get('profile')
    if prof is not None:
        if not isinstance(prof, list) or any(proven(j + 1) != v for j, v in enumerate(prof)):
            raise Reject('profile not proven')
    return 'k(%d) = %d' % (n, k)


MALFORMED = (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError,
             ZeroDivisionError)


def verdict(check_fn, cert, unjudged=()):
    """A Python checker's verdict on a parsed certificate: True (a valid
    proof), False (rejected or malformed), None (an exception in `unjudged`:
    the checker does not judge it)."""
    try:
        check_fn(cert)
        return True
    except unjudged:
        return None
    except Reject:
        return False
    except MALFORMED:
        return False


def _unique_keys(pairs):
    """object_pairs_hook: a JSON object with a repeated key is refused, as the
    C checker (jansson's JSON_REJECT_DUPLICATES) refuses it."""
    out = {}
    for k, v in pairs:
        if k in out:
            raise Reject('duplicate JSON key %r' % k)
        out[k] = v
    return out


def load(path):
    """A certificate file, parsed strictly (duplicate keys rejected)."""
    with open(path) as f:
        return json.load(f, object_pairs_hook=_unique_keys)


def loads(text):
    return json.loads(text, object_pairs_hook=_unique_keys)


def run_files(paths, check_fn, unjudged=()):
    """The command line of a Python checker: one verdict line per file; exit
    status 0 iff none is rejected (exceptions in `unjudged` are reported as
    NOT JUDGED)."""
    ok = True
    for path in paths:
        try:
            print('%s: VERIFIED %s' % (path, check_fn(load(path))))
        except unjudged as e:
            print('%s: NOT JUDGED: %s' % (path, e))
        except Reject as e:
            ok = False
            print('%s: REJECTED: %s' % (path, e))
        except MALFORMED as e:
            ok = False
            print('%s: REJECTED: malformed (%s: %s)' % (path, type(e).__name__, str(e)[:80]))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(run_files(sys.argv[1:], check))
