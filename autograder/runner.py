"""Grade a batch: find submissions, skip what is already graded, run workers in parallel.

Each submission is graded by its own worker process (``python -m autograder.worker``), in its own
scratch folder, with its own sandbox user and (on a GPU runner) its own GPU. A worker that crashes,
hangs or is killed costs only its submission: the runner records a failed result with the reason.
Results are files, written atomically, keyed by student and the submission's SHA-256, so a re-run
skips what is done and a SIGKILL loses nothing and grades nothing twice.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from queue import Queue

import nbformat

from . import results, scan, submissions
from .nbgrader_course import copy_course, course_directory, nbgrader
from .progress import Progress
from .sandbox import SandboxUnavailable, check_available

UID_BASE = 61000


@dataclass
class Settings:
    course: Path
    assignment: str
    submissions: Path
    results: Path
    workers: int = 1  # parallel kernels; on a GPU runner, one GPU each (round robin)
    device: str = "cpu"
    shard: tuple[int, int] = (1, 1)
    cell_timeout: int = 120
    timeout: int = 900
    sandbox: bool = True
    memory_mb: int = 6144


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' -> (K, N), with 1 <= K <= N."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard must look like K/N (e.g. 2/8), not {text!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard {text}: K must be between 1 and N")
    return k, n


def in_shard(students: list[str], shard: tuple[int, int]) -> list[str]:
    """The K-th of N disjoint slices of the sorted student ids (round robin)."""
    k, n = shard
    return [s for i, s in enumerate(sorted(students)) if i % n == k - 1]


def gpu_ids() -> list[str]:
    """GPUs this runner may use: CUDA_VISIBLE_DEVICES if set, else what nvidia-smi lists."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [g for g in visible.split(",") if g.strip() and g.strip() != "-1"]
    if shutil.which("nvidia-smi") is None:
        return []
    listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True).stdout
    return [str(i) for i, line in enumerate(listing.splitlines()) if line.startswith("GPU ")]


def prepare_template(settings: Settings, scratch: Path) -> tuple[Path, str, dict[str, float]]:
    """A course copy with the assignment generated: its gradebook holds the cells and hidden tests."""
    template = copy_course(scratch / "template", settings.course)
    nbgrader(template, "generate_assignment", settings.assignment, "--force")
    source = sorted((template / "solutions" / settings.assignment).glob("*.ipynb"))
    if len(source) != 1:
        raise ValueError(f"{settings.assignment} must have exactly one notebook; found {len(source)}")
    nb = nbformat.read(source[0], as_version=4)
    points = {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader.get("points", 0))
              for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    shutil.rmtree(template / "exercises", ignore_errors=True)
    return template, source[0].stem, points


def up_to_date(results_dir: Path, student: str, sha256: str) -> bool:
    path = results_dir / f"{student}.json"
    try:
        return results.load(path)["sha256"] == sha256
    except results.InvalidResult:
        return False


def run_worker(job: dict, timeout: int) -> None:
    """Grade one job in a worker process; on a crash or timeout, record why."""
    job_file = Path(job["work"]) / "job.json"
    job_file.write_text(json.dumps(job))
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "autograder.worker", str(job_file)],
                               stdout=subprocess.DEVNULL, stderr=open(Path(job["work"]) / "worker.log", "w"),
                               start_new_session=True, preexec_fn=_die_with_parent)
    try:
        code = process.wait(timeout=timeout)
        reason = f"the grader's worker crashed (exit {code})" if code else ""
    except subprocess.TimeoutExpired:
        reason = f"grading took longer than the {timeout} s limit for one submission"
    finally:
        _kill_group(process)
    if reason or not (Path(job["results"]) / f"{job['student']}.json").exists():
        record = results.failed(job, reason or "the worker wrote no result", time.monotonic() - started,
                                job["flags"])
        results.write(Path(job["results"]), record)


def _die_with_parent() -> None:
    """In the worker: be killed when the runner dies (Linux prctl PR_SET_PDEATHSIG)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def grade(settings: Settings, progress: Progress | None = None) -> dict[str, dict]:
    """Grade every submission of the shard that is not graded yet; return all records of the shard."""
    if settings.sandbox:
        check_available()
    slots: list[str | None] = [None] * settings.workers
    if settings.device == "gpu":
        gpus = gpu_ids()
        if not gpus:
            raise RuntimeError("--device gpu, but no GPU is visible (nvidia-smi -L lists none)")
        slots = [gpus[i % len(gpus)] for i in range(settings.workers)]
    settings.results.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="autograder-", dir=settings.results.parent))
    try:
        template, notebook, points = prepare_template(settings, scratch)
        found = submissions.discover(settings.submissions, settings.assignment, scratch)
        students = in_shard(list(found), settings.shard)
        jobs = []
        for student in students:
            work = scratch / "work" / student
            sub = submissions.prepare(student, found[student], notebook, work / "files")
            if up_to_date(settings.results, student, sub.sha256):
                continue
            job = {"student": student, "assignment": settings.assignment, "notebook": notebook,
                   "sha256": sub.sha256, "template": str(template), "files": str(sub.folder),
                   "work": str(work), "results": str(settings.results), "points": points,
                   "cell_timeout": settings.cell_timeout, "sandbox": settings.sandbox,
                   "threads": max(1, (os.cpu_count() or 1) // settings.workers),
                   "limits": {"memory_mb": settings.memory_mb}, "flags": sub.flags}
            if sub.problem:
                results.write(settings.results, results.failed(job, sub.problem, 0.0, sub.flags))
                continue
            job["flags"] = sub.flags + scan.scan_notebook(nbformat.read(sub.folder / f"{notebook}.ipynb", 4))
            jobs.append(job)
        progress = progress or Progress(len(jobs))
        progress.total = len(jobs)
        free: Queue[int] = Queue()
        for slot in range(settings.workers):
            free.put(slot)

        def run(job: dict) -> dict:
            slot = free.get()
            try:
                job["uid"] = UID_BASE + slot
                job["gpu"] = slots[slot]
                job["device"] = f"gpu:{slots[slot]}" if slots[slot] is not None else "cpu"
                run_worker(job, settings.timeout)
                return results.load(settings.results / f"{job['student']}.json")
            finally:
                free.put(slot)

        with ThreadPoolExecutor(max_workers=settings.workers) as pool:
            for future in as_completed([pool.submit(run, job) for job in jobs]):
                progress.advance(future.result())
        progress.close()
        return {s: results.load(settings.results / f"{s}.json") for s in students}
    finally:
        if not os.environ.get("AUTOGRADER_KEEP_SCRATCH"):
            shutil.rmtree(scratch, ignore_errors=True)
