#!/bin/sh
# bench/run.sh [BUILD_DIR] -- the speed figures of bench/README.md.
# Generates the float32-derived models, times `ssmheads heads --cert` and
# `ssmheads-verify` on each, and compares with PARI/GP matrank and numpy
# matrix_rank on the same exact problems (apt-get install pari-gp
# python3-numpy; skipped when missing).  Never part of `make check`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/..}
py=/usr/bin/python3
out=${BENCH_DIR:-/tmp/ssmheads-bench}
mkdir -p "$out"
$py "$here/make_models.py" "$out" >/dev/null
t() { /usr/bin/time -f "%e s, %M KB" "$@" 2>&1 >/dev/null | tail -1; }
for m in dense_N64_pd16 dense_N128_pd16 dense_N256_pd32 diag_N1024_pd32 s4d_H256_m32; do
    f=$out/$m.json
    echo "$m: heads --cert: $(t "$build/ssmheads" heads "$f" --cert "$out/$m.cert")"
    echo "$m: verify:       $(t "$build/ssmheads-verify" "$out/$m.cert")"
    "$build/ssmheads" heads "$f" --json | $py -c 'import json,sys; print("   k_inf =", json.load(sys.stdin)["k_inf"])'
    case $m in dense_N64*|dense_N128*|dense_N256*)
        if command -v gp >/dev/null; then $py "$here/compare.py" "$f" --gp; fi ;;
    esac
    case $m in s4d*) ;; *)
        if $py -c 'import numpy' 2>/dev/null; then $py "$here/compare.py" "$f" --numpy; fi ;;
    esac
done
for m in dense_N64_pd16 dense_N64_unstable diag_N1024_pd32; do
    f=$out/$m.json
    echo "$m: gradient --eps 1/1000 --cert: $(t "$build/ssmheads" gradient "$f" --eps 1/1000 --cert "$out/$m.gcert")"
    echo "$m: verify gradient:            $(t "$build/ssmheads-verify" "$out/$m.gcert")"
done
for n in 2 8 16 32; do
    f=$out/dense_N64_pd16.json
    echo "dense_N64_pd16: approx -n $n --eps 1/10 --relative --method exact --cert: $(t "$build/ssmheads" approx "$f" -n $n --eps 1/10 --relative --method exact --cert "$out/a$n.cert")"
    echo "dense_N64_pd16: verify approx n = $n:                  $(t "$build/ssmheads-verify" "$out/a$n.cert")"
done
# issue 6's target: n = 1024 under 5 s (auto takes the enclosure method)
for n in 64 1024; do
    f=$out/dense_N64_pd16.json
    echo "dense_N64_pd16: approx -n $n --eps 1/10 --relative --cert (auto): $(t "$build/ssmheads" approx "$f" -n $n --eps 1/10 --relative --cert "$out/ae$n.cert")"
    echo "dense_N64_pd16: verify approx n = $n:                  $(t "$build/ssmheads-verify" "$out/ae$n.cert")"
done
