"""The grading benchmark's own logic: it refuses a grading that is not as planned, and its tables
say what was measured (the benchmark itself is run by `make bench-grading`, not by the suite)."""

from __future__ import annotations

import pytest

from autograder import bench, results


def record(student: str, score: float, pid: int = 7, tensorflow: bool = False) -> dict:
    return {"student": student, "duration_s": 1.0, "parts": {"test_a": {"score": score, "max_score": 2.0}},
            "timings": {phase: 0.1 for phase in results.PHASES}, "judge": {"pid": pid, "tensorflow": tensorflow}}


def test_a_grading_that_is_not_as_planned_is_refused():
    planned = {"right": set(), "wrong": {"test_a"}}
    bench.check(bench.part_scores([record("right", 2.0), record("wrong", 0.0)]), planned, "grader")
    with pytest.raises(RuntimeError, match="wrong test_a: 2/2"):
        bench.check(bench.part_scores([record("right", 2.0), record("wrong", 2.0)]), planned, "grader")
    with pytest.raises(RuntimeError, match="wrong: not graded"):
        bench.check(bench.part_scores([record("right", 2.0)]), planned, "grader")


def test_the_report_has_the_ratios_the_breakdown_and_the_judges():
    runs = {2: (10.0, [record("a", 2.0, pid=1), record("b", 2.0, pid=2, tensorflow=True)]),
            1: (16.0, [record("a", 2.0), record("b", 2.0)])}
    text = bench.report([{"assignment": "07-x", "n": 2, "alone": 12.0, "floor": {"kernel_start": 0.5, "cells": 5.0},
                          "nbgrader": 20.0, "runs": runs,
                          "walls": {"alone": [12.0, 13.0, 11.0], "nbgrader": [20.0, 25.0, 19.0], 2: [10.0, 9.0, 11.0],
                                    1: [16.0, 16.0, 17.0]}}], 2,
                        {"assignment": "07-x", "size": 300, "workers": 2, "wall": 180.0, "slurm": 240.0})
    assert "| autograder --workers 2 (sandboxed) | 10.0 | 5.00 | 2.00x | 0.83 |" in text
    assert "| kernel_start | 0.500 | 0.100 | 0.100 |" in text
    assert "median of 3 runs, taken in turn: alone 12.0, 13.0, 11.0; nbgrader 20.0, 25.0, 19.0; --workers 2 10.0" in text
    assert "--workers 2: 2 judge process(es) ran the tests; 1 of them imported TensorFlow." in text
    assert "6000 submissions per hour" in text and "4500 submissions per hour" in text
