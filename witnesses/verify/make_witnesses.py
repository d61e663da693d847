#!/usr/bin/env python3
"""Write the certificates of this directory (issue 15), deterministically.

Each is a certificate an attacker could write: a false gradient horizon
(what the producer and both checkers used to accept), or a resource attack
(a few hundred bytes that made `verify` run for minutes or abort), or a
valid certificate whose claim used to be too expensive to check (a horizon
of 10^9, n = 10^8 on a periodic lag sequence).  verify.case says what
`ssmheads verify` must answer for each, under a hard time limit.

    python3 make_witnesses.py [OUTDIR] [--producer SSMHEADS]
    python3 make_witnesses.py --profile OUT N L    (the large profile attack)

--producer also rewrites the two enclosure certificates (they need the
producer's rounded recursion); without it they are left as they are.  The
horizons are computed with tests/verify_gradient.py (binary fixed-point
bounds), independently of the C checker.
"""
import json
import os
import subprocess
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests'))
import verify_gradient  # noqa: E402


def model(A, B, C, D=None, delayed=False):
    m = {"format": "ssmheads-model/1", "convention": "delayed" if delayed else "direct",
         "A": A, "B": B, "C": C}
    if D is not None:
        m["D"] = D
    return m


def cert(m, claim, witness):
    return {"format": "ssmheads-cert/1", "model": m, "claim": claim, "witness": witness}


def gradient(m, gamma, bB, bC, norms, P=None, eps=None, horizon=None, stable=None, evidence=None):
    claim = {"kind": "gradient", "gamma": str(gamma), "M2": str(Fraction(bB) * Fraction(bC)),
             "norms_f2": [str(x) for x in norms]}
    if stable:
        claim["stable"] = stable
    if eps is not None:
        claim["eps"] = str(eps)
        claim["horizon"] = horizon
    n = len(m["B"]) if isinstance(m["B"], list) else 1
    w = {"P": P or [["1" if i == j else "0" for j in range(n)] for i in range(n)],
         "beta_B": str(bB), "beta_C": str(bC)}
    if evidence:
        w["evidence"] = evidence
    return cert(m, claim, w)


def least_horizon(M2, gamma, eps, delayed=False, dzero=True):
    """The least lag h the checkers accept (doc/gradient.md), by bisection on
    verify_gradient's comparison."""
    e2 = Fraction(eps) ** 2

    def reaches(t):
        if t == 0:
            return M2 <= e2
        return verify_gradient.power_at_most(M2, gamma, 2 * t, e2)
    hi = 1
    while not reaches(hi):
        hi *= 2
    lo = 0
    if reaches(0):
        hi = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if reaches(mid) else (mid, hi)
    t = hi
    return t + 1 if delayed else (t if dzero or t >= 1 else 1)


def witnesses():
    out = {}
    th = Fraction(1, 1000)
    # -- false horizons: gamma > 1 but M2 <= eps^2, so "the least t with
    #    M2 gamma^(2t) <= eps^2" is 0 while K_l grows without bound
    two = model([["2"]], [["1/1000"]], [["1"]])
    out["false_horizon_unstable"] = gradient(
        two, 2, th * th, 1, [th * th, 4 * th * th], eps="1/100", horizon=0, stable="unstable",
        evidence={"type": "kernel", "poly": ["-2", "1"], "v": ["1"]})
    # Jordan block at 1: K_l = l 10^-6 passes 10^-3 from l = 1001
    jordan = model([["1", "1"], ["0", "1"]], [["0"], ["1"]], [["1/1000000", "0"]])
    out["false_horizon_jordan"] = gradient(
        jordan, 2, 1, Fraction(1, 10 ** 12), [0, Fraction(1, 10 ** 12), Fraction(4, 10 ** 12)],
        eps="1/1000", horizon=0)
    # delayed: the old rule t + 1 = 1
    out["false_horizon_delayed"] = gradient(
        model([["2"]], [["1/1000"]], [["1"]], delayed=True), 2, th * th, 1, [0, th * th],
        eps="1/100", horizon=1)
    # D != 0: the old rule max(t, 1) = 1
    out["false_horizon_D"] = gradient(
        model([["2"]], [["1/1000"]], [["1"]], D=[["1/1000"]]), 2, th * th, 1,
        [4 * th * th, 4 * th * th], eps="1/100", horizon=1)
    # gamma = 1: a horizon only when M2 <= eps^2
    one = model([["1"]], [["1/1000"]], [["1"]])
    out["false_horizon_flat"] = gradient(one, 1, th * th, 1, [th * th], eps="1/10000", horizon=0)
    out["horizon_flat_ok"] = gradient(one, 1, th * th, 1, [th * th], eps="1/100", horizon=0)

    # -- horizons far out: O(log t) checks
    for name, a, g, eps in (("horizon_18420678", "999999/1000000", Fraction(1999999, 2000000), "1/10000"),
                            ("horizon_1e9", "9999999862/10000000000", Fraction(9999999931, 10000000000),
                             "1/1000")):
        m = model([[a]], [["1"]], [["1"]])
        h = least_horizon(Fraction(1), g, eps)
        out[name] = gradient(m, g, 1, 1, [1], eps=eps, horizon=h, stable="stable")
    # the same near gamma = 1 - 10^-7, with the horizon the old exact-power
    # search was given (3 GB, then an abort) and with the true one
    m = model([["0.9999998"]], [["1"]], [["1"]])
    g = Fraction(9999999, 10000000)
    out["attack_horizon_near1"] = gradient(m, g, 1, 1, [1], eps="1/10000", horizon=92103399,
                                           stable="stable")
    out["horizon_near1"] = gradient(m, g, 1, 1, [1], eps="1/10000",
                                    horizon=least_horizon(Fraction(1), g, "1/10000"), stable="stable")
    # a horizon of 10^8 the old checker searched downward, power by power
    half = model([["1/2"]], [["1"]], [["1"]])
    out["attack_horizon_downward"] = gradient(half, "1/2", 1, 1, [1], eps="1/1000",
                                              horizon=10 ** 8, stable="stable")
    # gamma = 10^-99999 (A = 0): the powers leave any exponent range at once
    out["attack_gamma_tiny"] = gradient(model([["0"]], [["1"]], [["1"]]), "1e-99999", 1, 1, [1],
                                        eps="1/1000", horizon=10 ** 8, stable="stable")
    # gamma = 10^100000: more digits than --max-digits ("overflow in mpz type")
    out["attack_gamma_digits"] = gradient(model([["1"]], [["1"]], [["1"]]), "1e100000", 1, 1, [1],
                                          eps="1/1000", horizon=10 ** 8)

    # -- exact lags
    out["attack_norms_digits"] = gradient(model([["1e100000"]], [["1"]], [["1"]]), "2e100000", 1, 1,
                                          [1] * 2000)
    # C = 0: every norm is "0" (one byte) while A^l B grows by 332,000 bits a lag
    big = [["1e99999", "1e99999"], ["1e99999", "1e99999"]]
    out["attack_lags_growth"] = gradient(model(big, [["1"], ["1"]], [["0", "0"]]), "3e99999", 2, 0,
                                         [0] * 2000)
    N = 20
    out["attack_heads_digits"] = cert(
        model([["1e100000"] * N for _ in range(N)], [["1"]] * N, [["1"] * N]),
        {"kind": "heads", "n": 21, "k": 1},
        {"lower": {"prime": "4513417647985097227", "lags": [0], "entries": [[0, 0]]},
         "upper": {"annihilator": {"side": "cayley_hamilton"},
                   "dependencies": [{"lag": 19, "pivots": [0], "coeffs": ["1"]}]}})
    out["attack_heads_expansion"] = json.loads(json.dumps(out["attack_heads_digits"]).replace(
        "1e100000", "1e99999"))
    L = 1000
    out["attack_represent_growth"] = {
        "format": "ssmheads-cert/1", "model": model([["1e99999"]], [["1"]], [["1"]]),
        "attention": {"format": "ssmheads-attention/1", "heads": [{"value": [["1"]]}]},
        "claim": {"kind": "represent", "n": L, "representable": True},
        "witness": {"L": L, "kernels": [["1"] + ["0"] * (L - 1)]}}
    # approx, exact witness: n = 10^8 on a lag sequence that never repeats
    # (A = 1/2), and on one that does (A = -1: K_l = (-1)^l, so tr G =
    # n (n + 1) / 2 and the one map [[1]] leaves residual 0)
    n = 10 ** 8
    out["attack_approx_exact_n"] = cert(
        half, {"kind": "approx", "n": n, "H": 1, "eps": "1/10", "relative": False,
               "error2_upper": "0", "error2_lower_prev": "1593/256"}, {"basis": [[["1"]]]})
    out["approx_exact_periodic"] = cert(
        model([["-1"]], [["1"]], [["1"]]),
        {"kind": "approx", "n": n, "H": 1, "eps": "1/10", "relative": False,
         "error2_upper": "0", "error2_lower_prev": str(n * (n + 1) // 2)}, {"basis": [[["1"]]]})
    # dimensions the bytes do not pay for
    S = 11585
    sp = lambda r, c, e: {"rows": r, "cols": c, "entries": e}  # noqa: E731
    heads_w = {"lower": {"prime": "4513417647985097227", "lags": [0], "entries": [[0, 0]]},
               "upper": {"annihilator": {"side": "B", "coeffs": ["0", "1"]}}}
    out["attack_sparse_A"] = cert(
        {"format": "ssmheads-model/1", "A": sp(S, S, []), "B": sp(S, 1, [[0, 0, "1"]]),
         "C": sp(1, S, [[0, 0, "1"]])}, {"kind": "heads", "n": 5, "k": 1}, heads_w)
    W = 65536
    out["attack_omitted_D"] = cert(
        {"format": "ssmheads-model/1", "A": [["1/2"]], "B": sp(1, W, [[0, 0, "1"]]),
         "C": sp(W, 1, [[0, 0, "1"]])}, {"kind": "heads", "n": 5, "k": 1}, heads_w)
    return out


def profile_attack(path, N, L):
    """A valid heads certificate whose profile has L entries over F = N lags
    (A = 0 on N states: k(j) = 1 for every j): the old checker rescanned up
    to N lags per entry."""
    c = cert(model({"diag": ["0"] * N}, [["1"]] * N, [["1"] * N]),
             {"kind": "heads", "n": L, "k": 1, "profile": [1] * L},
             {"lower": {"prime": "4513417647985097227", "lags": [0], "entries": [[0, 0]]},
              "upper": {"annihilator": {"side": "cayley_hamilton"}}})
    with open(path, 'w') as f:
        json.dump(c, f)


def main(argv):
    if argv[1:2] == ['--profile']:
        profile_attack(argv[2], int(argv[3]), int(argv[4]))
        return 0
    outdir = argv[1] if len(argv) > 1 and not argv[1].startswith('--') else HERE
    for name, c in witnesses().items():
        with open(os.path.join(outdir, name + '.cert'), 'w') as f:
            json.dump(c, f)
            f.write('\n')
    if '--producer' in argv:
        prog = argv[argv.index('--producer') + 1]
        mp = os.path.join(outdir, 'neg.tmp.json')
        with open(mp, 'w') as f:   # rounded lags that settle on a 2-cycle
            json.dump(model([["-99/100"]], [["1"]], [["1"]]), f)
        for n, name in ((40, 'attack_enclosure_cycle'), (1 << 24, 'enclosure_2cycle_n16777216')):
            p = os.path.join(outdir, name + '.cert')
            subprocess.run([prog, 'approx', mp, '-n', str(n), '--eps', '1/2', '--method',
                            'enclosure', '--cert', p], check=True, capture_output=True)
            if name.startswith('attack'):   # claim n = 10^8 on the n = 40 witness
                with open(p) as f:
                    c = json.load(f)
                c['claim']['n'] = 10 ** 8
                with open(p, 'w') as f:
                    json.dump(c, f)
                    f.write('\n')
        os.unlink(mp)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
