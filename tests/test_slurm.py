"""The Slurm deployment, on a real one-node Slurm cluster started for the session (tests/slurm_cluster.py).

The cluster needs Debian's ``slurm-wlm`` and ``munge`` and root (CI has both); a missing package
fails the tests with the install command. ``DLCOURSE_SKIP_SLURM=1`` opts out.

- a plain array job runs each task exactly once (the cluster itself works);
- ``grade-and-merge.sh`` with a stub Python: each array task calls ``grade`` with its own shard,
  the CPU override and its results folder, and the merge runs after all of them;
- the real thing: an nbgrader assignment's submissions graded by the CLI in a 3-task array on CPU,
  merged, and every student's score checked.
"""

from __future__ import annotations

import csv
import importlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slurm_cluster import INSTALL_HINT, SlurmCluster, missing_programs

REPO_ROOT = Path(__file__).resolve().parent.parent
SLURM_DIR = REPO_ROOT / "autograder" / "deploy" / "slurm"
ASSIGNMENT = "01-linear-algebra"
# What turns the GPU template into a CPU job on this GPU-less node: options override #SBATCH lines.
CPU_OPTIONS = ["--gres=none", "--cpus-per-task=1", "--mem=2G", "--time=00:20:00"]


@pytest.fixture(scope="session")
def slurm(tmp_path_factory):
    """A running one-node Slurm cluster (munged, slurmctld, slurmd), stopped at the end."""
    if os.environ.get("DLCOURSE_SKIP_SLURM") == "1":
        pytest.skip("DLCOURSE_SKIP_SLURM=1")
    missing = missing_programs()
    if missing:
        pytest.fail(f"Slurm tests need {', '.join(missing)}: {INSTALL_HINT}")
    cluster = SlurmCluster(tmp_path_factory.mktemp("slurm"))
    try:
        started = time.perf_counter()
        cluster.start()
        print(f"\nSlurm cluster up in {time.perf_counter() - started:.1f} s")
        yield cluster
    finally:
        cluster.stop()


def submit_grade_and_merge(slurm: SlurmCluster, env: dict[str, str], *sbatch_options: str) -> tuple[str, str]:
    """Run grade-and-merge.sh against the cluster; the array's and the merge's job ids."""
    result = subprocess.run(["bash", str(SLURM_DIR / "grade-and-merge.sh"), *sbatch_options],
                            env={**slurm.env, **env}, cwd=slurm.root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"array job (\d+) .*merge job (\d+)", result.stdout)
    assert match, result.stdout
    return match.group(1), match.group(2)


def test_slurm_array_runs_each_task_once(slurm, tmp_path):
    script = tmp_path / "array.sh"
    script.write_text("#!/bin/bash\n"
                      f"echo \"$SLURM_ARRAY_TASK_ID $SLURM_ARRAY_TASK_COUNT\" >> {tmp_path}/task-$SLURM_ARRAY_TASK_ID\n")
    job = slurm.sbatch(script, "--array=1-3", f"--output={tmp_path}/%A_%a.out", cwd=tmp_path)
    states = slurm.wait(job, timeout=60)
    assert states == {"1": "COMPLETED", "2": "COMPLETED", "3": "COMPLETED"}
    for k in (1, 2, 3):
        assert (tmp_path / f"task-{k}").read_text() == f"{k} 3\n"


def test_grade_and_merge_pass_each_shard_then_merge_all(slurm, tmp_path):
    """The scripts' contract with the CLI, with a stub Python that logs how it is called."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("")
    (course / "submitted").mkdir()
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls.log"
    stub = venv / "bin" / "python"
    stub.write_text(f'#!/bin/bash\necho "${{SLURM_ARRAY_TASK_ID:-none}} $PWD $*" >> {calls}\n')
    stub.chmod(0o755)
    results = tmp_path / "results"
    env = {"COURSE_DIR": str(course), "ASSIGNMENT": ASSIGNMENT, "SUBMISSIONS": str(course / "submitted"),
           "RESULTS": str(results), "VENV": str(venv), "SHARDS": "3", "DEVICE": "cpu"}
    array, merge = submit_grade_and_merge(slurm, env, *CPU_OPTIONS)
    assert slurm.wait(merge, timeout=120) == {merge: "COMPLETED"}, slurm.logs()
    assert set(slurm.wait(array).values()) == {"COMPLETED"}

    lines = calls.read_text().splitlines()
    assert len(lines) == 4, lines
    grades, merge_call = sorted(lines[:3]), lines[3]
    for k, line in enumerate(grades, start=1):
        assert line == (f"{k} {course} -m autograder grade {ASSIGNMENT} --submissions {course}/submitted "
                        f"--course {course} --results {results}/shard-{k} --shard {k}/3 --device cpu --workers 1")
    shard_dirs = " ".join(f"{results}/shard-{k}" for k in (1, 2, 3))
    assert merge_call == f"none {course} -m autograder merge {ASSIGNMENT} {shard_dirs} --course {course}"
    assert sorted(p.name for p in (results / "logs").iterdir()) == sorted(
        [f"grade-{array}_{k}.out" for k in (1, 2, 3)] + [f"grade-merge-{merge}.out"])


def cli_available() -> bool:
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", "--help"], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    return result.returncode == 0


def planned_submissions(course: Path):
    """6 submissions in the course's build/submitted, of different scores; student -> expected score."""
    import nbformat
    from autograder.nbgrader_course import nbgrader, submit
    from tests.grading.plans import fill, nbgrader_meta, plan_submissions, reference_answers

    answers = importlib.import_module("tests.grading.answers_01")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    source_path = next((course / "solutions" / ASSIGNMENT).glob("*.ipynb"))
    source = nbformat.read(source_path, as_version=4)
    release = nbformat.read(course / "exercises" / ASSIGNMENT / source_path.name, as_version=4)
    plans = {s: plans for s, plans in plan_submissions(source, release, answers).items()
             if s in ("reference", "blank", "correct-1", "wrong-1")}
    reference = reference_answers(source)
    parts = sorted(reference)
    for name, wrong_parts in (("mixed-1", parts[::3]), ("mixed-2", parts[1::2])):  # some parts wrong
        wrong = {part: next(iter(answers.WRONG[part].values())) for part in wrong_parts}
        plans[name] = (fill(release, {**reference, **wrong}), set(wrong_parts))
    points = {nbgrader_meta(c)["grade_id"].removeprefix("test_"): nbgrader_meta(c)["points"]
              for c in source.cells if nbgrader_meta(c).get("grade")}
    expected = {}
    for student, (notebook, failing) in plans.items():
        submit(course, student, ASSIGNMENT, {source_path.stem: notebook})
        expected[student] = sum(p for part, p in points.items() if part not in failing)
    return expected, sum(points.values())


@pytest.mark.slow
def test_grading_array_on_cpu_then_merge(slurm, tmp_path):
    """Grade 6 submissions in a 3-task array (the GPU template, overridden for CPU), merge, check."""
    if not cli_available():
        pytest.fail("`python -m autograder grade --help` fails: the batch-grading CLI is not there yet")
    from autograder.nbgrader_course import copy_course

    course = copy_course(tmp_path / "course")
    expected, max_score = planned_submissions(course)
    results = tmp_path / "results"
    env = {"COURSE_DIR": str(course), "ASSIGNMENT": ASSIGNMENT, "SUBMISSIONS": str(course / "build" / "submitted"),
           "RESULTS": str(results), "VENV": str(Path(sys.executable).parent.parent), "SHARDS": "3",
           "DEVICE": "cpu"}
    started = time.perf_counter()
    array, merge = submit_grade_and_merge(slurm, env, *CPU_OPTIONS)
    merge_state = slurm.wait(merge, timeout=600)
    array_states = slurm.wait(array, timeout=60)
    duration = time.perf_counter() - started
    print(f"\nSlurm: graded {len(expected)} submissions in 3 array tasks and merged in {duration:.1f} s")
    logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted((results / "logs").glob("*.out")))
    assert set(array_states.values()) == {"COMPLETED"}, f"{array_states}\n{logs}"
    assert merge_state == {merge: "COMPLETED"}, f"{merge_state}\n{logs}"

    shards = {}
    for k in (1, 2, 3):
        shards[k] = {}
        for path in (results / f"shard-{k}").glob("*.json"):
            result = json.loads(path.read_text())
            shards[k][result["student"]] = result
    graded = [set(s) for s in shards.values()]
    assert sum(len(s) for s in graded) == len(set().union(*graded)), f"shards overlap: {graded}"
    assert set().union(*graded) == set(expected), f"shards graded {graded}, expected {sorted(expected)}"
    problems = []
    for result in (r for s in shards.values() for r in s.values()):
        student, parts = result["student"], result["parts"]
        if (result["status"], result["device"], result["assignment"]) != ("graded", "cpu", ASSIGNMENT):
            problems.append(f"{student}: {result['status']} on {result['device']}: {result.get('reason')}")
        got = (sum(p["score"] for p in parts.values()), sum(p["max_score"] for p in parts.values()))
        if got != (expected[student], max_score):
            problems.append(f"{student}: parts score {got[0]}/{got[1]}, expected {expected[student]}/{max_score}")
    assert not problems, "\n".join(problems)

    with open(course / "build" / f"grades-{ASSIGNMENT}.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert {s: float(r["score"]) for s, r in rows.items()} == {s: float(v) for s, v in expected.items()}
    assert {r["status"] for r in rows.values()} == {"graded"}
    assert all(float(r["max_score"]) == max_score for r in rows.values())
