"""Tensors on their way to the library: a state_dict (or any mapping of names
to torch tensors, numpy arrays or nested lists of Python numbers) as the
"tensors" member of an entry-point request (ssmheads/api.h):

    {name: {"dtype": "BF16", "shape": [3, 4], "data": <base64 of the raw bytes>}}

The bytes are the tensor's own bits, little-endian and in C order, untouched:
the library decodes them exactly (lib/weights), by the same code that reads a
.safetensors file of them -- bfloat16, float16, complex64/complex128, integers
and bool included.  Nothing here converts a number.  A tensor may also be sent
by dtype and shape only (``data=False``): enough for the recognizer, which
decodes nothing, so a whole model's state_dict is recognized without copying
its weights; a dtype the library cannot read (float8, quantized, strings) is
sent that way under its own name, listed and refused only if a layout needs it.
"""
import base64
import struct
import sys

from .errors import InvalidInput, UsageError

__all__ = ['flatten', 'payload', 'state_dict_of', 'is_tensor']

# torch dtype name -> the library's dtype name (safetensors names, or the
# numpy descr where safetensors has none: complex128)
_TORCH = {'float64': 'F64', 'float32': 'F32', 'float16': 'F16', 'bfloat16': 'BF16',
          'int64': 'I64', 'int32': 'I32', 'int16': 'I16', 'int8': 'I8', 'uint8': 'U8',
          'bool': 'BOOL', 'complex64': 'C64', 'complex128': '<c16'}
# numpy kind + itemsize -> the same
_NUMPY = {'f8': 'F64', 'f4': 'F32', 'f2': 'F16', 'i8': 'I64', 'i4': 'I32', 'i2': 'I16',
          'i1': 'I8', 'u8': 'U64', 'u4': 'U32', 'u2': 'U16', 'u1': 'U8', 'b1': 'BOOL',
          'c8': 'C64', 'c16': '<c16'}


def is_tensor(x):
    np, torch = sys.modules.get('numpy'), sys.modules.get('torch')
    return (torch is not None and isinstance(x, torch.Tensor)) or (
        np is not None and isinstance(x, (np.ndarray, np.generic)))


def flatten(tree, prefix=''):
    """A mapping of names to tensors from a state_dict, or from a nested
    mapping (a Flax parameter tree: {"encoder": {"layers_0": {...}}} ->
    "encoder.layers_0...."), in order."""
    out = {}
    for k, v in tree.items():
        if not isinstance(k, str):
            raise UsageError('tensor names must be strings, got %r' % (k,))
        name = prefix + k
        if hasattr(v, 'items') and not is_tensor(v):
            out.update(flatten(v, name + '.'))
        else:
            out[name] = v
    return out


def state_dict_of(module):
    """The tensors of a torch module (its state_dict: parameters and
    persistent buffers, exactly as torch.save would store them)."""
    return dict(module.state_dict())


def _torch_entry(name, t, data):
    torch = sys.modules['torch']
    dtype = str(t.dtype).replace('torch.', '')
    code = _TORCH.get(dtype)
    entry = {'dtype': code or 'torch.' + dtype, 'shape': list(t.shape)}
    if not data or code is None:
        return entry
    t = t.detach()
    if t.device.type != 'cpu':
        t = t.cpu()
    for lazy in ('resolve_conj', 'resolve_neg'):   # the values, not a lazy view of them
        if hasattr(t, lazy):
            t = getattr(t, lazy)()
    t = t.contiguous()
    if t.is_complex():
        t = torch.view_as_real(t)
    size = t.element_size()
    np = sys.modules.get('numpy')
    if np is not None:
        raw = t.view({1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[size]) \
            if size in (2, 4, 8) and dtype != 'bool' else t
        a = raw.numpy()
        raw_bytes = a.astype(a.dtype.newbyteorder('<'), copy=False).tobytes()
    else:   # torch without numpy: the integer views, packed little-endian
        if dtype == 'bool' or size == 1:
            vals = t.to(torch.uint8 if dtype in ('bool', 'uint8') else torch.int8).reshape(-1)
            raw_bytes = struct.pack('<%d%s' % (vals.numel(), 'B' if dtype in ('bool', 'uint8')
                                               else 'b'), *vals.tolist())
        else:
            ints = t.view({2: torch.int16, 4: torch.int32, 8: torch.int64}[size]).reshape(-1)
            raw_bytes = struct.pack('<%d%s' % (ints.numel(), {2: 'h', 4: 'i', 8: 'q'}[size]),
                                    *ints.tolist())
    entry['data'] = base64.b64encode(raw_bytes).decode('ascii')
    return entry


def _numpy_entry(name, a, data):
    np = sys.modules['numpy']
    a = np.asarray(a)
    if str(a.dtype) == 'bfloat16':   # ml_dtypes' (JAX's) bfloat16: its 16 bits
        code, a = 'BF16', a.view(np.uint16)
    else:
        code = _NUMPY.get('%s%d' % (a.dtype.kind, a.dtype.itemsize))
    entry = {'dtype': code or 'numpy.' + str(a.dtype), 'shape': list(a.shape)}
    if data and code is not None:
        a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('<'))
        entry['data'] = base64.b64encode(a.tobytes()).decode('ascii')
    return entry


def _list_shape(x, name):
    if not isinstance(x, (list, tuple)):
        return [], [x]
    subs = [_list_shape(v, name) for v in x]
    if any(s[0] != subs[0][0] for s in subs):
        raise InvalidInput('ragged nested lists', path=name)
    return [len(x)] + (subs[0][0] if subs else []), [v for s in subs for v in s[1]]


def _list_entry(name, x, data):
    shape, flat = _list_shape(x, name)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in flat):
        code, fmt = 'I64', 'q'
    elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat):
        code, fmt, flat = 'F64', 'd', [float(v) for v in flat]
    else:
        raise InvalidInput('tensors in lists must hold Python ints or floats (exact rationals: '
                           'build the Model directly)', path=name)
    entry = {'dtype': code, 'shape': shape}
    if data:
        try:
            raw = struct.pack('<%d%s' % (len(flat), fmt), *flat)
        except struct.error:
            raise InvalidInput('an integer beyond 64 bits in a tensor (exact rationals: build '
                               'the Model directly)', path=name) from None
        entry['data'] = base64.b64encode(raw).decode('ascii')
    return entry


def entry(name, x, data=True):
    """One tensor as the request's {"dtype", "shape", "data"} (no "data" when
    data is False or the dtype is one the library cannot read)."""
    torch, np = sys.modules.get('torch'), sys.modules.get('numpy')
    if torch is not None and isinstance(x, torch.Tensor):
        return _torch_entry(name, x, data)
    if np is not None and (isinstance(x, (np.ndarray, np.generic)) or (
            hasattr(x, '__array__') and not isinstance(x, (list, tuple)))):
        return _numpy_entry(name, x, data)   # numpy, and arrays that convert (JAX's)
    return _list_entry(name, x, data)


def payload(tensors, data=True):
    """The "tensors" member of a request.  data: True (every tensor's bytes),
    False (dtype and shape only), or a predicate on the name."""
    out = {}
    for name, x in tensors.items():
        if not isinstance(name, str):
            raise UsageError('tensor names must be strings, got %r' % (name,))
        out[name] = entry(name, x, data(name) if callable(data) else data)
    return out
