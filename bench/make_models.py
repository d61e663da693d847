#!/usr/bin/env python3
"""Reproducible float32-derived benchmark models (exact dyadic rationals).

    python3 bench/make_models.py OUTDIR [--small]

--small writes only the models of the earlier issues (no trained-layer
sizes).

Every entry is a float32 value (rounded with struct), written exactly as a
hexadecimal binary float, so the model is the exact rational the float
stands for.
"""
import json
import math
import os
import random
import struct
import sys


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def hx(x):
    return f32(x).hex()


def dense(rng, N, p, d, name, rho=0.9):
    s = rho / math.sqrt(N)
    return {"format": "ssmheads-model/1", "name": name,
            "source": "bench/make_models.py: float32 Gaussian, spectral radius about %g" % rho,
            "A": [[hx(rng.gauss(0, s)) for _ in range(N)] for _ in range(N)],
            "B": [[hx(rng.gauss(0, 1)) for _ in range(d)] for _ in range(N)],
            "C": [[hx(rng.gauss(0, 1)) for _ in range(N)] for _ in range(p)]}


def diag(rng, N, p, d, name):
    return {"format": "ssmheads-model/1", "name": name,
            "A": {"diag": [hx(rng.uniform(-0.99, 0.99)) for _ in range(N)]},
            "B": [[hx(rng.gauss(0, 1)) for _ in range(d)] for _ in range(N)],
            "C": [[hx(rng.gauss(0, 1)) for _ in range(N)] for _ in range(p)]}


def s4d_bank(rng, H, modes, name):
    """H channels, each with `modes` complex modes: channel-sparse B and C,
    written in the sparse matrix form (rows, cols, entries), as `ssmheads
    import --layout s4d` writes such a bank."""
    N = H * modes
    re, im, Be, Cre, Cim = [], [], [], [], []
    for c in range(H):
        for k in range(modes):
            s = c * modes + k
            dt = math.exp(rng.uniform(math.log(1e-3), math.log(1e-1)))
            lam = complex(-0.5, math.pi * k)
            z = complex(math.exp(lam.real * dt) * math.cos(lam.imag * dt),
                        math.exp(lam.real * dt) * math.sin(lam.imag * dt))
            re.append(hx(z.real))
            im.append(hx(z.imag))
            Be.append([s, c, hx(dt)])
            Cre.append((c, s, hx(rng.gauss(0, 0.5))))
            Cim.append((c, s, hx(rng.gauss(0, 0.5))))

    def sparse(rows, cols, entries):
        return {"rows": rows, "cols": cols, "entries": [list(e) for e in sorted(entries)]}
    return {"format": "ssmheads-model/1", "name": name,
            "A": {"complex_diag": {"re": re, "im": im}},
            "B": {"re": sparse(N, H, Be), "im": sparse(N, H, [])},
            "C": {"re": sparse(H, N, Cre), "im": sparse(H, N, Cim)}, "output": "2re"}


def lru_layer(rng, N, H, name, r_min=0.9, r_max=0.999, max_phase=2 * math.pi):
    """An LRU / S5 layer (Orvieto et al. 2023, their initialisation): N
    complex modes lambda = exp(-exp(nu_log) + i exp(theta_log)) with |lambda|
    uniform on the ring r_min .. r_max, dense complex B (N x H, normalised by
    gamma = sqrt(1 - |lambda|^2)) and C (H x N), a diagonal D (sparse form),
    output 2re.  Every entry rounded to float32 (lambda after the exp)."""
    re, im, Bre, Bim = [], [], [], []
    for _ in range(N):
        u1, u2 = rng.random(), rng.random()
        r = math.sqrt(u1 * (r_max ** 2 - r_min ** 2) + r_min ** 2)
        th = max_phase * u2
        re.append(hx(r * math.cos(th)))
        im.append(hx(r * math.sin(th)))
        g = math.sqrt(1 - r * r)
        Bre.append([hx(g * rng.gauss(0, 1) / math.sqrt(2 * H)) for _ in range(H)])
        Bim.append([hx(g * rng.gauss(0, 1) / math.sqrt(2 * H)) for _ in range(H)])
    Cre = [[hx(rng.gauss(0, 1) / math.sqrt(2 * N)) for _ in range(N)] for _ in range(H)]
    Cim = [[hx(rng.gauss(0, 1) / math.sqrt(2 * N)) for _ in range(N)] for _ in range(H)]
    D = {"rows": H, "cols": H, "entries": [[i, i, hx(rng.gauss(0, 1))] for i in range(H)]}
    return {"format": "ssmheads-model/1", "name": name,
            "source": "bench/make_models.py: LRU initialisation, |lambda| in [%g, %g], float32" % (r_min, r_max),
            "A": {"complex_diag": {"re": re, "im": im}},
            "B": {"re": Bre, "im": Bim}, "C": {"re": Cre, "im": Cim}, "D": D, "output": "2re"}


def unreachable(rng, N, u, p, d, name, rho=0.9):
    """A dense model whose last u states (before a random permutation of all
    states) receive no input: A = [[A11, A12], [0, A22]], B = [B1; 0].  The
    reachable subspace has dimension N - u (generically) and the minimal
    realization is smaller than N; a permutation keeps every entry float32."""
    s = rho / math.sqrt(N)
    A = [[rng.gauss(0, s) if i < N - u or j >= N - u else 0.0 for j in range(N)] for i in range(N)]
    B = [[rng.gauss(0, 1) if i < N - u else 0.0 for _ in range(d)] for i in range(N)]
    C = [[rng.gauss(0, 1) for _ in range(N)] for _ in range(p)]
    perm = list(range(N))
    rng.shuffle(perm)
    return {"format": "ssmheads-model/1", "name": name,
            "source": "bench/make_models.py: float32 Gaussian, %d unreachable states, permuted" % u,
            "A": [[hx(A[perm[i]][perm[j]]) for j in range(N)] for i in range(N)],
            "B": [[hx(B[perm[i]][j]) for j in range(d)] for i in range(N)],
            "C": [[hx(C[i][perm[j]]) for j in range(N)] for i in range(p)]}


def layers():
    """The sizes of trained layers (issue 17); each from its own seeded
    generator, so adding one changes no other model."""
    def g(tag):
        return random.Random("ssmheads-bench-" + tag)
    return {
        "lru_N256_H512": lru_layer(g("lru"), 256, 512, "LRU/S5 layer, 256 complex modes, H=512"),
        "s4d_H1024_m32": s4d_bank(g("s4d1024"), 1024, 32, "S4D layer H=1024 x 32 complex modes"),
        "dense_N512_pd64": dense(g("dense512"), 512, 64, 64, "dense N=512 p=d=64"),
        "diag_N8192_pd64": diag(g("diag8192"), 8192, 64, 64, "diag N=8192 p=d=64"),
        "dense_N200_pd4": dense(g("dense200"), 200, 4, 4, "dense N=200 p=d=4"),
        "dense_N200_pd4_unreach10": unreachable(g("unreach200"), 200, 10, 4, 4,
                                                "dense N=200 p=d=4, 10 unreachable states"),
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261124)
    models = {
        "dense_N64_pd16": dense(rng, 64, 16, 16, "dense N=64 p=d=16"),
        "dense_N128_pd16": dense(rng, 128, 16, 16, "dense N=128 p=d=16"),
        "dense_N256_pd32": dense(rng, 256, 32, 32, "dense N=256 p=d=32"),
        "diag_N1024_pd32": diag(rng, 1024, 32, 32, "diag N=1024 p=d=32"),
        "s4d_H256_m32": s4d_bank(rng, 256, 32, "S4D-like bank H=256 x 32 complex modes"),
        "dense_N64_unstable": dense(rng, 64, 16, 16, "dense N=64 p=d=16, unstable", rho=1.1),
    }
    if "--small" not in sys.argv[2:]:
        models.update(layers())
    for k, m in models.items():
        with open(os.path.join(out, k + ".json"), "w") as f:
            json.dump(m, f)
        print(os.path.join(out, k + ".json"))


if __name__ == "__main__":
    main()
