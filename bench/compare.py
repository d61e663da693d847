#!/usr/bin/env python3
"""Same exact problem, other tools: PARI/GP matrank and numpy matrix_rank.

    python3 bench/compare.py MODEL.json [--gp] [--numpy] [--ssmheads PROG]

The lag matrix has rows vec(K_l), l = 0 .. N (K_l = C A^l B, direct
convention, D = 0 in the bench models), so its rank is k_inf.  PARI/GP gets
the exact rationals and computes the lags and the rank itself (timed as
one job); numpy gets float64 and reports what floating point believes.
--ssmheads PROG also times `PROG heads MODEL --json` in the same run (best
of three) and prints how many times faster it is than GP (whole job and
matrank alone).
"""
import json
import subprocess
import sys
import tempfile
import time
from fractions import Fraction


def q(s):
    if isinstance(s, int):
        return Fraction(s)
    if s.startswith(('0x', '-0x', '+0x')):
        return Fraction(float.fromhex(s))  # float32 hex values are exact doubles
    return Fraction(s)


def load(path):
    m = json.load(open(path))
    A = m["A"]
    if isinstance(A, dict):
        diag = [q(x) for x in A["diag"]]
        A = [[diag[i] if i == j else Fraction(0) for j in range(len(diag))]
             for i in range(len(diag))]
    else:
        A = [[q(x) for x in row] for row in A]
    B = [[q(x) for x in row] for row in m["B"]]
    C = [[q(x) for x in row] for row in m["C"]]
    return A, B, C


def gp(A, B, C):
    def mat(M):
        return "[" + ";".join(",".join(str(x) for x in row) for row in M) + "]"
    N = len(A)
    prog = ("A=%s;B=%s;C=%s;X=B;p=%d;d=%d;L=matrix(%d,p*d);"
            "for(l=0,%d,K=C*X;for(i=1,p,for(j=1,d,L[l+1,(i-1)*d+j]=K[i,j]));X=A*X);"
            "t=getabstime();r=matrank(L);print(r,\" \",getabstime()-t);\n") % (
                mat(A), mat(B), mat(C), len(C), len(B[0]), N + 1, N)
    with tempfile.NamedTemporaryFile("w", suffix=".gp", delete=False) as f:
        f.write(prog + "quit;\n")
    t = time.time()
    out = subprocess.run(["gp", "-q", "-s", "2G", f.name], capture_output=True, text=True)
    total = time.time() - t
    rank, rank_ms = out.stdout.split()
    return int(rank), total, int(rank_ms) / 1000.0


def numpy_rank(A, B, C):
    import numpy as np
    A = np.array(A, dtype=float)
    X = np.array(B, dtype=float)
    C = np.array(C, dtype=float)
    rows = []
    for _ in range(len(A) + 1):
        rows.append((C @ X).ravel())
        X = A @ X
    return int(np.linalg.matrix_rank(np.array(rows)))


def ssmheads_time(prog, path):
    best, k = None, None
    for _ in range(3):
        t = time.time()
        out = subprocess.run([prog, "heads", path, "--json"], capture_output=True, text=True, check=True)
        el = time.time() - t
        best = el if best is None else min(best, el)
        k = json.loads(out.stdout)["k_inf"]
    return k, best


def main():
    path = sys.argv[1]
    A, B, C = load(path)
    prog = sys.argv[sys.argv.index("--ssmheads") + 1] if "--ssmheads" in sys.argv else None
    if "--gp" in sys.argv:
        if prog:
            k, ts = ssmheads_time(prog, path)
            print("%s: ssmheads heads k_inf = %d in %.3f s (best of 3)" % (path, k, ts))
        r, total, rk = gp(A, B, C)
        print("%s: PARI/GP matrank k_inf = %d in %.2f s (matrank alone %.2f s)" % (path, r, total, rk))
        if prog:
            if r != k:
                print("%s: the answers DIFFER" % path)
            print("%s: ssmheads is %.0fx faster than the whole GP job, %.0fx than matrank alone"
                  % (path, total / ts, rk / ts))
    if "--numpy" in sys.argv:
        print("%s: numpy matrix_rank (float64) = %d" % (path, numpy_rank(A, B, C)))


if __name__ == "__main__":
    main()
