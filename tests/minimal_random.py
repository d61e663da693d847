#!/usr/bin/env python3
"""Random models: `ssmheads minimal` against the exact Python oracle
(tests/oracle.py): reachable and observable ranks, McMillan degree = rank of
the block Hankel matrix, and the minimal realization reproduces every lag
operator (checked for l < 2N + 3).  Models are built with deliberately
unreachable / unobservable parts.  Prints "N passed, N failed".
"""
import json
import os
import random
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from heads_random import rnd_model, rnd_q, run, PROG, SEED, MULT  # noqa: E402


def krylov_rank(A, W, left):
    N = len(A)
    rows, X = [], W
    for _ in range(N):
        if left:   # rows of X (X = C A^i)
            rows += [list(r) for r in X]
            X = oracle.matmul(X, A)
        else:      # columns of X (X = A^i B)
            rows += [list(c) for c in zip(*X)]
            X = oracle.matmul(A, X)
    return oracle.rank(rows) if rows else 0


def hankel_rank(A, B, C):
    N = len(A)
    mk, X = [], B
    for _ in range(2 * N):
        mk.append(oracle.matmul(C, X))
        X = oracle.matmul(A, X)
    rows = []
    for i in range(N):
        for r in range(len(C)):
            rows.append([x for j in range(N) for x in mk[i + j][r]])
    return oracle.rank(rows) if rows else 0


def padded(rng):
    """A model with an extra unreachable or unobservable block."""
    m = rnd_model(rng)
    if not isinstance(m["A"], list) or rng.random() < 0.4:
        return m
    A = m["A"]
    N = len(A)
    k = rng.randint(1, 2)
    z = "0"
    A2 = [row + [rnd_q(rng) if rng.random() < 0.5 else z for _ in range(k)] for row in A] + \
         [[z] * N + [rnd_q(rng) for _ in range(k)] for _ in range(k)]
    if rng.random() < 0.5:   # unreachable: B rows zero on the new states
        B2 = m["B"] + [[z] * len(m["B"][0]) for _ in range(k)]
        C2 = [row + [rnd_q(rng) for _ in range(k)] for row in m["C"]]
    else:                    # unobservable: transpose the pattern
        A2 = [list(r) for r in zip(*A2)]
        B2 = m["B"] + [[rnd_q(rng) for _ in range(len(m["B"][0]))] for _ in range(k)]
        C2 = [row + [z] * k for row in m["C"]]
    m.update({"A": A2, "B": B2, "C": C2})
    return m


def similar(rng, m):
    """(T A T^-1, T B, C T^-1) for a random unit upper triangular integer T:
    the same ranks and lags, but the unreachable / unobservable subspace is
    no longer spanned by coordinate vectors, so minimal's bases have
    fractional entries (with entries of T near 2^40, several primes to
    reconstruct)."""
    if not isinstance(m["A"], list):
        return m
    A, B, C = (oracle.mat(m[k]) for k in ("A", "B", "C"))
    N = len(A)
    big = rng.choice([3, 2 ** 40])   # 2^40: bases beyond what one prime reconstructs
    T = [[Fraction(1) if i == j else Fraction(rng.randint(-big, big)) if j > i else Fraction(0)
          for j in range(N)] for i in range(N)]
    Ti = [[Fraction(0)] * N for _ in range(N)]   # back substitution, column by column
    for c in range(N):
        for i in reversed(range(N)):
            Ti[i][c] = (1 if i == c else 0) - sum(T[i][k] * Ti[k][c] for k in range(i + 1, N))
    s = lambda M: [[str(x) for x in row] for row in M]
    m = dict(m)
    m.update({"A": s(oracle.matmul(oracle.matmul(T, A), Ti)), "B": s(oracle.matmul(T, B)),
              "C": s(oracle.matmul(C, Ti))})
    return m


def main():
    rng = random.Random(SEED + 4)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="ssmh_min_") as tmp:
        for it in range(max(1, int(60 * MULT))):
            model = padded(rng)
            if it % 3 == 2:
                model = similar(rng, model)
            mp = os.path.join(tmp, "m.json")
            json.dump(model, open(mp, "w"))
            p = run([PROG, "minimal", mp, "--json"])
            if p.returncode != 0:
                print("FAIL %d: exit %d %s" % (it, p.returncode, p.stderr))
                failed += 1
                continue
            got = json.loads(p.stdout)
            A, B, C, D, delayed = oracle.realify(model)
            want = {"reachable_rank": krylov_rank(A, B, False),
                    "observable_rank": krylov_rank(A, C, True),
                    "mcmillan_degree": hankel_rank(A, B, C)}
            bad = [k for k in want if got[k] != want[k]]
            n = got["mcmillan_degree"]
            ok = not bad and len(got["A"]) == n if n else not bad
            if ok and n == 0:   # no state: B is 0 x d and C p x 0, with their shapes
                ok = got["B"] == {"rows": 0, "cols": len(B[0]), "entries": []} \
                    and got["C"] == {"rows": len(C), "cols": 0, "entries": []}
                if not ok:
                    print("FAIL %d: degree 0 shapes: B %s, C %s" % (it, got["B"], got["C"]))
            if ok:
                mini = {"format": "ssmheads-model/1", "convention": got["convention"],
                        "A": got["A"] if n else [["0"]],
                        "B": got["B"] if n else [["0"] * len(B[0])],
                        "C": got["C"] if n else [["0"] for _ in C],
                        "D": got["D"]}
                L = 2 * len(A) + 3
                ok = oracle.lags(mini, L) == oracle.lags(model, L)
                if not ok:
                    print("FAIL %d: minimal realization changes a lag operator" % it)
            else:
                print("FAIL %d: %s got %s want %s" % (it, bad, [got[k] for k in bad], [want[k] for k in bad]))
            if not ok:
                print(json.dumps(model))
            passed += ok
            failed += not ok
    print("minimal realizations checked against the oracle: %d" % (passed + failed))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
