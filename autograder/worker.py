"""Grade submissions one at a time: ``python -m autograder.worker`` (started by the runner).

The runner keeps one worker process per slot and sends it job files on stdin. What does not depend
on the student is paid once per worker, not once per submission: importing nbgrader, the judge
(one process per worker that runs the tests of one notebook after another and never runs student
code), and the kernel start-up, since each submission's kernel is started and warmed while the one
before is graded (kernels.py; a kernel is never given to a second student).

The worker is trusted grader code. It builds a private nbgrader course for this one submission
(the prepared gradebook, which holds the hidden tests, and the student's notebook), runs nbgrader's
autograde with ``JudgedExecute`` (the student's kernel and the judge, each in its own sandbox),
renders the feedback, and writes the result with ``results.write`` (scores read back from
nbgrader's own gradebook, each failed test's message from the autograded notebook, where the time
went), beside the feedback page and the autograded notebook.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path

import nbformat

from . import kernels, report, results
from .cgroups import Cgroup
from .execute import PACKAGE_PARENT, JudgedExecute, JudgeProcess
from .feedback import FeedbackExporter
from .nbgrader_course import course_directory, read_messages, read_scores, share_work_across_gradebooks
from .sandbox import Limits, Sandbox, make_ipc_folder, remove_folder

# nbgrader failures that are the grader's (retried on the next run); any other is the notebook's
GRADER_FAULTS = ("JudgeFailed", "OSError", "No space left on device", "MemoryError", "PermissionError")
JUDGE_UID_OFFSET = 500  # the judge of slot k runs as UID_BASE + k + 500, its kernels as UID_BASE + k (+ 1000)
# the judge runs this very grader's code, wherever it was started from (an installed copy or a checkout)
START_JUDGE = f"import sys; sys.path.insert(0, {PACKAGE_PARENT!r}); from autograder.judge import main; sys.exit(main())"


def grading_config(course: Path, job: dict, flags_file: Path):
    """nbgrader's configuration for this submission: the course's own, with the tests run by the judge."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    config.Autograde.autograde_preprocessors = [JudgedExecute if p is Execute else p for p in defaults]
    if job["cell_timeout"]:
        config.Execute.timeout = job["cell_timeout"]
    config.Execute.interrupt_on_timeout = True
    config.JudgedExecute.flags_file = str(flags_file)
    config.GenerateFeedback.exporter_class = FeedbackExporter
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


class Slot:
    """What one worker keeps between submissions: its judge, the kernel started for the next
    submission, and the release's files the kernels see (copied once)."""

    def __init__(self):
        self.judge: JudgeProcess | None = None
        self.judge_sandbox: Sandbox | None = None
        self.judge_key: tuple | None = None
        self.judge_folder: Path | None = None
        self.next_kernel: kernels.Kernel | None = None
        self.stopping: threading.Thread | None = None  # the last kernel, being killed off the critical path
        self.kernels_started = 0
        self.releases: dict[tuple, tuple[str, tuple[str, ...]]] = {}

    def kernel_settings(self, job: dict) -> kernels.KernelSettings:
        release, modules = self.release(job)
        return kernels.KernelSettings(
            sandbox=bool(job["sandbox"]), uid=job["uid"], cgroup=job.get("cgroup"), gpu=job.get("gpu"),
            threads=job["threads"], keras_backend=job.get("keras_backend", "tensorflow"),
            limits=tuple(sorted(job.get("limits", {}).items())), ipc_root=job["ipc_root"], release=release,
            judge_folder=str(self.judge_folder), modules=modules)

    def release(self, job: dict) -> tuple[str, tuple[str, ...]]:
        """A copy of what the assignment's release holds besides notebooks (the instructor's data
        files: the kernel's working folder), and the modules its source notebook imports."""
        key = (job["template"], job["assignment"], job["uid"])
        if key not in self.releases:
            coursedir = course_directory(Path(job["template"]))
            source = Path(coursedir.format_path(coursedir.source_directory, ".", job["assignment"]))
            dest = Path(job["work"]).parent / f".release-{job['uid']}"
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns("*.ipynb", *coursedir.ignore))
            modules = kernels.template_modules(nbformat.read(source / f"{job['notebook']}.ipynb", as_version=4))
            self.releases[key] = (str(dest), modules)
        return self.releases[key]

    def take_kernel(self, job: dict) -> kernels.Kernel:
        """This submission's kernel (the one started ahead, if it fits and lives, else a new one);
        then start the next submission's (as the user of the last kernel, which must be gone first)."""
        self.wait_stopped()
        settings = self.kernel_settings(job)
        kernel, self.next_kernel = self.next_kernel, None
        if kernel is not None and (kernel.settings != settings or not kernel.alive()):
            kernel.stop()
            kernel = None
        if kernel is None:
            kernel = self.start_kernel(settings, job)
        self.next_kernel = self.start_kernel(settings, job)
        return kernel

    def start_kernel(self, settings: kernels.KernelSettings, job: dict) -> kernels.Kernel:
        """Kernels alternate between the slot's two users, so the one warming never shares a user
        (and its process limit) with the student being graded."""
        uid = settings.uid + kernels.SECOND_UID_OFFSET * (self.kernels_started % 2)
        self.kernels_started += 1
        return kernels.start(settings, uid, Path(job["work"]).parent)

    def take_judge(self, job: dict) -> JudgeProcess:
        """The slot's judge, started on the first submission (or after it failed)."""
        uid = job["uid"] + JUDGE_UID_OFFSET
        key = (job["sandbox"], uid, json.dumps(job.get("cgroup")), job["threads"], job.get("keras_backend"),
               json.dumps(job.get("limits", {}), sort_keys=True), job["ipc_root"])
        cpu_limit = Limits(**job.get("limits", {})).cpu_seconds
        if self.judge is not None and self.judge.alive() and key == self.judge_key and self.judge.cpu_s < cpu_limit / 2:
            return self.judge  # (renewed at half its CPU-time rlimit, so that no notebook's tests meet it)
        self.stop_judge()
        if self.judge_folder is None or not str(self.judge_folder).startswith(job["ipc_root"]):
            self.judge_folder = make_ipc_folder(Path(job["ipc_root"]))
        argv = [sys.executable, "-c", START_JUDGE]
        if job["sandbox"]:
            group = Cgroup(**job["cgroup"]).child(f"sandbox-{uid}") if job.get("cgroup") else None
            self.judge_sandbox = Sandbox(ipc_dir=self.judge_folder, uid=uid, cgroup=group, threads=job["threads"],
                                         keras_backend=job.get("keras_backend", "tensorflow"),
                                         limits=Limits(**job.get("limits", {})))
            self.judge_sandbox.start()
            argv = self.judge_sandbox.command(argv)
        self.judge, self.judge_key = JudgeProcess(argv, self.judge_folder), key
        return self.judge

    def stop_judge(self) -> None:
        if self.judge is not None:
            self.judge.close()
        if self.judge_sandbox is not None:
            self.judge_sandbox.stop()
        self.judge = self.judge_sandbox = self.judge_key = None

    def stop_kernel(self, kernel: kernels.Kernel) -> None:
        """Kill ``kernel`` and its sandbox in the background, once the last one is gone."""
        self.wait_stopped()
        self.stopping = threading.Thread(target=kernel.stop, daemon=True)
        self.stopping.start()

    def wait_stopped(self) -> None:
        if self.stopping is not None:
            self.stopping.join()
            self.stopping = None

    def close(self) -> None:
        self.wait_stopped()
        if self.next_kernel is not None:
            self.next_kernel.stop()
        self.stop_judge()
        if self.judge_folder is not None:
            remove_folder(self.judge_folder)

    def grade(self, job: dict) -> dict:
        """Autograde the submission described by ``job``; return the result record."""
        from nbgrader.apps import NbGraderAPI

        clock = Clock()
        course = prepare_course(job)
        flags_file = Path(job["work"]) / "flags.json"
        os.environ["KERAS_BACKEND"] = job.get("keras_backend", "tensorflow")  # unsandboxed kernels inherit it
        judge = self.take_judge(job)
        kernel = self.take_kernel(job)
        api = NbGraderAPI(config=grading_config(course, job, flags_file))
        clock.lap("prepare")
        JudgedExecute.judge, JudgedExecute.kernel_manager = judge, kernel.manager
        try:
            outcome = api.autograde(job["assignment"], job["student"], force=True, create=True)
        finally:
            JudgedExecute.judge = JudgedExecute.kernel_manager = None
            self.stop_kernel(kernel)
        clock.lap("autograde")
        flags = list(job.get("flags", []))
        judged = json.loads(flags_file.read_text()) if flags_file.exists() else {"flags": [], "judge_cpu_s": 0.0}
        flags += [str(f) for f in judged["flags"]]
        clock.add_execution(judged.get("timings", {}))
        scores = read_scores(course, job["assignment"], job["notebook"]).get(job["student"])
        if not outcome.get("success") or scores is None:
            log = str(outcome.get("log") or outcome.get("error") or "")
            cause = "grader" if any(fault in log for fault in GRADER_FAULTS) else "student"
            return results.failed(job, "nbgrader could not grade this notebook: " + results.last_error_line(log),
                                  clock.total(), flags, cause)
        clock.lap("gradebook")
        feedback = api.generate_feedback(job["assignment"], job["student"], force=True)
        coursedir = course_directory(course)
        html_file = Path(coursedir.format_path(coursedir.feedback_directory, job["student"], job["assignment"]),
                         f"{job['notebook']}.html")
        if not feedback.get("success") or not html_file.exists():
            raise RuntimeError("nbgrader could not render the feedback: "
                               + results.last_error_line(feedback.get("log") or feedback.get("error") or ""))
        page = report.sanitise_html(html_file.read_text(errors="replace")).encode()
        (Path(job["results"]) / f"{job['student']}.html").write_bytes(page)
        clock.lap("feedback")
        autograded = Path(coursedir.format_path(coursedir.autograded_directory, job["student"], job["assignment"]),
                          f"{job['notebook']}.ipynb")
        shutil.copyfile(autograded, Path(job["results"]) / f"{job['student']}.ipynb")
        record = results.graded(job, scores, clock.total(), flags, judged["judge_cpu_s"],
                                late_penalty(course, job), read_messages(autograded))
        clock.lap("gradebook")
        return {**record, "timings": {phase: round(s, 4) for phase, s in clock.timings.items()},
                "judge": {"pid": judge.process.pid, "tensorflow": judge.tensorflow},
                "feedback_sha256": hashlib.sha256(page).hexdigest()}


class Clock:
    """Where one submission's time went, in seconds: the worker's phases (prepare, gradebook,
    feedback) and, inside nbgrader's autograde, the execution's (kernel_start, judge_start,
    setup_cells, student_cells, tests); what autograde spent outside execution is ``nbgrader``."""

    def __init__(self):
        self.started = self.last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self.last
        self.last = now

    def add_execution(self, execution: dict) -> None:
        autograde = self.timings.pop("autograde", 0.0)
        inside = {k: float(v) for k, v in execution.items() if k != "execute"}
        self.timings.update(inside)
        self.timings["nbgrader"] = max(0.0, autograde - float(execution.get("execute", 0.0)))

    def total(self) -> float:
        return time.perf_counter() - self.started


def late_penalty(course: Path, job: dict) -> float:
    """The points nbgrader's late-submission plugin took off (0 unless the assignment has a due date,
    the submission a time after it, and ``LateSubmissionPlugin.penalty_method`` is not "none")."""
    from nbgrader.api import Gradebook

    with Gradebook(course_directory(course).db_url) as gb:
        return float(gb.find_submission(job["assignment"], job["student"]).late_submission_penalty or 0.0)


def grade_and_write(slot: Slot, job: dict) -> None:
    """Grade ``job`` and write its record. Any failure of the grader (an exception here, a full disk)
    becomes the record, with cause "grader"; where even that cannot be written, the runner finds no
    record and records the failure itself."""
    try:
        record = slot.grade(job)
    except Exception as err:  # a broken submission must cost only itself
        traceback.print_exc()
        slot.stop_judge()  # whatever state it was left in, the next submission gets a new one
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
    share_work_across_gradebooks()
    slot = Slot()
    try:
        for line in sys.stdin:
            grade_and_write(slot, json.loads(Path(line.strip()).read_text()))
            answers.write("done\n")
            answers.flush()
    finally:
        slot.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
