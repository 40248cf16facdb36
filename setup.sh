#!/usr/bin/env bash
# Set up the course on Debian/Ubuntu and open it, test it, or only set it up.
#
#   bash setup.sh lab  [jupyter lab options]   set up, then start JupyterLab on the course
#   bash setup.sh test [pytest options]        set up, then run the whole test suite
#   bash setup.sh env                          set up only (virtual environment, kernel, data)
#   bash setup.sh system                       only the Debian packages (needs root)
#
# Set-up is idempotent and quick when nothing changed. PYTHON picks the interpreter (3.11+).
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-lab}
[ $# -gt 0 ] && shift
venv=.venv
python=${PYTHON:-python3}

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

system_packages() {
    # Data for the lessons, venv support, the grading sandbox (bubblewrap); for the tests: Chromium
    # (browser test), a one-node Slurm cluster (slurm-wlm, munge) and shellcheck (deploy templates).
    local wanted=(dataset-fashion-mnist python3-venv bubblewrap chromium slurm-wlm munge shellcheck) missing=()
    for p in "${wanted[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        say "not root on Debian/Ubuntu: skipping ${missing[*]}."
        say "Fashion-MNIST then comes from the Keras cache or a download (see datasets/README.md)."
        return 0
    fi
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

python_env() {
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { say "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11"; exit 1; }
    [ -x "$venv/bin/python" ] || { say "creating $venv"; "$python" -m venv "$venv"; }
    local stamp="$venv/.dlcourse-installed" wanted
    wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        say "installing the pinned packages (TensorFlow is large: a few minutes the first time)"
        "$venv/bin/python" -m pip install --quiet --upgrade pip
        "$venv/bin/python" -m pip install --quiet -e '.[dev]'
        echo "$wanted" > "$stamp"
    fi
    "$venv/bin/python" -m ipykernel install --user --name dlcourse \
        --display-name "Python 3 (dlcourse)" >/dev/null
}

case "$mode" in
    system) system_packages ;;
    env) system_packages; python_env ;;
    lab)
        system_packages; python_env
        root=()
        if [ "$(id -u)" = 0 ]; then
            # JupyterLab refuses root and exits quietly; on a personal machine that is only a warning.
            say "running as root: starting JupyterLab with --allow-root. On a shared machine, install the"
            say "Debian packages as root (bash setup.sh system) and start the lab as your own user."
            root=(--allow-root)
        fi
        say "starting JupyterLab on the course (Ctrl-C to stop)"
        PATH="$PWD/$venv/bin:$PATH" exec "$venv/bin/jupyter" lab --ServerApp.root_dir="$PWD" "${root[@]}" "$@" ;;
    test)
        system_packages; python_env
        PATH="$PWD/$venv/bin:$PATH" exec "$venv/bin/python" -m pytest "$@" ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
esac
