#!/usr/bin/env python3
"""ssmheads.from_module, ssmheads.scan and ssmheads.inspect (issue 18, phase 2).

With PyTorch: a small model holding three S4D layers -- built from
tests/s4d_transcription.py, a transcription of state-spaces/s4
models/s4/s4d.py (the reference code is not committed) -- trained a few
Adam steps, one layer then stored in bfloat16:
  - the recognizer (ssmheads.inspect) finds the three layers;
  - from_module's models have the lags of the module's own forward kernel,
    computed by the module in float64: relative error <= 1e-12 at every lag;
  - scan gives one row per layer whose models, heads and gradient answers are
    the CLI's on the same weights written as a .safetensors (`ssmheads import
    --all`, `heads --json`, `gradient --json`), and whose certificates both
    checkers accept (ssmheads-verify and tests/verify_*.py), a false claim
    rejected by both;
  - notes as warnings, the progress bar and callback, the notebook views,
    errors kept in their rows;
and LRU-pytorch's LRU (tests/lru_pytorch_transcription.py): complex64 and
complex128 B, C read exactly, lags against its forward in float64.

With NumPy only: the reference fixtures of witnesses/weights/reference/
(state_dicts of the reference implementations, unchanged) as raw state_dicts
and as module objects whose attributes hold the constructor settings (s4.py
FFTConv, S5SSM, Mamba2 with its frozen slice): from_module gives exactly the
model `ssmheads import` gives with the same settings as options, and says in
`source` which settings it read.  Prints "N passed, N failed, N skipped".
"""
import contextlib
import copy
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import types
import warnings
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import python_support as sup  # noqa: E402

ssmheads = sup.setup()
import verify_gradient  # noqa: E402
import verify_heads  # noqa: E402
from weights_reference import rel_error  # noqa: E402  (max_l ||K_l - R_l||_F / ||R_l||_F)

REF = os.path.join(sup.TOP, 'witnesses', 'weights', 'reference')
TOL = 1e-12


def run(args):
    return subprocess.run([sup.PROG] + args, capture_output=True, text=True, timeout=600)


def without_source(obj):
    return {k: v for k, v in obj.items() if k != 'source'}


def ns(tree):
    """An object tree (attributes) from nested dicts: a stand-in for a module
    object whose attributes hold its constructor settings."""
    if not isinstance(tree, dict):
        return tree
    o = types.SimpleNamespace()
    for k, v in tree.items():
        setattr(o, k, ns(v))
    return o


def nest(path, leaf):
    """{"a": {"b": leaf}} from "a.b."."""
    for part in reversed(path.rstrip('.').split('.')):
        leaf = {part: leaf}
    return leaf


# ---- the reference fixtures as state_dicts and module objects (NumPy) --------

INF = float('inf')
# fixture -> (import options as `import` takes them, the module object's
# settings where the reference code keeps them)
FIXTURES = {
    's4_fftconv': ({'dt_transform': 'softplus'},
                   {'kernel': {'disc': 'zoh', 'dt_transform': 'softplus', 'real_transform': 'exp',
                               'imag_transform': 'none', 'dt_fast': False, 'bandlimit': None},
                    'swap_channels': False}),
    's4_block': ({'discretization': 'bilinear'},
                 {'kernel': {'disc': 'bilinear', 'dt_transform': 'exp'}}),
    's5_bilinear': ({'discretization': 'bilinear', 'conj_sym': False, 'clip_eigs': True,
                     'step_rescale': '1/2'},
                    {'discretization': 'bilinear', 'conj_sym': False, 'clip_eigs': True,
                     'step_rescale': 0.5, 'dt_min': 0.001}),
    's5_zoh': ({}, {'discretization': 'zoh', 'conj_sym': True, 'clip_eigs': False,
                    'step_rescale': 1.0}),
    'mamba2_g2': ({'ngroups': 2}, {'ngroups': 2, 'headdim': 2, 'dt_limit': (0.0, INF)}),
    'mamba2_g1': ({}, {'ngroups': 1, 'dt_limit': (0.0, INF)}),
    'lru_pytorch': ({}, {'out_features': 2}),
    'lru_minimal': ({}, {}),
    's4d_s4d_layer0': ({}, {'h': 3}),
}


def fixture(name):
    meta = json.load(open(os.path.join(REF, name + '.json')))
    args = meta['import']
    prefix = args[args.index('--prefix') + 1]
    return meta['checkpoint'], args[args.index('--layout') + 1], prefix


def reference_fixtures(tally, np):
    check = tally.check
    for name, (options, attrs) in FIXTURES.items():
        ckpt, layout, prefix = fixture(name)
        path = os.path.join(REF, ckpt + '.npz')
        want = ssmheads.import_weights(path, layout=layout, prefix=prefix, warn=False, **options)
        sd = dict(np.load(path))
        slice_ = None
        if layout == 'mamba2':   # the frozen slice, given apart as from_module takes it
            p = prefix if prefix.endswith('.') else prefix + '.'
            slice_ = {k: sd.pop(p + k) for k in ('B', 'C', 'dt')}
        # a raw state_dict: the options given as keyword arguments
        m = ssmheads.from_module(sd, prefix=prefix, slice=slice_, warn=False, **options)
        check(without_source(m.to_dict()) == without_source(want.to_dict()),
              '%s: from_module(state_dict, **options) is the model `import` gives' % name)
        check(m.source == want.source.replace(path, '<tensors>'),
              '%s: the same source, naming "<tensors>": %r' % (name, m.source))
        # a module object holding the settings: read from its attributes
        obj = ns(nest(prefix, attrs) if prefix.strip('.') else attrs)
        several = name.startswith('s4d_s4d')   # two layers: the prefix names one
        m2 = ssmheads.from_module(obj, params=sd, slice=slice_, warn=False,
                                  prefix=prefix if several else None)
        check(without_source(m2.to_dict()) == without_source(want.to_dict()),
              '%s: from_module(module, params=) reads the settings from its attributes' % name)
        read = [a for a in ('disc', 'dt_transform', 'discretization', 'conj_sym', 'clip_eigs',
                            'step_rescale', 'ngroups', 'headdim', 'dt_limit')
                if a in json.dumps(attrs)]
        check(all(a in m2.source for a in read) and
              (('read from the module' in m2.source) == bool(read)),
              '%s: source names the settings read (%s): %r' % (name, read, m2.source))
        if name == 's5_bilinear':
            m3 = ssmheads.from_module(obj, params=sd, settings=False, warn=False)
            check(without_source(m3.to_dict()) != without_source(want.to_dict()) and
                  'zoh (default)' in m3.source,
                  's5_bilinear: settings=False takes the reference defaults instead')
            m4 = ssmheads.from_module(obj, params=sd, discretization='zoh', warn=False)
            check('disc zoh (given)' in m4.source or 'zoh (given)' in m4.source,
                  's5_bilinear: an option given wins over the attribute: %r' % m4.source)
        if name == 's4_block':
            bad = ns(nest(prefix, {'kernel': {'disc': 'dss'}}))
            tally.raises(ssmheads.UsageError,
                         lambda: ssmheads.from_module(bad, params=sd, warn=False),
                         "s4.py disc='dss' is refused, naming the module's attribute",
                         lambda e: 'kernel.disc = dss' in str(e) and e.path == '$.discretization')
        if name == 'mamba2_g2':
            tally.raises(ssmheads.InvalidInput,
                         lambda: ssmheads.from_module(sd, slice=slice_, warn=False),
                         'mamba2 with flat B, C and no ngroups: refused naming --ngroups',
                         lambda e: '--ngroups' in str(e))
            tally.raises(ssmheads.InvalidInput,
                         lambda: ssmheads.from_module(sd, ngroups=2, warn=False),
                         'mamba2 without its frozen slice: refused, asking for it',
                         lambda e: 'frozen slice' in str(e) and 'mixer.B' in str(e))
            tally.raises(ssmheads.UsageError,
                         lambda: ssmheads.from_module(sd, slice={'x': 1}, warn=False),
                         'a slice holds B, C and dt only')
    # a nested parameter tree (Flax's) of arrays that only convert to numpy (JAX's)
    ckpt, layout, prefix = fixture('s5_zoh')
    path = os.path.join(REF, ckpt + '.npz')

    class ArrayLike:
        def __init__(self, a):
            self.a = a

        def __array__(self, dtype=None):
            return self.a if dtype is None else self.a.astype(dtype)
    tree = {}
    for k, v in np.load(path).items():
        node = tree
        *parts, leaf = k.split('.')
        for part in parts:
            node = node.setdefault(part, {})
        node[leaf] = ArrayLike(v)
    check(ssmheads.from_module(tree, warn=False) ==
          ssmheads.import_tensors(dict(np.load(path)), layout=layout, prefix=prefix, warn=False),
          'a nested tree of array-likes (a Flax tree of JAX arrays) is the flat state_dict')
    # inspect: the CLI's --json (without its shell lines) for a file; the same
    # modules for the state_dict in memory
    path = os.path.join(REF, 's4d_mixed.safetensors')
    p = run(['inspect', path, '--json'])
    cli = json.loads(p.stdout)
    for mo in cli['modules']:
        mo.pop('command')
    got = ssmheads.inspect(path)
    check(p.returncode == 0 and got.as_dict() == cli, 'inspect(path) is `ssmheads inspect --json`')
    npz = os.path.join(REF, 's4d_mixed.npz')   # strings and objects among its arrays
    mem = ssmheads.inspect(dict(np.load(npz, allow_pickle=True)))
    filed = ssmheads.inspect(npz)
    check(mem.modules == filed.modules and mem.file == '<tensors>' and
          [t['shape'] for t in mem.tensors] == [t['shape'] for t in filed.tensors],
          'inspect(state_dict) finds the modules of its file: %s' % mem.prefixes)
    check('layers.0.' in repr(mem) and '<table>' in mem._repr_html_().replace(
        '<table><caption', '<table>'), 'Inspection has a repr and an HTML table')
    # tensors the library cannot read: listed, and refused only when needed
    sd = dict(np.load(os.path.join(REF, 's4d_s4d.npz')))
    sd['layers.0.labels'] = np.array(['a', 'b'])
    m = ssmheads.from_module(sd, prefix='layers.0', warn=False)
    check(any('labels' in n for n in m.notes),
          'an unreadable dtype under the prefix is listed as unused: %s' % (m.notes,))
    little = ssmheads.from_module(sd, prefix='layers.1', warn=False)
    sd['layers.1.kernel.C'] = sd['layers.1.kernel.C'].astype('>f4')
    check(ssmheads.from_module(sd, prefix='layers.1', warn=False) == little,
          'a big-endian array is read as the numbers it holds')
    sd['layers.1.kernel.C'] = np.array([['x'] * 2] * 4 * 3).reshape(3, 4, 2)
    tally.raises(ssmheads.InvalidInput,
                 lambda: ssmheads.from_module(sd, prefix='layers.1', warn=False),
                 'a needed tensor of a dtype the library cannot read is refused, named',
                 lambda e: 'layers.1.kernel.C' in str(e) and 'numpy.<U1' in str(e))


# ---- PyTorch: S4D layers of the reference code, trained ----------------------

H, N, L = 3, 8, 12
EPS = '1/1000'


def s4d_model(torch):
    from s4d_transcription import S4D
    torch.manual_seed(sup.SEED)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Linear(2, H)
            self.layers = torch.nn.ModuleList([S4D(H, d_state=N) for _ in range(3)])
            self.decoder = torch.nn.Linear(H, 1)

        def forward(self, u):
            x = self.encoder(u).transpose(-1, -2)
            for layer in self.layers:
                x, _ = layer(x)
            return self.decoder(x.transpose(-1, -2))

    net = Net()
    g = torch.Generator().manual_seed(sup.SEED)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(3):
        u = torch.randn(4, L, 2, generator=g)
        loss = ((net(u) - u[..., :1].cumsum(1)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.layers[2].to(torch.bfloat16)   # one layer stored in bfloat16
    return net


def s4d_reference(torch, layer):
    """K_0 .. K_{L-1} of the layer's own forward (its kernel and D), in float64."""
    lay = copy.deepcopy(layer).double()
    with torch.no_grad():
        k = lay.kernel(L=L)
        D = lay.D.detach()
    return [[[float(k[i, l]) + (float(D[i]) if l == 0 else 0.0) if i == j else 0.0
              for j in range(H)] for i in range(H)] for l in range(L)]


def write_safetensors(path, sd, torch):
    """The state_dict as a .safetensors file, written by torch itself (not by
    the package's encoder): raw little-endian bytes of each tensor."""
    codes = {torch.float32: 'F32', torch.bfloat16: 'BF16', torch.float64: 'F64'}
    header, blob = {}, b''
    for k, t in sd.items():
        t = t.detach().contiguous()
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[k] = {'dtype': codes[t.dtype], 'shape': list(t.shape),
                     'data_offsets': [len(blob), len(blob) + len(raw)]}
        blob += raw
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + blob)


def mutant_rejected(tally, cert, kind, check_fn, unjudged):
    bad = copy.deepcopy(cert)
    if kind == 'heads':
        bad['claim']['k'] += 1
    else:
        bad['claim']['gamma'] = str(Fraction(bad['claim']['gamma']) / 2)
    v = ssmheads.verify(bad)
    tally.check(not v and v.exit_code == 1,
                '%s certificate with a false claim: the C checker rejects it (%r)' % (kind, v))
    tally.check(verify_heads.verdict(check_fn, bad, unjudged) is not True,
                '%s certificate with a false claim: the Python checker rejects it' % kind)


def s4d_layers(tally, torch):
    check = tally.check
    net = s4d_model(torch)
    ins = ssmheads.inspect(net)
    check([(m['prefix'], m['layout'], m['form']) for m in ins.modules] ==
          [('layers.%d.' % i, 's4d', 's4d.py S4D') for i in range(3)],
          'inspect(net): the three S4D layers: %s' % ins.prefixes)
    dtypes = {t['name']: t['dtype'] for t in ins.tensors}
    check(dtypes['layers.2.kernel.C'] == 'BF16' and dtypes['layers.0.kernel.C'] == 'F32',
          'inspect lists the tensors with their own dtypes')
    # from_module: the module's own forward kernel, in float64
    errs = []
    for i, get in enumerate((lambda: ssmheads.from_module(net.layers[0], warn=False),
                             lambda: ssmheads.from_module(net, prefix='layers.1', warn=False),
                             lambda: ssmheads.from_module(net, prefix='layers.2.', warn=False))):
        m = get()
        err = rel_error(m.lags(L), s4d_reference(torch, net.layers[i]))
        errs.append(err)
        check(err <= TOL and m.structure == 'complex_diag' and m.N == H * N // 2,
              'layer %d%s: lags against its forward kernel in float64: relative error %.2e' % (
                  i, ' (bfloat16)' if i == 2 else '', err))
    print('from_module vs the S4D forward in float64: relative errors %s' % (
        ', '.join('%.2e' % e for e in errs)))
    tally.raises(ssmheads.UsageError, lambda: ssmheads.from_module(net),
                 'from_module(net) with three layers asks for prefix=',
                 lambda e: all('layers.%d.' % i in str(e) for i in range(3)))
    tally.raises(ssmheads.InvalidInput, lambda: ssmheads.from_module(net, prefix='decoder'),
                 'from_module at a prefix without an SSM module')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        m = ssmheads.from_module(net.layers[0])
        quiet = ssmheads.from_module(net.layers[1], warn=False)
    notes = [x for x in w if issubclass(x.category, ssmheads.ImportNote)]
    check(len(notes) == 1 and 'output_linear.0.weight' in str(notes[0].message) and
          notes[0].filename == __file__ and len(m.notes) == 1 and quiet.notes,
          'the unused tensors as one ImportNote at the caller\'s line, and m.notes: %s' % (
              [str(x.message) for x in w],))
    # scan: one row per layer, the CLI's answers
    seen = []
    rows = ssmheads.scan(net, n=L, eps=EPS, certificate=True,
                         progress=lambda done, total, what: seen.append((done, total, what)))
    check(len(rows) == 3 and not rows.errors and [r.prefix for r in rows] ==
          ['layers.0.', 'layers.1.', 'layers.2.'], 'scan: three rows, no errors: %r' % rows)
    check(seen and seen[-1][:2] == (3, 3) and any(': heads' in s[2] or 'gradient' in s[2]
                                                   for s in seen),
          'scan progress: layers counted, the library\'s stages shown: %s' % (
              sorted({s[2] for s in seen})[:6],))
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, 'net.safetensors')
        write_safetensors(ckpt, net.state_dict(), torch)
        out = os.path.join(tmp, 'models')
        p = run(['import', ckpt, '--layout', 's4d', '--all', '-o', out])
        check(p.returncode == 0, 'ssmheads import --all: %s' % p.stderr)
        for r in rows:
            mf = os.path.join(out, r.prefix.rstrip('.') + '.json')
            cli_model = json.load(open(mf))
            check(without_source(cli_model) == without_source(r.model.to_dict()) and
                  cli_model['source'].replace(ckpt, '<module Net>') == r.model.source,
                  '%s: the model of `ssmheads import` on the state_dict, source too' % r.prefix)
            ph = run(['heads', mf, '-n', str(L), '--json'])
            check(ph.returncode == 0 and json.loads(ph.stdout) == r.heads.as_dict(),
                  '%s: heads -n %d --json is the row\'s (k = %s)' % (r.prefix, L, r.k))
            pg = run(['gradient', mf, '-n', str(L), '--eps', EPS, '--json'])
            check(pg.returncode == 0 and json.loads(pg.stdout) == r.gradient.as_dict(),
                  '%s: gradient --json is the row\'s (%s, horizon %s)' % (
                      r.prefix, r.stable, r.horizon))
    for r in rows:
        for kind, res, fn, unj in (('heads', r.heads, verify_heads.check, ()),
                                   ('gradient', r.gradient, verify_gradient.check,
                                    verify_gradient.Unjudged)):
            c = ssmheads.verify(res)
            py = verify_heads.verdict(fn, json.loads(json.dumps(res.certificate)), unj)
            check(bool(c) and py is True, '%s %s certificate: ssmheads-verify %r, Python %r' % (
                r.prefix, kind, c.message, py))
    mutant_rejected(tally, rows[0].heads.certificate, 'heads', verify_heads.check, ())
    mutant_rejected(tally, rows[2].gradient.certificate, 'gradient', verify_gradient.check,
                    verify_gradient.Unjudged)
    # the table and the rows
    text, page = repr(rows), rows._repr_html_()
    check(all(p in text and p in page for p in ('layers.0.', 'layers.2.')) and
          '<table>' in page.replace('<table><caption', '<table>') and 'horizon' in text,
          'scan result: a readable repr and an HTML table:\n%s' % text)
    check(rows['layers.1'] is rows[1] and rows['layers.1.'].k == rows[1].heads.k and
          set(rows.models) == {'layers.0.', 'layers.1.', 'layers.2.'} and
          json.loads(rows.to_json())[0]['prefix'] == 'layers.0.',
          'rows by prefix, models, as JSON')
    # the bar on stderr: drawn when asked, silent when not
    for want, prog in ((True, True), (False, False)):
        buf = io.StringIO()
        with contextlib.redirect_stderr(buf):
            ssmheads.scan(net, n=4, gradient=False, progress=prog, jobs=2)
        text = buf.getvalue()
        check(('ssmheads scan [' in text and '3/3' in text) == want and (want or text == ''),
              'progress=%s: %r' % (prog, text[-120:]))
    return net


def errors_in_rows(tally, torch, net):
    from lru_pytorch_transcription import LRU
    mixed = torch.nn.ModuleDict({'s4d': net.layers[0], 'lru': LRU(3, 2, 4)})
    rows = ssmheads.scan(mixed, n=4, dt_transform='exp', progress=False)
    tally.check(len(rows) == 2 and len(rows.errors) == 2 and
                all(isinstance(r.error, ssmheads.UsageError) and r.stage == 'import'
                    for r in rows) and 'failed' in repr(rows),
                'an option a layer does not take fails that row, not the scan:\n%r' % rows)
    rows = ssmheads.scan(mixed, n=4, eps='1/10', layouts=['lru'], plot=True, jobs=2,
                         progress=False)
    tally.check([r.layout for r in rows] == ['lru'] and rows[0].k is not None and
                rows[0].gradient.svg.startswith('<svg'),
                'layouts= keeps those layouts; plot=True keeps the envelope plot')


def lru_module(tally, torch):
    """LRU-pytorch: complex B and C (complex64 as trained; complex128 too)."""
    from lru_pytorch_transcription import LRU
    torch.manual_seed(sup.SEED + 1)
    d_in, d_out, n_state, length = 3, 2, 4, 8
    lru = LRU(d_in, d_out, n_state)
    opt = torch.optim.Adam(lru.parameters(), lr=1e-2)
    g = torch.Generator().manual_seed(sup.SEED + 1)
    for _ in range(2):
        u = torch.randn(2, length, d_in, generator=g)
        loss = (lru(u) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    m = ssmheads.from_module(lru, warn=False)
    ins = ssmheads.inspect(lru)
    tally.check({t['name']: t['dtype'] for t in ins.tensors}['B'] == 'C64' and
                m.structure == 'complex_diag' and m.output == 're',
                'LRU-pytorch: complex64 B and C, a complex-diagonal model (output re)')
    # its forward in float64: the same numbers, upcast exactly
    ref = copy.deepcopy(lru)
    for prm in ref.parameters():
        prm.data = prm.data.to(torch.complex128 if prm.is_complex() else torch.float64)
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        ref.state = torch.complex(torch.zeros(n_state), torch.zeros(n_state))
        x = torch.zeros(d_in, length, d_in)
        for j in range(d_in):
            x[j, 0, j] = 1.0
        with torch.no_grad():
            y = ref(x)
    finally:
        torch.set_default_dtype(old)
    R = [[[float(y[j, l, i]) for j in range(d_in)] for i in range(d_out)] for l in range(length)]
    err = rel_error(m.lags(length), R)
    print('from_module vs the LRU forward in float64: relative error %.2e' % err)
    tally.check(err <= TOL, 'LRU-pytorch: lags against its forward in float64: %.2e' % err)
    m128 = ssmheads.from_module(ref, warn=False)
    tally.check(m128 == m, 'LRU-pytorch in complex128: the same exact model (the same numbers)')


INTERRUPT = '''
import os, random, signal, sys
import ssmheads
random.seed(1)
A = [[random.randint(-3, 3) / 320 for _ in range(40)] for _ in range(40)]
m = ssmheads.Model(A, [[1]] * 40, [[1] * 40])
seen = []


def report(w, d, t):
    # Ctrl-C at the first report, not by a timer: a fast machine may end
    # the call before any timer fires
    seen.append(w)
    if len(seen) == 1:
        os.kill(os.getpid(), signal.SIGINT)


try:
    m.gradient(eps='1/1000', certificate=True, progress=report)
    print('not interrupted', len(seen))
except KeyboardInterrupt:
    print('interrupted', len(seen))
m.heads(n=4)
print('and the library still answers')
'''


def interrupt(tally):
    """Ctrl-C while the library reports progress: raised when the call
    returns, never swallowed by the ctypes callback."""
    p = subprocess.run([sys.executable, '-c', 'import sys; sys.path.insert(0, sys.argv[1]); '
                        'exec(sys.argv[2])', os.path.join(sup.TOP, 'python'), INTERRUPT],
                       capture_output=True, text=True, timeout=300)
    tally.check(p.returncode == 0 and 'interrupted' in p.stdout and 'not interrupted' not in
                p.stdout and 'still answers' in p.stdout and 'Exception ignored' not in p.stderr,
                'Ctrl-C during a call with progress reports: %r %r' % (p.stdout, p.stderr[-300:]))


# how many checks each part makes (counted as skipped when it cannot run)
FIXTURE_CHECKS, TORCH_CHECKS = 49, 39


def main():
    tally = sup.Tally()
    np = torch = None
    interrupt(tally)
    if sup.have('numpy'):
        import numpy as np
        reference_fixtures(tally, np)
    else:
        tally.skip(FIXTURE_CHECKS, 'the reference fixtures need numpy')
    if sup.have('torch') and np is not None:
        import torch
        net = s4d_layers(tally, torch)
        errors_in_rows(tally, torch, net)
        lru_module(tally, torch)
    else:
        tally.skip(TORCH_CHECKS, 'from_module and scan on PyTorch modules need torch '
                                 '(python3-torch) and numpy')
    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
