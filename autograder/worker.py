"""Grade submissions one at a time: ``python -m autograder.worker`` (started by the runner).

The runner keeps one worker process per slot and sends it job files on stdin, so nbgrader is
imported once per worker rather than once per submission.

The worker is trusted grader code. It builds a private nbgrader course for this one submission
(the prepared gradebook, which holds the hidden tests, and the student's files), runs nbgrader's
autograde with ``GuardedExecute`` and the sandboxed kernel, renders the feedback, and writes the
result with ``results.write`` (scores read back from nbgrader's own gradebook).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import results
from .nbgrader_course import course_directory, read_scores
from .sandbox import Limits, Sandbox

SANDBOX_KERNEL = "dlcourse-sandbox"


def grading_config(course: Path, job: dict, flags_file: Path, ipc_dir: Path | None):
    """nbgrader's configuration for this submission: the course's own, with the tests run by the judge."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    from .execute import JudgedExecute

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    config.Autograde.autograde_preprocessors = [JudgedExecute if p is Execute else p for p in defaults]
    if job["cell_timeout"]:
        config.Execute.timeout = job["cell_timeout"]
    config.Execute.interrupt_on_timeout = True
    config.JudgedExecute.flags_file = str(flags_file)
    config.JudgedExecute.judge_command = [sys.executable, "-m", "autograder.judge", "{socket}"]
    config.JudgedExecute.ipc_dir = str(ipc_dir or Path(job["work"]))
    if ipc_dir is not None:
        config.Execute.kernel_name = SANDBOX_KERNEL
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(ipc_dir / "kernel")
        config.KernelManager.connection_file = str(ipc_dir / "kernel.json")
    return config


def prepare_course(job: dict) -> Path:
    """A private course folder: config, a copy of the prepared gradebook, the student's files."""
    work = Path(job["work"])
    course = work / "course"
    template = Path(job["template"])
    shutil.copytree(template, course, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    submitted = Path(course_directory(course).format_path(
        course_directory(course).submitted_directory, job["student"], job["assignment"]))
    shutil.copytree(job["files"], submitted)
    return course


def make_sandbox(job: dict) -> Sandbox:
    """The student's sandbox. Its sockets live in a short /tmp path: Unix socket names are limited
    to 107 bytes."""
    home = Path(job["work"]) / "home"
    shutil.copytree(job["files"], home)
    ipc_dir = Path(tempfile.mkdtemp(dir=job["ipc_root"]))
    return Sandbox(workdir=home, ipc_dir=ipc_dir, uid=job["uid"], gpu=job.get("gpu"),
                   threads=job["threads"], limits=Limits(**job.get("limits", {})))


def grade(job: dict) -> dict:
    """Autograde the submission described by ``job``; return the result record."""
    from nbgrader.apps import NbGraderAPI

    started = time.monotonic()
    work = Path(job["work"])
    course = prepare_course(job)
    flags_file = work / "flags.json"
    sandbox = make_sandbox(job) if job["sandbox"] else None
    if sandbox is not None:
        sandbox.prepare()
        sandbox.write_kernelspec(work / "jupyter", SANDBOX_KERNEL)
        os.environ["JUPYTER_PATH"] = str(work / "jupyter")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(sandbox.ipc_dir)
    api = NbGraderAPI(config=grading_config(course, job, flags_file, sandbox and sandbox.ipc_dir))
    try:
        outcome = api.autograde(job["assignment"], job["student"], force=True, create=True)
    finally:
        if sandbox is not None:
            shutil.rmtree(sandbox.ipc_dir, ignore_errors=True)
    flags = list(job.get("flags", []))
    if flags_file.exists():
        flags += [str(f) for f in json.loads(flags_file.read_text())]
    scores = read_scores(course, job["assignment"], job["notebook"]).get(job["student"])
    if not outcome.get("success") or scores is None:
        log = outcome.get("log") or outcome.get("error") or ""
        return results.failed(job, "nbgrader could not grade this notebook: " + results.last_error_line(log),
                              time.monotonic() - started, flags)
    feedback = api.generate_feedback(job["assignment"], job["student"], force=True)
    html = course_directory(course).format_path(
        course_directory(course).feedback_directory, job["student"], job["assignment"])
    html_file = Path(html) / f"{job['notebook']}.html"
    if feedback.get("success") and html_file.exists():
        shutil.copy(html_file, Path(job["results"]) / f"{job['student']}.html")
    return results.graded(job, scores, time.monotonic() - started, flags)


def grade_and_write(job: dict) -> None:
    try:
        record = grade(job)
    except Exception as err:  # a broken submission must cost only itself
        traceback.print_exc()
        record = results.failed(job, f"grading failed: {type(err).__name__}: {err}", 0.0, job.get("flags", []))
    results.write(Path(job["results"]), record)


def main() -> int:
    """Serve the runner: read one job file path per line on stdin, answer ``done`` when graded.

    (The runner names its results folder on the command line, so its workers can be told apart.)
    """
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever else prints (nbgrader, nbconvert) goes to the log, not the protocol
    sys.stdout = sys.stderr
    for line in sys.stdin:
        grade_and_write(json.loads(Path(line.strip()).read_text()))
        answers.write("done\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
