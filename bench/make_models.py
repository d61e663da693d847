#!/usr/bin/env python3
"""Reproducible float32-derived benchmark models (exact dyadic rationals).

    python3 bench/make_models.py OUTDIR

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
    for k, m in models.items():
        with open(os.path.join(out, k + ".json"), "w") as f:
            json.dump(m, f)
        print(os.path.join(out, k + ".json"))


if __name__ == "__main__":
    main()
