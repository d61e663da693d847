"""Trained weights -> exact models, by the library's import code (the layouts
of ``ssmheads import``, doc/weights.md), from a checkpoint file, from tensors
in memory, or straight from a PyTorch module; and the library's recognizer
(``ssmheads inspect``) over any of them.

    m = ssmheads.from_module(s4d_layer)              # an S4D / S5 / LRU / Mamba-2 module
    m = ssmheads.from_module(net, prefix="layers.3") # one of a model's modules
    ssmheads.inspect(net)                            # every SSM module the recognizer finds
    m = ssmheads.import_weights("w.npz", layout="s5", conj_sym=False)
    m = ssmheads.import_tensors(net.state_dict(), layout="s4d", prefix="layers.0.")

Nothing is recognized, converted or discretized here: the tensors go to the
library bit for bit (ssmheads.tensors), which recognizes the modules
(ssmh_weights_recognize), decodes the numbers exactly and discretizes them
(lib/weights) -- the same code, the same model, as ``ssmheads import`` on a
file of the same state_dict.

Layout options are keyword arguments named as the CLI's options with
underscores (``dt_transform="softplus"`` is ``--dt-transform softplus``):
discretization, output, conj_sym, precision, headdim, ngroups, dt_transform,
real_transform, imag_transform, dt_fast, swap_channels, bandlimit, clip_eigs,
step_rescale, dt_limit.  Numbers are exact (a float is its binary value);
flags are bools; dt_limit is a pair (lo, hi), hi may be float("inf").
"""
import math
import os
import sys
import warnings

from . import _native, exact, results, tensors as _tensors
from .errors import InvalidInput, UsageError

__all__ = ['import_weights', 'import_tensors', 'from_module', 'inspect', 'Inspection',
           'ImportNote', 'LAYOUT_OPTIONS', 'MODEL_LAYOUTS']

LAYOUT_OPTIONS = ('discretization', 'output', 'conj_sym', 'precision', 'headdim', 'ngroups',
                  'dt_transform', 'real_transform', 'imag_transform', 'dt_fast', 'swap_channels',
                  'bandlimit', 'clip_eigs', 'step_rescale', 'dt_limit')
MODEL_LAYOUTS = ('s4d', 's5', 'lru', 'mamba2', 'dense', 'diag')
_SLICE = ('B', 'C', 'dt')


class ImportNote(UserWarning):
    """An import's note (``Model.notes``): tensors under the module's prefix
    that the SSM kernel does not use, a missing D the reference module
    normally has."""


# ---- options ---------------------------------------------------------------

def _cli(name):
    return name.replace('_', '-')


def _option_value(name, v):
    """A layout option as the request takes it (ssmh_import_opts_set reads
    strings, integers and booleans): numbers exactly, flags as booleans."""
    path = '$.' + _cli(name)
    if name == 'dt_limit' and isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise UsageError('dt_limit expects a pair (lo, hi)', path=path)
        return ','.join('inf' if isinstance(x, float) and math.isinf(x) and x > 0
                        else exact.number(x, path) for x in v)
    np = sys.modules.get('numpy')
    if isinstance(v, bool) or (np is not None and isinstance(v, np.bool_)):
        return bool(v)
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return v
    if name in ('precision', 'headdim', 'ngroups'):
        try:
            return v.__index__()
        except AttributeError:
            raise UsageError('%s expects an integer' % name, path=path) from None
    return exact.number(v, path)


def split_options(kwargs):
    """(layout options by their CLI names, limits) from keyword arguments."""
    options, limits = {}, {}
    for k, v in kwargs.items():
        if k in LAYOUT_OPTIONS:
            if v is not None:
                options[_cli(k)] = _option_value(k, v)
        elif k in _native.LIMIT_KEYS:
            limits[k] = v
        else:
            raise TypeError('unknown keyword argument %r (layout options: %s; limits: %s)' % (
                k, ', '.join(LAYOUT_OPTIONS), ', '.join(_native.LIMIT_KEYS)))
    return options, limits


def _prefix(p):
    """The prefix as the library normalizes it: a missing trailing dot added."""
    if p is None:
        return None
    if not isinstance(p, str):
        raise UsageError('prefix expects a string', path='$.prefix')
    return p + '.' if p and not p.endswith(('.', '/')) else p


# ---- importing -------------------------------------------------------------

def _emit(notes, label, warn, stacklevel=4):
    """The notes as ImportNote warnings, attributed to the caller's line
    (stacklevel: frames from here to the user's call)."""
    if warn:
        for n in notes:
            warnings.warn('%s: %s' % (label, n), ImportNote, stacklevel=stacklevel)


def _model_of(resp, label, warn):
    if 'attention' in resp:
        from .attention import Attention
        return Attention._from_response(resp, label)
    from .model import Model
    m = Model._from_response(resp, label)
    _emit(m.notes, label, warn)
    return m


def _import_call(members, layout, prefix, options, limits):
    req = dict({'command': 'import', 'layout': layout, 'prefix': prefix or ''}, **members)
    req.update(options)
    return _native.call(req, limits)


def import_weights(path, layout='dense', *, prefix='', warn=True, **kwargs):
    """A checkpoint file -> an exact Model (an Attention for
    layout="attention"), as ``ssmheads import``: a directory of .npy files, a
    .npz or a .safetensors file; layouts dense, diag, s4d, s5, lru, mamba2,
    attention (doc/weights.md).  Layout options as keyword arguments (the
    module docstring); the import's notes are ``m.notes`` and, with
    warn=True, ImportNote warnings."""
    path = os.fspath(path)
    options, limits = split_options(kwargs)
    resp = _import_call({'weights': path}, layout, _prefix(prefix), options, limits)
    return _model_of(resp, path, warn)


def import_tensors(tensors, layout='dense', *, prefix='', warn=True, name='<tensors>',
                   **kwargs):
    """Tensors held in memory (a mapping of names to torch tensors, numpy
    arrays or nested lists of Python numbers: a state_dict, or a nested
    Flax parameter tree) -> an exact Model (or Attention), by the same
    library import as import_weights: the tensors' own bits go to the
    library in the request, no file.  name: what errors and the model's
    source call them."""
    options, limits = split_options(kwargs)
    members = {'tensors': _tensors.payload(_tensors.flatten(dict(tensors))),
               'tensors_file': name}
    resp = _import_call(members, layout, _prefix(prefix), options, limits)
    return _model_of(resp, name, warn)


# ---- the recognizer --------------------------------------------------------

class Inspection(results.Result):
    """``ssmheads inspect``: file, tensors ([{name, dtype, shape, complex}]),
    modules (what the recognizer found: [{layout, form, prefix, sizes,
    assumed, args, importable, problem}]); ``as_dict()`` is the library's
    object (the CLI's --json without its shell command lines)."""
    _title = 'ssmheads inspect'

    file = property(lambda self: self._d['file'])
    tensors = property(lambda self: [dict(t) for t in self._d['tensors']])
    modules = property(lambda self: [dict(m) for m in self._d['modules']])
    prefixes = property(lambda self: [m['prefix'] for m in self._d['modules']])

    def __repr__(self):
        mods = self._d['modules']
        lines = ['Inspection(%s: %d tensors, %d modules%s' % (
            self.file, len(self._d['tensors']), len(mods), ':' if mods else ')')]
        for m in mods:
            lines.append('  %-24s %-7s %s %s%s' % (
                repr(m['prefix']), m['layout'], m['form'],
                ' '.join('%s=%s' % kv for kv in m['sizes'].items()),
                '' if m['importable'] else '  (not importable: %s)' % m.get('problem', '')))
        return '\n'.join(lines) + (')' if mods else '')

    def _repr_html_(self):
        rows = [(repr(m['prefix']), '%s (%s) %s%s' % (
            m['layout'], m['form'], ', '.join('%s = %s' % kv for kv in m['sizes'].items()),
            '' if m['importable'] else '; not importable: %s' % m.get('problem', '')))
            for m in self._d['modules']]
        return results.html_table('ssmheads inspect: %s, %d tensors' % (
            self.file, len(self._d['tensors'])), rows or [('modules', 'none recognized')])


class _Checkpoint:
    """What a module or mapping gives the library: its tensors (in order),
    a name for errors and `source`, and the object whose attributes hold
    the constructor settings (a torch module, or any object tree)."""

    def __init__(self, obj, params=None):
        torch = sys.modules.get('torch')
        self.root = None
        if params is not None:   # a Flax-style module and its parameter tree
            self.tensors = _tensors.flatten(dict(params))
            self.root = obj
            self.label = '<module %s>' % type(obj).__name__
        elif torch is not None and isinstance(obj, torch.nn.Module):
            self.tensors = _tensors.state_dict_of(obj)
            self.root = obj
            self.label = '<module %s>' % type(obj).__name__
        elif hasattr(obj, 'items'):
            self.tensors = _tensors.flatten(dict(obj))
            self.label = '<tensors>'
        else:
            raise UsageError('expected a torch module, a state_dict (a mapping of names to '
                             'tensors) or a module and its params=, got %s' % type(obj).__name__)

    def under(self, prefix):
        return {k: v for k, v in self.tensors.items() if k.startswith(prefix)}

    def holder(self, prefix):
        """The module object at prefix (None when there is no such object)."""
        if self.root is None:
            return None
        if not prefix:
            return self.root
        path = prefix.rstrip('./')
        get = getattr(self.root, 'get_submodule', None)
        if get is not None:
            try:
                return get(path)
            except AttributeError:
                return None
        obj = self.root
        for part in path.replace('/', '.').split('.'):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    def recognize(self, limits, extra=None):
        ts = dict(self.tensors, **(extra or {}))
        resp = _native.call({'command': 'inspect', 'tensors': _tensors.payload(ts, data=False),
                             'tensors_file': self.label}, limits)
        return resp


def inspect(x, *, params=None, **limits):
    """The recognizer of ``ssmheads inspect`` over a checkpoint file (a path),
    a torch module, a state_dict (or any mapping of names to tensors), or a
    Flax-style module with its params=: every tensor (name, dtype, shape)
    and every SSM module found, with its layout, form, prefix, sizes and
    the constructor settings the tensors cannot show.  Only names, dtypes
    and shapes go to the library (nothing is decoded)."""
    if isinstance(x, (str, bytes, os.PathLike)):
        resp = _native.call({'command': 'inspect', 'weights': os.fsdecode(x)}, limits)
    else:
        resp = _Checkpoint(x, params).recognize(limits)
    return Inspection(resp)


# ---- constructor settings, where the reference code keeps them -------------

# (layout option, attribute path from the module at the prefix); for s4.py's
# FFTConv (or S4Block's FFTConv `layer`) with its SSMKernelDiag `kernel`,
# S5's S5SSM, mamba_ssm's Mamba2.  s4d.py's S4D and both LRUs have none.
_SETTINGS = {
    's4.py': (('discretization', 'kernel.disc'), ('dt_transform', 'kernel.dt_transform'),
              ('real_transform', 'kernel.real_transform'),
              ('imag_transform', 'kernel.imag_transform'), ('dt_fast', 'kernel.dt_fast'),
              ('bandlimit', 'kernel.bandlimit'), ('swap_channels', 'swap_channels')),
    'S5': (('discretization', 'discretization'), ('conj_sym', 'conj_sym'),
           ('clip_eigs', 'clip_eigs'), ('step_rescale', 'step_rescale')),
    'mamba_ssm': (('ngroups', 'ngroups'), ('headdim', 'headdim'), ('dt_limit', 'dt_limit')),
}


def _attr(obj, path):
    for part in path.split('.'):
        if obj is None or not hasattr(obj, part):
            return None, False
        obj = getattr(obj, part)
    return obj, True


def module_settings(holder, form):
    """[(option, value, attribute)] of the constructor settings that the
    module object keeps (None values -- e.g. bandlimit=None -- are the
    reference's defaults and left to it)."""
    table = _SETTINGS.get((form or '').split(' ')[0], ())
    out = []
    for option, attr in table:
        v, found = _attr(holder, attr)
        if found and v is not None and not callable(v):
            out.append((option, v, attr))
    return out


def _show(v):
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (tuple, list)):
        return '(%s)' % ', '.join(_show(x) for x in v)
    return str(v)


def _annotated(model, read, label):
    """The model with its source saying which settings came from the
    module's attributes (the library's source records each value used, and
    whether it was given)."""
    from .model import Model
    obj = model.to_dict()
    obj['source'] = (obj.get('source') or '') + '; read from the module: ' + ', '.join(
        '%s = %s (--%s)' % (attr, _show(v), _cli(opt)) for opt, v, attr in read)
    m = Model._from_request({'command': 'model', 'model': obj, 'model_file': label}, label, {})
    m._notes = model.notes
    return m


# ---- from_module -----------------------------------------------------------

def _choose(mods, prefix, layout, label):
    wanted = (layout,) if layout else MODEL_LAYOUTS
    cands = [m for m in mods if m['layout'] in wanted]
    if prefix is not None:
        cands = [m for m in cands if m['prefix'] == prefix]
    if len(cands) == 1:
        return cands[0]
    found = ', '.join('%r (%s)' % (m['prefix'], m['layout']) for m in mods) or 'nothing'
    if not cands:
        raise InvalidInput('no %s module%s recognized (the recognizer found: %s)' % (
            layout or 'SSM', '' if prefix is None else ' at prefix %r' % prefix, found),
            file=label)
    raise UsageError('%d %s modules: %s; give prefix= (or scan them all with ssmheads.scan)' % (
        len(cands), layout or 'SSM', ', '.join('%r (%s)' % (m['prefix'], m['layout'])
                                                for m in cands)), path='$.prefix')


def _slice_tensors(slice_, prefix):
    if slice_ is None:
        return {}
    bad = [k for k in slice_ if k not in _SLICE]
    if bad:
        raise UsageError('the frozen slice of a Mamba-2 module holds B, C and dt (one token\'s, '
                         'doc/weights.md), not %s' % ', '.join(map(str, bad)), path='$.slice')
    return {prefix + k: v for k, v in slice_.items()}


def module_import(ck, mod, slice_, options, limits, settings=True, warn=True):
    """Import the recognized module mod (a recognizer entry) of checkpoint
    ck: its tensors with their data, its constructor settings read from the
    module object unless given, the user's options on top."""
    prefix, layout = mod['prefix'], mod['layout']
    read = []
    if settings:
        holder = ck.holder(prefix)
        read = [(o, v, a) for o, v, a in module_settings(holder, mod.get('form'))
                if _cli(o) not in options]
    opts = dict({_cli(o): _option_value(o, v) for o, v, _ in read}, **options)
    ts = dict(ck.under(prefix), **_slice_tensors(slice_, prefix))
    members = {'tensors': _tensors.payload(ts), 'tensors_file': ck.label}
    try:
        resp = _import_call(members, layout, prefix, opts, limits)
    except UsageError as e:   # a setting read from the module that the import refuses
        for o, v, a in read:
            if e.path == '$.' + _cli(o):
                e.message += ' (the module has %s = %s)' % (a, _show(v))
        raise
    m = _model_of(resp, ck.label, False)
    if read:
        m = _annotated(m, read, ck.label)
    _emit(m.notes, ck.label, warn)
    return m, read


def from_module(module, *, prefix=None, layout=None, slice=None, params=None, settings=True,
                warn=True, **kwargs):
    """An SSM module of the reference implementations -> its exact Model.

    module: a torch module (S4D of state-spaces/s4 models/s4/s4d.py; s4.py's
    FFTConv or S4Block with mode 'diag'/'s4d'; LRU-pytorch's LRU; Mamba2 of
    mamba_ssm; or any model holding them, then with prefix= naming the one),
    a state_dict or other mapping of names to tensors (a flattened or nested
    Flax parameter tree of S5 or minimal-LRU), or a Flax-style module object
    with its params=.  The library's recognizer finds the module (layout,
    form, prefix) from the tensors' names and shapes; its tensors go to the
    library bit for bit (bfloat16 and complex included) and are discretized
    by the code of ``ssmheads import``.

    prefix: the module's path in the model ("layers.3"); needed when there
    are several.  layout: restrict to one layout.  slice: for Mamba-2, the
    frozen slice {"B": ..., "C": ..., "dt": ...} of one token (B, C and the
    raw dt; doc/weights.md), added under the module's prefix.
    settings: read the constructor settings that only the module object
    knows (s4.py kernel.disc, kernel.dt_transform, ..., FFTConv
    swap_channels; S5 discretization, conj_sym, clip_eigs, step_rescale;
    Mamba2 ngroups, headdim, dt_limit) from its attributes and pass them as
    options -- the model's source lists those read.  Layout options given as
    keyword arguments win over them.  The import's notes (unused tensors, a
    missing D) are ``m.notes`` and, with warn=True, ImportNote warnings."""
    options, limits = split_options(kwargs)
    prefix = _prefix(prefix)
    ck = _Checkpoint(module, params)
    extra = {}
    if slice is not None and prefix is not None:
        extra = _slice_tensors(slice, prefix)
    resp = ck.recognize(limits, extra)
    try:
        mod = _choose(resp['result']['modules'], prefix, layout, ck.label)
    except InvalidInput:
        if prefix is None or layout is None:
            raise
        # named outright: the import itself says what is missing
        mod = {'layout': layout, 'prefix': prefix, 'form': None}
    return module_import(ck, mod, slice, options, limits, settings, warn)[0]
