"""Grade submissions one at a time: ``python -m autograder.worker`` (started by the runner).

The runner keeps one worker process per slot and sends it job files on stdin, so nbgrader is
imported once per worker rather than once per submission.

The worker is trusted grader code. It builds a private nbgrader course for this one submission
(the prepared gradebook, which holds the hidden tests, and the student's notebook), runs nbgrader's
autograde with ``JudgedExecute`` (the student's kernel and the judge, each in its own sandbox),
renders the feedback, and writes the result with ``results.write`` (scores read back from
nbgrader's own gradebook, each failed test's message from the autograded notebook), beside the
feedback page and the autograded notebook.
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

from . import report, results
from .cgroups import Cgroup
from .nbgrader_course import course_directory, read_messages, read_scores
from .sandbox import Limits, Sandbox, make_ipc_folder, remove_folder

SANDBOX_KERNEL = "dlcourse-sandbox"
# nbgrader failures that are the grader's (retried on the next run); any other is the notebook's
GRADER_FAULTS = ("JudgeFailed", "OSError", "No space left on device", "MemoryError", "PermissionError")
JUDGE_UID_OFFSET = 500  # the judge of slot k runs as UID_BASE + k + 500, its kernel as UID_BASE + k


def grading_config(course: Path, job: dict, flags_file: Path, sandbox: Sandbox | None, judge: Sandbox | None):
    """nbgrader's configuration for this submission: the course's own, with the tests run by the judge."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    from .execute import PACKAGE_PARENT, JudgedExecute

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    config.Autograde.autograde_preprocessors = [JudgedExecute if p is Execute else p for p in defaults]
    if job["cell_timeout"]:
        config.Execute.timeout = job["cell_timeout"]
    config.Execute.interrupt_on_timeout = True
    config.JudgedExecute.flags_file = str(flags_file)
    # the judge runs this very grader's code, wherever it was started from (an installed copy or a checkout)
    start_judge = (f"import sys; sys.path.insert(0, {PACKAGE_PARENT!r}); "
                   "from autograder.judge import main; sys.exit(main())")
    judge_argv = [sys.executable, "-c", start_judge, "{socket}"]
    config.JudgedExecute.judge_command = judge.command(judge_argv) if judge is not None else judge_argv
    # the judge's socket: a short path (Unix socket names are limited to 107 bytes)
    config.JudgedExecute.ipc_dir = str(sandbox.ipc_dir if sandbox is not None else tempfile.mkdtemp(dir=job["ipc_root"]))
    if sandbox is not None:
        ipc_dir = sandbox.ipc_dir
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
    if job.get("timestamp"):  # what nbgrader autograde reads to record the time and apply a late penalty
        Path(submitted, "timestamp.txt").write_text(job["timestamp"])
    return course


def make_sandbox(job: dict) -> Sandbox:
    """The student's sandbox: its own cgroup in the run's, a small ipc folder of its own, and in its
    working folder the release's files besides the notebook, never the student's (the kernel gets
    the cells over the wire)."""
    group = Cgroup(**job["cgroup"]).child(f"sandbox-{job['uid']}") if job.get("cgroup") else None
    return Sandbox(ipc_dir=make_ipc_folder(Path(job["ipc_root"])), uid=job["uid"],
                   files=release_files(job), cgroup=group, gpu=job.get("gpu"), threads=job["threads"],
                   keras_backend=job.get("keras_backend", "tensorflow"),
                   limits=Limits(**job.get("limits", {})))


def make_judge_sandbox(job: dict, kernel: Sandbox) -> Sandbox:
    """The judge's sandbox: beside the kernel's (same ipc folder), as another user, with no files."""
    uid = job["uid"] + JUDGE_UID_OFFSET
    group = Cgroup(**job["cgroup"]).child(f"sandbox-{uid}") if job.get("cgroup") else None
    return Sandbox(ipc_dir=kernel.ipc_dir, uid=uid, cgroup=group, threads=job["threads"],
                   keras_backend=kernel.keras_backend,
                   limits=Limits(**job.get("limits", {})))


def release_files(job: dict) -> Path:
    """A copy of what the assignment's release holds besides notebooks (the instructor's data files)."""
    coursedir = course_directory(Path(job["template"]))
    source = coursedir.format_path(coursedir.source_directory, ".", job["assignment"])
    dest = Path(job["work"]) / "release"
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("*.ipynb", *coursedir.ignore))
    return dest


def grade(job: dict) -> dict:
    """Autograde the submission described by ``job``; return the result record."""
    from nbgrader.apps import NbGraderAPI

    started = time.monotonic()
    work = Path(job["work"])
    course = prepare_course(job)
    flags_file = work / "flags.json"
    sandbox = make_sandbox(job) if job["sandbox"] else None
    judge = make_judge_sandbox(job, sandbox) if sandbox is not None else None
    os.environ["KERAS_BACKEND"] = job.get("keras_backend", "tensorflow")  # kernels without a sandbox inherit it
    if sandbox is not None:
        sandbox.start()
        judge.start()
        sandbox.write_kernelspec(work / "jupyter", SANDBOX_KERNEL)
        os.environ["JUPYTER_PATH"] = str(work / "jupyter")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(sandbox.ipc_dir)
    api = NbGraderAPI(config=grading_config(course, job, flags_file, sandbox, judge))
    try:
        outcome = api.autograde(job["assignment"], job["student"], force=True, create=True)
    finally:
        if sandbox is not None:
            sandbox.stop()
            judge.stop()
            remove_folder(sandbox.ipc_dir)
    flags = list(job.get("flags", []))
    judged = json.loads(flags_file.read_text()) if flags_file.exists() else {"flags": [], "judge_cpu_s": 0.0}
    flags += [str(f) for f in judged["flags"]]
    scores = read_scores(course, job["assignment"], job["notebook"]).get(job["student"])
    if not outcome.get("success") or scores is None:
        log = str(outcome.get("log") or outcome.get("error") or "")
        cause = "grader" if any(fault in log for fault in GRADER_FAULTS) else "student"
        return results.failed(job, "nbgrader could not grade this notebook: " + results.last_error_line(log),
                              time.monotonic() - started, flags, cause)
    feedback = api.generate_feedback(job["assignment"], job["student"], force=True)
    coursedir = course_directory(course)
    html_file = Path(coursedir.format_path(coursedir.feedback_directory, job["student"], job["assignment"]),
                     f"{job['notebook']}.html")
    if not feedback.get("success") or not html_file.exists():
        raise RuntimeError("nbgrader could not render the feedback: "
                           + results.last_error_line(feedback.get("log") or feedback.get("error") or ""))
    page = report.sanitise_html(html_file.read_text(errors="replace"))
    (Path(job["results"]) / f"{job['student']}.html").write_text(page)
    autograded = Path(coursedir.format_path(coursedir.autograded_directory, job["student"], job["assignment"]),
                      f"{job['notebook']}.ipynb")
    shutil.copyfile(autograded, Path(job["results"]) / f"{job['student']}.ipynb")
    return results.graded(job, scores, time.monotonic() - started, flags, judged["judge_cpu_s"],
                          late_penalty(course, job), read_messages(autograded))


def late_penalty(course: Path, job: dict) -> float:
    """The points nbgrader's late-submission plugin took off (0 unless the assignment has a due date,
    the submission a time after it, and ``LateSubmissionPlugin.penalty_method`` is not "none")."""
    from nbgrader.api import Gradebook

    with Gradebook(course_directory(course).db_url) as gb:
        return float(gb.find_submission(job["assignment"], job["student"]).late_submission_penalty or 0.0)


def grade_and_write(job: dict) -> None:
    """Grade ``job`` and write its record. Any failure of the grader (an exception here, a full disk)
    becomes the record, with cause "grader"; where even that cannot be written, the runner finds no
    record and records the failure itself."""
    try:
        record = grade(job)
    except Exception as err:  # a broken submission must cost only itself
        traceback.print_exc()
        record = results.failed(job, f"grading failed: {type(err).__name__}: {err}", 0.0, job.get("flags", []),
                                "grader")
    try:
        results.write(Path(job["results"]), record)
    except Exception:
        traceback.print_exc()


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
