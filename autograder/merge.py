"""Put graded results (from one run or many shards) into the course's gradebook and reports.

Only validated records (results.load) are read. Merging is idempotent: the gradebook, the CSV and
the feedback files are rewritten from the records each time. Reports hold what came from a
submission as inert text: CSV cells are escaped against formulas and feedback pages are sanitised
(report.py): by the worker, and again as they are published unless the page is the one whose SHA-256
the worker put in the record.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sys
import warnings
from pathlib import Path

from . import report, results
from .nbgrader_course import course_directory, nbgrader


class MergeConflict(ValueError):
    """The same student was graded differently in two result folders."""


def collect(assignment: str, folders: list[Path]) -> dict[str, tuple[dict, Path]]:
    """student -> (record, folder) over all result folders."""
    records: dict[str, tuple[dict, Path]] = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.json")):
            try:
                record = results.load(path)
            except results.InvalidResult as err:  # e.g. left by an older version: graded again on the next run
                print(f"warning: skipped {path.name}: {err}", file=sys.stderr)
                continue
            if record["assignment"] != assignment:
                raise MergeConflict(f"{path} is a result for {record['assignment']}, not {assignment}")
            previous = records.get(record["student"])
            if previous and previous[0]["sha256"] != record["sha256"]:
                raise MergeConflict(f"{record['student']} was graded from different files in "
                                    f"{previous[1]} and {folder}")
            records[record["student"]] = (record, Path(folder))
    return records


def register_assignment(course: Path, assignment: str) -> None:
    """Make sure the gradebook knows the assignment's cells, without touching exercises/."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course_directory(course).db_url) as gb:
        try:
            if gb.find_assignment(assignment).notebooks:
                return
        except MissingEntry:
            pass
    nbgrader(course, "generate_assignment", assignment, "--force",
             "--CourseDirectory.release_directory=build/release")


def write_gradebook(course: Path, assignment: str, records: dict[str, tuple[dict, Path]]) -> None:
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings(), Gradebook(course_directory(course).db_url) as gb:
        # nbgrader's update_or_create_submission makes SQLAlchemy warn about its own autoflush; harmless
        warnings.filterwarnings("ignore", category=SAWarning, module="nbgrader")
        for student, (record, _) in sorted(records.items()):
            gb.update_or_create_student(student)
            gb.update_or_create_submission(assignment, student, timestamp=results.timestamp(record))
            gb.find_submission_notebook(record["notebook"], assignment, student).late_submission_penalty = (
                record["late_penalty"] or None)
            for grade_id, part in record["parts"].items():
                try:
                    grade = gb.find_grade(grade_id, record["notebook"], assignment, student)
                except MissingEntry:
                    continue
                grade.auto_score = part["score"]
                grade.needs_manual_grade = bool(record["flags"]) or record["status"] == "failed"
            gb.db.commit()


def write_csv(path: Path, records: dict[str, tuple[dict, Path]]) -> None:
    parts = sorted({p for record, _ in records.values() for p in record["parts"]})
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(map(report.csv_cell, ["student", "score", "max_score", "late_penalty", "timestamp", "status",
                                              "cause", "device", "duration_s", "flags", "reason", *parts]))
        for student, (record, _) in sorted(records.items()):
            score, max_score = results.total(record)
            writer.writerow(map(report.csv_cell, [
                student, f"{score - record['late_penalty']:g}", f"{max_score:g}", f"{record['late_penalty']:g}",
                record["timestamp"], record["status"], record["cause"], record["device"],
                record["duration_s"], " | ".join(record["flags"]), record["reason"],
                *(f"{record['parts'][p]['score']:g}" if p in record["parts"] else "" for p in parts)]))


def publish(course: Path, assignment: str, records: dict[str, tuple[dict, Path]]) -> None:
    """Put each graded record's autograded notebook and feedback (sanitised) where nbgrader keeps
    them, each with the submission's time and, from the exchange, its secret, as ``nbgrader
    autograde`` and ``generate_feedback`` would (``release_feedback`` needs both); a failed record
    has neither (old ones go)."""
    coursedir = course_directory(course)
    for student, (record, folder) in records.items():
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        for kind, suffix in (("autograded", ".ipynb"), ("feedback", ".html")):
            source = folder / f"{student}{suffix}"
            dest = Path(coursedir.format_path(getattr(coursedir, f"{kind}_directory"), student, assignment),
                        record["notebook"] + suffix)
            if record["status"] != "graded" or not source.exists():
                dest.unlink(missing_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            page = source.read_bytes() if kind == "feedback" else b""
            if kind == "feedback" and hashlib.sha256(page).hexdigest() != record.get("feedback_sha256"):
                dest.write_text(report.sanitise_html(page.decode(errors="replace")))
            else:  # the notebook, or the very page its worker sanitised
                shutil.copyfile(source, dest)
            if (submitted / "timestamp.txt").is_file():  # the exchange's own text, which nbgrader compares
                shutil.copyfile(submitted / "timestamp.txt", dest.parent / "timestamp.txt")
            elif record["timestamp"]:
                (dest.parent / "timestamp.txt").write_text(record["timestamp"])
            if (submitted / "submission_secret.txt").is_file():
                shutil.copyfile(submitted / "submission_secret.txt", dest.parent / "submission_secret.txt")


def merge(course: Path, assignment: str, folders: list[Path]) -> Path:
    """Merge result folders into the gradebook, ``build/grades-<assignment>.csv``, autograded/ and feedback/."""
    records = collect(assignment, folders)
    register_assignment(course, assignment)
    write_gradebook(course, assignment, records)
    publish(course, assignment, records)
    csv_path = course / "build" / f"grades-{assignment}.csv"
    write_csv(csv_path, records)
    return csv_path
