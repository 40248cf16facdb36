#!/bin/bash
# On a machine with a network: every wheel an offline grading runner needs besides its own Keras backend
# (requirements.txt beside this script and what it pulls in), and the course itself as a wheel.
#
#   bash autograder/deploy/offline/wheels.sh DEST [more requirements, e.g. jax==0.10.2]
#
# Optional: PYTHON (default python3), PYTHON_VERSION (the runner's, e.g. 3.12, when it differs from
# this machine's; wheels for manylinux x86-64 are fetched then). Copy DEST to the runner with the course.
set -euo pipefail

dest=${1:?usage: wheels.sh DEST [more requirements]}
shift
here=$(cd "$(dirname "$0")" && pwd)
course=$(cd "$here/../../.." && pwd)
python=${PYTHON:-python3}
target=()
if [ -n "${PYTHON_VERSION:-}" ]; then
    target=(--python-version "$PYTHON_VERSION" --implementation cp --only-binary=:all:)
    for tag in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64; do
        target+=(--platform "$tag")
    done
fi
mkdir -p "$dest"
"$python" -m pip download --quiet --dest "$dest" "${target[@]}" -r "$here/requirements.txt" "$@"
# the course from a clean copy (no stale build/ folder in the wheel), without its dependencies (TensorFlow)
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -r "$course/pyproject.toml" "$course/README.md" "$course/LICENSE" "$course/LICENSE-CONTENT" \
      "$course/src" "$course/autograder" "$copy"
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$dest" "$copy"
echo "wheels for an offline runner in $dest ($(find "$dest" -name '*.whl' | wc -l) files)"
