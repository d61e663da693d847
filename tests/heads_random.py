#!/usr/bin/env python3
"""Random models: `ssmheads heads` against the exact Python oracle, every
certificate verified by the independent checker, and mutated certificates
rejected whenever their claim is false (or their proof is structurally
broken).  Seeded (SSMH_TEST_SEED) and reproducible; SSMH_TEST_MULT scales
the number of models.  Prints "N passed, N failed".
"""
import copy
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

PROG = os.environ.get('SSMHEADS', './ssmheads')
CHECK = os.environ.get('SSMHEADS_VERIFY', './ssmheads-verify')
SEED = int(os.environ.get('SSMH_TEST_SEED', '20261124'))
MULT = max(0.01, float(os.environ.get('SSMH_TEST_MULT', '1')))  # may be fractional (valgrind)


def rnd_q(rng, zero=0.4):
    if rng.random() < zero:
        return "0"
    a = rng.randint(-4, 4)
    b = rng.choice([1, 1, 2, 3, 4])
    return "%d/%d" % (a, b)


def complex_parts(m, rng, ev, p, d):
    """A complex_diag A with eigenvalues ev (pairs of strings), random
    complex B (N x d) and C (p x N), and sometimes output "re"."""
    N = len(ev)
    m["A"] = {"complex_diag": {"re": [e[0] for e in ev], "im": [e[1] for e in ev]}}
    m["B"] = {"re": [[rnd_q(rng) for _ in range(d)] for _ in range(N)],
              "im": [[rnd_q(rng) for _ in range(d)] for _ in range(N)]}
    m["C"] = {"re": [[rnd_q(rng) for _ in range(N)] for _ in range(p)],
              "im": [[rnd_q(rng) for _ in range(N)] for _ in range(p)]}
    if rng.random() < 0.3:
        m["output"] = "re"


def rnd_model(rng):
    kind = rng.choice(['dense', 'dense', 'dense', 'diag', 'complex'])
    N, p, d = rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 3)
    m = {"format": "ssmheads-model/1",
         "convention": rng.choice(["direct", "delayed"])}
    if kind == 'dense':
        if rng.random() < 0.3:   # nilpotent shift / structured
            m["A"] = [["1" if j == i + 1 else "0" for j in range(N)] for i in range(N)]
        else:
            m["A"] = [[rnd_q(rng, 0.5) for _ in range(N)] for _ in range(N)]
    elif kind == 'diag':
        pool = [rnd_q(rng, 0.2) for _ in range(2)]
        m["A"] = {"diag": [rng.choice(pool) for _ in range(N)]}
    else:
        pool = [(rnd_q(rng, 0.1), rnd_q(rng, 0.3)) for _ in range(2)]
        complex_parts(m, rng, [rng.choice(pool) for _ in range(N)], p, d)
    if "B" not in m:
        m["B"] = [[rnd_q(rng) for _ in range(d)] for _ in range(N)]
        m["C"] = [[rnd_q(rng) for _ in range(N)] for _ in range(p)]
    if rng.random() < 0.4:
        m["D"] = [[rnd_q(rng, 0.6) for _ in range(d)] for _ in range(p)]
    return m


def run(args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)
    if p.returncode < 0 or p.returncode == 98:   # a signal, or a sanitizer report
        raise RuntimeError("%s: killed by signal %d or sanitizer exit: %s"
                           % (" ".join(args[:3]), -p.returncode, p.stderr[:400]))
    return p


def verify(tmp, cert):
    path = os.path.join(tmp, "mut.json")
    with open(path, "w") as f:
        json.dump(cert, f)
    return run([CHECK, path]).returncode


def claim_true(cert):
    """Is the certificate's claim true for its embedded model (oracle)?"""
    c = cert["claim"]
    try:
        n = c["n"]
        if not isinstance(n, int) or n < 1 or n > 200:
            return False
        o = oracle.heads(cert["model"], n)
    except Exception:
        return False     # not even a valid model: the claim is not true
    if c.get("k") != o["k"]:
        return False
    if "k_inf" in c and c["k_inf"] != o["k_inf"]:
        return False
    if ("n_star" in c or "k_inf" in c) and c.get("n_star", o["n_star"]) != o["n_star"]:
        return False
    if "profile" in c:
        full = oracle.heads(cert["model"], max(n, len(c["profile"]) or 1))
        allp = full["profile"] + [full["k_inf"]] * 1000
        if c["profile"] != allp[:len(c["profile"])]:
            return False
    return True


def emitted(tmp, path, what, model):
    """The certificate the producer wrote to path, if the checker accepts it
    (else a FAIL line and None)."""
    with open(path) as f:
        cert = json.load(f)
    if verify(tmp, cert) != 0:
        print("FAIL %s: emitted certificate rejected\n%s" % (what, json.dumps(model)))
        return None
    return cert


def judge(tmp, what, muts):
    """Every mutant (description, mutant, must_reject) through the checker:
    an exit other than 0 or 1, or an accepted mutant whose claim is false
    (or that must be rejected anyway), is a failure."""
    ok = True
    for desc, mut, must in muts:
        rc = verify(tmp, mut)
        if rc not in (0, 1):
            print("FAIL %s: mutant '%s': checker exit %d" % (what, desc, rc))
            ok = False
        elif rc == 0 and (must or not claim_true(mut)):
            print("FAIL %s: mutant '%s' accepted\n%s" % (what, desc, json.dumps(mut)))
            ok = False
    return ok


def mutants(cert, rng):
    """(description, mutant, must_reject_even_if_claim_true)"""
    out = []
    cl = cert["claim"]
    for key in ("k", "k_inf", "n_star", "n"):
        if key in cl:
            for delta in (-1, 1):
                m = copy.deepcopy(cert)
                m["claim"][key] = cl[key] + delta
                out.append(("claim.%s%+d" % (key, delta), m, False))
    if cl.get("profile"):
        m = copy.deepcopy(cert)
        i = rng.randrange(len(cl["profile"]))
        m["claim"]["profile"][i] += 1
        out.append(("profile+1", m, False))
    low = cert["witness"]["lower"]
    if low:
        m = copy.deepcopy(cert)
        m["witness"]["lower"]["lags"] = low["lags"][:-1]
        m["witness"]["lower"]["entries"] = low["entries"][:-1]
        out.append(("drop last pivot", m, True))
        m = copy.deepcopy(cert)
        m["witness"]["lower"]["entries"][0] = [999, 0]
        out.append(("entry out of range", m, True))
        m = copy.deepcopy(cert)
        m["witness"]["lower"]["prime"] = str(int(low["prime"]) + 1)
        out.append(("prime+1 (even)", m, True))
        if len(low["lags"]) > 1:
            m = copy.deepcopy(cert)
            l = m["witness"]["lower"]["lags"]
            l[0], l[1] = l[1], l[0]
            out.append(("swap lags", m, True))
    for dep_i, dep in enumerate(cert["witness"]["upper"].get("dependencies", [])):
        if dep["coeffs"]:
            m = copy.deepcopy(cert)
            m["witness"]["upper"]["dependencies"][dep_i]["coeffs"][0] = "12345/7"
            out.append(("dependency coefficient altered", m, False))
    ann = cert["witness"]["upper"]["annihilator"]
    if ann.get("coeffs") and len(ann["coeffs"]) > 1:
        m = copy.deepcopy(cert)
        m["witness"]["upper"]["annihilator"]["coeffs"][0] = "999/7"
        out.append(("annihilator altered", m, False))
    # the embedded model altered
    m = copy.deepcopy(cert)
    C = m["model"]["C"]
    if isinstance(C, dict):
        C = C["re"]
    C[0][0] = "7/5" if C[0][0] != "7/5" else "0"
    out.append(("model C[0][0] altered", m, False))
    for bad in ({"format": "ssmheads-cert/2"}, {"extra": 1}):
        m = copy.deepcopy(cert)
        m.update(bad)
        out.append(("envelope %s" % list(bad)[0], m, True))
    return out


def rnd_block_model(rng):
    """A diag or complex_diag model for the mode form: eigenvalues from a
    small pool (repeats, conjugates, sometimes 0), small p and d."""
    N, p, d = rng.randint(1, 6), rng.randint(1, 3), rng.randint(1, 3)
    m = {"format": "ssmheads-model/1", "convention": rng.choice(["direct", "delayed"])}
    if rng.random() < 0.5:
        pool = [rnd_q(rng, 0.1) for _ in range(rng.randint(1, N))]
        m["A"] = {"diag": [rng.choice(pool) for _ in range(N)]}
        m["B"] = [[rnd_q(rng) for _ in range(d)] for _ in range(N)]
        m["C"] = [[rnd_q(rng) for _ in range(N)] for _ in range(p)]
    else:
        pool = []
        for _ in range(rng.randint(1, N)):
            a, b = rnd_q(rng, 0.1), rnd_q(rng, 0.2)
            pool.append((a, b))
            if rng.random() < 0.3:   # the conjugate too
                pool.append((a, b[1:] if b.startswith("-") else "-" + b))
        complex_parts(m, rng, [rng.choice(pool) for _ in range(N)], p, d)
    if rng.random() < 0.3:
        m["D"] = [[rnd_q(rng, 0.6) for _ in range(d)] for _ in range(p)]
    return m


def mode_mutants(cert, rng):
    """Mutants of a mode-form certificate: (description, mutant, must_reject)."""
    out = []
    low = cert["witness"]["lower"]
    modes, entries = low["modes"], low["entries"]
    nm = len(cert["model"]["A"].get("diag", cert["model"]["A"].get("complex_diag", {}).get("re", [])))
    for key in ("k", "k_inf"):
        for delta in (-1, 1):
            m = copy.deepcopy(cert)
            m["claim"][key] += delta
            out.append(("claim.%s%+d" % (key, delta), m, False))
    m = copy.deepcopy(cert)
    m["claim"]["n"] -= 1
    out.append(("claim.n below F", m, True))
    m = copy.deepcopy(cert)
    m["claim"]["n_star"] = m["claim"]["k"]
    out.append(("n_star added", m, True))
    m = copy.deepcopy(cert)
    m["claim"]["profile"] = list(range(1, m["claim"]["k"] + 1))
    out.append(("profile added", m, True))
    m = copy.deepcopy(cert)
    m["witness"]["lower"]["modes"] = modes[:-1]
    m["witness"]["lower"]["entries"] = entries[:-1]
    out.append(("drop last mode", m, True))
    m = copy.deepcopy(cert)
    m["witness"]["lower"]["modes"][0] = [modes[0][0], 1 - modes[0][1]]
    out.append(("part flipped", m, False))
    m = copy.deepcopy(cert)
    m["witness"]["lower"]["modes"][0] = [(modes[0][0] + 1) % max(nm, 1), modes[0][1]]
    out.append(("mode index changed", m, False))
    m = copy.deepcopy(cert)
    m["witness"]["lower"]["modes"][0] = [nm, 0]
    out.append(("mode out of range", m, True))
    if len(modes) > 1:
        m = copy.deepcopy(cert)
        m["witness"]["lower"]["modes"][1] = modes[0]
        out.append(("mode repeated", m, True))
        m = copy.deepcopy(cert)
        e = m["witness"]["lower"]["entries"]
        e[0], e[1] = e[1], e[0]
        out.append(("entries swapped", m, False))
    m = copy.deepcopy(cert)
    m["witness"]["lower"]["prime"] = str(int(low["prime"]) + 1)
    out.append(("prime+1 (even)", m, True))
    m = copy.deepcopy(cert)
    m["witness"]["upper"]["dependencies"] = [{"lag": 0, "pivots": [], "coeffs": []}]
    out.append(("dependency added", m, True))
    m = copy.deepcopy(cert)
    C = m["model"]["C"]
    if isinstance(C, dict):
        C = C["re"]
    C[0][0] = "7/5" if C[0][0] != "7/5" else "0"
    out.append(("model C[0][0] altered", m, False))
    return out


def mode_form(tmp, rng):
    """`heads --no-profile` on block-diagonal models: k_inf against the
    oracle; where the mode form is written, its certificate verified and
    its mutants rejected.  Returns (passed, failed, mode certificates,
    mutants)."""
    passed = failed = modes = mutated = 0
    # valgrind (MULT < 1) runs a few: each costs a dozen checker runs
    for it in range(max(1, int(80 * min(MULT, MULT * MULT)))):
        model = rnd_block_model(rng)
        mp = os.path.join(tmp, "b.json")
        cp = os.path.join(tmp, "bc.json")
        with open(mp, "w") as f:
            json.dump(model, f)
        p = run([PROG, "heads", mp, "--no-profile", "--json", "--cert", cp])
        want = oracle.heads(model, 64)
        if p.returncode != 0:
            print("FAIL block model %d: exit %d: %s" % (it, p.returncode, p.stderr))
            failed += 1
            continue
        got = json.loads(p.stdout)
        if got["k_inf"] != want["k_inf"] or got["k"] != want["k_inf"]:
            print("FAIL block model %d: k_inf %d, oracle %d\n%s"
                  % (it, got["k_inf"], want["k_inf"], json.dumps(model)))
            failed += 1
            continue
        cert = emitted(tmp, cp, "block model %d" % it, model)
        if cert is None:
            failed += 1
            continue
        ok = True
        if got["lower_witness"] == "modes":
            modes += 1
            lo, hi = got["n_star_range"]
            if not (lo <= want["n_star"] <= hi) or got["n_star"] is not None:
                print("FAIL block model %d: n* %d outside %s" % (it, want["n_star"], got["n_star_range"]))
                ok = False
            muts = mode_mutants(cert, rng)
            mutated += len(muts)
            ok = judge(tmp, "block model %d" % it, muts) and ok
        elif got["n_star"] != want["n_star"]:
            print("FAIL block model %d: lag form n* %s, oracle %d" % (it, got["n_star"], want["n_star"]))
            ok = False
        passed += ok
        failed += not ok
    return passed, failed, modes, mutated


def main():
    rng = random.Random(SEED)
    passed = failed = mutated = 0
    with tempfile.TemporaryDirectory(prefix="ssmh_rand_") as tmp:
        for it in range(max(1, int(60 * MULT))):
            model = rnd_model(rng)
            n = rng.randint(1, 7)
            mp = os.path.join(tmp, "m.json")
            cp = os.path.join(tmp, "c.json")
            with open(mp, "w") as f:
                json.dump(model, f)
            p = run([PROG, "heads", mp, "-n", str(n), "--json", "--cert", cp])
            want = oracle.heads(model, n)
            if p.returncode != 0:
                print("FAIL model %d: exit %d: %s" % (it, p.returncode, p.stderr))
                failed += 1
                continue
            got = json.loads(p.stdout)
            bad = [k for k in ("k", "k_inf", "n_star", "profile") if got[k] != want[k]]
            if bad:
                print("FAIL model %d (seed %d): %s: got %s want %s\n%s" % (
                    it, SEED, bad, [got[k] for k in bad], [want[k] for k in bad], json.dumps(model)))
                failed += 1
                continue
            cert = emitted(tmp, cp, "model %d" % it, model)
            if cert is None:
                failed += 1
                continue
            muts = mutants(cert, rng)
            mutated += len(muts)
            ok = judge(tmp, "model %d" % it, muts)
            if ok:
                passed += 1
            else:
                failed += 1
        bp, bf, bm, bmut = mode_form(tmp, rng)
        passed += bp
        failed += bf
        mutated += bmut
        print("block-diagonal models with --no-profile: %d, the mode form written for %d"
              % (bp + bf, bm))
        if bm == 0:
            print("FAIL: no model took the mode form")
            failed += 1
    print("models checked against the oracle: %d, mutants: %d" % (passed + failed, mutated))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
