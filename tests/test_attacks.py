"""Hostile submissions against the batch grader (autograder/ATTACKS.md holds the table).

One ``python -m autograder grade`` run grades every attack in tests/attacks/ together with three
honest submissions. Then, per attack: the parts it tries to fake score 0 and the parts it leaves
alone keep the reference's full marks (or the kernel's death costs the later parts, as each attack
states); detection leaves a flag; malformed notebooks fail with a reason. And for the run: the
honest submissions score exactly as they would alone, nothing was written outside an attacker's
sandbox, no connection reached the host, and no sandboxed process outlived the run.
Run with ``-s`` to see the measured table.
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from autograder.nbgrader_course import copy_course
from autograder.runner import UID_BASE
from autograder.kernels import SECOND_UID_OFFSET
from autograder.worker import JUDGE_UID_OFFSET
from tests.attacks import NOTEBOOK, POINTS, Attack, Context, all_attacks
from tests.test_reports import rendered_text
from tests.grading.plans import plan_submissions

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01-linear-algebra"
ATTACKS = all_attacks()
HONEST = ["reference", "correct-1", "wrong-1"]
WORKERS = 2
CELL_TIMEOUT, TIMEOUT = 10, 60
MEMORY_MB = 2048  # a kernel's address space: small, so the memory bomb fails fast


class Listener:
    """A TCP port on the host's 127.0.0.1 and an abstract Unix socket that count connections."""

    def __init__(self):
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix_name = f"dlcourse-attack-{uuid.uuid4().hex[:8]}"
        self.unix.bind("\0" + self.unix_name)
        self.unix.listen()
        self.port = self.tcp.getsockname()[1]
        self.accepted = []
        for server in (self.tcp, self.unix):
            threading.Thread(target=self._serve, args=(server,), daemon=True).start()

    def _serve(self, server):
        while True:
            try:
                conn, address = server.accept()
            except OSError:
                return
            self.accepted.append(address)
            conn.close()

    def close(self):
        self.tcp.close()
        self.unix.close()


def write_submission(folder: Path, files: dict[str, bytes]) -> None:
    """Write a submission folder; names may be nested paths (``dlcourse/checks.py``)."""
    folder.mkdir(parents=True)
    for name, content in files.items():
        path = folder / name.removeprefix("@symlink:")
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.startswith("@symlink:"):
            path.symlink_to(content.decode())
        else:
            path.write_bytes(content)


def tree_digest(folder: Path, skip: str = "build") -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()
            and p.relative_to(folder).parts[0] != skip}


def sandbox_processes(scratch: Path) -> list[str]:
    """Processes left by this run: of a sandbox user, or in one of the run's cgroups (which must be gone)."""
    groups = {tuple(json.loads(job.read_text()).get("cgroup", {}).get("paths", ())) for job in scratch.glob("work/*/job.json")}
    paths = [p for group in groups for p in group]
    assert paths, "the run used no cgroups"
    left = [f"cgroup {p} still exists" for p in paths if Path(p).exists()]
    uids = {str(UID_BASE + slot + offset) for slot in range(WORKERS) for offset in (0, JUDGE_UID_OFFSET, SECOND_UID_OFFSET)}
    names = {Path(p).name for p in paths}
    for line in subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout.splitlines():
        uid, pid, _ = line.split(None, 2)
        try:
            cgroups = Path(f"/proc/{pid}/cgroup").read_text()
        except OSError:
            continue
        if uid in uids or any(name in cgroups for name in names):
            left.append(line)
    return left


@pytest.fixture(scope="module")
def run():
    # a short base folder, so that the paths in the attack table stay readable
    tmp = Path(tempfile.mkdtemp(prefix="atk-", dir="/tmp"))
    try:
        yield grade_all(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def grade_all(tmp: Path) -> dict:
    course = copy_course(tmp / "course")
    submissions = tmp / "submissions"
    results = course / "build" / "grading" / ASSIGNMENT
    source = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    release = nbformat.read(REPO / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    plans = plan_submissions(source, release, importlib.import_module("tests.grading.answers_01"))
    for student in HONEST:
        write_submission(submissions / student / ASSIGNMENT, {f"{NOTEBOOK}.ipynb": nbformat.writes(plans[student][0]).encode()})
    victim = submissions / "reference" / ASSIGNMENT
    (victim / "canary.txt").write_text("victim's file")
    (course / "CANARY.txt").write_text("course file")

    listener = Listener()
    marker = f"atk{uuid.uuid4().hex[:10]}"
    ctx = Context(reference=plans["reference"][0], course=course, submissions=submissions, victim=victim,
                  results=results, marker=marker, port=listener.port, unix_name=listener.unix_name)
    for attack in ATTACKS:
        write_submission(submissions / attack.name / ASSIGNMENT, attack.build(ctx))
    before = {"course": tree_digest(course), "submissions": tree_digest(submissions)}

    started = time.monotonic()
    env = dict(os.environ, AUTOGRADER_KEEP_SCRATCH="1")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--submissions", str(submissions),
                           "--workers", str(WORKERS), "--cell-timeout", str(CELL_TIMEOUT), "--timeout", str(TIMEOUT),
                           "--memory", str(MEMORY_MB)],
                          cwd=course, env=env, capture_output=True, text=True, timeout=600)
    duration = time.monotonic() - started
    time.sleep(1)
    listener.close()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    records = {p.stem: json.loads(p.read_text()) for p in results.glob("*.json")}
    with open(course / "build" / f"grades-{ASSIGNMENT}.csv") as f:
        grades = {row["student"]: row for row in csv.DictReader(f)}
    state = {"course": course, "submissions": submissions, "results": results, "marker": marker, "plans": plans,
             "records": records, "grades": grades, "before": before, "accepted": list(listener.accepted),
             "processes": sandbox_processes(next((course / "build" / "grading").glob("autograder-*"))),
             "duration": duration}
    print_table(state)
    return state


def scores(record: dict) -> dict[str, float]:
    return {part: value["score"] for part, value in record["parts"].items()}


def expected_scores(attack: Attack) -> dict[str, float]:
    return {part: 0.0 if part in attack.zero else float(points) for part, points in POINTS.items()
            if part not in attack.escapes}


def print_table(state) -> None:
    print(f"\ngraded {len(ATTACKS)} attacks and {len(HONEST)} honest submissions in {state['duration']:.0f} s "
          f"({WORKERS} workers, cell timeout {CELL_TIMEOUT} s, submission timeout {TIMEOUT} s)\n")
    print("| attack | status | score | parts at 0 | flags / reason |")
    print("|---|---|---|---|---|")
    for attack in ATTACKS:
        record = state["records"].get(attack.name)
        if record is None:
            print(f"| {attack.name} | NO RESULT | | | |")
            continue
        got = scores(record)
        zeros = ", ".join(p.removeprefix("test_") for p, s in got.items() if s == 0) or "-"
        notes = (record["reason"] or "; ".join(record["flags"])).replace("\n", " ").replace("|", "/")
        print(f"| {attack.name} | {record['status']} | {sum(got.values()):g}/15 | {zeros} | {notes[:300]} |")


def test_honest_submissions_score_as_alone(run):
    for student in HONEST:
        record = run["records"][student]
        failing = run["plans"][student][1]
        expected = {part: 0.0 if part.removeprefix("test_") in failing else float(points)
                    for part, points in POINTS.items()}
        assert record["status"] == "graded" and record["flags"] == [], (student, record)
        assert scores(record) == expected, student
    assert float(run["grades"]["reference"]["score"]) == 15


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_outcome(run, attack):
    record = run["records"].get(attack.name)
    assert record is not None, f"{attack.name}: no result"
    assert record["status"] == attack.status, (record["status"], record["reason"], record["flags"])
    assert attack.reason in record["reason"], record["reason"]
    got = scores(record)
    assert {p: v["max_score"] for p, v in record["parts"].items()} == {p: float(v) for p, v in POINTS.items()}, \
        "points and parts come from the gradebook, never from the submitted notebook"
    assert {p: s for p, s in got.items() if p not in attack.escapes} == expected_scores(attack), record["flags"]
    for flag in attack.flags:
        assert any(flag in f for f in record["flags"]), f"no flag mentions {flag!r}: {record['flags']}"
    row = run["grades"][attack.name]
    assert float(row["score"]) == sum(got.values()) and row["status"] == attack.status


@pytest.mark.parametrize("attack", [a for a in ATTACKS if a.proof], ids=[a.name for a in ATTACKS if a.proof])
def test_attack_proves_its_exploit_ran(run, attack):
    """An attack that got nothing must have run: its report (or the grader's reason) shows how far it got."""
    record = run["records"][attack.name]
    html = run["results"] / f"{attack.name}.html"
    shown = record["reason"] if record["status"] == "failed" else rendered_text(html.read_text())
    report = [line for line in shown.splitlines() if line.startswith("EXPLOIT-RAN:")]
    for proof in attack.proof:
        assert proof in shown, f"{attack.name}: no sign that the exploit ran ({proof!r}); report: {report}"


def test_feedback_never_shows_hidden_tests(run):
    """No feedback shows a line of a hidden test, whatever the attack printed; the visible tests do show."""
    sources = [c.source for c in nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4).cells]
    regions = [c.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0] for c in sources
               if "### BEGIN HIDDEN TESTS" in c]
    shown = "\n".join(c.split("### BEGIN HIDDEN TESTS")[0] + c.split("### END HIDDEN TESTS")[-1] for c in sources)
    hidden = [line.strip() for region in regions for line in region.splitlines()
              if len(line.strip()) > 25 and line.strip() not in shown]  # lines only hidden tests have
    assert len(hidden) > 10
    checked = 0
    for html in run["results"].glob("*.html"):
        text = rendered_text(html.read_text())
        if "checks.call_without_mutation(affine, X, W, b)" in text:  # the page shows test code at all
            checked += 1
        assert not [line for line in hidden if line in text], html.name
    assert checked >= len(ATTACKS) // 2


def test_nothing_written_outside_the_sandbox(run):
    marker = run["marker"]
    own = "/work/write-outside/"  # the attacker's own sandbox (its home and ipc) in the kept scratch folder
    leaked = [str(p) for p in run["course"].rglob(f"*{marker}*") if own not in str(p)]
    leaked += [str(p) for p in run["submissions"].rglob(f"*{marker}*")]
    for folder in ["/tmp", "/dev/shm", "/var/tmp", "/root", "/work", "/", str(REPO), str(run["course"].parent)]:
        leaked += [str(p) for p in Path(folder).glob(f"{marker}*")]
    assert leaked == []
    after = {"course": tree_digest(run["course"]), "submissions": tree_digest(run["submissions"])}
    assert after == run["before"], "the course or a submission changed"
    assert (run["course"] / "CANARY.txt").read_text() == "course file"
    assert (run["submissions"] / "reference" / ASSIGNMENT / "canary.txt").read_text() == "victim's file"
    graded = [s for s, record in run["records"].items() if record["status"] == "graded"]
    assert sorted(p.name for p in run["results"].iterdir()) == sorted(
        [f"{s}.json" for s in run["records"]] + [f"{s}{suffix}" for s in graded for suffix in (".html", ".ipynb")])


def test_no_connection_reached_the_host(run):
    assert run["accepted"] == []


def test_no_sandboxed_process_outlives_the_run(run):
    assert run["processes"] == []


def test_feedback_stays_small(run):
    for html in run["results"].glob("*.html"):
        assert html.stat().st_size < 5 * 2**20, html.name
