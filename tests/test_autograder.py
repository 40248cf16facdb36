"""The batch grader: layouts, sandbox, parallel grading, gradebook/CSV/feedback, resume, SIGKILL, shards."""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import results, runner, submissions
from autograder.nbgrader_course import copy_course, nbgrader, read_scores
from autograder.sandbox import Limits, Sandbox
from tests.grading import answers_01
from tests.grading.plans import plan_submissions
from tests.test_reports import active_content, csp, lie_about, rendered_text

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01-linear-algebra"
SOURCE = REPO_ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = REPO_ROOT / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
FULL = 15.0


def planned():
    """student -> (notebook, parts meant to fail), from the grader's own test plan."""
    return plan_submissions(nbformat.read(SOURCE, 4), nbformat.read(RELEASE, 4), answers_01)


def write_submitted(folder: Path, students: list[str]) -> dict[str, set[str]]:
    """An nbgrader submitted/ folder; returns the parts each student should fail."""
    plans = planned()
    for student in students:
        dest = folder / student / ASSIGNMENT
        dest.mkdir(parents=True)
        nbformat.write(plans[student][0], dest / f"{ASSIGNMENT}.ipynb")
    return {s: plans[s][1] for s in students}


def write_chatty(folder: Path) -> None:
    """The reference solution, except that its affine cell prints 2 MB, and affine 2 MB each time it is called
    (during a test, which drops all the student's output)."""
    nb = planned()["reference"][0]
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "affine":
            cell.source = cell.source.replace("    return X @ W + b", "    print('.' * 2_000_000)\n    return X @ W + b")
            cell.source += "\nprint('.' * 2_000_000)\n"
            assert cell.source.count("print") == 2
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")


def expected_total(failing: set[str]) -> float:
    points = {"affine": 2, "numeric_gradient": 3, "mse_grad": 2, "softmax": 3, "cross_entropy": 2, "neuron_grad": 3}
    return float(sum(p for part, p in points.items() if part not in failing))


def cli(course: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=course, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One real sandboxed run over a small class: reference, alternative, blank and two wrong."""
    root = tmp_path_factory.mktemp("batch")
    course = copy_course(root / "course")
    expected = write_submitted(root / "submitted", ["reference", "correct-1", "blank", "wrong-1", "wrong-6"])
    write_chatty(root / "submitted" / "chatty" / ASSIGNMENT)
    started = time.perf_counter()
    run = cli(course, "grade", ASSIGNMENT, "--submissions", str(root / "submitted"), "--workers", "2")
    elapsed = time.perf_counter() - started
    assert run.returncode == 0, run.stderr[-3000:]
    print(f"\nautograder graded {len(expected)} submissions with 2 workers in {elapsed:.1f} s")
    return {"course": course, "root": root, "expected": expected, "run": run,
            "results": course / "build" / "grading" / ASSIGNMENT}


pytestmark = pytest.mark.slow


def test_every_submission_scores_as_planned(batch):
    for student, failing in batch["expected"].items():
        record = results.load(batch["results"] / f"{student}.json")
        assert record["status"] == "graded", record["reason"]
        assert results.total(record) == (expected_total(failing), FULL), student
        assert record["flags"] == [], f"honest work must not be flagged: {record['flags']}"
        assert record["device"] == "cpu"


def test_scores_reach_the_gradebook_csv_and_feedback(batch):
    course = batch["course"]
    gradebook = read_scores(course, ASSIGNMENT, ASSIGNMENT)
    with open(course / "build" / f"grades-{ASSIGNMENT}.csv") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    for student, failing in batch["expected"].items():
        assert sum(p.score for p in gradebook[student].values()) == expected_total(failing)
        assert float(rows[student]["score"]) == expected_total(failing)
        assert rows[student]["status"] == "graded"
        html = (course / "build" / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert "<html" in html[:2000].lower()
        shown = rendered_text(html)
        assert "checks.check_array(Z," in shown, "the visible tests' code is shown (so the search below works)"
        assert "default_rng(101)" not in shown, "feedback must not show the hidden tests' code"
    blank = (course / "build" / "feedback" / "blank" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "NotImplementedError" in blank and "did not run to completion" not in blank


def test_heavy_output_is_cut_but_costs_no_points(batch):
    record = results.load(batch["results"] / "chatty.json")
    assert results.total(record) == (FULL, FULL)
    assert any("output over" in flag for flag in record["flags"])


def test_progress_is_reported(batch):
    assert "graded 6 submissions" in batch["run"].stderr
    assert "reference: graded 15/15" in batch["run"].stderr


def test_a_rerun_grades_nothing_again(batch):
    before = {p.name: p.stat().st_mtime_ns for p in batch["results"].glob("*.json")}
    run = cli(batch["course"], "grade", ASSIGNMENT, "--submissions", str(batch["root"] / "submitted"))
    assert run.returncode == 0, run.stderr[-2000:]
    assert "graded 0 submissions" in run.stderr
    assert {p.name: p.stat().st_mtime_ns for p in batch["results"].glob("*.json")} == before


def test_a_changed_submission_is_graded_again(batch):
    path = batch["root"] / "submitted" / "blank" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nbformat.write(planned()["reference"][0], path)
    run = cli(batch["course"], "grade", ASSIGNMENT, "--submissions", str(batch["root"] / "submitted"))
    assert "graded 1 submissions" in run.stderr
    assert results.total(results.load(batch["results"] / "blank.json")) == (FULL, FULL)


def test_after_grading_nbgrader_sees_what_its_own_autograde_leaves(tmp_path):
    """Collected from the exchange with nbgrader's timestamps and secrets, one submission on time and one
    late: after `autograder grade`, the formgrader counts both as autograded, the late one loses its
    points as nbgrader_config.py says, and `nbgrader release_feedback` returns the feedback."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    course = copy_course(tmp_path / "course")
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.Exchange.root = {str(exchange)!r}\nc.LateSubmissionPlugin.penalty_method = 'zero'\n")
    nbgrader(course, "db", "assignment", "add", ASSIGNMENT, "--duedate=2026-11-01 12:00:00 UTC")
    stamps = {"punctual": "2026-11-01 11:59:00.000001 UTC", "tardy": "2026-11-01 12:30:00.5 UTC"}
    for student, stamp in stamps.items():
        folder = course / "build" / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(planned()["reference"][0], folder / f"{ASSIGNMENT}.ipynb")
        (folder / "timestamp.txt").write_text(stamp)  # as nbgrader submit writes them, and collect keeps them
        (folder / "submission_secret.txt").write_text(f"secret-of-{student}")
    run = cli(course, "grade", ASSIGNMENT, "--workers", "2")
    assert run.returncode == 0, run.stderr[-2000:]

    done = course / "build" / "grading" / ASSIGNMENT
    punctual, tardy = results.load(done / "punctual.json"), results.load(done / "tardy.json")
    assert punctual["timestamp"] == "2026-11-01T11:59:00.000001+00:00" and punctual["late_penalty"] == 0
    assert tardy["timestamp"] == "2026-11-01T12:30:00.500000+00:00" and tardy["late_penalty"] == FULL
    api = NbGraderAPI(config=PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config())
    assert api.get_autograded_students(ASSIGNMENT) == {"punctual", "tardy"}  # not "needs autograding"
    with Gradebook(api.coursedir.db_url) as gb:
        late = gb.find_submission(ASSIGNMENT, "tardy")
        assert late.score == FULL and late.late_submission_penalty == FULL and late.total_seconds_late == 1800.5
        assert gb.find_submission(ASSIGNMENT, "punctual").late_submission_penalty == 0
    with open(course / "build" / f"grades-{ASSIGNMENT}.csv") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert (rows["punctual"]["score"], rows["tardy"]["score"], rows["tardy"]["late_penalty"]) == ("15", "0", "15")

    nbgrader(course, "release_feedback", ASSIGNMENT)
    released = list((exchange / "dlcourse" / "feedback").glob("*.html"))
    assert len(released) == 2 and all("<html" in p.read_text()[:2000].lower() for p in released)
    nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv") as f:
        exported = {row["student_id"]: row for row in csv.DictReader(f)}
    assert float(exported["tardy"]["late_submission_penalty"]) == FULL and exported["tardy"]["timestamp"]


def test_sigkill_loses_nothing_and_grades_nothing_twice(tmp_path):
    course = copy_course(tmp_path / "course")
    students = ["reference", "correct-1", "correct-2", "wrong-2"]
    expected = write_submitted(tmp_path / "submitted", students)
    done = course / "build" / "grading" / ASSIGNMENT
    process = subprocess.Popen([sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--submissions",
                                str(tmp_path / "submitted"), "--workers", "1"], cwd=course,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(done.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    first = {p.name: p.stat().st_mtime_ns for p in done.glob("*.json")}
    assert 1 <= len(first) < len(students), "the kill should land mid-run"
    time.sleep(2)
    leftovers = subprocess.run(["pgrep", "-f", f"autograder.worker --results {done}"],
                               capture_output=True, text=True).stdout
    assert not leftovers.strip(), "workers must die with the runner"
    run = cli(course, "grade", ASSIGNMENT, "--submissions", str(tmp_path / "submitted"), "--workers", "1")
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"graded {len(students) - len(first)} submissions" in run.stderr
    for name, mtime in first.items():
        assert (done / name).stat().st_mtime_ns == mtime, f"{name} was graded twice"
    for student, failing in expected.items():
        record = results.load(done / f"{student}.json")
        assert results.total(record)[0] == expected_total(failing), (student, record["reason"], record["flags"])


def test_each_student_gets_a_new_kernel_and_one_judge_serves_the_worker(tmp_path):
    """One worker grades a planter (who leaves marks in its kernel: a builtin, a module attribute, a
    file in its HOME), then a witness and the reference. Kernels are started one submission ahead,
    yet the witness's kernel shows none of the marks, and the scores are as if each were graded
    alone; all three tests ran in the worker's one judge; each record says where its time went."""
    course = copy_course(tmp_path / "course")
    plant = ("import builtins, os, numpy\nbuiltins.PLANTED = numpy.PLANTED = True\n"
             "open(os.path.expanduser('~/planted'), 'w').write('x')\nprint('planted', os.getpid())\n")
    look = ("import builtins, os, numpy\nprint('witness', hasattr(builtins, 'PLANTED'), hasattr(numpy, 'PLANTED'), "
            "os.path.exists(os.path.expanduser('~/planted')))\n")
    for student, extra in (("a-planter", plant), ("b-witness", look), ("c-reference", "")):
        nb = copy.deepcopy(planned()["reference"][0])
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "affine")
        cell.source += "\n" + extra
        (tmp_path / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(nb, tmp_path / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    run = cli(course, "grade", ASSIGNMENT, "--submissions", str(tmp_path / "submitted"), "--workers", "1")
    assert run.returncode == 0, run.stderr[-2000:]
    done = course / "build" / "grading" / ASSIGNMENT
    records = {s: results.load(done / f"{s}.json") for s in ("a-planter", "b-witness", "c-reference")}
    printed = {s: "".join(o.get("text", "") for c in nbformat.read(done / f"{s}.ipynb", 4).cells
                          if c.cell_type == "code" for o in c.outputs) for s in records}
    assert "planted" in printed["a-planter"], "the planter's marks were made"
    assert "witness False False False" in printed["b-witness"], printed["b-witness"]
    assert all(results.total(r) == (FULL, FULL) for r in records.values())
    assert len({r["judge"]["pid"] for r in records.values()}) == 1, "one judge for the worker"
    assert all(set(r["timings"]) == set(results.PHASES) for r in records.values())


def test_shards_are_disjoint_and_merge_into_one_gradebook(tmp_path):
    students = [f"s{i:02d}" for i in range(11)]
    slices = [runner.in_shard(students, (k, 3)) for k in (1, 2, 3)]
    assert sorted(sum(slices, [])) == students
    assert all(set(a).isdisjoint(b) for i, a in enumerate(slices) for b in slices[i + 1:])

    course = copy_course(tmp_path / "course")
    expected = write_submitted(tmp_path / "submitted", ["reference", "blank", "wrong-3"])
    for k in (1, 2):
        run = cli(course, "grade", ASSIGNMENT, "--submissions", str(tmp_path / "submitted"),
                  "--shard", f"{k}/2", "--results", str(tmp_path / f"shard-{k}"), "--workers", "1")
        assert run.returncode == 0 and "merge all shards" in run.stdout, run.stderr[-2000:]
    run = cli(course, "merge", ASSIGNMENT, str(tmp_path / "shard-1"), str(tmp_path / "shard-2"))
    assert run.returncode == 0, run.stderr[-2000:]
    gradebook = read_scores(course, ASSIGNMENT, ASSIGNMENT)
    assert {s: sum(p.score for p in parts.values()) for s, parts in gradebook.items()} == {
        s: expected_total(f) for s, f in expected.items()}


def test_simulated_gpu_runner_gives_each_worker_its_own_device(tmp_path, monkeypatch):
    """No GPU here: CUDA_VISIBLE_DEVICES stands in for two (a mock at the edge of this machine)."""
    course = copy_course(tmp_path / "course")
    write_submitted(tmp_path / "submitted", ["reference", "correct-1", "correct-2"])
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="0,1")
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--submissions",
                          str(tmp_path / "submitted"), "--device", "gpu"], cwd=course, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    devices = {results.load(p)["device"] for p in (course / "build" / "grading" / ASSIGNMENT).glob("*.json")}
    assert devices <= {"gpu:0", "gpu:1"} and devices
    sandbox = Sandbox(ipc_dir=tmp_path / "i", gpu="1")
    assert sandbox.environment()["CUDA_VISIBLE_DEVICES"] == "1"
    assert sandbox.environment()["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"
    assert sandbox.environment()["NVIDIA_TF32_OVERRIDE"] == "0"
    # a GPU runner's jobs, kernels and judges alike, have no address-space rlimit and a higher process limit
    for device, limits in (("gpu", runner.GPU_LIMITS), ("cpu", {})):
        settings = runner.Settings(course=course, assignment=ASSIGNMENT, submissions=tmp_path / "submitted",
                                   results=tmp_path / device, device=device)
        _, jobs = runner.plan_jobs(settings, tmp_path / f"scratch-{device}", tmp_path)
        assert jobs and all(job["limits"] == {"memory_mb": settings.memory_mb, **limits} for job in jobs)
        command = Sandbox(ipc_dir=tmp_path / "i", limits=Limits(**jobs[0]["limits"])).command(["true"])
        assert any(a.startswith("--as=") for a in command) == (device == "cpu")
        assert f"--nproc={Limits(**jobs[0]['limits']).processes}" in command


def test_gpu_requested_without_gpus_is_a_clear_error(tmp_path):
    course = copy_course(tmp_path / "course")
    (tmp_path / "submitted").mkdir()
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--submissions",
                          str(tmp_path / "submitted"), "--device", "gpu"], cwd=course, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "no GPU is visible" in run.stderr


def test_lms_layouts_flat_files_and_zip(tmp_path):
    course = copy_course(tmp_path / "course")
    plans = planned()
    flat = tmp_path / "lms"
    flat.mkdir()
    nbformat.write(plans["reference"][0], flat / "ada_1234_5678_01-linear-algebra.ipynb")
    nbformat.write(plans["blank"][0], flat / "grace_99_mywork.ipynb")
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in flat.iterdir():
            zf.write(p, p.name)
    run = cli(course, "grade", ASSIGNMENT, "--submissions", str(archive), "--workers", "2")
    assert run.returncode == 0, run.stderr[-2000:]
    done = course / "build" / "grading" / ASSIGNMENT
    ada, grace = results.load(done / "ada.json"), results.load(done / "grace.json")
    assert results.total(ada)[0] == FULL and results.total(grace)[0] == 0
    assert ada["flags"] == [] and grace["flags"] == []  # LMS names are expected: nothing to review
    # kept where nbgrader keeps collected work, so the formgrader lists them as autograded
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    kept = course / "build" / "submitted" / "ada" / ASSIGNMENT
    assert (kept / f"{ASSIGNMENT}.ipynb").is_file() and (kept / "timestamp.txt").read_text() == ada["timestamp"]
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    listed = NbGraderAPI(config=config).get_submissions(ASSIGNMENT)
    assert {s["student"]: s["autograded"] for s in listed} == {"ada": True, "grace": True}


# -- units -----------------------------------------------------------------------------------------



@pytest.mark.parametrize("change, words", [
    (lambda r: r.update(status="excellent"), "bad status"),
    (lambda r: r["parts"]["test_affine"].update(score=3.0), "scores 3.0 of 2.0"),
    (lambda r: r["parts"]["test_affine"].update(score=float("nan")), "not numeric"),
    (lambda r: r["parts"]["test_affine"].update(score="2"), "not numeric"),
    (lambda r: r.update(student="../../etc"), "bad student id"),
    (lambda r: r.update(extra="__import__('os')"), "fields"),
    (lambda r: r.update(flags=[{"x": 1}]), "flags must be strings"),
])
def test_results_are_validated_data(tmp_path, change, words):
    job = {"student": "ada", "assignment": ASSIGNMENT, "notebook": ASSIGNMENT, "sha256": "0" * 64,
           "points": {"test_affine": 2}}
    record = results.failed(job, "reason", 1.0, [])
    results.write(tmp_path, record)
    assert results.load(tmp_path / "ada.json") == record
    change(record)
    (tmp_path / "ada.json").write_text(json.dumps(record))
    with pytest.raises(results.InvalidResult, match=words):
        results.load(tmp_path / "ada.json")


@pytest.mark.parametrize("content, words", [
    ("not json at all", "not a readable notebook"),
    (json.dumps({"nbformat": 5, "nbformat_minor": 0, "cells": [], "metadata": {}}), "nbformat version 5"),
])
def test_broken_notebooks_are_reported_not_raised(tmp_path, content, words):
    (tmp_path / "nb.ipynb").write_text(content)
    nb, problem, _ = submissions.check_notebook(tmp_path / "nb.ipynb")
    assert nb is None and words in problem


def test_the_submission_time_comes_from_the_exchange_or_the_lms_file(tmp_path):
    nb = nbformat.writes(planned()["reference"][0])
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo(f"ada_{ASSIGNMENT}.ipynb", date_time=(2026, 10, 30, 23, 59, 58)), nb)
        zf.writestr(zipfile.ZipInfo(f"grace/{ASSIGNMENT}.ipynb", date_time=(2026, 11, 2, 8, 0, 0)), nb)
        zf.writestr("grace/timestamp.txt", "2020-01-01 00:00:00 UTC")  # a student's own file: not believed
    exchange = tmp_path / "submitted"
    for student, stamp in (("linus", "2026-11-01 12:00:00.25 UTC"), ("mallory", "yesterday, honestly")):
        (exchange / student / ASSIGNMENT).mkdir(parents=True)
        (exchange / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text(nb)
        (exchange / student / ASSIGNMENT / "timestamp.txt").write_text(stamp)
    prepared = {}
    for source in (archive, exchange):
        for student, found in submissions.discover(source, ASSIGNMENT, tmp_path).items():
            prepared[student] = submissions.prepare(student, found, ASSIGNMENT, tmp_path / "prepared" / student)
    assert {s: p.timestamp for s, p in prepared.items()} == {
        "ada": "2026-10-30T23:59:58+00:00", "grace": "2026-11-02T08:00:00+00:00",
        "linus": "2026-11-01T12:00:00.250000+00:00", "mallory": ""}
    assert prepared["mallory"].flags == ["timestamp.txt is not a time: the submission time is unknown "
                                         "(no late penalty applied)"]
    assert all(p.problem == "" for p in prepared.values())
    # the same file handed in again later is a change: it is graded again (a late penalty may apply)
    lms = tmp_path / "lms"
    lms.mkdir()
    (lms / f"ada_{ASSIGNMENT}.ipynb").write_text(nb)
    digests = []
    for when in (1_700_000_000, 1_700_000_000, 1_800_000_000):
        os.utime(lms / f"ada_{ASSIGNMENT}.ipynb", (when, when))
        found = submissions.discover(lms, ASSIGNMENT, tmp_path)["ada"]
        digests.append(submissions.prepare("ada", found, ASSIGNMENT, tmp_path / f"again-{len(digests)}").sha256)
    assert digests[0] == digests[1] != digests[2]


HOSTILE_CELLS = [
    nbformat.v4.new_markdown_cell('MARK-MD <script>window.PWNED=1</script><img src=x onerror="window.PWNED=2"> '
                                  "[click](javascript:alert(3))"),
    nbformat.v4.new_code_cell("from IPython.display import HTML, Javascript, Markdown, display\n"
                              "display(HTML('<b>MARK-' + 'HTML</b><script>window.PWNED=4</script>'))\n"
                              "display(Javascript('window.PWNED=5'))\n"
                              "display(Markdown('MARK-' + 'MDOUT <img src=x onerror=alert(6)>'))"),
]


def test_hostile_names_zip_entries_and_feedback(tmp_path):
    """One run over a zip with a name collision, an id that starts with '+', bad entries, and content
    that tries to script its feedback page: each costs only itself, and everyone else is graded."""
    course = copy_course(tmp_path / "course")
    plans = planned()
    hostile = copy.deepcopy(plans["reference"][0])
    hostile.cells += HOSTILE_CELLS
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, nb in [("victim", plans["reference"][0]), ("(victim)", plans["blank"][0]),
                         ("+alice", plans["reference"][0]), ("hostile", hostile), ("liar", plans["reference"][0])]:
            zf.writestr(f"{name}/{ASSIGNMENT}.ipynb", nbformat.writes(nb))
        zf.writestr("../escaped.ipynb", nbformat.writes(plans["reference"][0]))
    lie_about(archive, f"liar/{ASSIGNMENT}.ipynb", size=1000)
    run = cli(course, "grade", ASSIGNMENT, "--submissions", str(archive), "--workers", "2")
    assert run.returncode == 0, run.stderr[-3000:]
    done = course / "build" / "grading" / ASSIGNMENT
    records = {p.stem: results.load(p) for p in done.glob("*.json")}
    assert not results.STUDENT_ID.fullmatch("+alice"), "the raw name is no valid id"
    dup = f"victim-dup-{hashlib.sha256(b'(victim)').hexdigest()[:8]}"
    assert set(records) == {"victim", dup, "alice", "hostile", "liar"}
    for student in ("victim", "alice", "hostile"):
        assert results.total(records[student]) == (FULL, FULL), (student, records[student]["reason"])
    assert records[dup]["status"] == "failed" and "'(victim)', 'victim'" in records[dup]["reason"]
    assert records["liar"]["cause"] == "student" and "does not match its header" in records["liar"]["reason"]
    assert "'../escaped.ipynb' was skipped" in run.stderr and not list(tmp_path.glob("**/escaped.ipynb"))
    with open(course / "build" / f"grades-{ASSIGNMENT}.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert {row[0] for row in rows[1:]} == set(records) and "cause" in rows[0]
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]

    page = (course / "build" / "feedback" / "hostile" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    source = "".join(cell.source for cell in hostile.cells)
    assert "<script>" in source and "onerror=" in source and "javascript:" in source, "the attack was handed in"
    shown = rendered_text(page)
    assert "MARK-MD" in shown and "MARK-HTML" in shown and "MARK-MDOUT" in shown, "its cells ran and are shown"
    assert "checks.check_array(Z," in shown
    assert active_content(page) == [] and "script-src 'none'" in csp(page)


def test_gradebooks_get_the_revision_nbgrader_would_stamp():
    import nbgrader.api

    from autograder.nbgrader_course import alembic_head

    assert alembic_head() == nbgrader.api.get_alembic_version()  # the latter runs the alembic command


def test_a_failed_record_gives_the_cause_not_nbgraders_closing_line():
    log = ("[AutogradeApp | ERROR] There was an error processing assignment 'a' for student 'b'\n"
           "autograder.execute.JudgeFailed: the judge stopped answering\n"
           "[AutogradeApp | ERROR] Please see the the above traceback for details on the specific errors on the above failures.")
    assert results.last_error_line(log) == "autograder.execute.JudgeFailed: the judge stopped answering"
    assert "error processing assignment" in results.last_error_line(log.replace("JudgeFailed:", "judge failed"))
