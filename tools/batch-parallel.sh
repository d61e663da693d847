#!/bin/sh
# GNU parallel over one manifest: N shards run side by side (add
# --sshloginfile to parallel's options to spread them over hosts that share
# OUTDIR), each into its own resumable results file; running the script
# again finishes an interrupted run.  Without GNU parallel the shards run as
# background jobs.
#     tools/batch-parallel.sh MANIFEST N OUTDIR
set -eu
if [ "${1:-}" = "--one-shard" ]; then          # internal: run shard $2 of $4
    i=$2 manifest=$3 n=$4 outdir=$5
    out="$outdir/results-$i.jsonl"
    if [ -e "$out" ]; then resume=--resume; else resume=; fi
    exec "${SSMHEADS:-ssmheads}" batch "$manifest" --shard "$i/$n" --jobs 1 \
        --out "$out" $resume --cert-dir "$outdir/certs"
fi
manifest=${1:?usage: batch-parallel.sh MANIFEST N OUTDIR}
n=${2:?usage: batch-parallel.sh MANIFEST N OUTDIR}
outdir=${3:?usage: batch-parallel.sh MANIFEST N OUTDIR}
mkdir -p "$outdir/certs"
status=0
if command -v parallel >/dev/null 2>&1; then
    seq 0 $((n - 1)) | parallel --halt never sh "$0" --one-shard {} "$manifest" "$n" "$outdir" || status=$?
else
    i=0 pids=
    while [ "$i" -lt "$n" ]; do
        sh "$0" --one-shard "$i" "$manifest" "$n" "$outdir" &
        pids="$pids $!"
        i=$((i + 1))
    done
    for p in $pids; do wait "$p" || status=1; done
fi
echo "$(cat "$outdir"/results-*.jsonl | wc -l) result lines in $outdir/results-*.jsonl"
exit "$status"
