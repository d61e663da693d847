#!/bin/sh
# Slurm job array over one manifest: task I of N runs shard I/N into its own
# resumable results file.  Submit with
#     sbatch --array=0-7 tools/batch-slurm.sh MANIFEST OUTDIR
# (any array size; the shard count is taken from the array).  A preempted or
# requeued task continues where it stopped (--resume).  Without Slurm the
# script runs shard 0/1 (the whole manifest), so it can be tried locally.
#SBATCH --job-name=ssmheads
#SBATCH --cpus-per-task=2
set -eu
manifest=${1:?usage: batch-slurm.sh MANIFEST OUTDIR}
outdir=${2:?usage: batch-slurm.sh MANIFEST OUTDIR}
i=${SLURM_ARRAY_TASK_ID:-0}
n=${SLURM_ARRAY_TASK_COUNT:-1}
ssmheads=${SSMHEADS:-ssmheads}
mkdir -p "$outdir/certs"
out="$outdir/results-$i.jsonl"
if [ -e "$out" ]; then resume=--resume; else resume=; fi
exec "$ssmheads" batch "$manifest" --shard "$i/$n" --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    --out "$out" $resume --cert-dir "$outdir/certs"
