"""Command line: ``python -m autograder grade|merge|report``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import insight
from . import merge as merging
from . import runner
from .sandbox import SandboxUnavailable


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade a batch of submissions in sandboxes, in parallel")
    g.add_argument("assignment", help="assignment id, e.g. 01-linear-algebra")
    g.add_argument("--submissions", type=Path,
                   help="nbgrader submitted/ folder, a folder of per-student notebooks or folders, or a .zip of one "
                        "(default: the course's submitted folder, where `nbgrader collect` puts them)")
    g.add_argument("--course", type=Path, default=Path.cwd(), help="course directory (holds nbgrader_config.py)")
    g.add_argument("--results", type=Path, help="where results go (default COURSE/build/grading/ASSIGNMENT)")
    g.add_argument("--workers", type=int, help="parallel kernels (default: CPU cores, or the number of GPUs)")
    g.add_argument("--device", choices=["cpu", "gpu"], default="cpu")
    g.add_argument("--keras-backend", choices=runner.KERAS_BACKENDS,
                   default=os.environ.get("KERAS_BACKEND") or "tensorflow",
                   help="the Keras backend of every kernel: tensorflow, or jax or torch on a runner without "
                        "TensorFlow (default: $KERAS_BACKEND, else tensorflow)")
    g.add_argument("--shard", default="1/1", help="grade only slice K of N (K/N), for cluster array jobs")
    g.add_argument("--cell-timeout", type=int, help="seconds one cell may run (default: Execute.timeout of nbgrader_config.py)")
    g.add_argument("--timeout", type=int, default=900, help="seconds one submission may take in all")
    g.add_argument("--memory", type=int, default=6144, help="address-space limit of a kernel, in MB")
    g.add_argument("--no-sandbox", action="store_true",
                   help="run kernels without bubblewrap (only for notebooks you trust)")

    m = sub.add_parser("merge", help="merge result folders (e.g. one per shard) into the gradebook and a CSV")
    m.add_argument("assignment")
    m.add_argument("results", type=Path, nargs="+")
    m.add_argument("--course", type=Path, default=Path.cwd())

    r = sub.add_parser("report", help="a class report (HTML) and an LMS grade CSV from an assignment's results")
    r.add_argument("assignment")
    r.add_argument("--results", type=Path, action="append",
                   help="a results folder; repeat for shards (default COURSE/build/grading/ASSIGNMENT)")
    r.add_argument("--out", type=Path, help="where the page and the CSV go (default COURSE/build)")
    r.add_argument("--course", type=Path, default=Path.cwd())
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    course = args.course.resolve()
    if not (course / "nbgrader_config.py").exists():
        sys.exit(f"error: {course} has no nbgrader_config.py (pass --course)")
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    if args.command == "report":
        folders = [f.resolve() for f in args.results or [course / "build" / "grading" / args.assignment]]
        try:
            page, lms = insight.write(args.assignment, folders, (args.out or course / "build").resolve())
        except ValueError as err:
            sys.exit(f"error: {err}")
        print(f"class report: {page}\nLMS grades (Canvas and Moodle import): {lms}")
        return 0
    if args.command == "merge":
        path = merging.merge(course, args.assignment, [r.resolve() for r in args.results])
        print(f"gradebook updated; grades in {path}")
        return 0
    try:
        shard = runner.parse_shard(args.shard)
    except ValueError as err:
        sys.exit(f"error: {err}")
    if args.keras_backend not in runner.KERAS_BACKENDS:  # a default from $KERAS_BACKEND is not checked by argparse
        sys.exit(f"error: unknown Keras backend {args.keras_backend!r}; use one of {', '.join(runner.KERAS_BACKENDS)}")
    workers = args.workers
    if workers is None:
        workers = len(runner.gpu_ids()) if args.device == "gpu" else (os.cpu_count() or 1)
    results_dir = (args.results or course / "build" / "grading" / args.assignment).resolve()
    settings = runner.Settings(
        course=course, assignment=args.assignment, submissions=args.submissions and args.submissions.resolve(),
        results=results_dir, workers=max(1, workers), device=args.device, keras_backend=args.keras_backend, shard=shard,
        cell_timeout=args.cell_timeout, timeout=args.timeout, sandbox=not args.no_sandbox,
        memory_mb=args.memory)
    try:
        runner.grade(settings)
    except (SandboxUnavailable, FileNotFoundError, ValueError, RuntimeError) as err:
        sys.exit(f"error: {err}")
    if shard == (1, 1):
        path = merging.merge(course, args.assignment, [results_dir])
        print(f"gradebook updated; grades in {path}; feedback in {course / 'build' / 'feedback'}")
    else:
        print(f"shard {shard[0]}/{shard[1]} done; merge all shards with: "
              f"python -m autograder merge {args.assignment} <results folders>")
    return 0
