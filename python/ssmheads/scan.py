"""``ssmheads.scan``: every SSM layer of a model, one row each.

    rows = ssmheads.scan(net, n=1024, eps="1/1000")
    rows                      # a table (text, or HTML in a notebook)
    rows["layers.3."].k       # one layer's head count; .heads, .gradient: the full results
    rows.models               # {prefix: Model}

The library's recognizer is asked once about the whole state_dict (names,
dtypes and shapes only); each SSM module it finds is imported by
ssmheads.from_module's code (its tensors bit for bit, its constructor
settings read from the module object), then asked ``heads`` and
``gradient``.  A layer that fails -- not importable, a limit hit, undecided --
has its exception in its row (``row.error``, at ``row.stage``); the scan goes
on.  Progress: a bar on stderr (tqdm when installed), fed with the library's
own reports of the current layer's long loops.
"""
import concurrent.futures
import html
import json

from . import results, weights
from .errors import Error

__all__ = ['scan', 'ScanResult', 'ScanRow']


def _num(v):
    """A display form of an exact value (the attributes stay exact)."""
    if v is None:
        return ''
    return v if isinstance(v, str) else results._short(v)


def _note(prefix, text):
    """A note without the "under 'PREFIX': " the row already says."""
    lead = "under '%s': " % prefix
    return text[len(lead):] if text.startswith(lead) else text


def _approx(v):
    """A short decimal of a Fraction, for the table only."""
    if v is None:
        return ''
    try:
        return '%.6g' % float(v)
    except OverflowError:
        return results._short(v)


class ScanRow:
    """One SSM layer of a scan: prefix, layout, form, sizes (from the
    recognizer), model (the imported Model), heads (HeadsResult), gradient
    (GradientResult), notes (the import's), settings (the constructor
    settings read from the module: [(option, value, attribute)]), error (an
    ssmheads.Error, or None) and stage ("import", "heads" or "gradient":
    where it failed).  k, k_inf, n_star, stable, rho, gamma, horizon read the
    results (None when not computed)."""

    __slots__ = ('prefix', 'layout', 'form', 'sizes', 'model', 'heads', 'gradient', 'notes',
                 'settings', 'error', 'stage')

    def __init__(self, mod):
        self.prefix, self.layout = mod['prefix'], mod['layout']
        self.form, self.sizes = mod.get('form'), dict(mod.get('sizes') or {})
        self.model = self.heads = self.gradient = self.error = self.stage = None
        self.notes, self.settings = (), []

    def _h(self, name):
        return None if self.heads is None else getattr(self.heads, name)

    def _g(self, name):
        return None if self.gradient is None else getattr(self.gradient, name)

    k = property(lambda self: self._h('k'))
    k_inf = property(lambda self: self._h('k_inf'))
    n_star = property(lambda self: self._h('n_star'))
    stable = property(lambda self: self._g('stable'))
    rho = property(lambda self: self._g('rho'))
    gamma = property(lambda self: self._g('gamma'))
    horizon = property(lambda self: self._g('horizon'))
    ok = property(lambda self: self.error is None)

    def as_dict(self):
        """The row as plain JSON values (exact numbers as strings)."""
        def s(v):
            return None if v is None else str(v)
        rho = self.rho
        return {'prefix': self.prefix, 'layout': self.layout, 'form': self.form,
                'sizes': dict(self.sizes), 'k': self.k, 'k_inf': self.k_inf,
                'n_star': self.n_star, 'stable': self.stable,
                'rho': None if rho is None else [s(rho[0]), s(rho[1])],
                'gamma': s(self.gamma), 'horizon': self.horizon, 'notes': list(self.notes),
                'settings': {o: str(v) for o, v, _ in self.settings},
                'error': None if self.error is None else str(self.error),
                'stage': self.stage}

    def __repr__(self):
        if self.error is not None:
            return 'ScanRow(%r, %s, %s failed: %s)' % (self.prefix, self.layout, self.stage,
                                                       self.error)
        return 'ScanRow(%r, %s, k=%s, k_inf=%s, stable=%s, horizon=%s)' % (
            self.prefix, self.layout, self.k, self.k_inf, self.stable, self.horizon)


_COLUMNS = ('layer', 'layout', 'sizes', 'k', 'k_inf', 'n*', 'stable', 'rho <=', 'gamma',
            'horizon', 'notes')


def _cells(r):
    sizes = ' '.join('%s=%s' % kv for kv in r.sizes.items())
    if r.error is not None:
        return [r.prefix or '(top)', r.layout, sizes] + [''] * 7 + [
            '%s failed: %s' % (r.stage, r.error)]
    rho = r.rho
    return [r.prefix or '(top)', r.layout, sizes, _num(r.k), _num(r.k_inf), _num(r.n_star),
            _num(r.stable), '' if rho is None else _approx(rho[1]), _approx(r.gamma),
            '' if r.gradient is None else ('never' if r.horizon is None and
                                            r.gradient.eps is not None else _num(r.horizon)),
            '; '.join(_note(r.prefix, t) for t in r.notes)]


class ScanResult:
    """The rows of a scan, in the order of the model's state_dict: a list
    (``len``, iteration, ``r[0]``) also indexed by prefix (``r["layers.3."]``,
    the trailing dot optional).  ``models``: {prefix: Model}; ``errors``:
    the rows that failed; ``as_rows()``: the rows as plain dicts (JSON);
    n and eps: what was asked."""

    def __init__(self, rows, n, eps, inspection):
        self.rows, self.n, self.eps, self.inspection = list(rows), n, eps, inspection

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, key):
        if isinstance(key, str):
            p = weights._prefix(key)
            for r in self.rows:
                if r.prefix == p:
                    return r
            raise KeyError(key)
        return self.rows[key]

    @property
    def models(self):
        return {r.prefix: r.model for r in self.rows if r.model is not None}

    @property
    def errors(self):
        return [r for r in self.rows if r.error is not None]

    def as_rows(self):
        return [r.as_dict() for r in self.rows]

    def to_json(self):
        return json.dumps(self.as_rows())

    def _title(self):
        return 'ssmheads scan: %d SSM layer%s%s%s%s' % (
            len(self.rows), '' if len(self.rows) == 1 else 's',
            '' if self.n is None else ', n = %s' % self.n,
            '' if self.eps is None else ', eps = %s' % _num(self.eps),
            '' if not self.errors else ', %d failed' % len(self.errors))

    def __repr__(self):
        table = [list(_COLUMNS)] + [_cells(r) for r in self.rows]
        width = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS) - 1)]
        lines = [self._title()]
        for row in table:
            lines.append('  '.join(c.ljust(w) for c, w in zip(row, width)) + '  ' + row[-1])
        return '\n'.join(line.rstrip() for line in lines)

    def _repr_html_(self):
        head = ''.join('<th style="text-align:left">%s</th>' % html.escape(c) for c in _COLUMNS)
        body = ''.join('<tr>%s</tr>' % ''.join('<td style="text-align:left">%s</td>'
                                                % html.escape(c) for c in _cells(r))
                       for r in self.rows)
        return ('<div><table><caption style="text-align:left"><b>%s</b></caption>'
                '<tr>%s</tr>%s</table></div>' % (html.escape(self._title()), head, body))


def _one(row, ck, mod, slice_, options, limits, settings, n, eps, lags, certificate, plot,
         do_heads, do_gradient, bar):
    hook = bar.hook(row.prefix or '(top)')
    calls = dict(limits, progress=hook)
    try:
        row.stage = 'import'
        bar.stage('%s: import' % (row.prefix or '(top)'))
        row.model, row.settings = weights.module_import(ck, mod, slice_, options,
                                                        dict(limits), settings, warn=False)
        row.notes = row.model.notes
        if do_heads:
            row.stage = 'heads'
            row.heads = row.model.heads(n, certificate=certificate, **calls)
        if do_gradient:
            row.stage = 'gradient'
            row.gradient = row.model.gradient(eps, n=n, lags=lags, certificate=certificate,
                                              plot=plot, **calls)
        row.stage = None
    except Error as e:
        row.error = e
    return row


def scan(model, n=None, eps=None, *, lags=None, heads=True, gradient=True, certificate=False,
         plot=False, layouts=None, slices=None, params=None, settings=True, progress=None,
         jobs=1, **kwargs):
    """Every SSM layer of a model: a ScanResult with one row per module the
    library's recognizer finds (S4D, S5, LRU, Mamba-2; dense and diag
    tensors A, B, C too), imported as ssmheads.from_module imports one.

    n: the sequence length of ``heads`` and ``gradient`` (None: k_inf, as
    ``ssmheads heads`` without -n); eps: the gradient horizon's threshold,
    exact (a float is its binary value: "1/1000" for the decimal); lags:
    the gradient's table length; heads / gradient: which questions to ask;
    certificate: keep both certificates in each row's results; plot: the
    gradient's envelope plot in each row (row.gradient.svg).
    layouts: only these layouts; slices: {prefix: {"B", "C", "dt"}}, the
    frozen slices of Mamba-2 modules; params: the parameter tree when model
    is a Flax-style module; settings: read each module's constructor
    settings from its attributes (ssmheads.from_module).  Layout options
    (dt_transform=, ...) apply to every layer (one a layer's layout does not
    take fails that layer); limits (max_bits=, timeout=, ...) to every call.
    progress: None (a bar when stderr is a terminal), True, False, or a
    function progress(done, total, what).  jobs: layers at a time (threads;
    the library calls release the GIL)."""
    options, limits = weights.split_options(kwargs)
    limits.pop('progress', None)
    ck = weights._Checkpoint(model, params)
    slices = {weights._prefix(p): s for p, s in (slices or {}).items()}
    extra = {}
    for p, s in slices.items():
        extra.update(weights._slice_tensors(s, p))
    resp = ck.recognize(limits, extra)
    wanted = tuple(layouts) if layouts else weights.MODEL_LAYOUTS
    mods = [m for m in resp['result']['modules'] if m['layout'] in wanted]
    rows = [ScanRow(m) for m in mods]
    from .progress import Bar
    bar = Bar(len(rows), progress)
    args = (options, limits, settings, n, eps, lags, certificate, plot, heads, gradient, bar)
    try:
        if jobs is None or jobs <= 1:
            for row, m in zip(rows, mods):
                _one(row, ck, m, slices.get(m['prefix']), *args)
                bar.advance()
        else:
            with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
                futs = [pool.submit(_one, row, ck, m, slices.get(m['prefix']), *args)
                        for row, m in zip(rows, mods)]
                for f in concurrent.futures.as_completed(futs):
                    f.result()
                    bar.advance()
    finally:
        bar.close()
    return ScanResult(rows, n, eps, weights.Inspection(resp))
