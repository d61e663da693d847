#!/usr/bin/env python3
"""Write the small weight samples of this directory (Python standard library
only), deterministically:

- ssm.npz: a dense float32 SSM (A = diag(1/2, -1/4) rotated by a Pythagorean
  similarity, B = I, C = [[1, 1], [1, -1]]): k = 2;
- layer.safetensors: a 3-head attention layer as float32 W_V (3 x 1 x 2) and
  W_O (3 x 2 x 1) under the prefix "attn."; every value is exact in float32;
- s4d.safetensors: an S4D-like layer, H = 2 channels x 3 complex modes
  (log_A_real = log 1/2, A_imag = pi n, log_dt = log 0.1 and log 0.01), D;
- lru.safetensors: an LRU-like layer, N = 3 modes, H = 2;
- s5.safetensors: an S5-like layer, P = 3 complex modes shared by H = 2
  channels (one mode with Lambda_im = 0), log_step as P x 1, D;
- mamba2.safetensors: a frozen Mamba-2 slice, 4 heads in 2 groups, d_state
  3, no D; heads 0 and 2 share their decay (same A_log and dt + dt_bias), so
  the slice needs 3 heads, not 4; norm.weight (nheads x headdim = 8)
  fixes headdim = 2, as in a Mamba2 module.

    python3 make_samples.py [OUTDIR]
"""
import json
import os
import struct
import sys
import zipfile


def npy(shape, vals):
    h = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % ''.join('%d, ' % s for s in shape)
    h += ' ' * ((64 - (10 + len(h) + 1) % 64) % 64) + '\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode() + struct.pack('<%df' % len(vals), *vals)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    # T = [[3/5, -4/5], [4/5, 3/5]], A = T diag(1/2, -1/4) T^T (exact in float32? use dyadics)
    A = [0.5, 0.0, 0.0, -0.25]
    def entry(name):   # a fixed timestamp: the archive is byte-for-byte reproducible
        return zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(os.path.join(out, 'ssm.npz'), 'w') as z:
        z.writestr(entry('A.npy'), npy((2, 2), A))
        z.writestr(entry('B.npy'), npy((2, 2), [1, 0, 0, 1]))
        z.writestr(entry('C.npy'), npy((2, 2), [1, 1, 1, -1]))
    WV = [1, 0, 0, 1, 1, 1]            # heads: e1^T, e2^T, (1, 1)
    WO = [1, 0, 0, 1, 0.5, 0.5]        # heads: e1, e2, (1/2, 1/2)
    tensors = {'attn.W_V': ((3, 1, 2), WV), 'attn.W_O': ((3, 2, 1), WO)}
    header, data = {}, b''
    for k, (shape, vals) in tensors.items():
        raw = struct.pack('<%df' % len(vals), *vals)
        header[k] = {'dtype': 'F32', 'shape': list(shape), 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    header['__metadata__'] = {'written_by': 'witnesses/weights/make_samples.py'}
    h = json.dumps(header, sort_keys=True).encode()
    open(os.path.join(out, 'layer.safetensors'), 'wb').write(struct.pack('<Q', len(h)) + h + data)
    more(out)


def safetensors(path, tensors):
    header, data = {}, b''
    for k, (shape, vals) in tensors.items():
        raw = struct.pack('<%df' % len(vals), *vals)
        header[k] = {'dtype': 'F32', 'shape': list(shape), 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, sort_keys=True).encode()
    open(path, 'wb').write(struct.pack('<Q', len(h)) + h + data)


def more(out):
    import math
    H, N2 = 2, 3
    safetensors(os.path.join(out, 's4d.safetensors'), {
        'log_A_real': ((H, N2), [math.log(0.5)] * (H * N2)),
        'A_imag': ((H, N2), [math.pi * n for _ in range(H) for n in range(N2)]),
        'C': ((H, N2, 2), [0.5, -0.25, 1.0, 0.125, -0.5, 0.75, 0.25, 0.25, -1.0, 0.5, 0.375, -0.125]),
        'log_dt': ((H,), [math.log(0.1), math.log(0.01)]),
        'D': ((H,), [1.0, 0.0])})
    N, H = 3, 2
    safetensors(os.path.join(out, 'lru.safetensors'), {
        'nu_log': ((N,), [math.log(0.05), math.log(0.2), math.log(1.0)]),
        'theta_log': ((N,), [math.log(0.5), math.log(1.0), math.log(2.0)]),
        'gamma_log': ((N,), [0.0, -0.5, 0.0]),
        'B_re': ((N, H), [1.0, 0.0, 0.5, -0.5, 0.0, 1.0]),
        'B_im': ((N, H), [0.0, 0.25, 0.0, 0.0, 0.5, 0.0]),
        'C_re': ((H, N), [1.0, -1.0, 0.5, 0.0, 1.0, 1.0]),
        'C_im': ((H, N), [0.0, 0.5, 0.0, 0.25, 0.0, 0.0]),
        'D': ((H,), [0.0, 1.0])})

    P, H = 3, 2
    safetensors(os.path.join(out, 's5.safetensors'), {
        'Lambda_re': ((P,), [-0.5, -0.25, -1.0]),
        'Lambda_im': ((P,), [1.0, 0.0, 3.0]),
        'B': ((P, H, 2), [1.0, 0.5, 0.0, -0.25, 0.5, 0.0, 1.0, 0.0, -1.0, 0.125, 0.25, 0.75]),
        'C': ((H, P, 2), [0.5, 0.0, 1.0, -0.5, 0.25, 0.25, -1.0, 0.5, 0.0, 0.0, 0.75, -0.125]),
        'log_step': ((P, 1), [math.log(0.1), math.log(0.05), math.log(0.2)]),
        'D': ((H,), [1.0, -0.5])})
    safetensors(os.path.join(out, 'mamba2.safetensors'), {
        'A_log': ((4,), [0.0, math.log(2.0), 0.0, math.log(0.5)]),
        'dt_bias': ((4,), [0.0, 0.5, 0.0, -1.0]),
        'dt': ((4,), [0.25, 0.25, 0.25, 0.25]),
        'B': ((2, 3), [1.0, 0.5, 0.0, 0.0, 1.0, -1.0]),
        'C': ((2, 3), [0.5, 1.0, 2.0, 1.0, 2.0, 1.0]),
        'norm.weight': ((8,), [1.0] * 8)})


if __name__ == '__main__':
    main()
