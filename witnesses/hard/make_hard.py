#!/usr/bin/env python3
"""Generate the hard-case corpus (issue 19): small models where floating
point fails -- near pole-zero cancellations, Jordan blocks a hair inside the
unit circle in several bases, companion forms of (z - (1 - 2^-k))^m, shears
up to 2^30, states scaled by 2^+-27, an eigenvalue 1 + 2^-40 under a shear --
and hard.case, their expected answers for tests/replay.py.

Every model is built as A = T J T^-1 from a known Jordan form J (or as the
companion matrix of a known polynomial), so the eigenvalues, hence the
verdict and rho, are known by construction; the script re-derives them
independently with Python fractions (the characteristic polynomial of A by
Faddeev-LeVerrier, tests/exact_spectrum.py, must equal prod (z - lambda)^m
exactly) and computes the
reachable and observable ranks and the McMillan degree (rank of the N x N
block Hankel matrix of C A^l B) by exact elimination.  Nothing here shares
code with ssmheads.  Run from anywhere:  python3 witnesses/hard/make_hard.py
"""
import json
import os
import sys
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests'))
from oracle import matmul as mul, rank  # noqa: E402
from exact_spectrum import charpoly, inv, poly_from_roots  # noqa: E402


def s(x):
    x = F(x)
    return str(x.numerator) if x.denominator == 1 else "%d/%d" % (x.numerator, x.denominator)


def jordan(lam, m):
    return [[lam if i == j else F(1) if j == i + 1 else F(0) for j in range(m)] for i in range(m)]


def blockdiag(*blocks):
    n = sum(len(b) for b in blocks)
    M = [[F(0)] * n for _ in range(n)]
    o = 0
    for b in blocks:
        for i in range(len(b)):
            for j in range(len(b)):
                M[o + i][o + j] = F(b[i][j])
        o += len(b)
    return M


def companion(poly):
    """Companion matrix (last row -c_0 .. -c_{m-1}) of the monic poly."""
    m = len(poly) - 1
    A = [[F(int(j == i + 1)) for j in range(m)] for i in range(m)]
    A[m - 1] = [-poly[j] for j in range(m)]
    return A


def facts(A, B, C):
    N = len(A)
    K = [B]
    for _ in range(2 * N):
        K.append(mul(A, K[-1]))
    ctrb = [[K[l][i][j] for l in range(N) for j in range(len(B[0]))] for i in range(N)]
    O = [C]
    for _ in range(N - 1):
        O.append(mul(O[-1], A))
    obsv = [r for blk in O for r in blk]
    G = [mul(C, K[l]) for l in range(2 * N)]
    p, d = len(C), len(B[0])
    H = [[G[bi + bj][i][j] for bj in range(N) for j in range(d)] for bi in range(N) for i in range(p)]
    return rank(ctrb), rank(obsv), rank(H)


TWO = F(2)
CASES = []


def model(name, title, J_or_A, eig, B0, C0, T=None, conv="delayed", exact_rho=True, minimal="auto",
          certified=True):
    """A = T J T^-1, B = T B0, C = C0 T^-1 (T = None: A given as is).
    eig: the eigenvalues with algebraic multiplicity (real, rational).
    minimal: run `minimal` always (True), never, or "auto": when a rank is
    below N."""
    J = [[F(x) for x in r] for r in J_or_A]
    B0 = [[F(x) for x in r] for r in B0]
    C0 = [[F(x) for x in r] for r in C0]
    if T is None:
        A, B, C = J, B0, C0
    else:
        T = [[F(x) for x in r] for r in T]
        Ti = inv(T)
        A, B, C = mul(mul(T, J), Ti), mul(T, B0), mul(C0, Ti)
    assert charpoly(A) == poly_from_roots(eig), name   # the spectrum, independently
    rho = max(abs(x) for x in eig)
    # a unit-circle eigenvalue x is defective iff rank (A - xI)^2 < rank (A - xI)
    defective = False
    for x in set(eig):
        if abs(x) == 1:
            X = [[A[i][j] - (x if i == j else 0) for j in range(len(A))] for i in range(len(A))]
            defective |= rank(mul(X, X)) < rank(X)
    reach, obs, mc = facts(A, B, C)
    m = {"format": "ssmheads-model/1", "convention": conv, "name": title,
         "A": [[s(x) for x in r] for r in A], "B": [[s(x) for x in r] for r in B],
         "C": [[s(x) for x in r] for r in C]}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(m, f)
        f.write("\n")
    CASES.append((name, title, verdict(eig, defective), rho, reach, obs, mc, exact_rho, minimal, certified))


def verdict(eig, defective_unit):
    if any(abs(x) > 1 for x in eig) or defective_unit:
        return "unstable"
    return "marginal" if any(abs(x) == 1 for x in eig) else "stable"


def main():
    e = lambda k: F(1, 2 ** k)  # noqa: E731
    half, third = F(1, 2), F(1, 3)
    # near pole-zero cancellations: (z - 1/2 - eps) / ((z - 1/2)(z - 1/3)) in
    # controllable canonical form; eps = 0 cancels exactly (degree 1)
    den = poly_from_roots([half, third])
    for k, tag in ((40, "cancel40"), (50, "cancel50"), (None, "cancel_exact")):
        z = half + (e(k) if k else 0)
        model(tag, "zero at 1/2 + %s against the pole 1/2: McMillan degree %s" % (
            "2^-%d" % k if k else "0", 1 if k is None else 2),
            companion(den), [half, third], [[0], [1]], [[-z, 1]], minimal=True)
    model("residues50", "modes 1/2 and 1/2 + 2^-50 with opposite residues: K_l tiny, degree 2",
          [[half, 0], [0, half + e(50)]], [half, half + e(50)], [[1], [1]], [[1, -1]], conv="direct",
          minimal=True)
    # Jordan blocks at 1 - 2^-k in several bases
    a40 = 1 - e(40)
    model("jordan40", "Jordan block at 1 - 2^-40, Jordan basis", jordan(a40, 2), [a40, a40],
          [[0], [1]], [[1, 0]])
    model("jordan40_T", "Jordan block at 1 - 2^-40 under T = [[1,2],[3,7]]", jordan(a40, 2), [a40, a40],
          [[0], [1]], [[1, 0]], T=[[1, 2], [3, 7]])
    model("jordan40_shear", "Jordan block at 1 - 2^-40 under the shear [[1, 2^20], [0, 1]]",
          jordan(a40, 2), [a40, a40], [[0], [1]], [[1, 0]], T=[[1, 2 ** 20], [0, 1]])
    a20 = 1 - e(20)
    model("jordan20_3", "3x3 Jordan block at 1 - 2^-20 under a unimodular T", jordan(a20, 3),
          [a20] * 3, [[0], [0], [1]], [[1, 0, 0]], T=[[1, 1, 0], [0, 1, 1], [1, 0, 2]])
    a30 = 1 - e(30)
    model("scaled27", "Jordan block at 1 - 2^-30 and 1/2, states scaled by 2^27 and 2^-27",
          blockdiag(jordan(a30, 2), [[half]]), [a30, a30, half], [[0], [1], [1]], [[1, 0, 1]],
          T=[[2 ** 27, 0, 0], [0, e(27), 0], [0, 0, 1]])
    # a gap of 2^-600: no doubling converges in its iteration limit; the exact
    # Stein solve (N <= 12) proves it
    a600 = 1 - e(600)
    model("jordan600_3", "3x3 Jordan block at 1 - 2^-600 (the exact Stein solve)", jordan(a600, 3),
          [a600] * 3, [[0], [0], [1]], [[1, 0, 0]], T=[[1, 1, 0], [0, 1, 1], [1, 0, 2]])
    # companion forms of (z - (1 - 2^-k))^m
    for k, mm in ((26, 2), (17, 3), (10, 4), (40, 2)):
        a = 1 - e(k)
        model("comp%d_%d" % (mm, k), "companion matrix of (z - (1 - 2^-%d))^%d" % (k, mm),
              companion(poly_from_roots([a] * mm)), [a] * mm, [[0]] * (mm - 1) + [[1]],
              [[1] + [0] * (mm - 1)])
    # shears with an unobservable mode: rho(A) = 1/2 but McMillan degree 1
    for k in (26, 30):
        model("shear%d" % k, "diag(1/2, 1/3) under the shear 2^%d, the 1/3 mode unobservable" % k,
              [[half, 0], [0, third]], [half, third], [[1], [1]], [[1, 0]], T=[[1, 2 ** k], [0, 1]])
    # eigenvalue 1 + 2^-40 under a shear: unstable (kernel evidence)
    b = 1 + e(40)
    model("unstable40_shear", "eigenvalue 1 + 2^-40 (and 1/2) under the shear 2^30",
          [[b, 0], [0, half]], [b, half], [[1], [1]], [[1, 1]], T=[[1, 2 ** 30], [0, 1]])
    # marginal (a simple -1) with a Jordan block at 1 - 2^-30 beside it
    model("marginal_jordan30", "eigenvalue -1 beside a Jordan block at 1 - 2^-30, under T",
          blockdiag([[-1]], jordan(a30, 2)), [F(-1), a30, a30], [[1], [0], [1]], [[1, 1, 0]],
          T=[[1, 1, 0], [0, 1, 1], [0, 0, 1]])
    # past every limit: a 40 x 40 Jordan block at 1 - 2^-40 (P's condition
    # number near 2^3000, beyond the 1024 bits allowed at N = 40 and the exact
    # solve's N <= 12): the exact verdict, and the JSON says what is not
    # certified and why; --cert then exits 2 and writes nothing
    model("uncertified_jordan40x40", "40 x 40 Jordan block at 1 - 2^-40: no certificate fits the limits",
          jordan(a40, 40), [a40] * 40, [[0]] * 39 + [[1]], [[1] + [0] * 39], minimal=False,
          certified=False)
    # a defective unit eigenvalue under the shear 2^30: unstable (chain)
    model("jordan1_shear30", "Jordan block at exactly 1 under the shear 2^30: unstable",
          jordan(F(1), 2), [F(1), F(1)], [[0], [1]], [[1, 0]], T=[[1, 2 ** 30], [0, 1]])

    out = ["# The hard cases of issue 19 (generated by make_hard.py; the expected",
           "# answers are derived there with Python fractions, independently of",
           "# ssmheads): every gradient run gives the exact verdict, the exact rho and",
           "# a certificate both checkers accept, with nothing left uncertified.", ""]
    for name, title, v, rho, reach, obs, mc, exact_rho, minimal, certified in CASES:
        out.append("# %s: %s" % (name, title))
        if not certified:
            out.append("run: gradient {here}/%s.json --lags 2 --json --cert {tmp}/none.json" % name)
            out.append("exit: 2")
            out.append("json: " + json.dumps({"stable": v, "mcmillan_degree": mc, "gamma": None,
                                             "rho_lo": s(rho), "rho_hi": s(rho)}))
            out.append("stdout-contains: \"part\":\"envelope\",\"why\":\"no gradient envelope could be proven: no Stein form")
            out.append("stderr-contains: no certificate written")
            out.append("absent: {tmp}/none.json")
            out.append("")
            continue
        exp = {"stable": v, "mcmillan_degree": mc, "not_certified": []}
        if exact_rho:
            exp.update({"rho_lo": s(rho), "rho_hi": s(rho)})
        out.append("run: gradient {here}/%s.json --json --cert {tmp}/c.json" % name)
        out.append("json: " + json.dumps(exp))
        out.append("run: verify {tmp}/c.json")
        out.append("stdout-contains: s VERIFIED")
        out.append("stdout-contains: " + {"stable": "stable (gamma < 1)",
                                          "marginal": "marginal (gamma = 1",
                                          "unstable": "unstable"}[v])
        out.append("python-verified: {tmp}/c.json")
        # minimal runs where a rank is below N (the tolerance-based tools'
        # trouble); for the others the full ranks are recorded here only, to
        # keep make check-valgrind cheap
        N = len(json.load(open(os.path.join(HERE, name + ".json")))["A"])
        if minimal is True or (minimal == "auto" and min(reach, obs) < N):
            out.append("run: minimal {here}/%s.json --json" % name)
            out.append("json: " + json.dumps({"reachable_rank": reach, "observable_rank": obs,
                                             "mcmillan_degree": mc}))
        else:
            out.append("# (reachable rank %d, observable rank %d: both full)" % (reach, obs))
        out.append("")
    with open(os.path.join(HERE, "hard.case"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
