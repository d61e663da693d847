"""Factorized attention layers (SPEC 1.3, 3.3): their value maps, the
dimension of their span, and whether they represent a model."""
import copy
import json
import os
import tempfile

from . import _native, exact, results
from .errors import UsageError

__all__ = ['Attention']


class Attention:
    """A factorized attention layer given by its value maps.

    ``Attention(values=[V1, V2, ...])`` (each p x d), or
    ``Attention(projections=[(W_V, W_O), ...])`` (V_h = W_O W_V, W_V d_h x d,
    W_O p x d_h); numbers as for Model (floats read exactly).  The library
    reads the layer strictly: a bad one raises InvalidInput with the JSON
    path.
    """

    __slots__ = ('_json', '_text', '_info', '_label')

    def __init__(self, values=None, *, projections=None, **limits):
        if (values is None) == (projections is None):
            raise UsageError('give the heads as values=[...] or as projections=[(W_V, W_O), ...]')
        if values is not None:
            heads = [{'value': exact.matrix_json(v, '$.heads[%d].value' % h)}
                     for h, v in enumerate(values)]
        else:
            heads = []
            for h, pr in enumerate(projections):
                if not isinstance(pr, (tuple, list)) or len(pr) != 2:
                    raise UsageError('each projection is a pair (W_V, W_O)',
                                     path='$.heads[%d]' % h)
                heads.append({'W_V': exact.matrix_json(pr[0], '$.heads[%d].W_V' % h),
                              'W_O': exact.matrix_json(pr[1], '$.heads[%d].W_O' % h)})
        obj = {'format': 'ssmheads-attention/1', 'heads': heads}
        resp = _native.call({'command': 'attention', 'attention': obj}, limits)
        self._set(resp['attention'], resp['result'], 'attention')

    @classmethod
    def load(cls, path, **limits):
        """Read an ssmheads-attention/1 file."""
        path = os.fspath(path)
        return cls._from_response(_native.call({'command': 'attention', 'attention': path},
                                               limits), path)

    @classmethod
    def from_json(cls, obj, *, file='attention', **limits):
        """A layer from an ssmheads-attention/1 object (a dict) or its JSON text."""
        if isinstance(obj, (str, bytes)):
            obj = json.loads(obj)
        return cls._from_response(_native.call({'command': 'attention', 'attention': obj,
                                                'attention_file': file}, limits), file)

    from_dict = from_json

    @classmethod
    def _from_response(cls, resp, label):
        a = cls.__new__(cls)
        a._set(resp['attention'], resp['result'], label)
        return a

    def _set(self, obj, info, label):
        self._json, self._info, self._label = obj, info, label
        self._text = json.dumps(obj, separators=(',', ':'))

    H = property(lambda self: self._info['H'], doc='number of heads')
    p = property(lambda self: self._info['p'])
    d = property(lambda self: self._info['d'])

    @property
    def heads(self):
        """Per head, as given: {"value": V} or {"W_V": .., "W_O": ..}, rows of
        Fractions."""
        return [{k: exact.matrix_of(v) for k, v in h.items()} for h in self._json['heads']]

    def to_json(self, indent=None):
        return self._text if indent is None else json.dumps(self._json, indent=indent)

    def to_dict(self):
        return copy.deepcopy(self._json)

    def save(self, path):
        """Write the layer (canonical JSON) to path atomically."""
        path = os.fspath(path)
        d = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=d, prefix=os.path.basename(path) + '.tmp.')
        try:
            with os.fdopen(fd, 'w') as f:
                f.write(self._text + '\n')
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def span(self, **limits):
        """The exact dimension of span{V_h}: ``ssmheads span --json``."""
        resp = _native.call('{"attention":' + self._text + ',' + json.dumps(
            {'command': 'span', 'attention_file': self._label}, separators=(',', ':'))[1:],
            limits)
        return results.SpanResult(resp)

    def represent(self, model, n=None, *, certificate=False, **limits):
        """Can this layer represent the model on length n (default: the
        model's length)?  ``ssmheads represent --json``; the result is truthy
        exactly when it can."""
        from .model import _flag, _index
        members = {'command': 'represent', 'attention_file': self._label,
                   'model_file': model._label, 'certificate': _flag(certificate, 'certificate')}
        if n is not None:
            members['n'] = _index(n, 'n')
        req = '{"attention":%s,"model":%s,%s' % (self._text, model._text, json.dumps(
            members, separators=(',', ':'))[1:])
        return results.RepresentResult(_native.call(req, limits), model)

    def __eq__(self, other):
        return isinstance(other, Attention) and self._json == other._json

    def __hash__(self):
        return hash(self._text)

    def __repr__(self):
        return 'Attention(H=%d, p=%d, d=%d)' % (self.H, self.p, self.d)

    def _repr_html_(self):
        return results.html_table('ssmheads attention layer',
                                  [('heads H', self.H), ('value maps', '%d x %d' % (self.p,
                                                                                    self.d))])
