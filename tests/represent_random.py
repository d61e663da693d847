#!/usr/bin/env python3
"""Random SSMs and attention layers: `ssmheads represent` and `ssmheads span`
against the exact Python oracle (tests/oracle.py, fractions only); every
represent certificate verified by the independent checker; mutants rejected
whenever their claim is false or their proof is broken.

Layers are drawn three ways: heads spanning exactly the SSM's lag span
(the answer must be yes), that span plus noise heads and repeats (yes, with
redundant heads), and random heads (usually no), with value maps or W_V/W_O
projections (d_h < d included).  Prints "N passed, N failed".
"""
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from heads_random import rnd_model, rnd_q, run, verify, PROG, SEED, MULT  # noqa: E402


def s(x):
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else "%d/%d" % (x.numerator, x.denominator)


def flat(M):
    return [x for row in M for x in row]


def values(layer):
    out = []
    for h in layer["heads"]:
        if "value" in h:
            out.append(oracle.mat(h["value"]))
        else:
            out.append(oracle.matmul(oracle.mat(h["W_O"]), oracle.mat(h["W_V"])))
    return out


def in_span(vecs, v):
    return oracle.rank(vecs + [v]) == oracle.rank(vecs) if vecs else all(x == 0 for x in v)


def want_represent(model, layer, n):
    Ks = [flat(K) for K in oracle.lags(model, n)]
    Vs = [flat(V) for V in values(layer)]
    for l, k in enumerate(Ks):
        if not in_span(Vs, k):
            return False, l
    return True, None


def rnd_layer(rng, model, n):
    p = len(oracle.realify(model)[2])
    d = len(oracle.realify(model)[1][0])
    Ks = oracle.lags(model, n)
    mode = rng.choice(["exact", "exact+noise", "random", "random"])
    heads = []
    if mode.startswith("exact"):
        for K in Ks:   # a combination of lags, so the span is the SSM's
            if rng.random() < 0.7:
                heads.append([[s(x) for x in row] for row in K])
        if mode == "exact+noise":
            heads.append([[rnd_q(rng) for _ in range(d)] for _ in range(p)])
            if heads:
                heads.append(list(heads[0]))  # a repeated head
    else:
        for _ in range(rng.randint(1, 4)):
            heads.append([[rnd_q(rng) for _ in range(d)] for _ in range(p)])
    if not heads:
        heads.append([["0"] * d for _ in range(p)])
    rng.shuffle(heads)
    out = []
    for V in heads:
        if rng.random() < 0.25:
            # a rank-1 projection pair that gives the same V only when V has
            # rank <= 1; otherwise just a random projection pair
            dh = rng.randint(1, max(1, d - 1))
            out.append({"W_V": [[rnd_q(rng) for _ in range(d)] for _ in range(dh)],
                        "W_O": [[rnd_q(rng) for _ in range(dh)] for _ in range(p)]})
        else:
            out.append({"value": V})
    return {"format": "ssmheads-attention/1", "heads": out}


def mutants(cert, rng):
    out = []
    c = cert["claim"]
    m = copy.deepcopy(cert)
    m["claim"]["representable"] = not c["representable"]
    if c["representable"]:
        m["claim"]["witness_lag"] = 0
    else:
        del m["claim"]["witness_lag"]
    out.append(("verdict flipped", m, True))
    m = copy.deepcopy(cert)
    m["claim"]["n"] = c["n"] + 1
    out.append(("n+1", m, False))
    w = cert["witness"]
    if c["representable"]:
        for h, row in enumerate(w["kernels"]):
            if row and any(x != "0" for x in row):
                m = copy.deepcopy(cert)
                m["witness"]["kernels"][h][rng.randrange(len(row))] = "31/7"
                out.append(("kernel altered", m, False))
                break
        if "recurrence" in w:
            m = copy.deepcopy(cert)
            m["witness"]["recurrence"]["coeffs"][0] = "999/7"
            out.append(("recurrence altered", m, False))  # B = 0: still a proof
            m = copy.deepcopy(cert)
            del m["witness"]["recurrence"]
            out.append(("recurrence dropped", m, True))
        m = copy.deepcopy(cert)
        m["witness"]["L"] = w["L"] + 1
        out.append(("L+1", m, True))
    else:
        m = copy.deepcopy(cert)
        i, j = rng.randrange(len(w["W"])), rng.randrange(len(w["W"][0]))
        m["witness"]["W"][i][j] = s(oracle.num(w["W"][i][j]) + 1)
        out.append(("W entry altered", m, False))
        m = copy.deepcopy(cert)
        m["witness"]["W"] = [["0"] * len(w["W"][0]) for _ in w["W"]]
        out.append(("W zero", m, True))
        if c["witness_lag"] > 0:
            m = copy.deepcopy(cert)
            m["claim"]["witness_lag"] = c["witness_lag"] - 1
            m["witness"]["before"] = w["before"][:-1]
            out.append(("earlier witness lag", m, True))
    m = copy.deepcopy(cert)
    m["attention"]["heads"].append({"value": [["1"] * len(w.get("W", [[0]])[0])]})
    out.append(("head of wrong shape added", m, True))
    m = copy.deepcopy(cert)
    del m["attention"]
    out.append(("attention dropped", m, True))
    return out


def claim_true(cert):
    try:
        model, layer, c = cert["model"], cert["attention"], cert["claim"]
        if not isinstance(c["n"], int) or c["n"] < 1 or c["n"] > 50:
            return False
        ok, lag = want_represent(model, layer, c["n"])
        return ok == c["representable"] and (ok or lag == c.get("witness_lag"))
    except Exception:
        return False


def main():
    rng = random.Random(SEED + 8)
    passed = failed = mutated = 0
    with tempfile.TemporaryDirectory(prefix="ssmh_repr_") as tmp:
        for it in range(max(1, int(60 * MULT))):
            model = rnd_model(rng)
            n = rng.randint(1, 6)
            layer = rnd_layer(rng, model, n)
            mp, ap, cp = (os.path.join(tmp, x) for x in ("m.json", "a.json", "c.json"))
            json.dump(model, open(mp, "w"))
            json.dump(layer, open(ap, "w"))
            want, lag = want_represent(model, layer, n)
            p = run([PROG, "represent", ap, mp, "-n", str(n), "--json", "--cert", cp])
            ok = True
            if p.returncode != (0 if want else 1):
                print("FAIL %d: exit %d (want %s): %s\n%s\n%s" % (
                    it, p.returncode, want, p.stderr, json.dumps(model), json.dumps(layer)))
                failed += 1
                continue
            got = json.loads(p.stdout)
            Vs = [flat(V) for V in values(layer)]
            dim = oracle.rank(Vs)
            k = oracle.heads(model, n)["k"]
            if got["representable"] != want or got["dim"] != dim or got["k"] != k \
                    or (not want and got["witness_lag"] != lag):
                print("FAIL %d: got %s, want representable=%s lag=%s dim=%d k=%d" % (
                    it, got, want, lag, dim, k))
                ok = False
            Ks = [flat(K) for K in oracle.lags(model, n)]
            inter = dim + oracle.rank(Ks) - oracle.rank(Vs + Ks) if Ks else 0
            if got["extra_heads_needed"] != k - inter:
                print("FAIL %d: extra heads %d, want %d" % (it, got["extra_heads_needed"], k - inter))
                ok = False
            sp = run([PROG, "span", ap, "--json"])
            spj = json.loads(sp.stdout) if sp.returncode == 0 else {}
            if spj.get("dim") != dim or len(spj.get("basis_heads", [])) != dim:
                print("FAIL %d: span %s, want dim %d" % (it, sp.stdout, dim))
                ok = False
            else:  # basis = the greedy column profile
                greedy, acc = [], []
                for h, v in enumerate(Vs):
                    if oracle.rank(acc + [v]) > oracle.rank(acc):
                        acc.append(v)
                        greedy.append(h)
                if spj["basis_heads"] != greedy:
                    print("FAIL %d: basis %s, want %s" % (it, spj["basis_heads"], greedy))
                    ok = False
            cert = json.load(open(cp))
            if verify(tmp, cert) != 0:
                print("FAIL %d: emitted certificate rejected" % it)
                ok = False
            for desc, mut, must in mutants(cert, rng):
                mutated += 1
                rc = verify(tmp, mut)
                if rc not in (0, 1):
                    print("FAIL %d: mutant '%s': checker exit %d" % (it, desc, rc))
                    ok = False
                elif rc == 0 and (must or not claim_true(mut)):
                    print("FAIL %d: mutant '%s' accepted\n%s" % (it, desc, json.dumps(mut)))
                    ok = False
            passed += ok
            failed += not ok
    print("represent cases checked against the oracle: %d, mutants: %d" % (passed + failed, mutated))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
