#!/usr/bin/env python3
"""Exactness at the Python boundary: every float that goes into ssmheads is
read as the dyadic rational its bits are, and every exact result comes out
as a Fraction.

The oracle decodes each bit pattern independently of ssmheads.exact, with
Fraction arithmetic on the IEEE fields ((-1)^s * m * 2^e), and also checks
Python's own float.as_integer_ratio where a value is a double; the value the
library holds is read back from the model it validated (m.lam).  Covered:
Python floats, numpy float16/float32/float64/longdouble, torch
float16/bfloat16/float32/float64 (seeded random bit patterns over every
finite value, the subnormals, the extremes, -0), with flush-to-zero mode on
too; integers of every width; Fraction, str, Decimal; NaN/Inf refused at
their JSON path; a float eps taken exactly; complex arrays; the sparse
transport of big matrices; import_tensors against a weight file of the same
bits.  numpy and torch checks are skipped (and counted) when they do not
import.  Prints "N passed, N failed, N skipped".
"""
import decimal
import os
import random
import struct
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import python_support as sup  # noqa: E402

ssmheads = sup.setup()
rng = random.Random(sup.SEED)
COUNT = max(16, int(256 * sup.MULT))


def oracle(bits, ebits, mbits):
    """The exact value of an IEEE binary float from its fields, or None."""
    sign = bits >> (ebits + mbits) & 1
    e = bits >> mbits & ((1 << ebits) - 1)
    m = bits & ((1 << mbits) - 1)
    if e == (1 << ebits) - 1:
        return None
    bias = (1 << (ebits - 1)) - 1
    v = Fraction(m, 1 << mbits) if e == 0 else 1 + Fraction(m, 1 << mbits)
    p = (1 - bias) if e == 0 else (e - bias)
    v = v * (Fraction(2) ** p)
    return -v if sign else v


def patterns(ebits, mbits, count):
    """Seeded bit patterns: random finite ones, and every special corner."""
    width = 1 + ebits + mbits
    top = (1 << (width - 1))
    emax = ((1 << ebits) - 1) << mbits
    corners = [0, top, 1, top | 1, (1 << mbits) - 1, (1 << mbits), emax - 1, top | (emax - 1),
               (1 << (mbits - 1))]
    out = list(corners)
    while len(out) < count:
        b = rng.getrandbits(width)
        if b & emax != emax:
            out.append(b)
    return out


def diag_model(lam):
    n = len(lam)
    return ssmheads.Model.diag(lam, [[1]] * n, [[1] * n])


def check_values(tally, what, got, want):
    bad = [i for i, (g, w) in enumerate(zip(got, want)) if g != w or type(g) is not Fraction]
    tally.check(len(got) == len(want) and not bad,
                '%s: %d values differ (first at %s: %.100r, want %.100r)' % (
                    what, len(bad), bad[:1], got[bad[0]] if bad else None,
                    want[bad[0]] if bad else None))


def python_floats(tally):
    bits = patterns(11, 52, COUNT)
    xs = [struct.unpack('<d', struct.pack('<Q', b))[0] for b in bits]
    xs += [0.1, -2.5, 1e300, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
           1.7976931348623157e308, -0.0]
    want = [Fraction(*x.as_integer_ratio()) for x in xs]
    check_values(tally, 'Python floats', diag_model(xs).lam, want)
    check_values(tally, 'Python floats (field oracle)', diag_model(xs[:len(bits)]).lam,
                 [oracle(b, 11, 52) for b in bits])
    m = ssmheads.Model([[0.1]], [[1]], [[1]])
    tally.check(m.A[0][0] == Fraction(3602879701896397, 36028797018963968)
                and m.A[0][0] != Fraction(1, 10), '0.1 is its binary value, not 1/10')


def numpy_floats(tally, np):
    for dt, uint, eb, mb in ((np.float16, np.uint16, 5, 10), (np.float32, np.uint32, 8, 23),
                             (np.float64, np.uint64, 11, 52)):
        bits = patterns(eb, mb, COUNT)
        arr = np.array(bits, dtype=uint).view(dt)
        check_values(tally, 'numpy %s' % np.dtype(dt).name, diag_model(arr).lam,
                     [oracle(b, eb, mb) for b in bits])
        # big-endian and strided arrays: the same values
        be = arr.astype(np.dtype(dt).newbyteorder('>'))
        check_values(tally, 'numpy %s big-endian' % np.dtype(dt).name, diag_model(be).lam,
                     [oracle(b, eb, mb) for b in bits])
        two = np.stack([arr, arr])[:, ::2]
        m = ssmheads.Model(np.diag(two[0][:4]), np.ones((4, 1), dtype=dt), np.ones((1, 4), dt))
        tally.check(m.A[1][1] == oracle(bits[2], eb, mb), 'numpy %s strided' % np.dtype(dt).name)
    info = np.finfo(np.longdouble)
    if info.nmant in (63, 112):
        vals = [np.longdouble(1) / np.longdouble(3), np.nextafter(np.longdouble(0),
                                                                  np.longdouble(1)),
                -np.longdouble(2) ** -16000 if info.nmant == 63 else np.longdouble(-0.5),
                np.finfo(np.longdouble).max]
        arr = np.array(vals, dtype=np.longdouble)
        check_values(tally, 'numpy longdouble (%d-bit significand)' % (info.nmant + 1),
                     diag_model(arr).lam, [Fraction(*v.as_integer_ratio()) for v in arr])
    else:
        tally.skip(1, 'numpy longdouble is binary64 here')
    ints = [np.iinfo(t) for t in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
                                  np.int64, np.uint64)]
    for inf in ints:
        arr = np.array([inf.min, inf.max, 0], dtype=inf.dtype)
        check_values(tally, 'numpy %s' % inf.dtype, diag_model(arr).lam,
                     [Fraction(int(inf.min)), Fraction(int(inf.max)), Fraction(0)])
    # scalars and object arrays
    m = ssmheads.Model([[np.float32(2 ** -149), np.int64(-3)], [Fraction(1, 3), '1e-3']],
                       np.eye(2, dtype=np.int32), np.eye(2))
    tally.check(m.A == [[Fraction(1, 2 ** 149), -3], [Fraction(1, 3), Fraction(1, 1000)]],
                'numpy scalars beside Fractions and strings')
    obj = np.array([Fraction(1, 7), 2, '0x1p-3'], dtype=object)
    check_values(tally, 'numpy object array', diag_model(obj).lam,
                 [Fraction(1, 7), Fraction(2), Fraction(1, 8)])
    check_values(tally, 'numpy string array', diag_model(np.array(['1/3', '-0.5'])).lam,
                 [Fraction(1, 3), Fraction(-1, 2)])
    tally.check(diag_model([1]).heads(max_bits=np.int64(1000)).k == 1,
                'a numpy integer as a limit')
    # NaN and Inf are refused at their JSON path
    a = np.zeros((2, 2), dtype=np.float32)
    a[1, 0] = np.inf
    tally.raises(ssmheads.InvalidInput, lambda: ssmheads.Model(a, np.eye(2), np.eye(2)),
                 'numpy Inf at $.A[1][0]', lambda e: e.path == '$.A[1][0]' and e.exit_code == 4)
    b = np.ones((2, 1), dtype=np.float16)
    b[1, 0] = np.nan
    tally.raises(ssmheads.InvalidInput, lambda: ssmheads.Model(np.eye(2), b, np.ones((1, 2))),
                 'numpy float16 NaN at $.B[1][0]', lambda e: e.path == '$.B[1][0]')
    tally.raises(ssmheads.InvalidInput,
                 lambda: ssmheads.Model(np.eye(2, dtype=bool), np.eye(2), np.eye(2)),
                 'numpy bool array refused', lambda e: e.path == '$.A')
    # the sparse transport of a big mostly-zero matrix gives the same model
    N = 40
    A = np.zeros((N, N))
    A[np.arange(N), np.arange(N)] = np.linspace(-0.9, 0.9, N)
    A[0, N - 1] = 2 ** -30
    B, C = np.eye(N)[:, :2], np.eye(N)[:3, :]
    dense_lists = ssmheads.Model(A.tolist(), B.tolist(), C.tolist())
    tally.check(ssmheads.Model(A, B, C) == dense_lists,
                'a 40 x 40 sparse numpy A gives the model of its dense lists')


def complex_inputs(tally, np):
    lam = np.array([0.5 + 0.25j, np.float32(0.1) - 1e-300j], dtype=np.complex128)
    B = np.array([[1 + 1j], [2]], dtype=np.complex64)
    C = np.array([[1, 1j]])
    m = ssmheads.Model.complex_diag(lam, B, C)
    want = [(Fraction(1, 2), Fraction(1, 4)),
            (Fraction(*float(np.float32(0.1)).as_integer_ratio()), -Fraction(*(1e-300).as_integer_ratio()))]
    tally.check(m.lam == want and m.structure == 'complex_diag' and m.output == '2re',
                'complex_diag from numpy complex arrays: %r' % (m.lam,))
    tally.check(m.B == ([[1], [2]], [[1], [0]]) and m.C == ([[1, 0]], [[0, 1]]),
                'complex B and C split exactly')
    m2 = ssmheads.Model.complex_diag([0.5 + 0.25j, complex(float(np.float32(0.1)), -1e-300)],
                                     {'re': [[1], [2]], 'im': [[1], [0]]}, [[1, 1j]], output='2re')
    tally.check(m2 == m, 'complex_diag from Python complex numbers and a re/im dict')
    r = m.heads(n=4)
    tally.check(isinstance(r.k, int) and r.k == 1, 'a complex-diagonal SISO model has k = 1')


def torch_tensors(tally, torch, np):
    for dt, it, eb, mb, mask in ((torch.bfloat16, torch.int16, 8, 7, 0xffff),
                                 (torch.float16, torch.int16, 5, 10, 0xffff),
                                 (torch.float32, torch.int32, 8, 23, 0xffffffff),
                                 (torch.float64, torch.int64, 11, 52, (1 << 64) - 1)):
        bits = patterns(eb, mb, COUNT)
        signed = [b - (mask + 1) if b > mask >> 1 else b for b in bits]
        t = torch.tensor(signed, dtype=it).view(dt)
        want = [oracle(b, eb, mb) for b in bits]
        check_values(tally, 'torch %s' % dt, diag_model(t).lam, want)
        if dt == torch.float32:
            # flush-to-zero mode changes float arithmetic, never the bits read
            torch.set_flush_denormal(True)
            try:
                sub = torch.tensor([1, 0x007fffff, -0x7fffffff - 1 + 1], dtype=torch.int32).view(
                    torch.float32)
                check_values(tally, 'torch float32 subnormals under set_flush_denormal(True)',
                             diag_model(sub).lam,
                             [oracle(b & mask, 8, 23) for b in (1, 0x007fffff, 0x80000001)])
                arr = np.array([1, 0x007fffff], dtype=np.uint32).view(np.float32)
                check_values(tally, 'numpy float32 subnormals under set_flush_denormal(True)',
                             diag_model(arr).lam, [oracle(1, 8, 23), oracle(0x007fffff, 8, 23)])
            finally:
                torch.set_flush_denormal(False)
    t = torch.zeros(2, 2, dtype=torch.bfloat16)
    t[0, 1] = float('nan')
    tally.raises(ssmheads.InvalidInput, lambda: ssmheads.Model(t, torch.eye(2), torch.eye(2)),
                 'torch bfloat16 NaN at $.A[0][1]', lambda e: e.path == '$.A[0][1]')
    # a tensor that needs grad, non-contiguous, on the CPU: read as it is
    w = torch.randn(3, 3, dtype=torch.float32, generator=torch.Generator().manual_seed(sup.SEED),
                    requires_grad=True)
    m = ssmheads.Model(w.t(), torch.ones(3, 1), torch.ones(1, 3))
    want = [[Fraction(*float(w[j, i]).as_integer_ratio()) for j in range(3)] for i in range(3)]
    tally.check(m.A == want, 'a transposed tensor with requires_grad')
    # complex tensors
    lam = torch.tensor([0.5 + 0.5j, -0.25 + 0j], dtype=torch.complex64)
    m = ssmheads.Model.complex_diag(lam, torch.ones(2, 1, dtype=torch.complex64),
                                    torch.tensor([[1 + 2j, 3j]]))
    tally.check(m.lam == [(Fraction(1, 2), Fraction(1, 2)), (Fraction(-1, 4), 0)],
                'complex_diag from torch complex64')
    # in-memory tensors through the library's import code: the same bits
    # as a weight file of them, and as Model() of them
    g = torch.Generator().manual_seed(sup.SEED + 1)
    tensors = {'layer.A': (torch.randn(3, 3, generator=g) / 4).to(torch.bfloat16),
               'layer.B': torch.randn(3, 2, generator=g).to(torch.float16),
               'layer.C': torch.randn(2, 3, generator=g, dtype=torch.float64)}
    mi = ssmheads.import_tensors(tensors, layout='dense', prefix='layer.')
    md = ssmheads.Model(tensors['layer.A'], tensors['layer.B'], tensors['layer.C'])
    tally.check(mi.A == md.A and mi.B == md.B and mi.C == md.C,
                'import_tensors (bfloat16, float16, float64) equals Model() of the tensors')
    tally.check('<tensors>' in (mi.source or '') and '/tmp' not in (mi.source or ''),
                'import_tensors names its source "<tensors>": %r' % mi.source)
    tally.raises(ssmheads.InvalidInput,
                 lambda: ssmheads.import_tensors({'A': torch.eye(2)}, layout='dense'),
                 'import_tensors without B names the tensor and "<tensors>"',
                 lambda e: e.file == '<tensors>' and 'B' in str(e))


def exact_non_floats(tally):
    vals = [Fraction(1, 3), '0.1', decimal.Decimal('0.1'), decimal.Decimal('-1E+2'), 2 ** 200,
            '-0x1.8p-3', '7/21', -5]
    check_values(tally, 'Fraction, str, Decimal, big int', diag_model(vals).lam,
                 [Fraction(1, 3), Fraction(1, 10), Fraction(1, 10), Fraction(-100),
                  Fraction(2 ** 200), Fraction(-3, 16), Fraction(1, 3), Fraction(-5)])
    for bad, path, what in ((float('nan'), '$.A.diag[0]', 'NaN'),
                            (float('inf'), '$.A.diag[0]', 'Inf'),
                            (True, '$.A.diag[0]', 'a boolean'),
                            (1j, '$.A.diag[0]', 'a complex number'),
                            ({}, '$.A.diag[0]', 'a dict'),
                            ('x', '$.A.diag[0]', 'a non-number string'),
                            ('1/0', '$.A.diag[0]', 'a zero denominator'),
                            (decimal.Decimal('NaN'), '$.A.diag[0]', 'Decimal NaN')):
        tally.raises(ssmheads.InvalidInput, lambda b=bad: diag_model([b]),
                     '%s refused at %s' % (what, path), lambda e, p=path: e.path == p)


def eps_exact(tally):
    m = ssmheads.Model.diag(['1/2'], [[1]], [[1]])
    cases = ((0.01, Fraction(*(0.01).as_integer_ratio())), ('1/100', Fraction(1, 100)),
             (Fraction(1, 100), Fraction(1, 100)), ('1e-2', Fraction(1, 100)),
             (decimal.Decimal('0.01'), Fraction(1, 100)))
    for eps, want in cases:
        g = m.gradient(eps=eps)
        tally.check(g.eps == want and isinstance(g.eps, Fraction),
                    'gradient eps=%r is %s exactly (got %s)' % (eps, want, g.eps))
    a = m.approx(n=4, eps=0.5)
    tally.check(a.eps == Fraction(1, 2) and isinstance(a.H, int), 'approx eps=0.5 is 1/2')
    tally.check(Fraction(*(0.01).as_integer_ratio()) != Fraction(1, 100),
                'the float 0.01 is not 1/100 (so the distinction is tested)')


def outputs_exact(tally):
    m = ssmheads.Model([['1/2', '1/3'], [0, '-1/5']], [[1], [1]], [[1, '2/7']])
    g = m.gradient(eps='1/1000', lags=4)
    lo, hi = g.rho
    tally.check(type(lo) is Fraction and type(hi) is Fraction and lo <= Fraction(1, 2) <= hi,
                'gradient rho is a pair of Fractions around 1/2')
    k = m.lags(5)
    tally.check(all(type(x) is Fraction for K in k for row in K for x in row)
                and k[1] == [[Fraction(1, 2) + Fraction(2, 7) * Fraction(1, 3) * 0
                              + Fraction(1, 3) * 1 - Fraction(2, 7) * Fraction(1, 5)]],
                'lags are exact Fractions (K_1 = C A B)')
    tally.check(g.norms_f2[1] == k[1][0][0] ** 2, '||K_1||_F^2 is exactly K_1^2')
    r = m.heads(n=3)
    tally.check(all(type(v) is int for v in [r.k, r.k_inf, r.n_star] + r.profile),
                'heads counts are ints')
    # k_inf only, from modes (heads --no-profile): no n*, no profile
    d = ssmheads.Model.diag(['1/2', '1/3', '1/2'], [[1, 0], [0, 1], [1, 1]],
                            [[1, 0, 1], [0, 1, 2]])
    r = d.heads(profile=False, certificate=True)
    tally.check(r.lower_witness == 'modes' and r.k_inf == 2 and r.n_star is None
                and r.profile is None and r.n_star_range == (2, 2) and r.k_at(2) == 2,
                'heads(profile=False): k_inf from modes, n* bounded')
    tally.check(ssmheads.verify(r.certificate).accepted, 'the mode-form certificate verifies')
    p = d.heads(profile=True)
    tally.check(p.lower_witness == 'lags' and p.k_inf == 2 and p.n_star == 2 and p.profile == [1, 2],
                'heads(profile=True): the lag form, with n* and the profile')
    try:
        r.k_at(1)
        tally.check(False, 'k(1) from a mode witness refused')
    except ValueError:
        tally.check(True, 'k(1) from a mode witness refused')


def main():
    tally = sup.Tally()
    python_floats(tally)
    exact_non_floats(tally)
    eps_exact(tally)
    outputs_exact(tally)
    if sup.have('numpy'):
        import numpy as np
        numpy_floats(tally, np)
        complex_inputs(tally, np)
    else:
        tally.skip(30, 'numpy does not import')
        np = None
    if sup.have('torch') and np is not None:
        import torch
        torch_tensors(tally, torch, np)
    else:
        tally.skip(12, 'torch (with numpy) does not import')
    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
