#!/bin/bash
# Submit the grading array (grade-array.sbatch) and a merge job that starts once every shard
# has succeeded (--dependency=afterok), putting all results into the course's gradebook and
# <course>/build/grades-<assignment>.csv. Prints both job ids.
#
#   COURSE_DIR=... ASSIGNMENT=... SUBMISSIONS=... RESULTS=... [SHARDS=4] [VENV=...] \
#       bash autograder/deploy/slurm/grade-and-merge.sh [sbatch options for the array]
#
# Logs go to $RESULTS/logs/. Extra arguments are sbatch options for the grading array
# (e.g. --partition=gpu, or --gres=none with DEVICE=cpu on a CPU-only cluster).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
for name in COURSE_DIR ASSIGNMENT SUBMISSIONS RESULTS; do
    [ -n "${!name:-}" ] || { echo "grade-and-merge: set $name (see grade-array.sbatch)" >&2; exit 2; }
done
SHARDS=${SHARDS:-4}
export COURSE_DIR ASSIGNMENT SUBMISSIONS RESULTS VENV=${VENV:-$COURSE_DIR/.venv}
mkdir -p "$RESULTS/logs"

array=$(sbatch --parsable --array="1-$SHARDS" --output="$RESULTS/logs/%x-%A_%a.out" "$@" \
    "$here/grade-array.sbatch")
array=${array%%;*}
# Single quotes: the variables are expanded in the merge job, from the environment sbatch exports.
# shellcheck disable=SC2016
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --job-name=grade-merge --cpus-per-task=1 --mem=4G --time=00:30:00 \
    --output="$RESULTS/logs/%x-%j.out" \
    --wrap='cd "$COURSE_DIR" && exec "$VENV/bin/python" -m autograder merge "$ASSIGNMENT" "$RESULTS"/shard-* --course "$COURSE_DIR"')
merge=${merge%%;*}
echo "grading array job $array ($SHARDS shards), merge job $merge"
