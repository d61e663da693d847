"""Results: the library's answers, as the CLI's --json objects
(``r.as_dict()`` is exactly what ``ssmheads CMD --json`` prints) with typed
attributes: counts as int, exact values as fractions.Fraction, enclosures
as (lo, hi) pairs of Fractions, the certificate (``r.certificate``) and the
plot (``r.svg``) when asked for.  Nothing here computes: attributes read the
response, and the notebook views lay it out (the plots are the library's).
"""
import copy
import html
import json

from . import exact

__all__ = ['Result', 'HeadsResult', 'Construction', 'GradientResult', 'MinimalResult',
           'ApproxResult', 'SpanResult', 'RepresentResult', 'html_table']


def _short(v):
    """A readable form of an exact value for repr and tables (display only:
    long fractions get a rounded decimal beside them, marked as such)."""
    if isinstance(v, tuple) and len(v) == 2:
        return '[%s, %s]' % (_short(v[0]), _short(v[1]))
    if isinstance(v, exact.fractions.Fraction):
        s = str(v)
        if len(s) <= 24:
            return s
        try:
            return '%s (~%.6g)' % (s[:12] + '...', float(v))
        except OverflowError:
            return s[:24] + '...'
    if isinstance(v, list) and len(v) > 12:
        return '[%s, ... (%d)]' % (', '.join(_short(e) for e in v[:8]), len(v))
    if isinstance(v, list):
        return '[%s]' % ', '.join(_short(e) for e in v)
    return repr(v)


def html_table(title, rows, svg=None):
    """A small two-column table (and the library's SVG plot below it)."""
    body = ''.join('<tr><th style="text-align:left">%s</th><td style="text-align:left">%s</td>'
                   '</tr>' % (html.escape(str(k)), html.escape(v if isinstance(v, str)
                                                                else _short(v)))
                   for k, v in rows)
    out = '<div><table><caption style="text-align:left"><b>%s</b></caption>%s</table>' % (
        html.escape(title), body)
    if svg:
        out += '<div>%s</div>' % svg   # the library's own plot (lib/report)
    return out + '</div>'


def _pair(v):
    return None if v is None else (exact.fraction(v[0]), exact.fraction(v[1]))


class Result:
    """A response of the library: ``as_dict()`` (the CLI's --json object),
    ``certificate`` (a dict, or None), ``svg`` (the plot, or None),
    ``exit_code`` (the CLI's exit code: 1 when the claim asked about is
    false, e.g. a budget not met)."""

    _title = 'ssmheads'
    _fields = ()

    def __init__(self, resp, model=None):
        self._d = resp['result']
        self.certificate = resp.get('certificate')
        self.svg = resp.get('svg')
        self.exit_code = resp['exit']
        self.model = model

    def as_dict(self):
        """The CLI's --json object for the same question (a copy)."""
        return copy.deepcopy(self._d)

    def to_json(self):
        return json.dumps(self._d)

    def _rows(self):
        return [(f, getattr(self, f)) for f in self._fields]

    def __repr__(self):
        return '%s(%s)' % (type(self).__name__, ', '.join(
            '%s=%s' % (f, _short(getattr(self, f))) for f in self._fields))

    def _repr_html_(self):
        rows = self._rows()
        if self.certificate is not None:
            rows = rows + [('certificate', 'yes (ssmheads.verify(r.certificate))')]
        return html_table(self._title, rows, self.svg)

    def __eq__(self, other):
        return type(other) is type(self) and other._d == self._d

    __hash__ = None


class HeadsResult(Result):
    """``ssmheads heads``: k = k(n) (k_inf when no n), k_inf, n_star, the
    profile k(1..n*), pivot_lags, single_head, rank_gap; with a budget,
    budget and representable.  When k_inf was proven from modes
    (lower_witness "modes"), n_star, profile and pivot_lags are None and
    n_star_range = (lo, hi) bounds n*."""
    _title = 'ssmheads heads'
    _fields = ('k', 'n', 'k_inf', 'n_star', 'profile', 'pivot_lags', 'single_head')

    k = property(lambda self: self._d['k'])
    n = property(lambda self: self._d['n'])
    k_inf = property(lambda self: self._d['k_inf'])
    n_star = property(lambda self: self._d['n_star'])
    profile = property(lambda self: None if self._d['profile'] is None else list(self._d['profile']),
                       doc='k(1) .. k(n*), or None (k_inf from modes)')
    pivot_lags = property(lambda self: None if self._d['pivot_lags'] is None
                          else list(self._d['pivot_lags']))
    n_star_range = property(lambda self: tuple(self._d['n_star_range'])
                            if self._d.get('n_star_range') is not None else
                            (self._d['n_star'], self._d['n_star']),
                            doc='lo <= n* <= hi (lo = hi when n* is known)')
    lower_witness = property(lambda self: self._d.get('lower_witness', 'lags'),
                             doc='"lags" (n*, profile and pivots known) or "modes" (k_inf only)')
    single_head = property(lambda self: self._d['single_head'])
    rank_gap = property(lambda self: self._d['rank_gap'])
    budget = property(lambda self: self._d.get('budget'))
    representable = property(lambda self: self._d.get('representable'),
                             doc='with a budget: whether that many heads suffice')
    state_dim = property(lambda self: self._d['state_dim'])
    input_dim = property(lambda self: self._d['input_dim'])
    output_dim = property(lambda self: self._d['output_dim'])
    convention = property(lambda self: self._d['convention'])
    prime = property(lambda self: int(self._d['prime']), doc='the prime of the lower witness')

    def k_at(self, n):
        """k(n) for any n >= 1, read off the profile (k(n) = k_inf from n* on)."""
        n = n.__index__()
        if n < 1:
            raise ValueError('n must be at least 1')
        prof = self._d['profile']
        if prof is None:   # k_inf from modes: k(n) = k_inf from F on, unknown below
            if n >= self._d['n_star_range'][1]:
                return self._d['k_inf']
            raise ValueError('k(%d) is not known from a mode witness (n* <= %d): call '
                             'heads(profile=True)' % (n, self._d['n_star_range'][1]))
        return prof[n - 1] if n <= len(prof) else self._d['k_inf']

    def _rows(self):
        rows = Result._rows(self)
        if self.budget is not None:
            rows += [('budget', self.budget), ('representable', self.representable)]
        return rows


class Head:
    """One head of a construction: value map V (rows of Fractions) and kernel
    c(0 .. L-1)."""
    __slots__ = ('value', 'kernel')

    def __init__(self, value, kernel):
        self.value, self.kernel = value, kernel

    def __repr__(self):
        return 'Head(value=%s, kernel=%s)' % (_short(self.value), _short(self.kernel))


class Construction(Result):
    """``ssmheads construct``: k heads (V_h, c_h(0 .. L-1)) with
    sum_h c_h(l) V_h = K_l for l < n, and the monic recurrence q_0 .. q_m
    continuing the kernels past L (None when the table covers n)."""
    _title = 'ssmheads construct'
    _fields = ('k', 'n', 'L', 'recurrence')

    k = property(lambda self: self._d['k'])
    n = property(lambda self: self._d['n'])

    @property
    def heads(self):
        return [Head(exact.matrix_of(h['value']), exact.fractions_of(h['kernel']))
                for h in self._d['heads']]

    @property
    def values(self):
        return [h.value for h in self.heads]

    @property
    def kernels(self):
        return [h.kernel for h in self.heads]

    @property
    def L(self):
        hs = self._d['heads']
        return len(hs[0]['kernel']) if hs else 0

    @property
    def recurrence(self):
        r = self._d.get('recurrence')
        return None if r is None else exact.fractions_of(r)


class GradientResult(Result):
    """``ssmheads gradient``: stable ("stable" | "marginal" | "unstable"),
    rho (enclosure of the spectral radius), rho_minimal, mcmillan_degree,
    gamma and M2 of the proven envelope ||K_l||_2^2 <= M2 gamma^(2l) (None
    when none was proven), norms_f2 (exact ||K_l||_F^2), norms_2
    (enclosures of ||K_l||_2), eps and horizon, highways."""
    _title = 'ssmheads gradient'
    _fields = ('stable', 'rho', 'gamma', 'M2', 'horizon')

    stable = property(lambda self: self._d['stable'])
    stable_minimal = property(lambda self: self._d['stable_minimal'])
    rho = property(lambda self: (exact.fraction(self._d['rho_lo']),
                                 exact.fraction(self._d['rho_hi'])))
    rho_minimal = property(lambda self: (exact.fraction(self._d['rho_minimal_lo']),
                                         exact.fraction(self._d['rho_minimal_hi'])))
    mcmillan_degree = property(lambda self: self._d['mcmillan_degree'])
    gamma = property(lambda self: exact.fraction(self._d['gamma']))
    M2 = property(lambda self: exact.fraction(self._d['M2']))
    norms_f2 = property(lambda self: exact.fractions_of(self._d['norms_f2']))
    norms_2 = property(lambda self: [_pair(p) for p in self._d['norms_2']])
    eps = property(lambda self: exact.fraction(self._d.get('eps')))
    horizon = property(lambda self: self._d.get('horizon'),
                       doc='the lag from which ||K_l||_2 <= eps (None: never, or no eps)')
    horizon_none = property(lambda self: self._d.get('horizon_none'),
                            doc='why there is no horizon (None when there is one, or no eps)')
    not_certified = property(lambda self: self._d.get('not_certified', []),
                             doc='the parts a certificate cannot carry, each {part, why}')
    envelope_method = property(lambda self: self._d.get('envelope_method'))
    convention = property(lambda self: self._d['convention'])

    @property
    def highways(self):
        out = []
        for h in self._d['highways']:
            e = {'head': h['head'], 'highway_lo': exact.fraction(h['highway_lo'])}
            for k in ('below_eps_highway_from', 'below_eps_highway_none'):
                if k in h:
                    e[k] = h[k]
            out.append(e)
        return out

    def _rows(self):
        rows = [('stable', self.stable), ('spectral radius in', self.rho),
                ('minimal realization', '%d states, %s' % (self.mcmillan_degree,
                                                           self.stable_minimal))]
        if self.gamma is not None:
            rows += [('envelope gamma', self.gamma), ('envelope M2', self.M2)]
        if self.eps is not None:
            rows += [('eps', self.eps), ('horizon', self.horizon if self.horizon is not None
                                             else 'none: %s' % self.horizon_none)]
        for nc in self.not_certified:
            rows.append(('not certified: %s' % nc.get('part'), nc.get('why')))
        return rows + [('||K_l||_F^2 (exact)', self.norms_f2)]


class MinimalResult(Result):
    """``ssmheads minimal``: reachable_rank, observable_rank,
    mcmillan_degree and the minimal realization as a Model (``r.model``;
    None when it has no state: every Markov parameter is 0)."""
    _title = 'ssmheads minimal'
    _fields = ('state_dim', 'reachable_rank', 'observable_rank', 'mcmillan_degree')

    def __init__(self, resp, model=None):
        Result.__init__(self, resp, None)
        self.original = model
        if 'model' in resp:
            from .model import Model
            self.model = Model.from_json(resp['model'], file='minimal realization')

    state_dim = property(lambda self: self._d['state_dim'])
    reachable_rank = property(lambda self: self._d['reachable_rank'])
    observable_rank = property(lambda self: self._d['observable_rank'])
    mcmillan_degree = property(lambda self: self._d['mcmillan_degree'])
    A = property(lambda self: exact.matrix_of(self._d['A']))
    B = property(lambda self: exact.matrix_of(self._d['B']))
    C = property(lambda self: exact.matrix_of(self._d['C']))
    D = property(lambda self: exact.matrix_of(self._d['D']))


class ApproxResult(Result):
    """``ssmheads approx``: H (the least head count within eps), n, eps,
    relative, method, k (the exact count), threshold (tau), error2_upper
    (the basis's squared residual, <= tau), error2_lower_prev (proven lower
    bound on E(H-1)^2, > tau), total (||T||_F^2; a (lo, hi) pair for the
    enclosure method) and, with curve=True, the curve: (lo, hi) enclosures
    of E(h)^2 for h = 0 .. k."""
    _title = 'ssmheads approx'
    _fields = ('H', 'n', 'eps', 'relative', 'k', 'method', 'error2_upper', 'error2_lower_prev')

    H = property(lambda self: self._d['H'])
    n = property(lambda self: self._d['n'])
    k = property(lambda self: self._d['k'])
    eps = property(lambda self: exact.fraction(self._d['eps']))
    relative = property(lambda self: self._d['relative'])
    method = property(lambda self: self._d['method'])
    threshold = property(lambda self: exact.fraction(self._d['threshold']))
    error2_upper = property(lambda self: exact.fraction(self._d['error2_upper']))
    error2_lower_prev = property(lambda self: exact.fraction(self._d.get('error2_lower_prev')))
    s = property(lambda self: self._d.get('s'), doc='enclosure method: fixed-point bits')

    @property
    def total(self):
        if 'total' in self._d:
            return exact.fraction(self._d['total'])
        return (exact.fraction(self._d['total_lo']), exact.fraction(self._d['total_hi']))

    @property
    def curve(self):
        c = self._d.get('curve')
        return None if c is None else [(exact.fraction(e['lo']), exact.fraction(e['hi']))
                                       for e in c]


class SpanResult(Result):
    """``ssmheads span``: heads (H), dim (of span{V_h}), basis_heads,
    redundant_heads, redundant_as (each redundant head's coefficients on the
    basis heads), head_ranks."""
    _title = 'ssmheads span'
    _fields = ('heads', 'dim', 'basis_heads', 'redundant_heads', 'head_ranks')

    heads = property(lambda self: self._d['heads'])
    dim = property(lambda self: self._d['dim'])
    basis_heads = property(lambda self: list(self._d['basis_heads']))
    redundant_heads = property(lambda self: list(self._d['redundant_heads']))
    redundant_as = property(lambda self: exact.fractions_of(self._d['redundant_as']))
    head_ranks = property(lambda self: list(self._d['head_ranks']))


class RepresentResult(Result):
    """``ssmheads represent``: representable (also the truth value), n, k,
    dim, heads, shared_dim, extra_heads_needed; yes: kernels (per head) and
    recurrence; no: witness_lag and the witness matrix W."""
    _title = 'ssmheads represent'
    _fields = ('representable', 'n', 'k', 'dim', 'extra_heads_needed', 'witness_lag')

    representable = property(lambda self: self._d['representable'])
    n = property(lambda self: self._d['n'])
    k = property(lambda self: self._d['k'])
    dim = property(lambda self: self._d['dim'])
    heads = property(lambda self: self._d['heads'])
    shared_dim = property(lambda self: self._d['shared_dim'])
    extra_heads_needed = property(lambda self: self._d['extra_heads_needed'])
    witness_lag = property(lambda self: self._d.get('witness_lag'))

    @property
    def kernels(self):
        k = self._d.get('kernels')
        return None if k is None else exact.fractions_of(k)

    @property
    def recurrence(self):
        r = self._d.get('recurrence')
        return None if r is None else exact.fractions_of(r)

    @property
    def witness(self):
        w = self._d.get('witness')
        return None if w is None else exact.matrix_of(w)

    def __bool__(self):
        return bool(self.representable)
