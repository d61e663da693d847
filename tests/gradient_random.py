#!/usr/bin/env python3
"""Models with known spectra, hidden by random rational similarities:
`ssmheads gradient` against exact facts computed here with fractions only.

- the verdict (stable / marginal / unstable) and rho in [rho_lo, rho_hi];
- the envelope checked independently for many lags: M2 gamma^(2l) I - K_l K_l^T
  is positive semidefinite (exact LDL^T here), i.e. ||K_l||_2^2 <= M2 gamma^(2l);
- the exact ||K_l||_F^2;
- every certificate verified; mutants that cannot be proofs rejected.
Prints "N passed, N failed".
"""
import copy
import json
import os
import random
import sys
import tempfile
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from heads_random import run, verify, PROG, SEED, MULT  # noqa: E402
from exact_spectrum import inv  # noqa: E402


def s(x):
    x = F(x)
    return str(x.numerator) if x.denominator == 1 else "%d/%d" % (x.numerator, x.denominator)


def psd(S):
    S = [list(r) for r in S]
    n = len(S)
    for k in range(n):
        if S[k][k] < 0:
            return False
        if S[k][k] == 0:
            if any(S[i][k] != 0 for i in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            f = S[i][k] / S[k][k]
            for j in range(k + 1, n):
                S[i][j] -= f * S[k][j]
    return True


def companion(c):
    """The companion matrix of the monic x^d + c[d-1] x^(d-1) + ... + c[0]."""
    d = len(c)
    return [[(F(1) if i == j + 1 else F(0)) if j < d - 1 else -F(c[i]) for j in range(d)] for i in range(d)]


def block(rng):
    """(block, list of |lambda|^2 -- a float when irrational --, defective-unit flag)"""
    kind = rng.choice(["real", "real", "rot", "jordan", "zero", "cyclo", "cubic"])
    if kind == "cyclo":   # roots of unity of degree 4, simple or (rarely) double
        c = rng.choice([[1, 1, 1, 1], [1, 0, 0, 0], [1, 0, -1, 0]])
        if rng.random() < 0.25:   # (x^4 + 1)^2: defective
            return companion([1, 0, 0, 0, 2, 0, 0, 0]), [F(1)] * 8, True
        return companion(c), [F(1)] * 4, False
    if kind == "cubic":   # x^3 - 2x + 1/2, irreducible: |roots|^2 as floats
        return companion([F(1, 2), -2, 0]), [0.06690086874548877, 1.6053779404795956, 2.327721190774913], False
    if kind == "real":
        lam = F(rng.choice([-1, 1]) * rng.choice([0, 1, 1, 2, 3, 4, 5, 6]), rng.choice([1, 2, 3, 4, 5, 6]))
        if abs(lam) > 2:
            lam = lam / 4
        return [[lam]], [lam * lam], False
    if kind == "rot":   # r (cos, sin) with Pythagorean (3/5, 4/5), (5/13, 12/13)
        c, sn = rng.choice([(F(3, 5), F(4, 5)), (F(5, 13), F(12, 13)), (F(8, 17), F(15, 17))])
        r = rng.choice([F(1), F(1, 2), F(3, 4), F(5, 4), F(9, 10)])
        return [[r * c, -r * sn], [r * sn, r * c]], [r * r] * 2, False
    if kind == "jordan":
        lam = rng.choice([F(1), F(-1), F(1, 2), F(1, 3)])
        return [[lam, F(1)], [F(0), lam]], [lam * lam] * 2, abs(lam) == 1
    return [[F(0)]], [F(0)], False


def model(rng):
    blocks, mods, defect = [], [], False
    for _ in range(rng.randint(1, 3)):
        b, m, d = block(rng)
        blocks.append(b)
        mods += m
        defect |= d
    N = sum(len(b) for b in blocks)
    A = [[F(0)] * N for _ in range(N)]
    o = 0
    for b in blocks:
        for i in range(len(b)):
            for j in range(len(b)):
                A[o + i][o + j] = b[i][j]
        o += len(b)
    while True:
        T = [[F(rng.randint(-2, 2)) + (1 if i == j else 0) for j in range(N)] for i in range(N)]
        try:
            Ti = inv(T)
            break
        except StopIteration:
            continue
    A2 = oracle.matmul(oracle.matmul(T, A), Ti)
    d, p = rng.randint(1, 2), rng.randint(1, 2)
    B = [[F(rng.randint(-2, 2)) for _ in range(d)] for _ in range(N)]
    C = [[F(rng.randint(-2, 2)) for _ in range(N)] for _ in range(p)]
    rho2 = max(mods)
    if any(x > 1 for x in mods) or defect:
        verdict = "unstable"
    elif any(x == 1 for x in mods):
        verdict = "marginal"
    else:
        verdict = "stable"
    m = {"format": "ssmheads-model/1", "A": [[s(x) for x in r] for r in A2],
         "B": [[s(x) for x in r] for r in B], "C": [[s(x) for x in r] for r in C]}
    if rng.random() < 0.3:
        m["convention"] = "delayed"
    return m, verdict, rho2


def main():
    rng = random.Random(SEED + 16)
    passed = failed = mutated = claimed = 0
    evidence_types = {}
    with tempfile.TemporaryDirectory(prefix="ssmh_grad_") as tmp:
        for it in range(max(1, int(40 * MULT))):
            m, verdict, rho2 = model(rng)
            mp, cp = os.path.join(tmp, "m.json"), os.path.join(tmp, "c.json")
            json.dump(m, open(mp, "w"))
            L = 24
            p = run([PROG, "gradient", mp, "--lags", str(L), "--eps", "1/100", "--json", "--cert", cp])
            ok = True
            if p.returncode != 0:
                print("FAIL %d: exit %d %s\n%s" % (it, p.returncode, p.stderr, json.dumps(m)))
                failed += 1
                continue
            g = json.loads(p.stdout)
            lo, hi = F(g["rho_lo"]), F(g["rho_hi"])
            if isinstance(rho2, float):
                in_rho = float(lo * lo) <= rho2 * (1 + 1e-9) and float(hi * hi) >= rho2 * (1 - 1e-9)
            else:
                in_rho = lo * lo <= rho2 <= hi * hi
            if g["stable"] != verdict or not in_rho or lo < 0:
                print("FAIL %d: got %s [%s, %s], want %s rho^2 = %s\n%s" % (
                    it, g["stable"], lo, hi, verdict, rho2, json.dumps(m)))
                ok = False
            gam, M2 = F(g["gamma"]), F(g["M2"])
            A, B, C, D, delayed = oracle.realify(m)
            X = B
            for l in range(L + 1):
                K = oracle.matmul(C, X)   # C A^l B
                bound = M2 * gam ** (2 * l)
                KK = oracle.matmul(K, [list(r) for r in zip(*K)])
                S = [[(bound if i == j else 0) - KK[i][j] for j in range(len(KK))] for i in range(len(KK))]
                if not psd(S):
                    print("FAIL %d: envelope violated at power %d" % (it, l))
                    ok = False
                    break
                X = oracle.matmul(A, X)
            Ks = oracle.lags(m, L + 1)
            f2 = [sum(x * x for row in K for x in row) for K in Ks]
            if [F(x) for x in g["norms_f2"]] != f2:
                print("FAIL %d: norms_f2 differ" % it)
                ok = False
            cert = json.load(open(cp))
            if verify(tmp, cert) != 0:
                print("FAIL %d: emitted certificate rejected\n%s" % (it, json.dumps(m)))
                ok = False
            muts = []
            c = copy.deepcopy(cert)
            c["claim"]["gamma"] = s(F(lo) / 2 if lo > 0 else F(-1))   # below rho: never a proof
            muts.append(("gamma below rho", c))
            c = copy.deepcopy(cert)
            c["claim"]["M2"] = s(F(cert["claim"]["M2"]) * 2)
            muts.append(("M2 != beta_B beta_C", c))
            c = copy.deepcopy(cert)
            c["claim"]["norms_f2"][1] = s(F(cert["claim"]["norms_f2"][1]) + 1)
            muts.append(("norm altered", c))
            if "horizon" in cert["claim"]:
                for dlt in (-1, 1):
                    c = copy.deepcopy(cert)
                    c["claim"]["horizon"] += dlt
                    muts.append(("horizon%+d" % dlt, c))
            c = copy.deepcopy(cert)
            c["claim"]["stable"] = "stable"
            if F(cert["claim"]["gamma"]) >= 1:
                muts.append(("stable with gamma >= 1", c))
            c = copy.deepcopy(cert)
            c["witness"]["beta_B"] = "0"
            if any(any(x != 0 for x in r) for r in B):
                muts.append(("beta_B = 0", c))
            if isinstance(cert["witness"]["P"], list):
                c = copy.deepcopy(cert)
                c["witness"]["P"][0][0] = "-1"
                muts.append(("P not positive", c))
            cl = cert["claim"].get("stable")
            if cl is not None and cl != verdict:
                print("FAIL %d: certificate claims %s, the truth is %s" % (it, cl, verdict))
                ok = False
            if cl is None and verdict != "stable":
                print("FAIL %d: the %s verdict is not certified\n%s" % (it, verdict, json.dumps(m)))
                ok = False
            if cl is not None:
                claimed += 1
                for other in ("stable", "marginal", "unstable"):
                    if other != cl:   # a false verdict, with the true one's evidence
                        c = copy.deepcopy(cert)
                        c["claim"]["stable"] = other
                        muts.append(("verdict %s -> %s" % (cl, other), c))
                ev = cert["witness"].get("evidence")
                if ev:
                    evidence_types[ev["type"]] = evidence_types.get(ev["type"], 0) + 1
                if ev and "poly" in ev:
                    c = copy.deepcopy(cert)
                    c["witness"]["evidence"]["poly"][0] = s(F(ev["poly"][0]) + 3)
                    muts.append(("evidence polynomial shifted", c))
                if ev and ev.get("type") == "cyclic":
                    c = copy.deepcopy(cert)
                    c["witness"]["evidence"]["power"] = 3 - ev["power"]
                    if ev["power"] == 2 or 2 * (len(ev["poly"]) - 1) <= len(ev["v"]):
                        muts.append(("cyclic power flipped", c))
                if ev and ev.get("type") == "stein":
                    c = copy.deepcopy(cert)
                    c["witness"]["evidence"]["r"] = "1/2"
                    muts.append(("stein r < 1", c))
                    c = copy.deepcopy(cert)
                    c["witness"]["evidence"]["x"] = ["0"] * len(ev["x"])
                    muts.append(("stein x = 0", c))
            for desc, mut in muts:
                mutated += 1
                rc = verify(tmp, mut)
                if rc == 0:
                    print("FAIL %d: mutant '%s' accepted" % (it, desc))
                    ok = False
            passed += ok
            failed += not ok
    print("gradient cases checked: %d, certified verdicts: %d, mutants: %d" % (passed + failed, claimed, mutated))
    print("evidence: %s" % ", ".join("%s %d" % kv for kv in sorted(evidence_types.items())))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
