"""Models: exact linear state-space models (A, B, C, D), as the library
reads them (SPEC 3.1).  (Trained weights: ssmheads.weights.)

A Model holds the canonical ssmheads-model/1 JSON the library produced from
what it was given, so every method sends the library exactly the model it
validated, and ``m.to_json()`` is what ``ssmheads`` would write.
"""
import copy
import json
import os

from . import _native, exact, results
from .errors import InvalidInput, UsageError

__all__ = ['Model']

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

    __slots__ = ('_json', '_text', '_info', '_label', '_notes')

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
        m._set(resp['model'], resp['result'], label, resp.get('notes', ()))
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

    def _set(self, obj, info, label, notes=()):
        self._notes = tuple(notes)
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
        m = Model._from_request(_req('model', model=obj, model_file=self._label),
                                self._label, {})
        m._notes = self._notes
        return m

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
    source = property(lambda self: self._json.get('source'),
                      doc='where the model came from (an import names its checkpoint, layout, '
                          'prefix and every setting, given or default)')
    notes = property(lambda self: self._notes,
                     doc="the import's notes (tensors under the prefix the kernel does not "
                         "use, a missing D): a tuple of strings, empty for other models")

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
        return {'json': self._json, 'info': self._info, 'label': self._label,
                'notes': self._notes}

    def __setstate__(self, st):
        self._set(st['json'], st['info'], st['label'], st.get('notes', ()))

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

    def heads(self, n=None, *, budget=None, certificate=False, profile=None, **limits):
        """The exact head count k(n) (SPEC 1.3): ``ssmheads heads --json``.
        n defaults to the model's length, else k_inf is reported.  budget H:
        also decide whether H heads suffice (``r.representable``).
        profile: True always computes n* and the profile (``--profile``);
        False asks for k_inf only, proven from independent modes where the
        model is diagonal (``--no-profile``); None (default) does the latter
        only for layers whose lag witness would cost far more.  Without the
        profile, ``r.n_star`` and ``r.profile`` are None and
        ``r.n_star_range`` bounds n*."""
        resp = self._call('heads', {'n': _index(n, 'n'), 'budget': _index(budget, 'budget'),
                                    'certificate': _flag(certificate, 'certificate'),
                                    'profile': None if profile is None
                                    else _flag(profile, 'profile')}, limits)
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
        plot (default: curve): the SVG of ``--plot``; method: "auto", "exact",
        "enclosure" or "modes" (wide diagonal layers, doc/approx.md)."""
        if eps is None:
            raise UsageError('approx needs eps', path='$.eps')
        if plot is None:
            plot = curve
        if method not in ('auto', 'exact', 'enclosure', 'modes'):
            raise UsageError('method must be "auto", "exact", "enclosure" or "modes"', path='$.method')
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
