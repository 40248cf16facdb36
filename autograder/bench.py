"""Benchmark: plain ``nbgrader autograde`` against ``autograder grade`` on the same submissions.

    python -m autograder.bench --n 12 --workers 2      (make bench-grading)

Grades N copies of the reference solution four ways in one run on this machine: nbgrader alone
(serial, unsandboxed, tests in the student's kernel), the autograder with the given workers
(sandboxed, tests in the judge), and the autograder with one worker with and without the sandbox,
whose difference per submission is the sandbox's overhead. It also reports the judge's cost: the
CPU time its process used per submission (start-up, the tests, decoding what the kernel sent).
Every way must give every submission full marks.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from . import results
from .nbgrader_course import copy_course, nbgrader, read_scores, submit


def reference_notebook(course: Path, assignment: str) -> tuple[str, nbformat.NotebookNode]:
    source = next((course / "solutions" / assignment).glob("*.ipynb"))
    nb = nbformat.read(source, 4)
    for cell in nb.cells:
        cell.source = "\n".join(line for line in cell.source.splitlines()
                                if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
    return source.stem, nb


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    run = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{run.stderr[-3000:]}")
    return time.perf_counter() - started


def autograder_run(course: Path, assignment: str, submitted: Path, results_dir: Path, *options: str) -> float:
    seconds = timed([sys.executable, "-m", "autograder", "grade", assignment, "--submissions", str(submitted),
                     "--results", str(results_dir), *options], course)
    totals = {p.stem: results.total(results.load(p)) for p in results_dir.glob("*.json")}
    if any(score != max_score for score, max_score in totals.values()):
        raise RuntimeError(f"the autograder did not give the reference full marks: {totals}")
    return seconds


def judge_cpu(results_dir: Path) -> float:
    """Mean CPU seconds of the judge process per submission."""
    records = [results.load(p) for p in results_dir.glob("*.json")]
    return sum(r["judge_cpu_s"] for r in records) / max(len(records), 1)


def run(n: int, workers: int, assignment: str, source: Path) -> list[tuple[str, float]]:
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        course = copy_course(Path(tmp) / "course", source)
        nbgrader(course, "generate_assignment", assignment, "--force")
        notebook, nb = reference_notebook(course, assignment)
        students = [f"student{i:03d}" for i in range(n)]
        for student in students:
            submit(course, student, assignment, {notebook: nb})
        submitted = course / "build" / "submitted"

        plain = timed([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"], course)
        scores = read_scores(course, assignment, notebook)
        if any(g.score != g.max_score for parts in scores.values() for g in parts.values()):
            raise RuntimeError("plain nbgrader did not give the reference full marks")
        parallel = autograder_run(course, assignment, submitted, Path(tmp) / "r-par", "--workers", str(workers))
        serial = autograder_run(course, assignment, submitted, Path(tmp) / "r-one", "--workers", "1")
        bare = autograder_run(course, assignment, submitted, Path(tmp) / "r-bare", "--workers", "1", "--no-sandbox")
        judge = judge_cpu(Path(tmp) / "r-one")
    return [
        ("nbgrader autograde (serial, no sandbox)", plain),
        (f"autograder grade --workers {workers} (sandboxed)", parallel),
        ("autograder grade --workers 1 (sandboxed)", serial),
        ("autograder grade --workers 1 --no-sandbox", bare),
    ], judge


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=12, help="number of submissions")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--assignment", default="01-linear-algebra")
    p.add_argument("--course", type=Path, default=Path(__file__).resolve().parent.parent)
    args = p.parse_args(argv)
    rows, judge = run(args.n, args.workers, args.assignment, args.course)
    plain = rows[0][1]
    print(f"\n{args.n} submissions of {args.assignment}, {args.workers} workers\n")
    print(f"| {'run':<45} | {'wall s':>7} | {'s / submission':>14} | {'vs nbgrader':>11} |")
    print(f"|{'-' * 47}|{'-' * 9}|{'-' * 16}|{'-' * 13}|")
    for name, seconds in rows:
        print(f"| {name:<45} | {seconds:7.1f} | {seconds / args.n:14.2f} | {plain / seconds:10.2f}x |")
    overhead = (rows[2][1] - rows[3][1]) / args.n
    print(f"\nwall-time ratio nbgrader / autograder --workers {args.workers}: {plain / rows[1][1]:.2f}")
    print(f"sandbox overhead per submission (workers 1, sandboxed minus not): {overhead:+.2f} s")
    print(f"judge process per submission (CPU time, workers 1, sandboxed): {judge:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
