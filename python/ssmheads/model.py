"""Models: exact linear state-space models (A, B, C, D), as the library
reads them (SPEC 3.1), and the import of trained weights.

A Model holds the canonical ssmheads-model/1 JSON the library produced from
what it was given, so every method sends the library exactly the model it
validated, and ``m.to_json()`` is what ``ssmheads`` would write.
"""
import copy
import json
import os
import struct
import sys
import tempfile

from . import _native, exact, results
from .errors import InvalidInput, UsageError

__all__ = ['Model', 'import_weights', 'import_tensors']

_CONVENTIONS = ('direct', 'delayed')


def _req(command, **members):
    return dict({'command': command}, **{k: v for k, v in members.items() if v is not None})


def _index(v, what):
    if v is None:
        return None
    if isinstance(v, bool):
        raise UsageError('%s expects an integer, not a boolean' % what, path='$.' + what)
    try:
        return v.__index__()
    except AttributeError:
        raise UsageError('%s expects an integer' % what, path='$.' + what) from None


def _flag(v, what):
    if not isinstance(v, bool):
        raise UsageError('%s expects True or False' % what, path='$.' + what)
    return v


def _eps(eps):
    """eps as the library reads it exactly; a float is its binary value."""
    return None if eps is None else exact.number(eps, '$.eps')


class Model:
    """An exact linear state-space model (SPEC 1.2).

    ``Model(A, B, C, D=None, convention="direct")`` takes numpy arrays (any
    float or integer dtype), torch tensors (bfloat16 too) or nested lists of
    int / Fraction / str / float; every float is read as the exact dyadic
    rational its bits are (ssmheads.exact).  Diagonal and complex-diagonal
    state matrices: ``Model.diag`` and ``Model.complex_diag``.  The library
    checks shapes and numbers; a bad model raises InvalidInput with the JSON
    path of the offending value.

    Keyword arguments: ``length`` (the model's default sequence length n),
    ``name``, ``source`` (labels kept in the file), and the limits
    (``max_dim``, ``max_digits``, ...) for reading it.
    """

    __slots__ = ('_json', '_text', '_info', '_label')

    def __init__(self, A, B, C, D=None, convention='direct', *, length=None, name=None,
                 source=None, **limits):
        self._build(lambda: {'A': exact.matrix_json(A, '$.A')}, B, C, D, convention, length, name,
                    source, limits, complex_bc=False)

    # ---- constructors ------------------------------------------------------

    @classmethod
    def diag(cls, lam, B, C, D=None, convention='direct', *, length=None, name=None,
             source=None, **limits):
        """A = diag(lam) with real lam (a vector of N numbers)."""
        m = cls.__new__(cls)
        m._build(lambda: {'A': {'diag': exact.vector_json(lam, '$.A.diag')}}, B, C, D, convention,
                 length, name, source, limits, complex_bc=False)
        return m

    @classmethod
    def complex_diag(cls, lam, B, C, D=None, output='2re', convention='direct', *,
                     length=None, name=None, source=None, **limits):
        """A = diag(lam) with complex lam, complex B (N x d) and C (p x N), real D:
        y = 2 Re(C h) + D x for output="2re" (conjugate pairs halved, as S4D,
        S5 and LRU store them) or Re(C h) + D x for output="re".  Complex
        values as numpy/torch complex arrays, Python complex numbers, or dicts
        {"re": ..., "im": ...} of real ones."""
        if output not in ('2re', 're'):
            raise UsageError('output must be "2re" or "re"', path='$.output')
        m = cls.__new__(cls)
        m._build(lambda: {'A': {'complex_diag': exact.complex_json(lam, '$.A.complex_diag')},
                          'output': output}, B, C, D, convention, length, name, source, limits,
                 complex_bc=True)
        return m

    @classmethod
    def from_json(cls, obj, *, file='model', **limits):
        """A model from an ssmheads-model/1 object (a dict) or its JSON text."""
        if isinstance(obj, (str, bytes)):
            try:
                obj = json.loads(obj)
            except ValueError as e:
                raise InvalidInput('not JSON: %s' % e, file=file) from None
        return cls._from_request(_req('model', model=obj, model_file=file), file, limits)

    from_dict = from_json

    @classmethod
    def load(cls, path, **limits):
        """Read an ssmheads-model/1 file."""
        path = os.fspath(path)
        return cls._from_request(_req('model', model=path), path, limits)

    @classmethod
    def _from_request(cls, req, label, limits):
        resp = _native.call(req, limits)
        return cls._from_response(resp, label)

    @classmethod
    def _from_response(cls, resp, label='model'):
        m = cls.__new__(cls)
        m._set(resp['model'], resp['result'], label)
        return m

    def _build(self, obj, B, C, D, convention, length, name, source, limits, complex_bc):
        try:
            self._build_checked(obj, B, C, D, convention, length, name, source, limits,
                                complex_bc)
        except InvalidInput as e:   # refused before the library saw it: name it as it would
            e.file = e.file or 'model'
            raise

    def _build_checked(self, obj, B, C, D, convention, length, name, source, limits,
                       complex_bc):
        if convention not in _CONVENTIONS:
            raise UsageError('convention must be "direct" or "delayed"', path='$.convention')
        obj = dict({'format': 'ssmheads-model/1', 'convention': convention}, **obj())
        if complex_bc:
            obj['B'] = exact.complex_json(B, '$.B')
            obj['C'] = exact.complex_json(C, '$.C')
        else:
            obj['B'] = exact.matrix_json(B, '$.B')
            obj['C'] = exact.matrix_json(C, '$.C')
        if D is not None:
            obj['D'] = exact.matrix_json(D, '$.D')
        if length is not None:
            obj['length'] = _index(length, 'length')
        for k, v in (('name', name), ('source', source)):
            if v is not None:
                if not isinstance(v, str):
                    raise UsageError('%s expects a string' % k, path='$.' + k)
                obj[k] = v
        resp = _native.call(_req('model', model=obj), limits)
        self._set(resp['model'], resp['result'], 'model')

    def _set(self, obj, info, label):
        self._json = obj
        self._text = json.dumps(obj, separators=(',', ':'))
        self._info = info
        self._label = label

    # ---- the file ----------------------------------------------------------

    def to_json(self, indent=None):
        """The canonical ssmheads-model/1 text (what ``ssmheads`` writes)."""
        if indent is None:
            return self._text
        return json.dumps(self._json, indent=indent)

    def to_dict(self):
        """The canonical ssmheads-model/1 object (a copy)."""
        return copy.deepcopy(self._json)

    def save(self, path):
        """Write the model to path atomically (by the library: a temporary
        file, then rename)."""
        self._call('write_model', {'path': os.fspath(path)}, {})

    def with_length(self, n):
        """The same model with a default sequence length n (None: none)."""
        obj = self.to_dict()
        obj.pop('length', None)
        if n is not None:
            obj['length'] = _index(n, 'length')
        return Model._from_request(_req('model', model=obj, model_file=self._label),
                                   self._label, {})

    # ---- what it is -------------------------------------------------------

    N = property(lambda self: self._info['N'], doc='state dimension')
    d = property(lambda self: self._info['d'], doc='input dimension')
    p = property(lambda self: self._info['p'], doc='output dimension')
    state_dim, input_dim, output_dim = N, d, p
    convention = property(lambda self: self._info['convention'])
    structure = property(lambda self: self._info['structure'],
                         doc='"dense", "diag" or "complex_diag"')
    output = property(lambda self: self._info['output'], doc='"real", "2re" or "re"')
    has_D = property(lambda self: self._info['has_D'])
    length = property(lambda self: self._info['length'], doc='the default n, or None')
    name = property(lambda self: self._json.get('name'))
    source = property(lambda self: self._json.get('source'))

    @property
    def lam(self):
        """The eigenvalues of a structured A: Fractions (diag), (re, im) pairs
        of Fractions (complex_diag); None for a dense A."""
        a = self._json['A']
        if isinstance(a, dict) and 'diag' in a:
            return exact.fractions_of(a['diag'])
        if isinstance(a, dict) and 'complex_diag' in a:
            c = a['complex_diag']
            return list(zip(exact.fractions_of(c['re']), exact.fractions_of(c['im'])))
        return None

    @property
    def A(self):
        """A as rows of Fractions (diag: the diagonal matrix); None when A is
        complex-diagonal (see ``lam``)."""
        a = self._json['A']
        if isinstance(a, dict) and 'diag' in a:
            lam = exact.fractions_of(a['diag'])
            z = exact.fraction(0)
            return [[lam[i] if i == j else z for j in range(len(lam))] for i in range(len(lam))]
        if isinstance(a, dict) and 'complex_diag' in a:
            return None
        return exact.matrix_of(a)

    def _bc(self, key):
        v = self._json[key]
        if isinstance(v, dict) and 're' in v:
            return exact.matrix_of(v['re']), exact.matrix_of(v['im'])
        return exact.matrix_of(v)

    B = property(lambda self: self._bc('B'), doc='rows of Fractions; (re, im) when complex')
    C = property(lambda self: self._bc('C'), doc='rows of Fractions; (re, im) when complex')

    @property
    def D(self):
        """D as rows of Fractions (zero when the model has none)."""
        if 'D' in self._json:
            return exact.matrix_of(self._json['D'])
        z = exact.fraction(0)
        return [[z] * self.d for _ in range(self.p)]

    def __eq__(self, other):
        return isinstance(other, Model) and self._json == other._json

    def __hash__(self):
        return hash(self._text)

    def __getstate__(self):
        return {'json': self._json, 'info': self._info, 'label': self._label}

    def __setstate__(self, st):
        self._set(st['json'], st['info'], st['label'])

    def __repr__(self):
        return 'Model(N=%d, d=%d, p=%d, %s, %s%s%s)' % (
            self.N, self.d, self.p, self.structure, self.convention,
            '' if self.output == 'real' else ', output=%s' % self.output,
            '' if self.length is None else ', length=%d' % self.length)

    def _repr_html_(self):
        rows = [('state dimension N', self.N), ('input dimension d', self.d),
                ('output dimension p', self.p), ('A', self.structure),
                ('convention', self.convention)]
        if self.output != 'real':
            rows.append(('output', self.output))
        if self.length is not None:
            rows.append(('length', self.length))
        if self.name:
            rows.append(('name', self.name))
        return results.html_table('ssmheads model', rows)

    # ---- questions --------------------------------------------------------

    def _call(self, command, members, limits, rename=None):
        req = json.dumps(dict({'command': command, 'model_file': self._label},
                              **{k: v for k, v in members.items() if v is not None}),
                         separators=(',', ':'))
        # the model's canonical text goes in as it is, not re-encoded
        return _native.call('{"model":' + self._text + ',' + req[1:], limits, rename)

    def heads(self, n=None, *, budget=None, certificate=False, **limits):
        """The exact head count k(n) (SPEC 1.3): ``ssmheads heads --json``.
        n defaults to the model's length, else k_inf is reported.  budget H:
        also decide whether H heads suffice (``r.representable``)."""
        resp = self._call('heads', {'n': _index(n, 'n'), 'budget': _index(budget, 'budget'),
                                    'certificate': _flag(certificate, 'certificate')}, limits)
        return results.HeadsResult(resp, self)

    def construct(self, n=None, **limits):
        """The k(n)-head attention representation (value maps, kernels and the
        recurrence continuing them): ``ssmheads construct --json``."""
        return results.Construction(self._call('construct', {'n': _index(n, 'n')}, limits), self)

    def gradient(self, eps=None, *, n=None, lags=None, certificate=False, attention=None,
                 plot=True, **limits):
        """Certified gradient attenuation (SPEC 1.4): ``ssmheads gradient
        --json``.  eps: the horizon's threshold, exact (a float is its binary
        value: 0.01 is not 1/100; pass "1/100" or Fraction(1, 100) for that).
        attention: an Attention whose highways are set beside.  plot: the SVG
        of ``--plot`` (r.svg, shown in notebooks)."""
        members = {'eps': _eps(eps), 'n': _index(n, 'n'), 'lags': _index(lags, 'lags'),
                   'certificate': _flag(certificate, 'certificate'), 'plot': _flag(plot, 'plot')}
        if attention is not None:
            members['attention'] = attention._json
            members['attention_file'] = attention._label
        return results.GradientResult(self._call('gradient', members, limits), self)

    def minimal(self, **limits):
        """Exact reachable/observable ranks, McMillan degree and a minimal
        realization (``r.model``): ``ssmheads minimal --json``."""
        return results.MinimalResult(self._call('minimal', {}, limits), self)

    def approx(self, n=None, eps=None, *, relative=False, curve=False, plot=None,
               method='auto', certificate=False, **limits):
        """The certified least H within eps (SPEC 1.6): ``ssmheads approx
        --json``.  eps is exact (a float is its binary value); relative: eps
        relative to ||T||_F; curve: the enclosures of E(h)^2 for h = 0..k;
        plot (default: curve): the SVG of ``--plot``; method: "auto", "exact"
        or "enclosure"."""
        if eps is None:
            raise UsageError('approx needs eps', path='$.eps')
        if plot is None:
            plot = curve
        if method not in ('auto', 'exact', 'enclosure'):
            raise UsageError('method must be "auto", "exact" or "enclosure"', path='$.method')
        members = {'n': _index(n, 'n'), 'eps': _eps(eps),
                   'relative': _flag(relative, 'relative'), 'curve': _flag(curve, 'curve'),
                   'plot': _flag(plot, 'plot'), 'method': method,
                   'certificate': _flag(certificate, 'certificate')}
        return results.ApproxResult(self._call('approx', members, limits), self)

    def lags(self, count, **limits):
        """The exact lag operators K_0 .. K_{count-1} (SPEC 1.2), each as rows
        of Fractions."""
        resp = self._call('lags', {'count': _index(count, 'count')}, limits)
        return [exact.matrix_of(k) for k in resp['result']['lags']]

    def represent(self, attention, n=None, *, certificate=False, **limits):
        """Can this attention layer represent the model on length n?  Same as
        ``attention.represent(model, n)``."""
        return attention.represent(self, n, certificate=certificate, **limits)


def _import_options(layout, prefix, discretization, output, precision, headdim):
    return {'layout': layout, 'prefix': prefix, 'discretization': discretization,
            'output': output, 'precision': _index(precision, 'precision'),
            'headdim': _index(headdim, 'headdim')}


def _imported(resp, label):
    if 'attention' in resp:
        from .attention import Attention
        return Attention._from_response(resp, label)
    return Model._from_response(resp, label)


def import_weights(path, layout='dense', *, prefix='', discretization=None, output=None,
                   precision=None, headdim=None, **limits):
    """Trained weights -> an exact Model (or an Attention for
    layout="attention"), by the library's import code, as ``ssmheads
    import``: a directory of .npy files, a .npz or a .safetensors file;
    layouts dense, diag, s4d, s5, lru, mamba2, attention (doc/weights.md);
    discretization "zoh" or "bilinear" (s4d, s5), output "2re" or "re" (s5),
    precision in bits of the rounded exp/ZOH (53), headdim (mamba2)."""
    path = os.fspath(path)
    req = dict({'command': 'import', 'weights': path},
               **{k: v for k, v in _import_options(layout, prefix, discretization, output,
                                                   precision, headdim).items() if v is not None})
    return _imported(_native.call(req, limits), path)


# ---- tensors held in memory: the same import, through a .safetensors image --

def _tensor_bytes(name, x):
    """(safetensors dtype, shape, little-endian bytes) of one tensor: its own
    bits, untouched (the library decodes them exactly)."""
    np, torch = sys.modules.get('numpy'), sys.modules.get('torch')
    if torch is not None and isinstance(x, torch.Tensor):
        t = x.detach().cpu().contiguous()
        if t.is_complex():
            raise InvalidInput('a complex tensor: the layouts take real and imaginary parts '
                               'as separate tensors (or a trailing dimension of 2)', path=name)
        codes = {torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16',
                 torch.bfloat16: 'BF16', torch.int64: 'I64', torch.int32: 'I32',
                 torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8'}
        if t.dtype not in codes:
            raise InvalidInput('tensor dtype %s is not supported' % t.dtype, path=name)
        view = {2: torch.int16, 4: torch.int32, 8: torch.int64}
        raw = t.view(view[t.element_size()]) if t.element_size() in view else t
        data = raw.numpy().astype(raw.numpy().dtype.newbyteorder('<')).tobytes() if np else \
            _pack_ints(raw.reshape(-1).tolist(), t.element_size())
        return codes[t.dtype], list(t.shape), data
    if np is not None and isinstance(x, (np.ndarray, np.generic)):
        a = np.asarray(x)
        codes = {'f8': 'F64', 'f4': 'F32', 'f2': 'F16', 'i8': 'I64', 'i4': 'I32', 'i2': 'I16',
                 'i1': 'I8', 'u8': 'U64', 'u4': 'U32', 'u2': 'U16', 'u1': 'U8'}
        code = codes.get('%s%d' % (a.dtype.kind, a.dtype.itemsize))
        if code is None:
            raise InvalidInput('array dtype %s is not supported' % a.dtype, path=name)
        a = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder('<'))
        return code, list(a.shape), a.tobytes()
    # nested lists of Python numbers: floats as F64 (exact), ints as I64
    shape, flat = _list_shape(x, name)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in flat):
        return 'I64', shape, struct.pack('<%dq' % len(flat), *flat)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat):
        return 'F64', shape, struct.pack('<%dd' % len(flat), *[float(v) for v in flat])
    raise InvalidInput('tensors in lists must hold Python ints or floats (exact rationals: '
                       'build the Model directly)', path=name)


def _pack_ints(vals, size):
    return struct.pack('<%d%s' % (len(vals), {1: 'b', 2: 'h', 4: 'i', 8: 'q'}[size]), *vals)


def _list_shape(x, name):
    if not isinstance(x, (list, tuple)):
        return [], [x]
    subs = [_list_shape(v, name) for v in x]
    if any(s[0] != subs[0][0] for s in subs):
        raise InvalidInput('ragged nested lists', path=name)
    return [len(x)] + (subs[0][0] if subs else []), [v for s in subs for v in s[1]]


def _safetensors(tensors):
    header, blobs, off = {}, [], 0
    for name, x in tensors.items():
        if not isinstance(name, str):
            raise UsageError('tensor names must be strings, got %r' % (name,))
        code, shape, data = _tensor_bytes(name, x)
        header[name] = {'dtype': code, 'shape': shape, 'data_offsets': [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    return struct.pack('<Q', len(h)) + h + b''.join(blobs)


def import_tensors(tensors, layout='dense', *, prefix='', discretization=None, output=None,
                   precision=None, headdim=None, **limits):
    """Tensors held in memory (a mapping of names to numpy arrays, torch
    tensors -- bfloat16 too -- or nested lists of Python numbers) -> an exact
    Model (or Attention), by the same library import code as import_weights
    and ``ssmheads import``: the tensors' own bits go to the library in a
    temporary .safetensors image, which decodes them exactly.  Errors name
    the tensors' file as "<tensors>"."""
    fd, path = tempfile.mkstemp(prefix='ssmheads-', suffix='.safetensors')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(_safetensors(dict(tensors)))
        req = dict({'command': 'import', 'weights': path},
                   **{k: v for k, v in _import_options(layout, prefix, discretization, output,
                                                       precision, headdim).items()
                      if v is not None})
        resp = _native.call(req, limits, rename={path: '<tensors>'})
        obj = resp.get('model')
        if obj is not None and isinstance(obj.get('source'), str):
            obj['source'] = obj['source'].replace(path, '<tensors>')
            resp = _native.call(_req('model', model=obj, model_file='<tensors>'), {})
        return _imported(resp, '<tensors>')
    finally:
        os.unlink(path)
