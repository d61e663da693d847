"""Exact numbers at the boundary between Python and libssmheads.

In: every value becomes a string the library reads as exactly the rational
it denotes --
  * int, fractions.Fraction (any numbers.Rational), str ("-3/4", "0.125",
    "1e-3", "0x1.8p-3": the library's own syntax), decimal.Decimal: exactly
    what they say;
  * a binary float (Python float, numpy float16/float32/float64/longdouble,
    torch float16/bfloat16/float32/float64): the dyadic rational its bits
    are, decoded from the bit pattern with integer arithmetic (sign,
    exponent, significand; subnormals included) and written as a hexadecimal
    float "0x<significand>p<exponent>".  Never str(float), never a decimal:
    0.1 is 3602879701896397/36028797018963968, not 1/10.  The decoding is
    integer-only, so no floating-point mode (flush-to-zero,
    torch.set_flush_denormal) can change a value on the way.
  * NaN, infinities, booleans and complex numbers where a real one is due
    are refused with InvalidInput naming the JSON path ($.A[1][0]).
numpy and torch are never imported here: an array is recognised only if the
caller's program has imported its module already.

Out: exact rationals come back as fractions.Fraction, counts as int.
"""
import decimal
import fractions
import numbers
import struct
import sys

from .errors import InvalidInput

__all__ = ['dec', 'number', 'matrix_json', 'vector_json', 'complex_json', 'float_str', 'bits_str',
           'fraction', 'fractions_of', 'matrix_of', 'FORMATS']

# IEEE-style binary formats: (exponent bits, stored significand bits)
FORMATS = {'float16': (5, 10), 'bfloat16': (8, 7), 'float32': (8, 23), 'float64': (11, 52),
           'binary128': (15, 112)}

# matrices of at least this many entries, at most 1/8 of them nonzero, go to
# the library in its sparse form (as it writes them itself)
_SPARSE_MIN = 1024


# Python 3.11+ refuses int <-> decimal string conversions past 4300 digits
# (sys.get_int_max_str_digits); exact numbers can be longer (a long double
# subnormal has 4951), so long ones are converted in halves.
_CHUNK = 3000


def dec(n):
    """The decimal digits of an int of any size."""
    if n < 0:
        return '-' + dec(-n)
    if n.bit_length() <= 3 * _CHUNK:
        return str(n)
    k = int(n.bit_length() * 0.30103) // 2   # about half the digits
    q, r = divmod(n, 10 ** k)
    return dec(q) + dec(r).zfill(k)


def _int(s):
    """An int of any size from its decimal digits (and sign)."""
    if len(s) <= _CHUNK:
        return int(s)
    if s[0] in '+-':
        v = _int(s[1:])
        return -v if s[0] == '-' else v
    k = len(s) // 2
    return _int(s[:k]) * 10 ** (len(s) - k) + _int(s[k:])


def bits_str(bits, ebits, mbits):
    """The exact value of an IEEE binary float given by its bit pattern (an
    unsigned int), as "0x<m>p<e>" (m odd) or "0"; None for NaN and Inf."""
    emax = (1 << ebits) - 1
    sign = (bits >> (ebits + mbits)) & 1
    e = (bits >> mbits) & emax
    m = bits & ((1 << mbits) - 1)
    if e == emax:
        return None
    bias = (1 << (ebits - 1)) - 1
    if e == 0:
        exp = 1 - bias - mbits   # zero and subnormals
    else:
        m |= 1 << mbits
        exp = e - bias - mbits
    if m == 0:
        return '0'
    tz = (m & -m).bit_length() - 1
    return '%s0x%xp%d' % ('-' if sign else '', m >> tz, exp + tz)


def _x87_str(b):
    """The exact value of an x87 80-bit extended float (little-endian bytes,
    explicit integer bit); None for NaN, Inf and the invalid encodings."""
    m = int.from_bytes(b[0:8], 'little')
    se = int.from_bytes(b[8:10], 'little')
    sign, e = se >> 15, se & 0x7fff
    if e == 0x7fff or (e != 0 and not m >> 63):
        return None
    exp = (1 if e == 0 else e) - 16383 - 63
    if m == 0:
        return '0'
    tz = (m & -m).bit_length() - 1
    return '%s0x%xp%d' % ('-' if sign else '', m >> tz, exp + tz)


def float_str(x):
    """A Python float's exact value (None for NaN and Inf)."""
    return bits_str(struct.unpack('<Q', struct.pack('<d', x))[0], 11, 52)


def _bad(path, what):
    raise InvalidInput(what, path=path, status='invalid value', code=-3)


def _float(x, path):
    s = float_str(x)
    if s is None:
        _bad(path, '%r is not a number ssmheads can read exactly (NaN or infinite)' % x)
    return s


def number(x, path='$'):
    """One exact number (see the module's docstring) as a library string."""
    if isinstance(x, bool):
        _bad(path, 'a boolean is not a number')
    if isinstance(x, int):
        return dec(x)
    if isinstance(x, float):
        return _float(x, path)
    if isinstance(x, str):
        return x
    if isinstance(x, fractions.Fraction):
        return '%s/%s' % (dec(x.numerator), dec(x.denominator))
    if isinstance(x, decimal.Decimal):
        if not x.is_finite():
            _bad(path, '%s is not a number ssmheads can read exactly' % x)
        return str(x)
    np, torch = sys.modules.get('numpy'), sys.modules.get('torch')
    if np is not None and isinstance(x, np.generic) or torch is not None and isinstance(
            x, torch.Tensor):
        flat, shape = _array_flat(x, path)
        if shape != ():
            _bad(path, 'expected a number, got an array of shape %s' % (tuple(shape),))
        return flat[0]
    if isinstance(x, complex):
        _bad(path, 'a complex number where a real one is expected (complex models: '
                   'Model.complex_diag)')
    if isinstance(x, numbers.Rational):
        return '%s/%s' % (dec(int(x.numerator)), dec(int(x.denominator)))
    if isinstance(x, numbers.Integral):
        return dec(int(x))
    _bad(path, 'cannot read a %s as an exact number' % type(x).__name__)


# ---- arrays ---------------------------------------------------------------

def _is_array(x):
    np, torch = sys.modules.get('numpy'), sys.modules.get('torch')
    return (np is not None and isinstance(x, (np.ndarray, np.generic))) or (
        torch is not None and isinstance(x, torch.Tensor))


def _numpy_flat(a, path):
    """(flat list of library strings, shape) of a numpy array or scalar."""
    np = sys.modules['numpy']
    a = np.asarray(a)
    shape = a.shape
    k = a.dtype.kind
    if k == 'b':
        _bad(path, 'a boolean array is not a matrix of numbers')
    if k == 'c':
        _bad(path, 'a complex array where a real one is expected (complex models: '
                   'Model.complex_diag)')
    if k in 'iu':
        return [str(v) for v in a.ravel().tolist()], shape
    if k in 'OUS':   # objects (Fractions, ...) and strings ("1/3"): one by one
        flat = [v.decode('ascii', 'replace') if isinstance(v, bytes) else v
                for v in a.ravel().tolist()]
        return [number(v, _index_path(path, shape, i)) for i, v in enumerate(flat)], shape
    if k != 'f':
        _bad(path, 'cannot read an array of dtype %s as exact numbers' % a.dtype)
    a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('='))
    size = a.dtype.itemsize
    if size in (2, 4, 8):
        fmt = {2: 'float16', 4: 'float32', 8: 'float64'}[size]
        bits = a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[size]).ravel().tolist()
        return _decode(bits, fmt, path, shape), shape
    info = np.finfo(a.dtype)
    raw = a.tobytes()
    chunks = [raw[i:i + size] for i in range(0, len(raw), size)]
    if sys.byteorder != 'little':
        _bad(path, 'long double arrays are read on little-endian machines only')
    if info.nmant == 63:       # x87 80-bit extended in 12 or 16 bytes
        out = [_x87_str(c) for c in chunks]
    elif info.nmant == 112:    # IEEE binary128
        out = [bits_str(int.from_bytes(c, 'little'), 15, 112) for c in chunks]
    elif info.nmant == 52:
        out = [bits_str(int.from_bytes(c[:8], 'little'), 11, 52) for c in chunks]
    else:
        _bad(path, 'cannot read floats of dtype %s exactly' % a.dtype)
    return _check_finite(out, path, shape), shape


def _decode(bits, fmt, path, shape):
    eb, mb = FORMATS[fmt]
    return _check_finite([bits_str(b, eb, mb) for b in bits], path, shape)


def _check_finite(out, path, shape):
    if None in out:
        _bad(_index_path(path, shape, out.index(None)),
             'NaN or infinity: not a number ssmheads can read exactly')
    return out


def _torch_flat(t, path):
    torch = sys.modules['torch']
    t = t.detach()
    if t.is_complex():
        _bad(path, 'a complex tensor where a real one is expected (complex models: '
                   'Model.complex_diag)')
    t = t.cpu().contiguous()
    shape = tuple(t.shape)
    fmt = {torch.bfloat16: ('bfloat16', torch.int16, 0xffff),
           torch.float16: ('float16', torch.int16, 0xffff),
           torch.float32: ('float32', torch.int32, 0xffffffff),
           torch.float64: ('float64', torch.int64, 0xffffffffffffffff)}.get(t.dtype)
    if fmt is not None:
        bits = [b & fmt[2] for b in t.view(fmt[1]).reshape(-1).tolist()]
        return _decode(bits, fmt[0], path, shape), shape
    if t.dtype == torch.bool:
        _bad(path, 'a boolean tensor is not a matrix of numbers')
    if not t.dtype.is_floating_point:
        return [str(v) for v in t.reshape(-1).tolist()], shape
    _bad(path, 'cannot read a tensor of dtype %s exactly' % t.dtype)


def _array_flat(x, path):
    torch = sys.modules.get('torch')
    if torch is not None and isinstance(x, torch.Tensor):
        return _torch_flat(x, path)
    return _numpy_flat(x, path)


def _index_path(path, shape, i):
    idx = []
    for n in reversed(shape):
        idx.append(i % n if n else 0)
        i = i // n if n else 0
    return path + ''.join('[%d]' % j for j in reversed(idx))


def _nest(flat, shape):
    if len(shape) == 0:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _sparse(flat, shape):
    """The library's sparse form of a large, mostly zero matrix, or None."""
    if len(shape) != 2 or len(flat) < _SPARSE_MIN:
        return None
    nz = [i for i, s in enumerate(flat) if s != '0']
    if len(nz) * 8 > len(flat):
        return None
    cols = shape[1]
    return {'rows': shape[0], 'cols': cols, 'entries': [[i // cols, i % cols, flat[i]] for i in nz]}


def _exact(x, path, sparse):
    if _is_array(x):
        flat, shape = _array_flat(x, path)
        return (sparse and _sparse(flat, shape)) or _nest(flat, shape)
    if isinstance(x, (list, tuple)):
        return [_exact(v, '%s[%d]' % (path, i), False) for i, v in enumerate(x)]
    return number(x, path)


def matrix_json(x, path):
    """A matrix (nested lists, or a numpy/torch array) as the library's JSON:
    rows of exact strings (the shape is checked by the library)."""
    return _exact(x, path, True)


def vector_json(x, path):
    """A vector as a JSON array of exact strings."""
    return _exact(x, path, False)


def _split_complex(x, path):
    """(real part, imaginary part) of a complex array or nested list, each as
    nested lists of exact strings."""
    np, torch = sys.modules.get('numpy'), sys.modules.get('torch')
    if torch is not None and isinstance(x, torch.Tensor):
        if x.is_complex():
            r = torch.view_as_real(x.detach().cpu().resolve_conj())
            return _exact(r[..., 0], path, False), _exact(r[..., 1], path, False)
        return _exact(x, path, False), _zeros_like(_exact(x, path, False))
    if np is not None and isinstance(x, (np.ndarray, np.generic)):
        a = np.asarray(x)
        if a.dtype.kind == 'c':
            return _exact(a.real, path, False), _exact(a.imag, path, False)
        return _exact(a, path, False), _zeros_like(_exact(a, path, False))
    if isinstance(x, (list, tuple)):
        parts = [_split_complex(v, '%s[%d]' % (path, i)) for i, v in enumerate(x)]
        return [p[0] for p in parts], [p[1] for p in parts]
    if isinstance(x, complex):
        return _float(x.real, path), _float(x.imag, path)
    if _is_complex_scalar(x):
        return number(x.real, path), number(x.imag, path)
    return number(x, path), '0'


def _is_complex_scalar(x):
    return isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real)


def _zeros_like(v):
    return [_zeros_like(e) for e in v] if isinstance(v, list) else '0'


def complex_json(x, path):
    """A complex vector or matrix as the library's {"re": ..., "im": ...}.
    Given as complex arrays or numbers, or already as a dict with "re" and
    "im" (or a (re, im) pair of real arrays)."""
    if isinstance(x, dict):
        if set(x) != {'re', 'im'}:
            _bad(path, 'a complex value given as a dict needs exactly the keys "re" and "im"')
        return {'re': _exact(x['re'], path + '.re', False),
                'im': _exact(x['im'], path + '.im', False)}
    re, im = _split_complex(x, path)
    return {'re': re, 'im': im}


# ---- out ------------------------------------------------------------------

def fraction(v):
    """An exact number of a response ("p/q", "p" or a JSON integer) as a Fraction;
    None stays None."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise TypeError('not a number: %r' % v)
    if isinstance(v, int):
        return fractions.Fraction(v)
    num, _, den = v.partition('/')
    return fractions.Fraction(_int(num), _int(den) if den else 1)


def fractions_of(v):
    """Nested lists of response numbers as nested lists of Fractions."""
    if isinstance(v, list):
        return [fractions_of(e) for e in v]
    return fraction(v)


def matrix_of(v):
    """A response matrix -- rows, or the sparse form {"rows", "cols",
    "entries"} -- as a list of rows of Fractions."""
    if isinstance(v, dict) and 'entries' in v:
        zero = fractions.Fraction(0)
        rows = [[zero] * v['cols'] for _ in range(v['rows'])]
        for i, j, x in v['entries']:
            rows[i][j] = fraction(x)
        return rows
    return fractions_of(v)
