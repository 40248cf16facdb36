#!/usr/bin/env bash
# Set up the course on Debian/Ubuntu and open it, test it, or only set it up.
#
#   bash setup.sh lab  [jupyter lab options]   set up, then start JupyterLab on the course
#   bash setup.sh test [pytest options]        set up, then run the whole test suite
#   bash setup.sh env                          set up only (virtual environment, kernel, data)
#   bash setup.sh system                       only the system packages: Debian's, and the hub's proxy from npm (root)
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
    # Data for the lessons (Fashion-MNIST; fortunes-min, the text of lesson 09's character model), venv
    # support, the grading sandbox (bubblewrap); for the tests: Chromium (browser test), a one-node Slurm
    # cluster (slurm-wlm, munge) and shellcheck (deploy templates).
    local wanted=(dataset-fashion-mnist fortunes-min python3-venv bubblewrap chromium slurm-wlm munge shellcheck) missing=()
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

proxy() {
    # The classroom hub's proxy (classroom/README.md, tests/test_classroom.py), from npm.
    command -v configurable-http-proxy >/dev/null && return 0
    if [ "$(id -u)" != 0 ]; then
        say "not root: skipping configurable-http-proxy (the classroom hub needs it; see classroom/README.md)"
        return 0
    fi
    command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
    say "installing configurable-http-proxy from npm"
    npm install --global --silent configurable-http-proxy@4.6.3
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
        "$venv/bin/python" -m pip install --quiet -e '.[dev,classroom]'
        echo "$wanted" > "$stamp"
    fi
    # In the venv (--sys-prefix): every user of a shared machine, JupyterLab and the tests find it.
    "$venv/bin/python" -m ipykernel install --sys-prefix --name dlcourse \
        --display-name "Python 3 (dlcourse)" >/dev/null
}

colab_env() {
    # For the tests: a second environment pinned to Google Colab's versions (tests/colab-requirements.txt),
    # with the course installed --no-deps, as a notebook's first cell installs it on Colab.
    local env="$venv/colab" stamp="$venv/colab/.dlcourse-installed" wanted
    wanted=$({ cat tests/colab-requirements.txt pyproject.toml
               find src/dlcourse -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 cat; } \
             | sha256sum | cut -d' ' -f1)
    [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return 0
    say "installing Colab's versions into $env for the Colab test (a few minutes the first time)"
    [ -x "$env/bin/python" ] || "$python" -m venv "$env"
    "$env/bin/python" -m pip install --quiet -r tests/colab-requirements.txt
    # built from a clean copy, as Colab builds from a fresh clone (no stale build/lib in the wheel)
    local copy; copy=$(mktemp -d)
    cp -r pyproject.toml README.md LICENSE LICENSE-CONTENT src autograder "$copy"
    "$env/bin/python" -m pip install --quiet --no-deps --force-reinstall "$copy"
    rm -rf "$copy"
    echo "$wanted" > "$stamp"
}

case "$mode" in
    system) system_packages; proxy ;;
    env) system_packages; proxy; python_env ;;
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
        system_packages; proxy; python_env; colab_env
        PATH="$PWD/$venv/bin:$PATH" exec "$venv/bin/python" -m pytest "$@" ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
esac
