#!/usr/bin/env python3
"""The Python package against the program on the witness corpus: every step
of every witnesses/**/*.case that asks heads, construct, gradient, minimal,
approx, span, represent, import or verify is run twice -- by `ssmheads`
(with --json) and by the matching ssmheads call -- and the answers must be
the same exactly: the JSON object (r.as_dict()), the exit code (1: the
claim is false), the certificate --cert writes, the SVG --plot writes, the
model or layer import writes; and for the steps the program refuses, an
exception of the class of its exit code with the same message.  Steps whose
arguments have no Python form (missing operands, stdin) are listed, not
counted.  Prints "N passed, N failed, N skipped".
"""
import glob
import json
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import python_support as sup  # noqa: E402
import replay  # noqa: E402

ssmheads = sup.setup()

COMMANDS = ('heads', 'construct', 'gradient', 'minimal', 'approx', 'span', 'represent',
            'import', 'verify')
VALUE_OPTS = {'-n': 'n', '--budget': 'budget', '--cert': 'cert', '--eps': 'eps',
              '--lags': 'lags', '--plot': 'plot', '--attention': 'attention',
              '--method': 'method', '-o': 'out', '--layout': 'layout', '--prefix': 'prefix',
              '--discretization': 'discretization', '--output': 'output',
              '--headdim': 'headdim', '--precision': 'precision', '--model': 'model',
              '--max-bits': 'max_bits', '--max-digits': 'max_digits', '--max-dim': 'max_dim',
              '--max-state': 'max_dim', '--timeout': 'timeout', '--max-memory': 'max_memory'}
# the layout options of `import` (doc/weights.md), passed to import_weights by
# their Python names (dt_transform=...); the flags take an optional =BOOL
LAYOUT_VALUE_OPTS = ('ngroups', 'dt-transform', 'real-transform', 'imag-transform',
                     'bandlimit', 'step-rescale', 'dt-limit')
LAYOUT_FLAGS = ('conj-sym', 'dt-fast', 'swap-channels', 'clip-eigs')
VALUE_OPTS.update({'--' + o: o.replace('-', '_') for o in LAYOUT_VALUE_OPTS})
IMPORT_OPTS = ('discretization', 'output', 'headdim', 'precision') + tuple(
    o.replace('-', '_') for o in LAYOUT_VALUE_OPTS + LAYOUT_FLAGS)
FLAGS = {'--json': 'json', '--relative': 'relative', '--curve': 'curve'}
INT_OPTS = ('n', 'budget', 'lags', 'headdim', 'precision', 'ngroups', 'max_bits', 'max_digits',
            'max_dim', 'timeout')


class NoPythonForm(Exception):
    pass


def parse(args):
    """(command, operands, options) of a CLI step."""
    cmd, rest = args[0], args[1:]
    ops, opt = [], {}
    i = 0
    while i < len(rest):
        a = rest[i]
        if a in VALUE_OPTS:
            if i + 1 >= len(rest):
                raise NoPythonForm('option %s without its value' % a)
            opt[VALUE_OPTS[a]] = rest[i + 1]
            i += 2
        elif a in FLAGS:
            opt[FLAGS[a]] = True
            i += 1
        elif a.split('=', 1)[0][2:] in LAYOUT_FLAGS and a.startswith('--'):
            name, _, val = a[2:].partition('=')
            opt[name.replace('-', '_')] = {'': True, 'true': True, '1': True,
                                           'false': False, '0': False}.get(val, val)
            i += 1
        elif a.startswith('-') and a != '-':
            raise NoPythonForm('option %s' % a)
        else:
            ops.append(a)
            i += 1
    for k in INT_OPTS:
        if k in opt:
            try:
                opt[k] = int(opt[k])
            except ValueError:
                raise NoPythonForm('%s %r is not an integer' % (k, opt[k])) from None
    return cmd, ops, opt


def limits(opt):
    return {k: opt[k] for k in ('max_bits', 'max_digits', 'max_dim', 'timeout', 'max_memory')
            if k in opt}


def need(ops, count):
    if len(ops) != count or '-' in ops:
        raise NoPythonForm('operands %r' % (ops,))
    return ops


def python_step(cmd, ops, opt):
    """The Python call of a CLI step: a result, a Model, an Attention or a Verdict."""
    lim = limits(opt)
    if cmd == 'verify':
        (cert,) = need(ops, 1)
        return ssmheads.verify(cert, model=opt.get('model'), **lim)
    if cmd == 'import':
        (path,) = need(ops, 1)
        if 'layout' not in opt or 'out' not in opt:
            raise NoPythonForm('import without --layout or -o')
        return ssmheads.import_weights(
            path, layout=opt['layout'], prefix=opt.get('prefix', ''), warn=False,
            **{k: opt[k] for k in IMPORT_OPTS if k in opt}, **lim)
    if cmd == 'span':
        (att,) = need(ops, 1)
        return ssmheads.Attention.load(att, **lim).span(**lim)
    if cmd == 'represent':
        att, model = need(ops, 2)
        a = ssmheads.Attention.load(att, **lim)
        m = ssmheads.Model.load(model, **lim)
        return a.represent(m, n=opt.get('n'), certificate='cert' in opt, **lim)
    (path,) = need(ops, 1)
    m = ssmheads.Model.load(path, **lim)
    if cmd == 'heads':
        return m.heads(n=opt.get('n'), budget=opt.get('budget'), certificate='cert' in opt,
                       **lim)
    if cmd == 'construct':
        return m.construct(n=opt.get('n'), **lim)
    if cmd == 'gradient':
        att = ssmheads.Attention.load(opt['attention'], **lim) if 'attention' in opt else None
        return m.gradient(eps=opt.get('eps'), n=opt.get('n'), lags=opt.get('lags'),
                          certificate='cert' in opt, attention=att, plot='plot' in opt, **lim)
    if cmd == 'minimal':
        return m.minimal(**lim)
    if cmd == 'approx':
        return m.approx(n=opt.get('n'), eps=opt.get('eps'), relative=bool(opt.get('relative')),
                        curve=bool(opt.get('curve')), plot='plot' in opt,
                        method=opt.get('method', 'auto'), certificate='cert' in opt, **lim)
    raise NoPythonForm(cmd)


def run(args):
    return subprocess.run([sup.PROG] + args, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def strip_outputs(args):
    out, i = [], 0
    while i < len(args):
        if args[i] in ('--cert', '--plot', '-o'):
            i += 2
        else:
            out.append(args[i])
            i += 1
    return out


minimal_without_state = []


def read_json(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def compare(tally, where, cmd, opt, cli, cli_json, py):
    """cli: the CompletedProcess of the step as written; cli_json: of the
    step with --json (or None)."""
    if isinstance(py, BaseException):
        rc = cli.returncode
        tally.check(isinstance(py, ssmheads.Error) and py.exit_code == rc,
                    '%s: the program exits %d, Python raised %s (exit %s): %s' % (
                        where, rc, type(py).__name__, getattr(py, 'exit_code', None), py))
        if rc in (2, 4, 5, 6) and isinstance(py, ssmheads.Error):
            msg = cli.stderr.strip().splitlines()[-1] if cli.stderr.strip() else ''
            msg = msg[len('ssmheads: '):] if msg.startswith('ssmheads: ') else msg
            tally.check(str(py) == msg, '%s: message %r, the program says %r' % (where, str(py),
                                                                                 msg))
        return
    if cmd == 'verify':
        tally.check(bool(py) == (cli.returncode == 0) and py.exit_code == cli.returncode,
                    '%s: verdict %r, the program exits %d' % (where, py, cli.returncode))
        return
    if cmd == 'import':
        out = opt['out']
        want = json.loads(cli.stdout) if out == '-' else read_json(out)
        tally.check(cli.returncode == 0 and py.to_dict() == want,
                    '%s: the imported model differs from the program\'s' % where)
        return
    if cli_json is None or cli_json.returncode not in (0, 1):
        tally.check(False, '%s: Python answered, the program exits %d' % (where, cli.returncode))
        return
    tally.check(py.exit_code == cli_json.returncode,
                '%s: exit %d, the program %d' % (where, py.exit_code, cli_json.returncode))
    tally.check(py.as_dict() == json.loads(cli_json.stdout),
                '%s: as_dict() differs from --json:\n  %s\n  %s' % (
                    where, json.dumps(py.as_dict())[:300], cli_json.stdout[:300]))
    if 'cert' in opt and cli.returncode in (0, 1):
        tally.check(py.certificate == read_json(opt['cert']),
                    '%s: the certificate differs from --cert\'s' % where)
    if 'plot' in opt and cli.returncode == 0:
        with open(opt['plot'], encoding='utf-8') as f:
            tally.check(py.svg == f.read(), '%s: the SVG differs from --plot\'s' % where)
    if where in minimal_without_state:
        tally.check(py.model is None and py.mcmillan_degree == 0,
                    '%s: no state, so no r.model (the program refuses -o)' % where)
    if cmd == 'minimal' and 'out' in opt and cli.returncode == 0:
        tally.check(py.model is not None and py.model.to_dict() == read_json(opt['out']),
                    '%s: r.model differs from -o\'s' % where)


def run_case(tally, path, no_form):
    here = os.path.dirname(os.path.abspath(path))
    rel = os.path.relpath(path, os.path.join(sup.TOP, 'witnesses'))
    with tempfile.TemporaryDirectory(prefix='ssmh_pycorpus_') as tmp:
        for i, step in enumerate(replay.parse_case(path)):
            args = [a.replace('{here}', here).replace('{tmp}', tmp)
                    for a in shlex.split(step['run'])]
            where = '%s step %d (%s)' % (rel, i + 1, step['run'])
            if not args or args[0] not in COMMANDS:
                continue
            stdin = None
            for k, v in step['expect']:
                if k == 'stdin':
                    with open(v.replace('{here}', here).replace('{tmp}', tmp), 'rb') as f:
                        stdin = f.read().decode('utf-8', 'replace')
            try:
                cmd, ops, opt = parse(args)
                if stdin is not None:
                    raise NoPythonForm('reads stdin')
            except NoPythonForm as e:
                no_form.append('%s: %s' % (where, e))
                continue
            # the step as written (for its files and exit), and the same
            # question with --json and without output files; one run when
            # they are the same
            bare = strip_outputs(args)
            json_args = bare + ([] if opt.get('json') or cmd in ('verify', 'import')
                                else ['--json'])
            cli = run(args if bare != args or cmd in ('verify', 'import') else json_args)
            cli_json = None
            if cmd not in ('verify', 'import'):
                cli_json = cli if bare == args else run(json_args)
                if cli_json.returncode != cli.returncode:
                    no_form.append('%s: exit %d comes from writing an output file (without it: '
                                   '%d, compared)' % (where, cli.returncode, cli_json.returncode))
                    if cmd == 'minimal' and cli.returncode == 4:
                        minimal_without_state.append(where)
            try:
                py = python_step(cmd, ops, opt)
            except NoPythonForm as e:
                no_form.append('%s: %s' % (where, e))
                continue
            except Exception as e:  # noqa: BLE001 -- compared with the program's exit
                py = e
            compare(tally, where, cmd, opt, cli, cli_json, py)


def main():
    tally = sup.Tally()
    no_form = []
    cases = sorted(glob.glob(os.path.join(sup.TOP, 'witnesses', '**', '*.case'), recursive=True))
    for c in cases:
        run_case(tally, c, no_form)
    print('%d corpus steps have no Python form (operands the program refuses, stdin), or were '
          'compared without their output file:' % len(no_form))
    for w in no_form:
        print('  ' + w)
    tally.check(tally.passed > 200, 'at least 200 corpus comparisons (%d)' % tally.passed)
    return tally.finish()


if __name__ == '__main__':
    sys.exit(main())
