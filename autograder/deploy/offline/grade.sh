#!/bin/bash
# On a grading runner with no network and no TensorFlow (e.g. a GPU machine with PyTorch or JAX):
# a virtual environment from the wheels wheels.sh made, then a sandboxed batch on the runner's backend.
#
#   WHEELS=/path/to/wheels ASSIGNMENT=08-convolutional-networks SUBMISSIONS=/path/to/submitted \
#       bash autograder/deploy/offline/grade.sh [extra `grade` options, e.g. --workers 4]
#
# Run it from the course checkout (it holds nbgrader_config.py and the solutions). Optional:
# KERAS_BACKEND (torch or jax; default: the first of them that imports), DEVICE (gpu or cpu; default gpu),
# PYTHON (default python3: the runner's, with its backend), VENV (default $TMPDIR/dlcourse-grader),
# EXTRA (more requirements to install from WHEELS, e.g. a backend the runner lacks: "jax==0.10.2").
# Results land in build/grading/ASSIGNMENT, the gradebook and build/grades-ASSIGNMENT.csv.
set -euo pipefail

fail() { echo "offline grade: $*" >&2; exit 2; }
for name in WHEELS ASSIGNMENT SUBMISSIONS; do
    [ -n "${!name:-}" ] || fail "set $name (see the top of this script)"
done
here=$(cd "$(dirname "$0")" && pwd)
course=$(cd "$here/../../.." && pwd)
[ -d "$WHEELS" ] || fail "WHEELS=$WHEELS is not a folder (make it with wheels.sh where there is a network)"
[ -e "$SUBMISSIONS" ] || fail "SUBMISSIONS=$SUBMISSIONS does not exist"
python=${PYTHON:-python3}
venv=${VENV:-${TMPDIR:-/tmp}/dlcourse-grader}
# the runner's own backend and its CUDA libraries stay where they are: the venv sees the system's packages
[ -x "$venv/bin/python" ] || "$python" -m venv --system-site-packages "$venv"
read -r -a extra <<< "${EXTRA:-}"
"$venv/bin/python" -m pip install --quiet --no-index --find-links "$WHEELS" -r "$here/requirements.txt" "${extra[@]}"
"$venv/bin/python" -m pip install --quiet --no-index --no-deps --force-reinstall --find-links "$WHEELS" dlcourse
if [ -z "${KERAS_BACKEND:-}" ]; then
    for backend in torch jax; do
        if "$venv/bin/python" -c "import $backend" 2>/dev/null; then KERAS_BACKEND=$backend; break; fi
    done
fi
[ -n "${KERAS_BACKEND:-}" ] || fail "neither torch nor jax imports with $python: set PYTHON, or EXTRA=jax==VERSION"
cd "$course"
exec "$venv/bin/python" -m autograder grade "$ASSIGNMENT" --submissions "$SUBMISSIONS" \
    --device "${DEVICE:-gpu}" --keras-backend "$KERAS_BACKEND" "$@"
