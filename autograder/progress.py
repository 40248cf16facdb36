"""A progress bar on stderr (one line per submission when stderr is not a terminal)."""

from __future__ import annotations

import sys
import time

from .results import total


class Progress:
    def __init__(self, total_jobs: int, stream=None):
        self.total = total_jobs
        self.done = 0
        self.failed = 0
        self.flagged = 0
        self.grader_failed = 0
        self.started = time.monotonic()
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()

    def advance(self, record: dict) -> None:
        self.done += 1
        self.failed += record["status"] == "failed"
        self.grader_failed += record["cause"] == "grader"
        self.flagged += bool(record["flags"])
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        if self.tty:
            filled = int(30 * self.done / max(self.total, 1))
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} graded, "
                              f"{self.failed} failed, {self.flagged} flagged, ETA {eta:.0f} s ")
        else:
            score, max_score = total(record)
            self.stream.write(f"[{self.done}/{self.total}] {record['student']}: {record['status']} "
                              f"{score:g}/{max_score:g} on {record['device']} in {record['duration_s']:.1f} s"
                              + (f" ({len(record['flags'])} flags)" if record["flags"] else "")
                              + (f" [{record['cause']}: {record['reason'][:200]}]" if record["cause"] else "") + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
        elapsed = time.monotonic() - self.started
        self.stream.write(f"graded {self.done} submissions in {elapsed:.1f} s: {self.failed} failed, "
                          f"{self.flagged} flagged for review"
                          + (f"; {self.grader_failed} failed through the grader's fault and are graded again "
                             "on the next run" if self.grader_failed else "") + "\n")
        self.stream.flush()
