#!/usr/bin/env python3
"""Mutation smoke test: every witness file (models, attention layers,
certificates, weight samples), mutated byte-wise at random (seeded), is fed
to the program.  Whatever the input, the program must end with a documented
exit code (0-7), never a signal, never a sanitizer report (when built with
--enable-sanitizers), and never leave an output file behind on failure.
SSMH_TEST_MULT scales the count.  Prints "N passed, N failed".
"""
import glob
import os
import random
import subprocess
import sys
import tempfile

PROG = os.environ.get('SSMHEADS', './ssmheads')
SEED = int(os.environ.get('SSMH_TEST_SEED', '20261124'))
MULT = max(0.01, float(os.environ.get('SSMH_TEST_MULT', '1')))  # may be fractional (valgrind)
TOP = os.environ.get('top_srcdir', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
TOKENS = [b'"', b'[', b']', b'{', b'}', b',', b'0', b'1e999999', b'-', b'/0', b'9' * 40, b'"1/3"', b'null']


def mutate(rng, s):
    s = bytearray(s)
    for _ in range(rng.randint(1, 6)):
        if not s:
            break
        i = rng.randrange(len(s))
        op = rng.random()
        if op < 0.4:
            s[i] = rng.randrange(256)
        elif op < 0.6:
            del s[i:i + rng.randint(1, 8)]
        elif op < 0.8:
            s[i:i] = rng.choice(TOKENS)
        else:
            del s[i:]
    return bytes(s)


def main():
    rng = random.Random(SEED)
    jsons = sorted(glob.glob(os.path.join(TOP, 'witnesses', '**', '*.json'), recursive=True))
    weights = sorted(glob.glob(os.path.join(TOP, 'witnesses', 'weights', '*.npz'))
                     + glob.glob(os.path.join(TOP, 'witnesses', 'weights', '*.safetensors')))
    passed = failed = 0
    env = dict(os.environ, UBSAN_OPTIONS='halt_on_error=1')
    with tempfile.TemporaryDirectory(prefix='ssmh_fuzz_') as tmp:
        for it in range(max(1, int(150 * MULT))):
            out = os.path.join(tmp, 'out.json')
            if it % 3 == 2 and weights:
                src = rng.choice(weights)
                ext = os.path.splitext(src)[1]
                path = os.path.join(tmp, 'in' + ext)
                args = ['import', path, '--layout', 'dense' if ext == '.npz' else 'attention', '-o', out]
                if ext == '.safetensors':
                    args += ['--prefix', 'attn.']
            else:
                src = rng.choice(jsons)
                path = os.path.join(tmp, 'in.json')
                args = rng.choice([['heads', path, '-n', '5', '--cert', out], ['span', path],
                                   ['verify', path], ['gradient', path, '--lags', '3', '--cert', out],
                                   ['minimal', path, '-o', out], ['construct', path, '-n', '4', '-o', out]])
            data = mutate(rng, open(src, 'rb').read())
            open(path, 'wb').write(data)
            if os.path.exists(out):
                os.remove(out)
            try:
                r = subprocess.run([PROG] + args, capture_output=True, timeout=120, env=env)
                rc, err = r.returncode, r.stderr.decode(errors='replace')
            except subprocess.TimeoutExpired:
                rc, err = 'timeout', ''
            ok = rc in range(0, 8) and 'Sanitizer' not in err and 'runtime error' not in err \
                and not (rc != 0 and os.path.exists(out))
            if not ok:
                keep = os.path.join(tempfile.gettempdir(), 'ssmh_fuzz_fail_%d' % it)
                open(keep, 'wb').write(data)
                print('FAIL %d: %s exit %s (input kept in %s)\n%s' % (it, args[0], rc, keep, err[:400]))
            passed += ok
            failed += not ok
    print('mutated inputs: %d' % (passed + failed))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
