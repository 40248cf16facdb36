"""Grade a batch: find submissions, skip what is already graded, run workers in parallel.

Each slot has a worker process (``python -m autograder.worker``) that grades one submission at a
time, each in its own scratch folder and sandbox, as the slot's own user and (on a GPU runner) on
the slot's own GPU. A worker that crashes or hangs costs only the submission it was grading: the
runner records a failed result with the reason and starts a fresh worker.
Results are files, written atomically, keyed by student and the submission's SHA-256, so a re-run
skips what is done and a SIGKILL loses nothing and grades nothing twice.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from queue import Queue

import nbformat

from . import results, submissions
from .nbgrader_course import copy_course, course_directory, generate_assignment
from .progress import Progress
from .cgroups import create_run_group
from .sandbox import check_available, remove_folder

UID_BASE = 61000
#: The sandboxes of a GPU runner (kernels and judges): no address-space rlimit, since CUDA builds of JAX and
#: PyTorch reserve far more than they use (under 6 GiB, on an H200, JAX aborted and PyTorch found no GPU; the
#: cgroup caps memory), and more processes, since a CUDA or XLA runtime starts thread pools per core and per
#: stream and each thread counts against RLIMIT_NPROC and pids.max (113 threads after one small JAX fit).
GPU_LIMITS = {"processes": 1024, "address_space": False}

#: The Keras 3 backends a batch can be graded on (a GPU runner without TensorFlow uses jax or torch).
KERAS_BACKENDS = ("tensorflow", "jax", "torch")


@dataclass
class Settings:
    course: Path
    assignment: str
    submissions: Path | None  # None: the course's submitted folder, where `nbgrader collect` puts them
    results: Path
    workers: int = 1  # parallel kernels; on a GPU runner, one GPU each (round robin)
    device: str = "cpu"
    keras_backend: str = "tensorflow"  # what `import keras` runs on in every kernel (KERAS_BACKENDS)
    shard: tuple[int, int] = (1, 1)
    cell_timeout: int | None = None  # None: the course's nbgrader_config.py decides
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
    generate_assignment(template, settings.assignment)
    copy_due_date(settings.course, template, settings.assignment)
    source = sorted((template / "solutions" / settings.assignment).glob("*.ipynb"))
    if len(source) != 1:
        raise ValueError(f"{settings.assignment} must have exactly one notebook; found {len(source)}")
    nb = nbformat.read(source[0], as_version=4)
    points = {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader.get("points", 0))
              for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    shutil.rmtree(template / "exercises", ignore_errors=True)
    return template, source[0].stem, points


def copy_due_date(course: Path, template: Path, assignment: str) -> None:
    """The assignment's due date in the course's gradebook (``nbgrader db assignment add --duedate``, or
    the formgrader), copied into the template's, so that late submissions are penalised as configured."""
    from nbgrader.api import Gradebook, MissingEntry

    if not Path(course_directory(course).db_url.removeprefix("sqlite:///")).exists():
        return
    with Gradebook(course_directory(course).db_url) as gb:
        try:
            duedate = gb.find_assignment(assignment).duedate
        except MissingEntry:
            return
    if duedate is not None:
        with Gradebook(course_directory(template).db_url) as gb:
            gb.update_or_create_assignment(assignment, duedate=duedate)


def up_to_date(results_dir: Path, student: str, sha256: str) -> dict | None:
    """The student's record if it stands: valid, of these files, and not a failure of the grader's."""
    try:
        record = results.load(results_dir / f"{student}.json")
    except results.InvalidResult:
        return None
    return record if record["sha256"] == sha256 and record["cause"] != "grader" else None


def settle(results_dir: Path, record: dict) -> dict:
    """Write ``record``; where that fails (a full disk), keep it only in this run's report, so the
    next run grades the submission again."""
    try:
        results.write(results_dir, record)
    except (OSError, results.InvalidResult) as err:
        print(f"warning: could not write the result of {record['student']}: {err}", file=sys.stderr)
    return record


class Worker:
    """A long-lived worker process for one slot; replaced when it crashes, hangs or has done enough."""

    # A worker is renewed now and then, so that whatever a long nbgrader run keeps in memory is let go;
    # a renewal costs a worker's start, a judge's and a cold kernel, so not too often.
    RECYCLE_AFTER = 100

    def __init__(self, log: Path, results_dir: Path):
        self.log = log
        self.results_dir = results_dir
        self.process: subprocess.Popen | None = None
        self.jobs = 0

    def start(self) -> None:
        self.stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.worker", "--results", str(self.results_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(self.log, "a"), text=True, start_new_session=True, preexec_fn=_die_with_parent)
        self.jobs = 0

    def stop(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            self.process = None

    def grade(self, job: dict, timeout: int) -> dict:
        """Grade one job and return its record; on a crash or timeout, record why and start afresh."""
        done = Path(job["results"]) / f"{job['student']}.json"
        for old in (done, done.with_suffix(".html"), done.with_suffix(".ipynb")):
            old.unlink(missing_ok=True)  # so that what is read back is this run's
        if self.process is None or self.process.poll() is not None or self.jobs >= self.RECYCLE_AFTER:
            self.start()
        job_file = Path(job["work"]) / "job.json"
        job_file.write_text(json.dumps(job))
        started = time.monotonic()
        self.process.stdin.write(f"{job_file}\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        answer = self.process.stdout.readline() if ready else None
        self.jobs += 1
        if answer == "done\n":
            try:
                return results.load(done)
            except results.InvalidResult as err:
                reason, cause = f"the grader's worker left no valid result ({err})", "grader"
        elif answer is None:
            reason, cause = f"grading took longer than the {timeout} s limit for one submission", "student"
        else:  # it closed its output: it is exiting, so its exit status is moments away
            try:
                status = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                status = None
            reason, cause = f"the grader's worker crashed (exit {status})", "grader"
        self.stop()
        return settle(done.parent, results.failed(job, reason, time.monotonic() - started, job["flags"], cause))


def _die_with_parent() -> None:
    """In the worker: be killed when the runner dies (Linux prctl PR_SET_PDEATHSIG)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def device_slots(settings: Settings) -> list[str | None]:
    """The GPU of each worker slot (None on CPU)."""
    if settings.device != "gpu":
        return [None] * settings.workers
    gpus = gpu_ids()
    if not gpus:
        raise RuntimeError("--device gpu, but no GPU is visible (nvidia-smi -L lists none)")
    return [gpus[i % len(gpus)] for i in range(settings.workers)]


def keep_in_course(coursedir, assignment: str, sub: submissions.Submission) -> None:
    """An LMS download's submission goes where ``nbgrader zip_collect`` would put it, with its time,
    so that the formgrader lists it and opens it for manual grading."""
    dest = Path(coursedir.format_path(coursedir.submitted_directory, sub.student, assignment))
    if dest.resolve() == sub.folder.resolve():
        return
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(sub.folder, dest)
    if sub.timestamp:
        (dest / "timestamp.txt").write_text(sub.timestamp)


def plan_jobs(settings: Settings, scratch: Path, ipc_root: Path) -> tuple[dict[str, dict], list[dict]]:
    """The shard's records that stand, and a job for each other student; a job that failed already
    (unreadable files, a name clash, a crash while preparing it) carries ``failed``: reason and cause."""
    template, notebook, points = prepare_template(settings, scratch)
    coursedir = course_directory(settings.course)
    found = submissions.discover(settings.submissions or Path(coursedir.root, coursedir.submitted_directory),
                                 settings.assignment, scratch)
    standing, jobs = {}, []
    for student in in_shard(list(found), settings.shard):
        work = scratch / "work" / student
        job = {"student": student, "assignment": settings.assignment, "notebook": notebook,
               "sha256": "0" * 64, "template": str(template), "files": str(work / "files"),
               "work": str(work), "ipc_root": str(ipc_root), "results": str(settings.results), "points": points,
               "cell_timeout": settings.cell_timeout, "sandbox": settings.sandbox,
               "keras_backend": settings.keras_backend,
               "threads": max(1, (os.cpu_count() or 1) // settings.workers),
               "limits": {"memory_mb": settings.memory_mb, **(GPU_LIMITS if settings.device == "gpu" else {})},
               "flags": list(found[student].flags)}
        try:
            sub = submissions.prepare(student, found[student], notebook, work / "files")
        except Exception as err:  # one submission's trouble must not stop the batch
            job["failed"] = {"reason": f"the grader could not prepare the files ({type(err).__name__}: {err})",
                             "cause": "grader"}
        else:
            job.update(sha256=sub.sha256, flags=sub.flags, timestamp=sub.timestamp)
            if not found[student].exchange and not sub.problem:
                try:
                    keep_in_course(coursedir, settings.assignment, sub)
                except OSError as err:  # grading goes on; only nbgrader's own tools miss this copy
                    print(f"warning: {student}'s files were not kept in build/submitted: {err}", file=sys.stderr)
            if record := up_to_date(settings.results, student, sub.sha256):
                standing[student] = record
                continue
            if sub.problem:
                job["failed"] = {"reason": sub.problem, "cause": sub.cause}
        jobs.append(job)
    return standing, jobs


def grade(settings: Settings, progress: Progress | None = None) -> dict[str, dict]:
    """Grade every submission of the shard that is not graded yet; return all records of the shard."""
    if settings.sandbox:
        check_available()
    slots = device_slots(settings)
    settings.results.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="autograder-", dir=settings.results.parent))
    ipc_root = Path(tempfile.mkdtemp(prefix="ag-", dir="/tmp"))  # Unix socket paths: at most 107 bytes
    group = create_run_group(f"autograder-{ipc_root.name}") if settings.sandbox else None
    workers = [Worker(scratch / f"worker-{slot}.log", settings.results) for slot in range(settings.workers)]
    free: Queue[int] = Queue()
    for slot, worker in enumerate(workers):
        worker.start()  # importing nbgrader in the workers overlaps with planning
        free.put(slot)

    def run(job: dict) -> dict:
        if "failed" in job:
            return settle(settings.results, results.failed(job, duration=0.0, flags=job["flags"], **job["failed"]))
        slot = free.get()
        started = time.monotonic()
        try:
            job.update(uid=UID_BASE + slot, gpu=slots[slot], cgroup=group and asdict(group),
                       device=f"gpu:{slots[slot]}" if slots[slot] is not None else "cpu")
            return workers[slot].grade(job, settings.timeout)
        except Exception as err:  # the grader's trouble costs this submission, never the batch
            return settle(settings.results, results.failed(job, f"the grader failed: {type(err).__name__}: {err}",
                                                           time.monotonic() - started, job["flags"], "grader"))
        finally:
            free.put(slot)

    try:
        records, jobs = plan_jobs(settings, scratch, ipc_root)
        progress = progress or Progress(len(jobs))
        progress.total = len(jobs)
        with ThreadPoolExecutor(max_workers=settings.workers) as pool:
            for future in as_completed([pool.submit(run, job) for job in jobs]):
                record = future.result()
                records[record["student"]] = record
                progress.advance(record)
        progress.close()
        return dict(sorted(records.items()))
    finally:
        for worker in workers:
            worker.stop()
        if group is not None:
            group.remove()  # kills whatever a crashed or timed-out worker's sandboxes left
        remove_folder(ipc_root)
        if not os.environ.get("AUTOGRADER_KEEP_SCRATCH"):
            shutil.rmtree(scratch, ignore_errors=True)
