"""One JSON record per graded submission: written atomically, read back only after validation.

A record is plain data (numbers and strings in a fixed shape). Nothing that came out of a kernel
is ever unpickled or executed: ``load`` rejects any record that does not match the schema, and
scores must be finite, non-negative and at most the part's points. Text that may carry a
submission's names or words (flags, reason, a part's failure message) holds no control characters, and a failed record says whose
the failure is: the student's work ("student": stands until the files change) or the grader's
("grader": a crash, a full disk, an internal error; the next run grades it again).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

# Each is matched in full (re.fullmatch).
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")
GRADE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")  # what nbgrader accepts as a cell's grade_id
NAME = re.compile(r"[^./\\][^/\\]{0,254}")  # assignment and notebook: one file name, not hidden
DEVICE = re.compile(r"cpu|gpu:[A-Za-z0-9/:._-]{1,64}")
MESSAGE_LIMIT = 1000  # characters kept of a failed test's message (a student's long exception text is cut)
STATUSES = ("graded", "failed")
#: Where a graded submission's time went (optional ``timings``, seconds; see worker.Clock). A graded
#: record may also say which judge process ran its tests (``judge``: its pid, and whether TensorFlow
#: was loaded in it), so that a benchmark can count the judges and their imports, and the SHA-256 of
#: the feedback page its worker sanitised (``feedback_sha256``), so that merging need not sanitise it again.
PHASES = ("prepare", "kernel_start", "judge_start", "setup_cells", "student_cells", "tests", "nbgrader",
          "gradebook", "feedback")
CAUSES = ("student", "grader")


class InvalidResult(ValueError):
    """A results file that is not a well-formed record."""


def text(value, limit: int) -> str:
    """``value`` as one line of at most ``limit`` printable characters."""
    return "".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(value)[:limit])


def _base(job: dict, duration: float, flags: list[str], judge_cpu: float = 0.0) -> dict:
    return {
        "student": job["student"], "assignment": job["assignment"], "notebook": job["notebook"],
        "sha256": job["sha256"], "device": job.get("device", "cpu"), "duration_s": round(float(duration), 2),
        "judge_cpu_s": round(float(judge_cpu), 2), "flags": [text(f, 500) for f in flags][:50],
        "timestamp": job.get("timestamp", ""), "late_penalty": 0.0,
    }


def graded(job: dict, scores: dict, duration: float, flags: list[str], judge_cpu: float = 0.0,
           late_penalty: float = 0.0, messages: dict[str, str] | None = None) -> dict:
    """A graded record; its parts must be exactly the assignment's graded cells (``job["points"]``);
    ``late_penalty`` is the points nbgrader's late-submission plugin took off the total; ``messages``
    (grade_id -> "ExceptionName: message") is what each failed test cell showed in the feedback."""
    if set(scores) != set(job["points"]):
        raise ValueError(f"the gradebook scored the parts {sorted(scores)[:20]}, "
                         f"not the assignment's {sorted(job['points'])}")
    messages = messages or {}
    parts = {grade_id: {"score": float(s.score), "max_score": float(s.max_score),
                        "message": text(messages.get(grade_id, ""), MESSAGE_LIMIT)} for grade_id, s in scores.items()}
    return {**_base(job, duration, flags, judge_cpu), "status": "graded", "cause": "", "reason": "", "parts": parts,
            "late_penalty": float(late_penalty)}


def failed(job: dict, reason: str, duration: float, flags: list[str], cause: str = "grader") -> dict:
    """A failed record: no points for any part; ``cause`` says whose failure it is."""
    parts = {grade_id: {"score": 0.0, "max_score": float(points)} for grade_id, points in job["points"].items()}
    return {**_base(job, duration, flags), "status": "failed", "cause": cause, "reason": text(reason, 1000),
            "parts": parts}


def last_error_line(log: str) -> str:
    """The most telling line of a log: the last exception raised, else the last error nbgrader
    logged other than its closing "see the above traceback", else the last line."""
    lines = [line.strip() for line in str(log).splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Exit|Failed):", line)]
    logged = [line for line in lines if "ERROR" in line and "see the the above traceback" not in line]
    return (errors or logged or lines or ["no details"])[-1][:500]


def write(folder: Path, record: dict) -> Path:
    """Write ``record`` as ``<student>.json`` atomically (a crash leaves the old file or none)."""
    validate(record)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{record['student']}.json"
    with tempfile.NamedTemporaryFile("w", dir=folder, prefix=".tmp-", delete=False) as tmp:
        json.dump(record, tmp, indent=1, sort_keys=True)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, target)
    return target


def validate(record) -> dict:
    """Check a record's shape and values; return it, or raise InvalidResult."""
    def need(condition, what):
        if not condition:
            raise InvalidResult(f"invalid result record: {what}")

    need(isinstance(record, dict), "not an object")
    fields = {"student": str, "assignment": str, "notebook": str, "sha256": str, "device": str,
              "duration_s": (int, float), "judge_cpu_s": (int, float), "flags": list, "status": str, "cause": str, "reason": str,
              "parts": dict, "timestamp": str, "late_penalty": (int, float)}
    # "timings", "judge" and "feedback_sha256" came in with the grading benchmark; records without them load
    need(set(record) - {"timings", "judge", "feedback_sha256"} == set(fields), f"fields {sorted(record)}")
    need(re.fullmatch(r"[0-9a-f]{64}", str(record.get("feedback_sha256", "0" * 64))) is not None, "bad feedback_sha256")
    timings = record.get("timings", {})
    need(isinstance(timings, dict) and set(timings) <= set(PHASES), "bad timings")
    need(all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
             for v in timings.values()), "bad timings")
    judge = record.get("judge", {"pid": 1, "tensorflow": False})
    need(isinstance(judge, dict) and set(judge) == {"pid", "tensorflow"} and type(judge["pid"]) is int
         and isinstance(judge["tensorflow"], bool), "bad judge")
    for name, kind in fields.items():
        need(isinstance(record[name], kind) and not isinstance(record[name], bool), f"{name} has the wrong type")
    need(STUDENT_ID.fullmatch(record["student"]) is not None, "bad student id")
    need(all(NAME.fullmatch(record[k]) and text(record[k], 255) == record[k] for k in ("assignment", "notebook")),
         "bad assignment or notebook name")
    need(DEVICE.fullmatch(record["device"]) is not None, "bad device")
    need(record["status"] in STATUSES, "bad status")
    need(record["cause"] in (CAUSES if record["status"] == "failed" else ("",)), "bad cause")
    need(all(isinstance(f, str) for f in record["flags"]), "flags must be strings")
    need(all(text(t, len(t)) == t for t in [*record["flags"], record["reason"]]), "control characters in text")
    need(all(math.isfinite(record[k]) and record[k] >= 0 for k in ("duration_s", "judge_cpu_s")), "bad duration")
    need(re.fullmatch(r"[0-9a-f]{64}", record["sha256"]) is not None, "bad sha256")
    need(record["timestamp"] == "" or timestamp(record) is not None, "bad timestamp")
    for grade_id, part in record["parts"].items():
        need(GRADE_ID.fullmatch(grade_id) is not None, f"bad grade id {grade_id[:40]!r}")
        # "message" came in with the class report; records written before it still load
        need(isinstance(part, dict) and set(part) in ({"score", "max_score"}, {"score", "max_score", "message"}),
             f"part {grade_id!r}")
        message = part.get("message", "")
        need(isinstance(message, str) and len(message) <= MESSAGE_LIMIT and text(message, MESSAGE_LIMIT) == message,
             f"part {grade_id!r} has a bad message")
        score, max_score = part["score"], part["max_score"]
        need(all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                 for v in (score, max_score)), f"part {grade_id!r} is not numeric")
        need(0 <= score <= max_score, f"part {grade_id!r} scores {score} of {max_score}")
    need(math.isfinite(record["late_penalty"]) and 0 <= record["late_penalty"] <= total(record)[1], "bad late penalty")
    return record


def timestamp(record: dict) -> datetime | None:
    """When the submission was handed in (aware, UTC), or None when unknown or not a time."""
    try:
        when = datetime.fromisoformat(record["timestamp"]) if len(record["timestamp"]) <= 40 else None
    except ValueError:
        return None
    return when.astimezone(timezone.utc) if when is not None and when.tzinfo is not None else None


def load(path: Path) -> dict:
    """Read and validate one record."""
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise InvalidResult(f"{path}: {err}") from err
    return validate(record)


def total(record: dict) -> tuple[float, float]:
    parts = record["parts"].values()
    return sum(p["score"] for p in parts), sum(p["max_score"] for p in parts)
