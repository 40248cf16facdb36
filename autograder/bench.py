"""Grading benchmark: where one submission's time goes, and how many submissions an hour a class gets.

    python -m autograder.bench                      (make bench-grading: exercises 01 and 07, a class of 300)
    python -m autograder.bench --n 12 --assignment 01-linear-algebra --class-size 0

For each assignment, N submissions made from its answer sets (tests/grading/answers_NN.py: the
reference, the blank release, alternative correct answers and wrong ones, in turn) are handled four
ways in one run on this machine, each ``--repeat`` times in turn (the tables show medians, so that a
slow spell of a shared machine does not decide a ratio): executed alone (a fresh kernel per notebook,
every cell, no grading: the floor), graded by plain ``nbgrader autograde`` (serial, unsandboxed, tests
in the student's kernel), and graded by the autograder with ``--workers W`` and with one worker. Every grading must
give every part the score the answer set plans for it. The tables show wall times, ratios and, per
submission, where the autograder's time went (the phases of worker.Clock); the judge count says how
many judge processes ran the tests and how many of them imported TensorFlow. Then a class of
``--class-size`` submissions of the first assignment is graded with W workers, and, where Slurm is
installed and this runs as root, as an array of ``--slurm-tasks`` tasks on a one-node cluster
(tests/slurm_cluster.py) followed by the merge. Run it from a checkout (it uses tests/).
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from . import results
from .nbgrader_course import copy_course, nbgrader, read_scores, submit

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ("01-linear-algebra", "07-numpy-to-keras")


def make_class(course: Path, assignment: str, n: int) -> dict[str, set[str]]:
    """N submissions of the assignment in the course's submitted folder, cycling through its answer
    sets; student -> the parts meant to fail."""
    from tests.grading.plans import plan_submissions

    answers = importlib.import_module(f"tests.grading.answers_{assignment[:2]}")
    source = next((course / "solutions" / assignment).glob("*.ipynb"))
    release = nbformat.read(course / "exercises" / assignment / source.name, 4)
    plans = plan_submissions(nbformat.read(source, 4), release, answers)
    planned = {}
    for i, (notebook, failing) in zip(range(n), itertools.cycle(plans.values())):
        student = f"s{i:03d}"
        submit(course, student, assignment, {source.stem: notebook})
        planned[student] = {f"test_{part}" for part in failing}
    return planned


def disagreements(scores: dict[str, dict[str, tuple[float, float]]], planned: dict[str, set[str]]) -> list[str]:
    """The parts not scored as planned (0 where meant to fail, full marks elsewhere), and the
    submissions not scored at all."""
    wrong = [f"{student} {part}: {got:g}/{full:g}" for student, failing in planned.items()
             for part, (got, full) in scores.get(student, {}).items() if got != (0.0 if part in failing else full)]
    return wrong + [f"{student}: not graded" for student in sorted(set(planned) - set(scores))]


def check(scores: dict[str, dict[str, tuple[float, float]]], planned: dict[str, set[str]], who: str) -> None:
    """Every part of every submission scored as planned, or an error that says which were not."""
    wrong = disagreements(scores, planned)
    if wrong:
        raise RuntimeError(f"{who} did not grade as planned: {wrong[:10]}")


def execute_alone(course: Path, assignment: str, students: list[str]) -> tuple[float, dict[str, float]]:
    """Run each submitted notebook top to bottom in a fresh kernel (its working folder the release's),
    one after another: the wall time, and the mean kernel start and cells per notebook."""
    from nbclient import NotebookClient

    release = course / "exercises" / assignment
    spent = {"kernel_start": 0.0, "cells": 0.0}
    started = time.perf_counter()
    for student in students:
        path = next((course / "build" / "submitted" / student / assignment).glob("*.ipynb"))
        nb = nbformat.read(path, 4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(release)}})
        begun = time.perf_counter()
        with client.setup_kernel():
            client.wait_for_reply(client.kc.kernel_info())
            ready = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            spent["cells"] += time.perf_counter() - ready
        spent["kernel_start"] += ready - begun
    wall = time.perf_counter() - started
    return wall, {phase: s / len(students) for phase, s in spent.items()}


def timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    started = time.perf_counter()
    run = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{run.stderr[-3000:]}")
    return time.perf_counter() - started


def part_scores(records: list[dict]) -> dict[str, dict[str, tuple[float, float]]]:
    return {r["student"]: {p: (v["score"], v["max_score"]) for p, v in r["parts"].items()} for r in records}


def autograde(course: Path, assignment: str, results_dir: Path, workers: int) -> tuple[float, list[dict]]:
    wall = timed([sys.executable, "-m", "autograder", "grade", assignment, "--results", str(results_dir),
                  "--workers", str(workers)], course)
    return wall, [results.load(p) for p in sorted(results_dir.glob("*.json"))]


def breakdown(records: list[dict]) -> dict[str, float]:
    """Mean seconds per phase over the records (worker.Clock's phases)."""
    return {phase: sum(r.get("timings", {}).get(phase, 0.0) for r in records) / len(records)
            for phase in results.PHASES}


def judges(records: list[dict]) -> tuple[int, int]:
    """How many judge processes ran the tests, and how many of them had imported TensorFlow."""
    pids = {r["judge"]["pid"]: r["judge"]["tensorflow"] for r in records if "judge" in r}
    return len(pids), sum(pids.values())


def bench_assignment(tmp: Path, assignment: str, n: int, workers: int, repeat: int = 1) -> dict:
    """Each way of handling the N submissions, ``repeat`` times in turn (so that a slow spell of a shared
    machine falls on every way alike); each wall time is the median of its runs."""
    course = copy_course(tmp / assignment, REPO_ROOT)
    nbgrader(course, "generate_assignment", assignment, "--force")
    planned = make_class(course, assignment, n)
    notebook = next((course / "solutions" / assignment).glob("*.ipynb")).stem
    walls: dict = {"alone": [], "nbgrader": [], **{w: [] for w in dict.fromkeys((workers, 1))}}
    graded: dict = {}
    for round_ in range(repeat):
        alone, floor = execute_alone(course, assignment, sorted(planned))
        walls["alone"].append(alone)
        walls["nbgrader"].append(timed([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"], course))
        # plain nbgrader runs the tests in the student's kernel, which they were not written for: where it
        # scores a part otherwise, the table says so (its time is still what nbgrader takes)
        differ = disagreements({s: {p: (g.score, g.max_score) for p, g in parts.items()}
                                for s, parts in read_scores(course, assignment, notebook).items()}, planned)
        for w in dict.fromkeys((workers, 1)):
            wall, records = autograde(course, assignment, tmp / f"{assignment}-w{w}-{round_}", w)
            check(part_scores(records), planned, f"autograder --workers {w}")
            walls[w].append(wall)
            graded.setdefault(w, []).append((wall, records))
    runs = {w: sorted(graded[w], key=lambda run: run[0])[(repeat - 1) // 2] for w in graded}  # the median run
    return {"assignment": assignment, "n": n, "alone": statistics.median(walls["alone"]), "floor": floor,
            "nbgrader": statistics.median(walls["nbgrader"]), "runs": runs, "walls": walls, "nbgrader_differs": differ}


def grade_class(tmp: Path, assignment: str, size: int, workers: int, slurm_tasks: int) -> dict:
    course = copy_course(tmp / f"class-{assignment}", REPO_ROOT)
    nbgrader(course, "generate_assignment", assignment, "--force")
    planned = make_class(course, assignment, size)
    wall, records = autograde(course, assignment, tmp / "class-results", workers)
    check(part_scores(records), planned, f"autograder on a class of {size}")
    found = {"assignment": assignment, "size": size, "workers": workers, "wall": wall}
    if slurm_tasks:
        found["slurm"] = slurm_array(course, assignment, tmp / "slurm", slurm_tasks, planned)
    return found


def slurm_array(course: Path, assignment: str, root: Path, tasks: int, planned: dict) -> float | str:
    """Grade the class in a Slurm array of ``tasks`` one-worker tasks on a one-node cluster started
    here, then merge: the wall time from submission to merged gradebook (or why it was not run)."""
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from slurm_cluster import SlurmCluster, missing_programs

    if os.geteuid() != 0 or missing_programs():
        return "not run: needs root and Slurm (apt-get install slurm-wlm munge)"
    cluster = SlurmCluster(root / "cluster")
    cluster.start()
    try:
        out = root / "results"
        env = {**cluster.env, "COURSE_DIR": str(course), "ASSIGNMENT": assignment,
               "SUBMISSIONS": str(course / "build" / "submitted"), "RESULTS": str(out), "VENV": sys.prefix,
               "SHARDS": str(tasks), "DEVICE": "cpu", "WORKERS": "1"}
        script = REPO_ROOT / "autograder" / "deploy" / "slurm" / "grade-and-merge.sh"
        started = time.perf_counter()
        run = subprocess.run(["bash", str(script), "--gres=none", "--cpus-per-task=1", "--mem=4G", "--time=01:00:00"],
                             env=env, cwd=cluster.root, capture_output=True, text=True, check=True)
        merge = run.stdout.split("merge job")[1].split()[0]
        state = cluster.wait(merge, timeout=7200)
        wall = time.perf_counter() - started
        if state != {merge: "COMPLETED"}:
            raise RuntimeError(f"the Slurm merge ended {state}:\n{cluster.logs()}")
        records = [results.load(p) for p in out.glob("shard-*/*.json")]
        check(part_scores(records), planned, "the Slurm array")
        return wall
    finally:
        cluster.stop()


def report(benches: list[dict], workers: int, klass: dict | None) -> str:
    lines = []
    for b in benches:
        n, plain, alone = b["n"], b["nbgrader"], b["alone"]
        lines += [f"\n### {b['assignment']}: {n} submissions (right, wrong and blank), {os.cpu_count()} cores\n",
                  "| run | wall s | s / submission | vs nbgrader | vs executing alone |",
                  "|---|---|---|---|---|",
                  f"| executing each notebook alone (no grading) | {alone:.1f} | {alone / n:.2f} | {plain / alone:.2f}x | 1.00 |",
                  f"| nbgrader autograde (serial, no sandbox) | {plain:.1f} | {plain / n:.2f} | 1.00x | {plain / alone:.2f} |"]
        for w, (wall, _) in b["runs"].items():
            lines.append(f"| autograder --workers {w} (sandboxed) | {wall:.1f} | {wall / n:.2f} | {plain / wall:.2f}x "
                         f"| {wall / alone:.2f} |")
        if b.get("walls") and len(b["walls"]["nbgrader"]) > 1:
            lines += ["", f"Each wall time is the median of {len(b['walls']['nbgrader'])} runs, taken in turn: "
                      + "; ".join(f"{'--workers ' + str(k) if isinstance(k, int) else k} "
                                  + ", ".join(f"{s:.1f}" for s in v) for k, v in b["walls"].items()) + " s."]
        lines += ["", "Per submission, mean seconds (the autograder's phases; executing alone: kernel start and cells):", "",
                  "| phase | alone | " + " | ".join(f"--workers {w}" for w in b["runs"]) + " |",
                  "|---|---|" + "---|" * len(b["runs"])]
        means = {w: breakdown(records) for w, (_, records) in b["runs"].items()}
        for phase in results.PHASES:
            alone_phase = f"{b['floor']['kernel_start']:.3f}" if phase == "kernel_start" else ""
            lines.append(f"| {phase} | {alone_phase} | " + " | ".join(f"{means[w][phase]:.3f}" for w in b["runs"]) + " |")
        lines.append(f"| all cells, in the kernel | {b['floor']['cells']:.3f} | " + " | " * (len(b["runs"]) - 1) + " |")
        lines.append("| total (worker's duration) | {:.3f} | ".format(sum(b["floor"].values())) + " | ".join(
            f"{sum(r['duration_s'] for r in records) / n:.3f}" for _, records in b["runs"].values()) + " |")
        if b.get("nbgrader_differs"):
            lines.append(f"\nPlain nbgrader scored {len(b['nbgrader_differs'])} part(s) otherwise than planned "
                         f"(its tests ran in the student's kernel): {', '.join(b['nbgrader_differs'][:5])}")
        for w, (_, records) in b["runs"].items():
            count, tensorflow = judges(records)
            lines.append(f"\n--workers {w}: {count} judge process(es) ran the tests; {tensorflow} of them imported TensorFlow.")
    if klass:
        rate = klass["size"] / klass["wall"] * 3600
        lines += [f"\n### A class of {klass['size']} ({klass['assignment']}, its answer sets in turn)\n",
                  f"autograder --workers {klass['workers']}: {klass['wall']:.1f} s, {rate:.0f} submissions per hour"]
        if "slurm" in klass:
            slurm = klass["slurm"]
            lines.append(slurm if isinstance(slurm, str) else
                         f"Slurm array (one worker per task) and merge: {slurm:.1f} s, "
                         f"{klass['size'] / slurm * 3600:.0f} submissions per hour")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=24, help="submissions per assignment")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--assignment", action="append", help=f"default: {', '.join(ASSIGNMENTS)}")
    p.add_argument("--repeat", type=int, default=3, help="runs of each way, taken in turn (medians are shown)")
    p.add_argument("--class-size", type=int, default=300, help="a class graded for throughput (0: none)")
    p.add_argument("--slurm-tasks", type=int, default=3, help="array tasks for the class on Slurm (0: none)")
    args = p.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        benches = []
        for assignment in args.assignment or ASSIGNMENTS:
            benches.append(bench_assignment(tmp, assignment, args.n, args.workers, max(1, args.repeat)))
            print(report(benches[-1:], args.workers, None), flush=True)
        klass = None
        if args.class_size:
            klass = grade_class(tmp, (args.assignment or ASSIGNMENTS)[0], args.class_size, args.workers,
                                args.slurm_tasks)
            print(report([], args.workers, klass), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
