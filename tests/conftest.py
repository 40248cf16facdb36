"""Shared test set-up: a headless plotting backend and the course's quick mode."""

import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("DLCOURSE_QUICK", "1")
# nbgrader and jupyter start helper programs by name: use this environment's.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

_SECONDS_PER_FILE: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """Add up each test file's set-up, call and tear-down times (DESIGN.md, "Test-suite budget")."""
    path = report.nodeid.split("::")[0]
    _SECONDS_PER_FILE[path] = _SECONDS_PER_FILE.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    if not _SECONDS_PER_FILE:
        return
    terminalreporter.section("seconds per test file")
    for path, seconds in sorted(_SECONDS_PER_FILE.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{seconds:8.1f}  {path}")
