#!/bin/sh
# Build the libFuzzer harnesses (fuzz/*.c) with clang, ASan and UBSan in a
# build directory of their own, seed their corpora from witnesses/, and run
# each for SECONDS (default 600; 0 = build only).  Crashes land in
# $FUZZ_BUILD/crashes-<harness>/ and make the script exit non-zero; each run's
# libFuzzer summary (executions, coverage) is appended to $FUZZ_BUILD/fuzz.log.
#     tools/fuzz.sh [SECONDS] [HARNESS...]     (make fuzz runs it)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
[ $# -gt 0 ] && shift
harnesses=${*:-model cert npy npz safetensors}
b=${FUZZ_BUILD:-$top/fuzz-build}
ssmheads=${SSMHEADS:-$top/ssmheads}
mkdir -p "$b/obj-lib" "$b/obj-checker"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
[ -f "$top/config.h" ] || { echo "fuzz.sh: run ./configure first (config.h is needed)" >&2; exit 2; }
vars() {   # the configured value of make variables
    printf 'print:\n\t@echo %s\n' "$1" | make -s -C "$top" -f Makefile -f - print
}
libs=$(vars '$(FLINT_LIBS) $(MPFR_LIBS) $(GMP_LIBS) $(JANSSON_LIBS) $(LIBZIP_LIBS) $(PTHREAD_LIBS) $(LIBM)')
inc="-I$top/lib -I$top $(vars '$(JANSSON_CFLAGS) $(LIBZIP_CFLAGS) $(FLINT_CFLAGS)')"
# the library and the checker, instrumented for coverage (not linked with main)
for f in "$top"/lib/*/*.c; do
    o="$b/obj-lib/$(basename "$(dirname "$f")")-$(basename "$f" .c).o"
    [ "$o" -nt "$f" ] || clang -g -O1 -fsanitize=fuzzer-no-link $san $inc -DHAVE_CONFIG_H -c "$f" -o "$o"
done
for f in "$top"/checker/*.c; do
    case $f in */main.c) continue ;; esac
    o="$b/obj-checker/$(basename "$f" .c).o"
    [ "$o" -nt "$f" ] || clang -g -O1 -fsanitize=fuzzer-no-link $san $inc -DHAVE_CONFIG_H -c "$f" -o "$o"
done
rm -f "$b/libcore.a" "$b/libcheck.a"
ar rcs "$b/libcore.a" "$b"/obj-lib/*.o
ar rcs "$b/libcheck.a" "$b"/obj-checker/*.o
core="$b/libcore.a"
check="$b/libcheck.a"
build() {   # name source extra-flags
    clang -g -O1 -fsanitize=fuzzer $san $inc $3 "$top/fuzz/$2" -o "$b/fuzz_$1" $4 $libs
}
build model fuzz_model.c "" "$core"
build cert fuzz_cert.c "" "$check -lgmp -ljansson"
build npy fuzz_weights.c -DFUZZ_NPY "$core"
build npz fuzz_weights.c -DFUZZ_NPZ "$core"
build safetensors fuzz_weights.c -DFUZZ_SAFETENSORS "$core"
echo "built: $(cd "$b" && ls fuzz_*)"

# seed corpora
for h in model cert npy npz safetensors; do mkdir -p "$b/corpus-$h" "$b/crashes-$h"; done
find "$top/witnesses" -name '*.json' -exec cp {} "$b/corpus-model/" \;
find "$top/witnesses" -name '*.cert' -exec cp {} "$b/corpus-cert/" \;
for m in "$top"/witnesses/heads/*.json "$top"/witnesses/gradient/*.json; do
    n=$(basename "$m" .json)
    "$ssmheads" heads "$m" -n 8 --cert "$b/corpus-cert/h-$n.json" >/dev/null 2>&1 || true
    "$ssmheads" gradient "$m" --eps 1/100 --cert "$b/corpus-cert/g-$n.json" >/dev/null 2>&1 || true
done
for m in "$top"/witnesses/approx/*.json; do
    for e in 1 1/10 4; do
        "$ssmheads" approx "$m" -n 4 --eps "$e" \
            --cert "$b/corpus-cert/a-$(basename "$m" .json)-$(echo "$e" | tr / _).json" >/dev/null 2>&1 || true
    done
done
for a in "$top"/witnesses/attention/*.json; do
    "$ssmheads" represent "$a" "$top/witnesses/heads/rotation.json" -n 4 \
        --cert "$b/corpus-cert/r-$(basename "$a")" >/dev/null 2>&1 || true
done
cp "$top"/witnesses/weights/*.npz "$b/corpus-npz/"
cp "$top"/witnesses/weights/*.safetensors "$b/corpus-safetensors/"
python3 -c "
import zipfile, sys, glob, os
for z in glob.glob(sys.argv[1] + '/*.npz'):
    for n in zipfile.ZipFile(z).namelist():
        open(os.path.join(sys.argv[2], os.path.basename(z) + '-' + n), 'wb').write(zipfile.ZipFile(z).read(n))
" "$top/witnesses/weights" "$b/corpus-npy"

[ "$secs" -gt 0 ] || exit 0
status=0
for h in $harnesses; do
    echo "== fuzz_$h for $secs s ($(date -u +%FT%TZ))" | tee -a "$b/fuzz.log"
    ( cd "$b/crashes-$h" && "$b/fuzz_$h" -max_total_time="$secs" -rss_limit_mb=4096 -timeout=30 \
        -max_len=65536 -print_final_stats=1 "$b/corpus-$h" ) >"$b/fuzz_$h.out" 2>&1 || status=1
    grep -E "^#[0-9]+ +DONE|^stat::|SUMMARY|ERROR" "$b/fuzz_$h.out" | tee -a "$b/fuzz.log"
done
exit $status
