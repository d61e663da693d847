#!/usr/bin/env python3
"""Write the small weight samples of this directory (Python standard library
only), deterministically:

- ssm.npz: a dense float32 SSM (A = diag(1/2, -1/4) rotated by a Pythagorean
  similarity, B = I, C = [[1, 1], [1, -1]]): k = 2;
- layer.safetensors: a 3-head attention layer as float32 W_V (3 x 1 x 2) and
  W_O (3 x 2 x 1) under the prefix "attn."; every value is exact in float32.

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
    with zipfile.ZipFile(os.path.join(out, 'ssm.npz'), 'w') as z:
        z.writestr('A.npy', npy((2, 2), A))
        z.writestr('B.npy', npy((2, 2), [1, 0, 0, 1]))
        z.writestr('C.npy', npy((2, 2), [1, 1, 1, -1]))
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


if __name__ == '__main__':
    main()
