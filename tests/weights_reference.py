#!/usr/bin/env python3
"""Reference checkpoints as they come (issue 16).

witnesses/weights/reference/ holds small modules of the reference
implementations -- state-spaces/s4 s4d.py S4D and s4.py FFTConv / S4Block
(SSMKernelDiag), lindermanlab/S5 S5SSM, minimal-LRU and LRU-pytorch LRU,
state-spaces/mamba Mamba2 with a frozen slice -- their state_dicts written
unchanged as .npz and .safetensors, beside the lag operators K_0 .. K_{L-1}
that the reference forward pass computes in float64 (written by
tests/weights_reference_make.py, which needs PyTorch and the reference
code; this test needs neither: Python's fractions and the stored kernels).

Every fixture is imported unchanged, in both formats, with the arguments
stored beside it; the imported model's exact lags (tests/oracle.py, exact
rationals) must agree with the reference kernel to a relative error of
1e-12 at every lag.  Then every hazard of the issue, each of which failed
(or silently wrote a wrong model) before: the S4D kernel's prefix (D beside
the kernel), flat B and C of Mamba-2 with ngroups = 2, headdim from the
shapes, D_has_hdim, complex tensors, unrelated tensors of any dtype, a full
p x d D, the messages; `inspect` and `import --all` with the manifest for
`batch`.  Prints "N passed, N failed".
"""
import json
import math
import os
import subprocess
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tally import Tally  # noqa: E402
import oracle  # noqa: E402

PROG = os.environ.get('SSMHEADS', './ssmheads')
TOP = os.environ.get('top_srcdir', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
REF = os.path.join(TOP, 'witnesses', 'weights', 'reference')


def run(args):
    return subprocess.run([PROG] + args, capture_output=True, text=True, timeout=300)


def dense(v):
    """Every sparse-form matrix of a model file as a list of rows."""
    if isinstance(v, dict) and 'entries' in v and 'rows' in v:
        out = [["0"] * v['cols'] for _ in range(v['rows'])]
        for i, j, x in v['entries']:
            out[i][j] = x
        return out
    if isinstance(v, dict):
        return {k: dense(x) for k, x in v.items()}
    return v


def exact_lags(path, count):
    m = dense(json.load(open(path)))
    return oracle.lags(m, count)


def rel_error(K, R):
    """max over lags of ||K_l - R_l||_F / ||R_l||_F (K exact, R floats)."""
    worst = 0.0
    for Kl, Rl in zip(K, R):
        num = sum((float(Kl[i][j] - Fraction(Rl[i][j]))) ** 2 for i in range(len(Rl)) for j in range(len(Rl[0])))
        den = sum(x * x for row in Rl for x in row)
        worst = max(worst, math.sqrt(num / den) if den > 0 else math.sqrt(num))
    return worst


def kernel(meta):
    return [[[float.fromhex(x) if x != '0' else 0.0 for x in row] for row in Kl] for Kl in meta['kernel']]


def main():
    tally = Tally()
    check = tally.check
    tmp = tempfile.mkdtemp(prefix='ssmh_ref_')
    fixtures = sorted(f[:-5] for f in os.listdir(REF) if f.endswith('.json'))
    check(len(fixtures) >= 9, 'fixtures present: %s' % fixtures)

    # 1. every fixture, unchanged, both formats: exact lags = the reference's
    # (under valgrind, SSMH_TEST_MULT < 1, one format per fixture, alternating)
    mult = float(os.environ.get('SSMH_TEST_MULT', '1'))
    for k, name in enumerate(fixtures):
        meta = json.load(open(os.path.join(REF, name + '.json')))
        R = kernel(meta)
        exts = ('.npz', '.safetensors') if mult >= 1 else (('.npz', '.safetensors')[k % 2],)
        for ext in exts:
            out = os.path.join(tmp, name + ext + '.json')
            r = run(['import', os.path.join(REF, meta['checkpoint'] + ext)] + meta['import'] + ['-o', out])
            if not check(r.returncode == 0, '%s%s: import %s: %s' % (name, ext, ' '.join(meta['import']), r.stderr)):
                continue
            K = exact_lags(out, meta['lags'])
            shape_ok = [len(K[0]), len(K[0][0])] == meta['shape']
            err = rel_error(K, R) if shape_ok else float('inf')
            check(shape_ok and err <= 1e-12, '%s%s: exact lags vs the reference kernel: relative error %.3g '
                  '(p x d %s, expected %s)' % (name, ext, err, [len(K[0]), len(K[0][0])], meta['shape']))
            if ext == exts[0]:
                print('  %-16s relative error %.2e  (%s)' % (name, err, meta['reference'][:70]))

    s4d = os.path.join(REF, 's4d_s4d.npz')
    x = os.path.join(tmp, 'x.json')
    # 2. S4D: --prefix at the kernel (D beside it) is refused, naming the module's prefix
    r = run(['import', s4d, '--layout', 's4d', '--prefix', 'layers.0.kernel.', '-o', x])
    check(r.returncode == 4 and "'layers.0.D'" in r.stderr and "use --prefix 'layers.0.'" in r.stderr
          and not os.path.exists(x), 'S4D kernel prefix refused (D beside the kernel): %s' % r.stderr.strip())
    # no prefix: the message says which prefix has the module
    r = run(['import', s4d, '--layout', 's4d', '-o', x])
    check(r.returncode == 4 and "use --prefix 'layers.0.'" in r.stderr, 'S4D without prefix: %s' % r.stderr.strip())
    # the unused tensors are listed once; D is used
    r = run(['import', s4d, '--layout', 's4d', '--prefix', 'layers.0.', '-o', x])
    check(r.returncode == 0 and r.stderr.count('not used') == 1 and 'output_linear.0.weight' in r.stderr
          and 'kernel.' not in r.stderr.split('not used')[1] and ' D' not in r.stderr.split('not used')[1],
          'S4D: unused tensors listed once, D and the kernel used: %s' % r.stderr.strip())
    # options of s4.py kernels do not apply to s4d.py's S4D
    r = run(['import', s4d, '--layout', 's4d', '--prefix', 'layers.0.', '--dt-transform', 'softplus', '-o', x])
    check(r.returncode == 3 and 's4.py' in r.stderr, 's4d.py S4D refuses --dt-transform: %s' % r.stderr.strip())

    # 3. s4.py FFTConv: the learned B is used -- the default dt_transform gives another model
    fft = os.path.join(REF, 's4_fftconv.safetensors')
    r = run(['import', fft, '--layout', 's4d', '--prefix', 'blocks.1.conv', '-o', x])
    meta = json.load(open(os.path.join(REF, 's4_fftconv.json')))
    check(r.returncode == 0 and 'dt_transform exp (default)' in json.load(open(x))['source']
          and rel_error(exact_lags(x, meta['lags']), kernel(meta)) > 1e-6,
          'FFTConv: the source records dt_transform exp (default), which is not this module\'s softplus')
    # an S4Block's own path reaches its FFTConv `layer`
    blk = os.path.join(REF, 's4_block.npz')
    r = run(['import', blk, '--layout', 's4d', '--discretization', 'bilinear', '-o', x])
    check(r.returncode == 0 and "prefix 'layer.'" not in json.load(open(x))['source'] and 'FFTConv' in
          json.load(open(x))['source'], 'S4Block at the top level: its layer imported: %s' % r.stderr.strip())

    # 4. Mamba-2, ngroups = 2, B and C flat: without --ngroups refused, naming it
    mg2 = os.path.join(REF, 'mamba2_g2.npz')
    x = os.path.join(tmp, 'x2.json')
    r = run(['import', mg2, '--layout', 'mamba2', '--prefix', 'backbone.layers.0.mixer.', '-o', x])
    check(r.returncode == 4 and '--ngroups' in r.stderr and not os.path.exists(x),
          'Mamba-2 flat B, ngroups open: refused naming --ngroups: %s' % r.stderr.strip())
    r = run(['import', mg2, '--layout', 'mamba2', '--prefix', 'backbone.layers.0.mixer.', '--ngroups', '2',
             '--headdim', '3', '-o', x])
    check(r.returncode == 3 and 'headdim = 2' in r.stderr, '--headdim contradicting the shapes: %s' % r.stderr.strip())
    r = run(['import', mg2, '--layout', 'mamba2', '--prefix', 'backbone.layers.0.mixer.', '--ngroups', '2', '-o', x])
    src = json.load(open(x))['source'] if r.returncode == 0 else ''
    check('headdim 2 (' in src and 'D_has_hdim' in src and 'ngroups 2 (given)' in src,
          'Mamba-2: headdim from the shapes, D_has_hdim, ngroups recorded: %s' % src)

    # 5. unrelated tensors of any dtype (bool, complex, strings, objects, float8) outside the prefix
    for ext in ('.npz', '.safetensors'):
        mixed = os.path.join(REF, 's4d_mixed' + ext)
        out = os.path.join(tmp, 'mixed' + ext + '.json')
        r = run(['import', mixed, '--layout', 's4d', '--prefix', 'layers.1.', '-o', out])
        meta = json.load(open(os.path.join(REF, 's4d_s4d_layer1.json')))
        check(r.returncode == 0 and rel_error(exact_lags(out, meta['lags']), kernel(meta)) <= 1e-12,
              'unrelated bool/complex/string/object/float8 tensors do not block the import (%s): %s'
              % (ext, r.stderr.strip()))
    r = run(['import', os.path.join(REF, 's4d_mixed.npz'), '--layout', 'dense', '--prefix', 'vocab', '-o', x])
    check(r.returncode == 4, 'an unreadable tensor that is needed is refused: %s' % r.stderr.strip())

    # 6. complex tensors and a full D (LRU-pytorch): read exactly
    lp = os.path.join(REF, 'lru_pytorch.npz')
    out = os.path.join(tmp, 'lp.json')
    r = run(['import', lp, '--layout', 'lru', '--prefix', 'rnn', '-o', out])
    m = dense(json.load(open(out))) if r.returncode == 0 else {}
    check(r.returncode == 0 and len(m['D']) == 2 and len(m['D'][0]) == 3
          and sum(1 for row in m['D'] for v in row if oracle.num(v) != 0) == 6,
          'LRU-pytorch: complex64 B and C, full 2 x 3 D: %s' % r.stderr.strip())

    # 7. inspect: every tensor and module, and import lines that work as printed
    r = run(['inspect', os.path.join(REF, 's4d_mixed.npz'), '--json'])
    ok = r.returncode == 0
    info = json.loads(r.stdout) if ok else {}
    names = {t['name']: t for t in info.get('tensors', [])}
    mods = info.get('modules', [])
    check(ok and names.get('meta', {}).get('dtype') == '|O' and names.get('encoder.rotary', {}).get('complex')
          and names.get('layers.0.kernel.C', {}).get('shape') == [3, 4, 2],
          'inspect lists every tensor with dtype and shape')
    check([(mo['layout'], mo['prefix']) for mo in mods] == [('s4d', 'layers.0.'), ('s4d', 'layers.1.')]
          and mods[0]['sizes'] == {'H': 3, 'N': 8, 'channels': 1, 'n_ssm': 3} and mods[0]['importable']
          and mods[0]['command'].startswith('ssmheads import ') and '--prefix layers.0.' in mods[0]['command'],
          'inspect recognizes the two S4D layers: %s' % [(mo['layout'], mo['prefix'], mo.get('sizes')) for mo in mods])
    r = run(['inspect', mg2])
    check(r.returncode == 0 and 'mamba2 (mamba_ssm Mamba2)' in r.stdout and 'nheads = 4' in r.stdout
          and 'headdim = 2' in r.stdout and '--ngroups' in r.stdout,
          'inspect: Mamba2 sizes, and the --ngroups it needs: %s' % r.stdout[-400:])
    # 8. --all: one model per module, named after its prefix, and a manifest for batch
    d = os.path.join(tmp, 'all')
    r = run(['import', s4d, '--layout', 's4d', '--all', '-o', d])
    files = sorted(os.listdir(d)) if os.path.isdir(d) else []
    check(r.returncode == 0 and files == ['layers.0.json', 'layers.1.json', 'manifest.txt'],
          'import --all: %s %s' % (files, r.stderr.strip()))
    if r.returncode == 0:
        meta = json.load(open(os.path.join(REF, 's4d_s4d_layer1.json')))
        check(rel_error(exact_lags(os.path.join(d, 'layers.1.json'), meta['lags']), kernel(meta)) <= 1e-12,
              '--all: layers.1 is the reference layer')
        res = os.path.join(tmp, 'res.jsonl')
        b = run(['batch', os.path.join(d, 'manifest.txt'), '--jobs', '1', '-n', '8', '--out', res])
        lines = [json.loads(ln) for ln in open(res)] if os.path.exists(res) else []
        check(b.returncode == 0 and sorted(ln['id'] for ln in lines) == ['layers.0.', 'layers.1.']
              and all(ln['status'] == 'ok' and ln['heads']['k'] == 3 for ln in lines),
              'batch on the --all manifest: %s %s' % (b.stderr.strip(), lines[:1]))
    r = run(['import', os.path.join(REF, 's5_zoh.npz'), '--layout', 'lru', '--all', '-o', os.path.join(tmp, 'none')])
    check(r.returncode == 4 and not os.path.exists(os.path.join(tmp, 'none')), '--all with no such module: exit 4')
    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
