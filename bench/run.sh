#!/bin/sh
# bench/run.sh [BUILD_DIR] [GROUP...] -- the speed figures of bench/README.md.
# Generates the float32-derived models, times `ssmheads heads --cert` and
# `ssmheads-verify` on each, and compares with PARI/GP matrank and numpy
# matrix_rank on the same exact problems (apt-get install pari-gp
# python3-numpy; skipped when missing).  Never part of `make check`.
#
# Groups (default: all): small (the models of issues 3, 4 and 6), layers
# (the sizes of trained layers, issue 17), gp (dense N = 128 against PARI/GP
# in one run).  Every command runs under a time limit of BENCH_TIMEOUT
# seconds (default 900); "(time limit)" marks a command stopped there.
# Wall time and peak RSS come from /usr/bin/time (apt-get install time).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$here/..
case ${1:-} in small|layers|gp|'') ;; *) build=$1; shift ;; esac
groups=${*:-small layers gp}
py=/usr/bin/python3
out=${BENCH_DIR:-/tmp/ssmheads-bench}
limit=${BENCH_TIMEOUT:-900}
mkdir -p "$out"
$py "$here/make_models.py" "$out" >/dev/null
# t CMD...: "WALL s, RSS KB" of one run (stdout discarded)
t() {
    /usr/bin/time -o "$out/.time" -f "%e s (%U s user), %M KB" timeout "$limit" "$@" >/dev/null 2>"$out/.err" || true
    r=$(tail -1 "$out/.time")
    case $r in *" KB") ;; *) r="(failed: $(head -c 200 "$out/.err"))" ;; esac
    echo "$r"
}
# T NAME CMD...: print NAME and the timing; flags a stop at the time limit
T() {
    name=$1
    shift
    start=$(date +%s)
    r=$(t "$@")
    if [ $(( $(date +%s) - start )) -ge "$limit" ]; then r="$r (time limit)"; fi
    echo "$name: $r"
}
has() { case " $groups " in *" $1 "*) return 0 ;; esac; return 1; }
ssmh=$build/ssmheads
verify=$build/ssmheads-verify

if has small; then
for m in dense_N64_pd16 dense_N128_pd16 dense_N256_pd32 diag_N1024_pd32 s4d_H256_m32; do
    f=$out/$m.json
    T "$m: heads --cert" "$ssmh" heads "$f" --cert "$out/$m.cert"
    T "$m: verify      " "$verify" "$out/$m.cert"
    "$ssmh" heads "$f" --json | $py -c 'import json,sys; print("   k_inf =", json.load(sys.stdin)["k_inf"])'
    case $m in dense_N64*|dense_N128*|dense_N256*)
        if command -v gp >/dev/null; then $py "$here/compare.py" "$f" --gp; fi ;;
    esac
    case $m in s4d*) ;; *)
        if $py -c 'import numpy' 2>/dev/null; then $py "$here/compare.py" "$f" --numpy; fi ;;
    esac
done
for m in dense_N64_pd16 dense_N64_unstable diag_N1024_pd32; do
    f=$out/$m.json
    T "$m: gradient --eps 1/1000 --cert" "$ssmh" gradient "$f" --eps 1/1000 --cert "$out/$m.gcert"
    T "$m: verify gradient            " "$verify" "$out/$m.gcert"
done
for n in 2 8 16 32; do
    f=$out/dense_N64_pd16.json
    T "dense_N64_pd16: approx -n $n --eps 1/10 --relative --method exact --cert" "$ssmh" approx "$f" -n $n --eps 1/10 --relative --method exact --cert "$out/a$n.cert"
    T "dense_N64_pd16: verify approx n = $n" "$verify" "$out/a$n.cert"
done
# issue 6's target: n = 1024 under 5 s (auto takes the enclosure method)
for n in 64 1024; do
    f=$out/dense_N64_pd16.json
    T "dense_N64_pd16: approx -n $n --eps 1/10 --relative --cert (auto)" "$ssmh" approx "$f" -n $n --eps 1/10 --relative --cert "$out/ae$n.cert"
    T "dense_N64_pd16: verify approx n = $n" "$verify" "$out/ae$n.cert"
done
fi

# issue 17: layers at the sizes people train
if has layers; then
for m in lru_N256_H512 s4d_H1024_m32 dense_N512_pd64 diag_N8192_pd64; do
    f=$out/$m.json
    rm -f "$out/$m.cert"
    T "$m: heads --cert" "$ssmh" heads "$f" --cert "$out/$m.cert"
    if [ -f "$out/$m.cert" ]; then
        T "$m: verify      " "$verify" "$out/$m.cert"
        $py -c 'import json,sys; c=json.load(open(sys.argv[1]))["claim"]; print("   k =", c["k"], " k_inf =", c.get("k_inf"), " n_star =", c.get("n_star"))' "$out/$m.cert"
    fi
done
for m in lru_N256_H512 s4d_H1024_m32; do
    f=$out/$m.json
    rm -f "$out/$m.gcert"
    T "$m: gradient --eps 1/1000 --cert" "$ssmh" gradient "$f" --eps 1/1000 --cert "$out/$m.gcert"
    if [ -f "$out/$m.gcert" ]; then
        T "$m: verify gradient" "$verify" "$out/$m.gcert"
        $py -c 'import json,sys; c=json.load(open(sys.argv[1]))["claim"]; print("   stable =", c.get("stable"), " gamma =", float(eval(c["gamma"])), " M2 = %.4g" % float(eval(c["M2"])), " horizon =", c.get("horizon"))' "$out/$m.gcert"
    fi
done
f=$out/lru_N256_H512.json
rm -f "$out/lru.acert"
T "lru_N256_H512: approx -n 1024 --eps 1/100 --relative --cert" "$ssmh" approx "$f" -n 1024 --eps 1/100 --relative --cert "$out/lru.acert"
if [ -f "$out/lru.acert" ]; then T "lru_N256_H512: verify approx" "$verify" "$out/lru.acert"; fi
for m in dense_N200_pd4 dense_N200_pd4_unreach10; do
    T "$m: minimal --json" "$ssmh" minimal "$out/$m.json" --json
    timeout "$limit" "$ssmh" minimal "$out/$m.json" --json 2>/dev/null | $py -c 'import json,sys; o=json.load(sys.stdin); print("   reachable", o["reachable_rank"], " observable", o["observable_rank"], " McMillan", o["mcmillan_degree"])' || true
done
fi

# dense N = 128: ssmheads against PARI/GP matrank on the same exact problem,
# side by side in one run
if has gp; then
    f=$out/dense_N128_pd16.json
    T "dense_N128_pd16: heads --json" "$ssmh" heads "$f" --json
    if command -v gp >/dev/null; then $py "$here/compare.py" "$f" --gp --ssmheads "$ssmh"; fi
fi
