#!/usr/bin/env bash
# Prepare this machine for the classroom hub (run as root, from anywhere, after `bash setup.sh env`).
#
#   bash classroom/install.sh                      groups, exchange, hub state, the proxy; protects the answers
#   bash classroom/install.sh instructor NAME...   existing Linux users become instructors (own course copy)
#   bash classroom/install.sh student NAME...      existing Linux users become students
#
# Settings: the DLCOURSE_* variables of classroom/jupyterhub_config.py (same defaults).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
exchange=${DLCOURSE_EXCHANGE:-/srv/dlcourse/exchange}
state=${DLCOURSE_HUB_STATE:-/srv/dlcourse/hub}
instructors=${DLCOURSE_INSTRUCTORS:-dlcourse-instructors}
students=${DLCOURSE_STUDENTS:-dlcourse-students}

say() { printf '\033[1m[classroom]\033[0m %s\n' "$*"; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root: the hub starts each user's server as that user."
[ -x "$repo/.venv/bin/jupyterhub" ] || die "no JupyterHub in $repo/.venv: run 'bash setup.sh env' first."

machine() {
    # Every user runs the course's Python: it must not live in a folder only root can enter.
    runuser -u nobody -- "$repo/.venv/bin/python" -c "import dlcourse, nbgrader" 2>/dev/null \
        || die "other users cannot run $repo/.venv/bin/python (is Python or the repository under /root?).
Put the repository where everyone can read it and build the venv from a system-wide Python:
PYTHON=/usr/bin/python3 bash setup.sh env"
    command -v configurable-http-proxy >/dev/null \
        || die "configurable-http-proxy is missing: bash setup.sh system (as root) installs it from npm."
    groupadd -f "$instructors"
    groupadd -f "$students"
    # nbgrader wants its exchange writable by everyone; the sticky bit keeps the course folder,
    # which the instructor creates on the first release, safe from students.
    mkdir -p "$exchange" "$state"
    chmod 1777 "$exchange"
    chmod 700 "$state"
    # Students read the course's code from this checkout, never its answers.
    for private in solutions tests build .git; do
        [ -e "$repo/$private" ] && chmod -R go-rwx "$repo/$private"
    done
    say "ready: exchange $exchange, hub state $state, groups $instructors and $students"
}

instructor() {
    local name=$1 home
    home=$(getent passwd "$name" | cut -d: -f6) || die "no Linux user $name"
    usermod -aG "$instructors" "$name"
    if [ ! -e "$home/dlcourse" ]; then
        git clone --quiet "$repo" "$home/dlcourse"
        chown -R "$name:" "$home/dlcourse"
    fi
    chmod 700 "$home"
    say "$name is an instructor; the course is in $home/dlcourse"
}

student() {
    local name=$1 home
    home=$(getent passwd "$name" | cut -d: -f6) || die "no Linux user $name"
    usermod -aG "$students" "$name"
    chmod 700 "$home"
    say "$name is a student"
}

role=${1:-machine}
[ $# -gt 0 ] && shift
case "$role" in
    machine) machine ;;
    instructor|student) [ $# -gt 0 ] || die "name at least one user"; for name in "$@"; do "$role" "$name"; done ;;
    *) sed -n '2,8p' "$0"; exit 2 ;;
esac
