#!/usr/bin/env python3
"""Weight import: .npy directories, .npz and .safetensors written here with
the Python standard library (zipfile, struct), in float64, float32, float16,
bfloat16 and int32, imported with `ssmheads import` and compared exactly with
the rationals the bits stand for; then analysed (`heads`, `represent`).
Bad files (NaN, big-endian, Fortran order, truncated data, header offsets
past the end, wrong shapes, missing tensors) must fail with exit 4 and a
message naming the file and the tensor, and leave no output file.
Prints "N passed, N failed".
"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import zipfile
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402
import oracle  # noqa: E402

PROG = os.environ.get('SSMHEADS', './ssmheads')
SEED = int(os.environ.get('SSMH_TEST_SEED', '20261124'))

# dtype -> (npy descr, safetensors name, struct format or encoder, size)
def enc_bf16(x):
    b = struct.pack('<f', x)
    return b[2:4]          # the top half of a float32 (x chosen representable)


def dec_bf16(b):
    return struct.unpack('<f', b'\x00\x00' + b)[0]


DT = {
    'f64': ('<f8', 'F64', lambda x: struct.pack('<d', x), lambda b: struct.unpack('<d', b)[0], 8),
    'f32': ('<f4', 'F32', lambda x: struct.pack('<f', x), lambda b: struct.unpack('<f', b)[0], 4),
    'f16': ('<f2', 'F16', lambda x: struct.pack('<e', x), lambda b: struct.unpack('<e', b)[0], 2),
    'bf16': (None, 'BF16', enc_bf16, dec_bf16, 2),
    'i32': ('<i4', 'I32', lambda x: struct.pack('<i', int(x)), lambda b: struct.unpack('<i', b)[0], 4),
}


def tensor(rng, shape, dt):
    n = 1
    for s in shape:
        n *= s
    vals, raw = [], b''
    for _ in range(n):
        x = rng.choice([0.0, 1.0, -0.5, 0.1, 1e-3, 3.14159, -2.0, 0.7, 1.0 / 3.0])
        if dt == 'i32':
            x = float(rng.randint(-3, 3))
        b = DT[dt][2](x)
        raw += b
        vals.append(F(DT[dt][3](b)))    # the exact value of the stored bits
    return vals, raw


def npy(descr, shape, raw, fortran=False):
    h = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, 'True' if fortran else 'False', ''.join('%d, ' % s for s in shape))
    h += ' ' * ((64 - (10 + len(h) + 1) % 64) % 64) + '\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode() + raw


def safetensors(tensors):
    """tensors: name -> (st dtype, shape, raw)"""
    header, data = {}, b''
    for k, (dt, shape, raw) in tensors.items():
        header[k] = {'dtype': dt, 'shape': list(shape), 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    return struct.pack('<Q', len(h)) + h + data


def run(args):
    return subprocess.run([PROG] + args, capture_output=True, text=True, timeout=60)


def dense(M):
    """A matrix of a model file, in either form, as a list of rows."""
    if isinstance(M, dict):
        out = [["0"] * M['cols'] for _ in range(M['rows'])]
        for i, j, v in M['entries']:
            out[i][j] = v
        return out
    return M


def model_values(path):
    m = json.load(open(path))
    A = m['A']
    if isinstance(A, dict):
        A = [[x] for x in A['diag']]
    return [[oracle.num(x) for x in r] for r in A], [[oracle.num(x) for x in r] for r in m['B']], \
        [[oracle.num(x) for x in r] for r in m['C']]


def main():
    rng = random.Random(SEED)
    tmp = tempfile.mkdtemp(prefix='ssmh_w_')

    tally = Tally()
    check = tally.check

    for dt in ('f64', 'f32', 'f16', 'bf16', 'i32'):
        N, d, p = 3, 2, 2
        A, rA = tensor(rng, (N, N), dt)
        B, rB = tensor(rng, (N, d), dt)
        C, rC = tensor(rng, (p, N), dt)
        st = os.path.join(tmp, 'm_%s.safetensors' % dt)
        open(st, 'wb').write(safetensors({'layers.0.A': (DT[dt][1], (N, N), rA),
                                          'layers.0.B': (DT[dt][1], (N, d), rB),
                                          'layers.0.C': (DT[dt][1], (p, N), rC),
                                          'other': (DT[dt][1], (1,), rA[:DT[dt][4]])}))
        out = os.path.join(tmp, 'm_%s.json' % dt)
        r = run(['import', st, '--layout', 'dense', '--prefix', 'layers.0.', '-o', out])
        check(r.returncode == 0, '%s safetensors import: %s' % (dt, r.stderr))
        if r.returncode == 0:
            gA, gB, gC = model_values(out)
            check([x for row in gA for x in row] == A and [x for row in gB for x in row] == B
                  and [x for row in gC for x in row] == C, '%s safetensors values exact' % dt)
            h = run(['heads', out, '-n', '4', '--json'])
            check(h.returncode == 0 and json.loads(h.stdout)['k'] == oracle.heads(json.load(open(out)), 4)['k'],
                  '%s heads after import' % dt)
        if DT[dt][0] is None:
            continue
        # the same through .npz and a directory of .npy
        npz = os.path.join(tmp, 'm_%s.npz' % dt)
        with zipfile.ZipFile(npz, 'w') as z:
            z.writestr('A.npy', npy(DT[dt][0], (N, N), rA))
            z.writestr('B.npy', npy(DT[dt][0], (N, d), rB))
            z.writestr('C.npy', npy(DT[dt][0], (p, N), rC))
        out2 = os.path.join(tmp, 'm2_%s.json' % dt)
        r = run(['import', npz, '--layout', 'dense', '-o', out2])
        check(r.returncode == 0 and model_values(out2) == model_values(out), '%s npz == safetensors' % dt)
        dd = os.path.join(tmp, 'dir_%s' % dt)
        os.makedirs(dd)
        open(os.path.join(dd, 'A.npy'), 'wb').write(npy(DT[dt][0], (N,), rA[:N * DT[dt][4]]))
        open(os.path.join(dd, 'B.npy'), 'wb').write(npy(DT[dt][0], (N, d), rB))
        open(os.path.join(dd, 'C.npy'), 'wb').write(npy(DT[dt][0], (p, N), rC))
        out3 = os.path.join(tmp, 'm3_%s.json' % dt)
        r = run(['import', dd, '--layout', 'diag', '-o', out3])
        check(r.returncode == 0 and json.load(open(out3))['A']['diag'] is not None
              and [oracle.num(x) for x in json.load(open(out3))['A']['diag']] == A[:N],
              '%s npy directory, diag layout' % dt)

    # attention: W_V (H x d_h x d), W_O (H x p x d_h) -> span, represent
    H, dh, d, p = 3, 1, 2, 2
    WV, rWV = tensor(rng, (H, dh, d), 'f32')
    WO, rWO = tensor(rng, (H, p, dh), 'f32')
    st = os.path.join(tmp, 'attn.safetensors')
    open(st, 'wb').write(safetensors({'attn.W_V': ('F32', (H, dh, d), rWV), 'attn.W_O': ('F32', (H, p, dh), rWO)}))
    aout = os.path.join(tmp, 'attn.json')
    r = run(['import', st, '--layout', 'attention', '--prefix', 'attn.', '-o', aout])
    check(r.returncode == 0, 'attention import: %s' % r.stderr)
    if r.returncode == 0:
        a = json.load(open(aout))
        got = [oracle.num(x) for hd in a['heads'] for row in hd['W_V'] for x in row]
        check(got == WV, 'attention W_V exact')
        s = run(['span', aout, '--json'])
        Vs = [[x for row in oracle.matmul(oracle.mat(hd['W_O']), oracle.mat(hd['W_V'])) for x in row] for hd in a['heads']]
        check(s.returncode == 0 and json.loads(s.stdout)['dim'] == oracle.rank(Vs), 'span of imported layer')
        rp = run(['represent', aout, os.path.join(tmp, 'm_f32.json'), '-n', '3', '--json'])
        check(rp.returncode in (0, 1) and 'representable' in json.loads(rp.stdout), 'represent on imported layer')

    # s4d layout: MPFR-materialized ZOH / bilinear, compared with Python's
    # complex doubles (a few ulps apart: ours is evaluated at 256 bits)
    import math
    import cmath
    H, N2 = 3, 4
    f32 = lambda x: struct.unpack('<f', struct.pack('<f', x))[0]
    vals = {'log_A_real': [math.log(rng.choice([0.5, 0.3, 1.0])) for _ in range(H * N2)],
            'A_imag': [math.pi * n for _ in range(H) for n in range(N2)],
            'C': [rng.choice([0.5, -0.25, 1.0, 0.125]) for _ in range(H * N2 * 2)],
            'log_dt': [math.log(rng.choice([0.001, 0.01, 0.1])) for _ in range(H)],
            'D': [rng.choice([0.0, 1.0, -0.5]) for _ in range(H)]}
    shapes = {'log_A_real': (H, N2), 'A_imag': (H, N2), 'C': (H, N2, 2), 'log_dt': (H,), 'D': (H,)}
    st = os.path.join(tmp, 's4d.safetensors')
    open(st, 'wb').write(safetensors({'m.' + k: ('F32', shapes[k], struct.pack('<%df' % len(v), *v))
                                      for k, v in vals.items()}))
    for disc in ('zoh', 'bilinear'):
        out = os.path.join(tmp, 's4d_%s.json' % disc)
        r = run(['import', st, '--layout', 's4d', '--prefix', 'm.', '--discretization', disc, '-o', out])
        check(r.returncode == 0, 's4d %s import: %s' % (disc, r.stderr))
        if r.returncode != 0:
            continue
        m = json.load(open(out))
        m['C'] = {'re': dense(m['C']['re']), 'im': dense(m['C']['im'])}
        worst = 0.0
        for h in range(H):
            dt = math.exp(f32(vals['log_dt'][h]))
            for n in range(N2):
                s_ = h * N2 + n
                A = complex(-math.exp(f32(vals['log_A_real'][s_])), f32(vals['A_imag'][s_]))
                Ab = cmath.exp(dt * A) if disc == 'zoh' else (1 + dt * A / 2) / (1 - dt * A / 2)
                P = (Ab - 1) / A if disc == 'zoh' else dt / (1 - dt * A / 2)
                Cb = complex(f32(vals['C'][2 * s_]), f32(vals['C'][2 * s_ + 1])) * P
                gA = complex(float(oracle.num(m['A']['complex_diag']['re'][s_])),
                             float(oracle.num(m['A']['complex_diag']['im'][s_])))
                gC = complex(float(oracle.num(m['C']['re'][h][s_])), float(oracle.num(m['C']['im'][h][s_])))
                worst = max(worst, abs(gA - Ab) / abs(Ab), abs(gC - Cb) / max(abs(Cb), 1e-300))
                others = [oracle.num(m['C']['re'][j][s_]) for j in range(H) if j != h]
                check(all(x == 0 for x in others), 's4d C is channel-sparse')
        check(worst < 1e-12, 's4d %s values (max rel diff %g)' % (disc, worst))
        check(m['output'] == '2re' and len(m['A']['complex_diag']['re']) == H * N2, 's4d structure')
        g = run(['heads', out, '-n', '16', '--json'])
        check(g.returncode == 0 and json.loads(g.stdout)['k'] <= H, 's4d heads')
    out = os.path.join(tmp, 's4d_p24.json')
    r = run(['import', st, '--layout', 's4d', '--prefix', 'm.', '--precision', '24', '-o', out])
    ok24 = r.returncode == 0
    if ok24:
        for x in json.load(open(out))['A']['complex_diag']['re']:
            v = oracle.num(x)
            ok24 &= v == 0 or F(f32(float(v))) == v     # representable in 24 bits
    check(ok24, 's4d --precision 24 rounds to float32-representable values')
    r = run(['import', st, '--layout', 's4d', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 4 and 'log_A_real' in r.stderr and "use --prefix 'm.'" in r.stderr,
          's4d without prefix: the message suggests the prefix: %s' % r.stderr)

    # lru layout: lambda = exp(-exp(nu_log) + i exp(theta_log)), B scaled by
    # gamma = exp(gamma_log), y = Re(C x) + D u
    N, H = 4, 2
    lv = {'nu_log': [math.log(rng.choice([0.01, 0.1, 0.5])) for _ in range(N)],
          'theta_log': [math.log(rng.choice([0.1, 1.0, 3.0])) for _ in range(N)],
          'gamma_log': [rng.choice([0.0, -0.5]) for _ in range(N)],
          'B_re': [rng.choice([0.5, -1.0, 0.25]) for _ in range(N * H)],
          'B_im': [rng.choice([0.0, 0.5]) for _ in range(N * H)],
          'C_re': [rng.choice([1.0, -0.5]) for _ in range(H * N)],
          'C_im': [rng.choice([0.0, 0.25]) for _ in range(H * N)],
          'D': [1.0, 0.0]}
    ls = {'nu_log': (N,), 'theta_log': (N,), 'gamma_log': (N,), 'B_re': (N, H), 'B_im': (N, H),
          'C_re': (H, N), 'C_im': (H, N), 'D': (H,)}
    st = os.path.join(tmp, 'lru.safetensors')
    open(st, 'wb').write(safetensors({k: ('F32', ls[k], struct.pack('<%df' % len(v), *v)) for k, v in lv.items()}))
    out = os.path.join(tmp, 'lru.json')
    r = run(['import', st, '--layout', 'lru', '-o', out])
    check(r.returncode == 0, 'lru import: %s' % r.stderr)
    if r.returncode == 0:
        m = json.load(open(out))
        worst = 0.0
        for i in range(N):
            lam = cmath.exp(complex(-math.exp(f32(lv['nu_log'][i])), math.exp(f32(lv['theta_log'][i]))))
            got = complex(float(oracle.num(m['A']['complex_diag']['re'][i])),
                          float(oracle.num(m['A']['complex_diag']['im'][i])))
            worst = max(worst, abs(got - lam) / abs(lam))
            g = math.exp(f32(lv['gamma_log'][i]))
            for j in range(H):
                b = complex(f32(lv['B_re'][i * H + j]), f32(lv['B_im'][i * H + j])) * g
                gb = complex(float(oracle.num(m['B']['re'][i][j])), float(oracle.num(m['B']['im'][i][j])))
                worst = max(worst, abs(gb - b) / max(abs(b), 1e-300))
        check(worst < 1e-12 and m['output'] == 're', 'lru values (max rel diff %g)' % worst)
        g = run(['gradient', out, '--json'])
        check(g.returncode == 0 and json.loads(g.stdout)['stable'] == 'stable', 'lru gradient: stable')

    # s5 layout: Lambda_bar = exp(step Lambda) (ZOH) or bilinear, B_bar =
    # p B with p = (Lambda_bar - 1)/Lambda or step/(1 - step Lambda/2);
    # C_tilde exact; y = 2 Re(C x) + D u (or Re with --output re)
    P, H = 5, 3
    sv = {'Lambda_re': [-rng.choice([0.5, 0.25, 2.0]) for _ in range(P)],
          'Lambda_im': [rng.choice([0.0, 1.0, 3.5]) for _ in range(P)],
          'B': [rng.choice([0.5, -1.0, 0.25, 0.0]) for _ in range(P * H * 2)],
          'C': [rng.choice([1.0, -0.5, 0.125]) for _ in range(H * P * 2)],
          'log_step': [math.log(rng.choice([0.01, 0.1, 0.3])) for _ in range(P)],
          'D': [rng.choice([0.0, 1.0]) for _ in range(H)]}
    ss = {'Lambda_re': (P,), 'Lambda_im': (P,), 'B': (P, H, 2), 'C': (H, P, 2), 'log_step': (P, 1), 'D': (H,)}
    st = os.path.join(tmp, 's5.safetensors')
    open(st, 'wb').write(safetensors({'l0.' + k: ('F32', ss[k], struct.pack('<%df' % len(v), *v))
                                      for k, v in sv.items()}))
    for disc, outp in (('zoh', '2re'), ('bilinear', 're')):
        out = os.path.join(tmp, 's5_%s.json' % disc)
        r = run(['import', st, '--layout', 's5', '--prefix', 'l0.', '--discretization', disc,
                 '--output', outp, '-o', out])
        check(r.returncode == 0, 's5 %s import: %s' % (disc, r.stderr))
        if r.returncode != 0:
            continue
        m = json.load(open(out))
        worst = 0.0
        for i in range(P):
            lam = complex(f32(sv['Lambda_re'][i]), f32(sv['Lambda_im'][i]))
            dt = math.exp(f32(sv['log_step'][i]))
            Ab = cmath.exp(dt * lam) if disc == 'zoh' else (1 + dt * lam / 2) / (1 - dt * lam / 2)
            p_ = (Ab - 1) / lam if disc == 'zoh' else dt / (1 - dt * lam / 2)
            got = complex(float(oracle.num(m['A']['complex_diag']['re'][i])),
                          float(oracle.num(m['A']['complex_diag']['im'][i])))
            worst = max(worst, abs(got - Ab) / abs(Ab))
            for j in range(H):
                b = complex(f32(sv['B'][2 * (i * H + j)]), f32(sv['B'][2 * (i * H + j) + 1])) * p_
                gb = complex(float(oracle.num(dense(m['B']['re'])[i][j])),
                             float(oracle.num(dense(m['B']['im'])[i][j])))
                worst = max(worst, abs(gb - b) / max(abs(b), 1e-300))
                check(oracle.num(dense(m['C']['re'])[j][i]) == F(f32(sv['C'][2 * (j * P + i)]))
                      and oracle.num(dense(m['C']['im'])[j][i]) == F(f32(sv['C'][2 * (j * P + i) + 1])),
                      's5 C is the file\'s C exactly')
        check(worst < 1e-12 and m['output'] == outp, 's5 %s values (max rel diff %g)' % (disc, worst))
        Dd = dense(m['D'])
        check(all(oracle.num(Dd[i][j]) == (F(sv['D'][i]) if i == j else 0) for i in range(H) for j in range(H)),
              's5 D is diag(D)')
        g = run(['heads', out, '-n', '32', '--json'])
        check(g.returncode == 0 and json.loads(g.stdout)['k'] <= H * H, 's5 heads')
    r = run(['import', st, '--layout', 's5', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 4 and "no tensor 'Lambda_re'" in r.stderr and "use --prefix 'l0.'" in r.stderr and
          not os.path.exists(os.path.join(tmp, 'x.json')), 's5 without prefix: %s' % r.stderr)
    r = run(['import', st, '--layout', 's5', '--prefix', 'l0.', '--output', 'im', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 3, 's5 --output im is a usage error')
    bad5 = dict(sv)
    bad5['log_step'] = sv['log_step'][:-1]
    bs = dict(ss)
    bs['log_step'] = (P - 1,)
    open(st, 'wb').write(safetensors({'l0.' + k: ('F32', bs[k], struct.pack('<%df' % len(v), *v))
                                      for k, v in bad5.items()}))
    r = run(['import', st, '--layout', 's5', '--prefix', 'l0.', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 4 and 'l0.log_step' in r.stderr and 'expected (5, 1) or (5,), found (4,) F32' in r.stderr,
          's5 wrong log_step shape: %s' % r.stderr)

    # values outside binary64's range are refused, not written (nor hung on)
    big = dict(sv)
    big['Lambda_re'] = [1.0] * P
    big['log_step'] = [math.log(1e6)] * P
    open(st, 'wb').write(safetensors({'l0.' + k: ('F32', ss[k], struct.pack('<%df' % len(v), *v))
                                      for k, v in big.items()}))
    r = run(['import', st, '--layout', 's5', '--prefix', 'l0.', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 4 and 'leaves the range' in r.stderr and not os.path.exists(os.path.join(tmp, 'x.json')),
          's5 overflow refused: %s' % r.stderr.strip())
    tiny = dict(sv)
    tiny['Lambda_re'] = [-1.0] * P
    tiny['log_step'] = [math.log(1e4)] * P
    open(st, 'wb').write(safetensors({'l0.' + k: ('F32', ss[k], struct.pack('<%df' % len(v), *v))
                                      for k, v in tiny.items()}))
    out = os.path.join(tmp, 'tiny.json')
    r = run(['import', st, '--layout', 's5', '--prefix', 'l0.', '-o', out])
    check(r.returncode == 0 and all(oracle.num(x) == 0 for x in json.load(open(out))['A']['complex_diag']['re']),
          's5 underflow: exp(-10^4) rounds to 0 as in binary64 (%s)' % r.stderr.strip())
    lbad = dict(lv)
    lbad['theta_log'] = [1000.0] * N
    stl = os.path.join(tmp, 'lru_bad.safetensors')
    open(stl, 'wb').write(safetensors({k: ('F32', ls[k], struct.pack('<%df' % len(v), *v)) for k, v in lbad.items()}))
    r = run(['import', stl, '--layout', 'lru', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 4 and 'theta_log' in r.stderr, 'lru: exp(theta_log) overflow refused: %s' % r.stderr.strip())

    # mamba2 frozen slice: a_h = exp(-softplus(dt + dt_bias) exp(A_log)),
    # c_h = softplus(.) (C_g . B_g), one state per head channel
    Hm, G, Nst, Pd = 6, 3, 4, 2
    mv = {'A_log': [math.log(rng.choice([0.5, 1.0, 4.0])) for _ in range(Hm)],
          'dt_bias': [rng.choice([-2.0, 0.0, 0.5]) for _ in range(Hm)],
          'dt': [rng.choice([0.0, 0.25]) for _ in range(Hm)],
          'D': [rng.choice([0.0, 1.0]) for _ in range(Hm)],
          'B': [rng.choice([0.5, -1.0, 0.25]) for _ in range(G * Nst)],
          'C': [rng.choice([1.0, -0.5, 0.125]) for _ in range(G * Nst)]}
    ms = {'A_log': (Hm,), 'dt_bias': (Hm,), 'dt': (Hm,), 'D': (Hm,), 'B': (G, Nst), 'C': (G, Nst)}
    stm = os.path.join(tmp, 'mamba2.safetensors')
    open(stm, 'wb').write(safetensors({k: ('F32', ms[k], struct.pack('<%df' % len(v), *v)) for k, v in mv.items()}))
    out = os.path.join(tmp, 'm2.json')
    r = run(['import', stm, '--layout', 'mamba2', '--headdim', str(Pd), '-o', out])
    check(r.returncode == 0, 'mamba2 import: %s' % r.stderr)
    if r.returncode == 0:
        m = json.load(open(out))
        Cd, Dd = dense(m['C']), dense(m['D'])
        worst, exact = 0.0, True
        for h in range(Hm):
            g = h // (Hm // G)
            delta = math.log1p(math.exp(f32(mv['dt_bias'][h]) + f32(mv['dt'][h])))
            a = math.exp(-delta * math.exp(f32(mv['A_log'][h])))
            c = delta * sum(f32(mv['C'][g * Nst + n]) * f32(mv['B'][g * Nst + n]) for n in range(Nst))
            for q in range(Pd):
                s_ = h * Pd + q
                worst = max(worst, abs(float(oracle.num(m['A']['diag'][s_])) - a) / a)
                if c != 0:
                    worst = max(worst, abs(float(oracle.num(Cd[s_][s_])) - c) / abs(c))
                exact &= oracle.num(Dd[s_][s_]) == F(mv['D'][h])
        check(worst < 1e-12 and exact and len(m['A']['diag']) == Hm * Pd,
              'mamba2 values (max rel diff %g)' % worst)
        g = run(['heads', out, '--json'])
        check(g.returncode == 0 and json.loads(g.stdout)['k'] <= Hm, 'mamba2 heads: k <= nheads')
    r = run(['import', stm, '--layout', 'mamba2', '--headdim', '0', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 3, 'mamba2 --headdim 0 is a usage error')

    # a larger S4D bank is written with channel-sparse B, C, D in the sparse form
    H, N2 = 48, 8
    # (distinct decay rates per mode: with shared modes the span would be
    # smaller than H -- 2 step sizes x 15 real dimensions + the D impulse)
    bv = {'log_A_real': [math.log(rng.uniform(0.1, 1.0)) for _ in range(H * N2)],
          'A_imag': [math.pi * n for _ in range(H) for n in range(N2)],
          'C': [rng.choice([1.0, -0.5, 0.25]) for _ in range(H * N2 * 2)],
          'log_dt': [math.log(rng.choice([0.01, 0.1])) for _ in range(H)],
          'D': [1.0] * H}
    bsh = {'log_A_real': (H, N2), 'A_imag': (H, N2), 'C': (H, N2, 2), 'log_dt': (H,), 'D': (H,)}
    st = os.path.join(tmp, 'bank.safetensors')
    open(st, 'wb').write(safetensors({k: ('F32', bsh[k], struct.pack('<%df' % len(v), *v)) for k, v in bv.items()}))
    out = os.path.join(tmp, 'bank.json')
    r = run(['import', st, '--layout', 's4d', '-o', out])
    check(r.returncode == 0, 'bank import: %s' % r.stderr)
    if r.returncode == 0:
        m = json.load(open(out))
        check(isinstance(m['B']['re'], dict) and len(m['B']['re']['entries']) == H * N2
              and isinstance(m['C']['im'], dict) and len(m['C']['re']['entries']) == H * N2
              and isinstance(m['D'], dict) and len(m['D']['entries']) == H, 'bank written sparse')
        g = run(['heads', out, '--json', '--cert', os.path.join(tmp, 'bank.cert')])
        check(g.returncode == 0 and json.loads(g.stdout)['k_inf'] == H, 'bank heads: k = H (%s)' % g.stdout[:80])
        v = run(['verify', os.path.join(tmp, 'bank.cert')])
        check(v.returncode == 0, 'bank certificate verified')

    # bad files: exit 4, file and tensor named, no output
    bad = {}
    nan = struct.pack('<f', float('nan'))
    bad['nan.safetensors'] = (safetensors({'A': ('F32', (1, 1), nan), 'B': ('F32', (1, 1), nan),
                                           'C': ('F32', (1, 1), nan)}), 'NaN')
    h = json.dumps({'A': {'dtype': 'F32', 'shape': [2, 2], 'data_offsets': [0, 64]}}).encode()
    bad['lie.safetensors'] = (struct.pack('<Q', len(h)) + h + b'\x00' * 16, 'outside')
    bad['short.safetensors'] = (struct.pack('<Q', 1000) + b'{}', 'past the end')
    h = json.dumps({'A': {'dtype': 'F32', 'shape': [2, 2], 'data_offsets': [0, 12]}}).encode()
    bad['shape.safetensors'] = (struct.pack('<Q', len(h)) + h + b'\x00' * 12, 'bytes of data')
    h = json.dumps({'A': {'dtype': 'F8_E4M3', 'shape': [1, 1], 'data_offsets': [0, 1]},
                    'B': {'dtype': 'F32', 'shape': [1, 1], 'data_offsets': [1, 5]},
                    'C': {'dtype': 'F32', 'shape': [1, 1], 'data_offsets': [5, 9]}}).encode()
    bad['dtype.safetensors'] = (struct.pack('<Q', len(h)) + h + b'\x00' * 9, 'not supported')
    for name, (content, msg) in bad.items():
        path = os.path.join(tmp, name)
        open(path, 'wb').write(content)
        o = os.path.join(tmp, 'out_' + name + '.json')
        r = run(['import', path, '--layout', 'dense', '-o', o])
        check(r.returncode == 4 and name in r.stderr and msg in r.stderr and not os.path.exists(o),
              'bad %s: exit %d: %s' % (name, r.returncode, r.stderr.strip()))
    for name, blob, msg in (('be.npz', npy('>f4', (1, 1), b'\x00' * 4), 'not supported'),
                            ('fortran.npz', npy('<f4', (1, 1), b'\x00' * 4, fortran=True), 'Fortran'),
                            ('trunc.npz', npy('<f4', (2, 2), b'\x00' * 8), 'bytes of data')):
        path = os.path.join(tmp, name)
        with zipfile.ZipFile(path, 'w') as z:
            z.writestr('A.npy', blob)
            z.writestr('B.npy', npy('<f4', (1, 1), b'\x00' * 4))
            z.writestr('C.npy', npy('<f4', (1, 1), b'\x00' * 4))
        o = os.path.join(tmp, 'out_' + name + '.json')
        r = run(['import', path, '--layout', 'dense', '-o', o])
        check(r.returncode == 4 and msg in r.stderr and 'A' in r.stderr and not os.path.exists(o),
              'bad %s: exit %d: %s' % (name, r.returncode, r.stderr.strip()))
    # a missing tensor and a wrong rank
    r = run(['import', os.path.join(tmp, 'm_f32.safetensors'), '--layout', 'dense', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 4 and "no tensor 'A'" in r.stderr and "use --prefix 'layers.0.'" in r.stderr,
          'missing tensor without prefix: %s' % r.stderr)
    r = run(['import', os.path.join(tmp, 'm_f32.safetensors'), '--layout', 'diag', '--prefix', 'layers.0.',
             '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 4 and 'expected a vector (N,)' in r.stderr and 'found (3, 3) F32' in r.stderr,
          'diag with a matrix A: %s' % r.stderr)
    r = run(['import', os.path.join(tmp, 'nothing.npz'), '--layout', 'dense', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 5, 'missing file: exit %d' % r.returncode)
    r = run(['import', os.path.join(tmp, 'm_f32.safetensors'), '--layout', 's9', '-o', os.path.join(tmp, 'x.json')])
    check(r.returncode == 3, 'unknown layout: exit %d' % r.returncode)
    # A checkpoint's large embedding (past the 2^26 elements one tensor may
    # decode to) does not block importing its small layer; decoding it would.
    st = os.path.join(tmp, 'big_embedding.safetensors')
    one = struct.pack('<f', 0.5)
    big = 8193 * 8193
    open(st, 'wb').write(safetensors({'big.A': ('U8', (8193, 8193), bytes(big)),
                                      'big.B': ('U8', (8193, 1), bytes(8193)),
                                      'big.C': ('U8', (1, 8193), bytes(8193)),
                                      'ssm.A': ('F32', (1, 1), one), 'ssm.B': ('F32', (1, 1), one),
                                      'ssm.C': ('F32', (1, 1), one)}))
    o = os.path.join(tmp, 'big_ok.json')
    r = run(['import', st, '--layout', 'dense', '--prefix', 'ssm.', '-o', o])
    check(r.returncode == 0 and os.path.exists(o), 'small layer beside a large embedding: exit %d: %s'
          % (r.returncode, r.stderr.strip()))
    o = os.path.join(tmp, 'big_no.json')
    r = run(['import', st, '--layout', 'dense', '--prefix', 'big.', '-o', o])
    check(r.returncode == 6 and 'big.A' in r.stderr and 'elements' in r.stderr and not os.path.exists(o),
          'the large tensor itself: exit %d: %s' % (r.returncode, r.stderr.strip()))
    os.unlink(st)
    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
