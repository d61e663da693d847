#!/usr/bin/env python3
"""Random stress test of `ssmheads gradient` on badly conditioned models
(issue 19): random real Jordan forms with eigenvalues near the unit circle
(real 1 - 2^-k, rotations r R(theta) with Pythagorean cos/sin and
r = 1 - 2^-k, sometimes one on or outside the circle, sometimes a defective
unit root), hidden by random similarities T = D U S whose condition number
goes from 1 to past 2^40 (D a diagonal of powers of 2 spread up to 2^24, U
unit upper triangular with small integers, S a shear up to 2^16, whose
condition number is about 2^32).  For every model:

- the program is never killed by a signal (SIGFPE was the bug) and exits 0;
- the verdict equals the exact one, known by construction (and checked
  here: the characteristic polynomial of A, by fractions, is the product of
  the blocks'), and rho_lo <= rho <= rho_hi for the exact rho;
- the McMillan degree equals the rank of the exact block Hankel matrix;
- nothing is left uncertified, and the certificate is accepted by the C
  checker and by the second, Python checker (tests/verify_gradient.py).

Each case is 2 to 4 states; the count scales with SSMH_TEST_MULT (a quarter
under `make check-valgrind`).  Seeded (SSMH_TEST_SEED); prints the seed and
the model of any failure, and "N passed, N failed".
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
from oracle import matmul as mul, rank  # noqa: E402
from exact_spectrum import charpoly, pmul  # noqa: E402
import verify_gradient  # noqa: E402
import verify_heads  # noqa: E402

PROG = os.environ.get('SSMHEADS', './ssmheads')
CHECK = os.environ.get('SSMHEADS_VERIFY', './ssmheads-verify')
SEED = int(os.environ.get('SSMH_TEST_SEED', '20261124'))
MULT = max(0.01, float(os.environ.get('SSMH_TEST_MULT', '1')))
CASES = max(2, int(round(16 * MULT)))
MAX_N = int(os.environ.get('SSMH_HARD_MAX_N', '4'))   # larger by hand: the ladder's limits
PYTH = [(F(3, 5), F(4, 5)), (F(5, 13), F(12, 13)), (F(8, 17), F(15, 17)), (F(-7, 25), F(24, 25))]


def s(x):
    x = F(x)
    return str(x.numerator) if x.denominator == 1 else "%d/%d" % (x.numerator, x.denominator)


def block(rng):
    """A random real Jordan block near the circle: (matrix, char poly,
    modulus, on-circle defective?)."""
    k = rng.choice([6, 10, 17, 26, 30, 40])
    kind = rng.random()
    if kind < 0.12:
        r = F(1)                        # on the circle
    elif kind < 0.2:
        r = 1 + F(1, 2 ** k)            # just outside
    else:
        r = 1 - F(1, 2 ** k)            # just inside
    if rng.random() < 0.5:              # real eigenvalue +-r, Jordan size 1..3
        lam = r if rng.random() < 0.7 else -r
        m = rng.choice([1, 2, 2, 3])
        J = [[lam if i == j else F(1) if j == i + 1 else F(0) for j in range(m)] for i in range(m)]
        p = [F(1)]
        for _ in range(m):
            p = pmul(p, [-lam, F(1)])
        return J, p, r, r == 1 and m > 1
    c, sn = rng.choice(PYTH)            # r (c + i s), a 2x2 rotation block
    a, b = r * c, r * sn
    J = [[a, -b], [b, a]]
    return J, [r * r, -2 * a, F(1)], r, False


def model(rng):
    while True:
        blocks, N = [], 0
        while N < 2 or (N < MAX_N and rng.random() < 0.4 + 0.4 * (MAX_N > 4)):
            J, p, r, dfc = block(rng)
            if N + len(J) > MAX_N:
                break
            blocks.append((J, p, r, dfc))
            N += len(J)
        if N >= 2:
            break
    Jm = [[F(0)] * N for _ in range(N)]
    o, chi = 0, [F(1)]
    for J, p, _, _ in blocks:
        for i in range(len(J)):
            for j in range(len(J)):
                Jm[o + i][o + j] = J[i][j]
        o += len(J)
        chi = pmul(chi, p)
    rho = max(b[2] for b in blocks)
    if rho > 1 or any(b[3] for b in blocks):
        verdict = "unstable"
    elif rho == 1:
        # equal unit eigenvalues in two blocks stay semisimple (Jordan size 1)
        verdict = "marginal"
    else:
        verdict = "stable"
    # T = D U S: D = diag 2^e (spread <= 2^24), U unit upper triangular with
    # small integers, S a shear 2^h (h <= 16, cond(S) ~ 2^2h): cond(T) past 2^40
    e = [rng.randint(-12, 12) for _ in range(N)]
    U = [[F(1) if i == j else F(rng.randint(-3, 3)) if j > i else F(0) for j in range(N)] for i in range(N)]
    Ui = [[F(int(i == j)) for j in range(N)] for i in range(N)]
    for c in range(N - 1, -1, -1):   # inverse of unit upper triangular
        for i in range(c - 1, -1, -1):
            Ui[i] = [Ui[i][j] - U[i][c] * Ui[c][j] for j in range(N)]
    h = rng.randint(0, 16)
    a, b = rng.sample(range(N), 2)
    S = [[F(int(i == j)) for j in range(N)] for i in range(N)]
    S[a][b] = F(2 ** h)
    Si = [row[:] for row in S]
    Si[a][b] = -F(2 ** h)
    D = [[F(2) ** e[i] if i == j else F(0) for j in range(N)] for i in range(N)]
    Di = [[F(2) ** -e[i] if i == j else F(0) for j in range(N)] for i in range(N)]
    T = mul(mul(D, U), S)
    Ti = mul(mul(Si, Ui), Di)
    A = mul(mul(T, Jm), Ti)
    assert charpoly(A) == chi   # the exact spectrum, independently of the construction
    d, p = rng.choice([1, 1, 2]), rng.choice([1, 1, 2])
    B0 = [[F(rng.randint(-2, 2) or 1) for _ in range(d)] for _ in range(N)]
    C0 = [[F(rng.randint(-2, 2) or 1) for _ in range(N)] for _ in range(p)]
    B, C = mul(T, B0), mul(C0, Ti)
    conv = rng.choice(["direct", "delayed"])
    m = {"format": "ssmheads-model/1", "convention": conv, "A": [[s(x) for x in r] for r in A],
         "B": [[s(x) for x in r] for r in B], "C": [[s(x) for x in r] for r in C]}
    return m, A, B, C, verdict, rho


def mcmillan(A, B, C):
    N = len(A)
    K = [B]
    for _ in range(2 * N):
        K.append(mul(A, K[-1]))
    G = [mul(C, K[l]) for l in range(2 * N)]
    p, d = len(C), len(B[0])
    return rank([[G[bi + bj][i][j] for bj in range(N) for j in range(d)] for bi in range(N) for i in range(p)])


def main():
    rng = random.Random(SEED)
    if hasattr(sys, "set_int_max_str_digits"):   # Python's own 4300-digit guard, not the checker's
        sys.set_int_max_str_digits(0)
    t = Tally()
    with tempfile.TemporaryDirectory(prefix="ssmh_hard_") as tmp:
        for it in range(CASES):
            m, A, B, C, verdict, rho = model(rng)
            mp, cp = os.path.join(tmp, "m.json"), os.path.join(tmp, "c.json")
            with open(mp, "w") as f:
                json.dump(m, f)
            where = "case %d (seed %d, %s, rho %s): %s" % (it, SEED, verdict, rho, json.dumps(m))
            if os.path.exists(cp):
                os.remove(cp)
            r = subprocess.run([PROG, "gradient", mp, "--json", "--cert", cp], capture_output=True,
                               text=True, timeout=600)
            if not t.check(r.returncode == 0, "%s: exit %d (a negative exit is a signal): %s"
                           % (where, r.returncode, r.stderr[:300])):
                continue
            g = json.loads(r.stdout)
            t.check(g["stable"] == verdict, "%s: verdict %s" % (where, g["stable"]))
            t.check(F(g["rho_lo"]) <= rho <= F(g["rho_hi"]),
                    "%s: rho not in [%s, %s]" % (where, g["rho_lo"], g["rho_hi"]))
            t.check(g["mcmillan_degree"] == mcmillan(A, B, C), "%s: McMillan degree %d" % (where, g["mcmillan_degree"]))
            t.check(g["not_certified"] == [], "%s: not certified: %s" % (where, g["not_certified"]))
            if not os.path.exists(cp):
                t.check(False, "%s: no certificate" % where)
                continue
            v = subprocess.run([CHECK, cp], capture_output=True, text=True, timeout=600)
            t.check(v.returncode == 0 and "s VERIFIED" in v.stdout,
                    "%s: C checker exit %d: %s" % (where, v.returncode, (v.stdout + v.stderr)[:300]))
            with open(cp) as f:
                cert = json.load(f)
            try:
                verify_gradient.check(cert)
                t.check(True, "")
            except (verify_heads.Reject, verify_gradient.Unjudged) as e:
                t.check(False, "%s: Python checker: %s: %s" % (where, type(e).__name__, e))
            t.check(cert["claim"].get("stable") == verdict, "%s: certificate claims %s"
                    % (where, cert["claim"].get("stable")))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
