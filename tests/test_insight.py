"""The class report (autograder/insight.py) on hand-made records, no kernel: counts that match the
records, hostile text shown inertly, an LMS CSV that Canvas and Moodle import, and records written
before failure messages were kept."""

from __future__ import annotations

import csv
import html
import re
import os

import pytest

from autograder import insight, report, results
from autograder.nbgrader_course import PartScore
from tests.test_reports import active_content, csp, parse, rendered_text

ASSIGNMENT = "01-linear-algebra"
POINTS = {"test_affine": 2.0, "test_softmax": 3.0}
HOSTILE = ('<script>window.PWNED=1</script><img src="https://evil.example/x.png" onerror="alert(1)">'
           '=HYPERLINK("https://evil.example") & <a href="javascript:alert(2)">x</a>')


def job(student: str, **more) -> dict:
    return {"student": student, "assignment": ASSIGNMENT, "notebook": ASSIGNMENT, "sha256": "0" * 64,
            "points": dict(POINTS), "flags": [], **more}


def graded(student: str, affine: float, softmax: float, messages=None, flags=(), duration=10.0, penalty=0.0):
    scores = {"test_affine": PartScore(affine, 2.0), "test_softmax": PartScore(softmax, 3.0)}
    return results.graded(job(student), scores, duration, list(flags), 1.5, penalty, messages)


def class_records() -> list[dict]:
    """Six students: full marks, two with the same affine error, one hostile, one late, one failed."""
    return [
        graded("ada", 2, 3),
        graded("bob", 0, 3, {"test_affine": "AssertionError: Z has shape (3, 3), but the shape should be (5, 3)"}),
        graded("cy", 0, 0, {"test_affine": "AssertionError: Z has shape (3, 3), but the shape should be (5, 3)",
                            "test_softmax": "In a hidden test: AssertionError: rows do not sum to 1"}, duration=95.0),
        graded("dee+x@uni.example", 0, 3, {"test_affine": HOSTILE}, flags=[HOSTILE, "output was cut"]),
        graded("eve", 2, 3, penalty=1.0),
        results.failed(job("fay"), "nbgrader could not grade this notebook: " + HOSTILE, 2.0, [], "student"),
        results.failed(job("gus"), "grading failed: OSError: No space left on device", 1.0, [], "grader"),
    ]


@pytest.fixture
def written(tmp_path):
    folder = tmp_path / "grading"
    for record in class_records():
        results.write(folder, record)
    html_path, csv_path = insight.write(ASSIGNMENT, [folder], tmp_path / "out")
    return html_path.read_text(), csv_path, folder


def section(page: str, part: str) -> str:
    """The text a browser shows of one part's failure messages."""
    found = re.search(rf'<section id="messages-{part}">(.*?)</section>', page, re.S)
    assert found, part
    return rendered_text(found[1])


def test_counts_match_the_records(written):
    page, _, _ = written
    stats = insight.part_stats(class_records())
    # pass rates over the 5 graded records; the 2 failed ones are listed, not counted
    assert {p: (s["passed"], s["n"]) for p, s in stats.items()} == {"test_affine": (2, 5), "test_softmax": (4, 5)}
    assert stats["test_affine"]["mean"] == pytest.approx(0.8) and stats["test_softmax"]["mean"] == pytest.approx(2.4)
    shown = rendered_text(page)
    assert "2 of 5" in shown and "4 of 5" in shown
    affine = section(page, "test_affine")
    assert "test_affine: 3 failing, 2 distinct messages" in affine
    assert re.search(r"2\s*AssertionError: Z has shape \(3, 3\)", affine), affine
    assert "test_softmax: 1 failing, 1 distinct message" in section(page, "test_softmax")
    assert "In a hidden test: AssertionError: rows do not sum to 1" in section(page, "test_softmax")
    # summary: 7 submissions, 2 failed with both causes, 1 flagged, 1 late; the slowest listed first
    assert "submissions7" in shown.replace(" ", "") and "student: 1" in shown and "grader: 1" in shown
    assert "flaggedforreview1" in shown.replace(" ", "")
    slowest = re.search(r"<h3>Slowest (\d+)</h3>\s*<table>(.*?)</table>", page, re.S)
    assert slowest[1] == "7" and re.findall(r"<tr><td>([^<]*)</td>", slowest[2])[0] == "cy"


def test_histogram_bins_hold_every_value():
    bins = insight.histogram([0, 0.4, 2.5, 5, 5, 4.99], 5, bins=5)
    assert [c for _, _, c in bins] == [2, 0, 1, 0, 3]
    assert bins[-1][1] == 5
    assert [c for _, _, c in insight.histogram([0, 0], 0, bins=3)] == [2, 0, 0]


def test_hostile_text_is_shown_inertly(written):
    page, _, _ = written
    records = class_records()
    assert HOSTILE in records[3]["parts"]["test_affine"]["message"] and HOSTILE in records[3]["flags"], \
        "the attack is in the records"
    assert active_content(page) == []
    assert "<script" not in page.lower() and "<img" not in page.lower() and "javascript:" not in page.replace(
        html.escape("javascript:"), "")
    assert not [attrs for _, attrs in parse(page).elements if any("//" in (v or "") for v in attrs.values())], \
        "no attribute names a URL"
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in csp(page) and "script-src 'none'" in csp(page)
    shown = rendered_text(page)
    assert shown.count(HOSTILE) >= 3, "the message, the flag and the failed reason are shown as text"
    assert "dee+x@uni.example" in shown


def test_records_without_messages_still_load_and_report(tmp_path):
    folder = tmp_path / "grading"
    old = graded("old", 0, 3, {"test_affine": "AssertionError: off"})
    for part in old["parts"].values():
        del part["message"]  # as written before messages were kept
    results.write(folder, old)
    results.write(folder, graded("new", 0, 3, {"test_affine": "AssertionError: off"}))
    assert "message" not in results.load(folder / "old.json")["parts"]["test_affine"]
    page = insight.write(ASSIGNMENT, [folder], tmp_path)[0].read_text()
    affine = section(page, "test_affine")
    assert insight.NOT_RECORDED in affine and "AssertionError: off" in affine


@pytest.mark.parametrize("message", ["line\nbreak", "x" * (results.MESSAGE_LIMIT + 1), 3])
def test_messages_are_validated(message):
    record = graded("ada", 0, 3, {"test_affine": "AssertionError: off"})
    record["parts"]["test_affine"]["message"] = message
    with pytest.raises(results.InvalidResult, match="bad message"):
        results.validate(record)


def test_messages_are_made_one_printable_line():
    record = graded("ada", 0, 3, {"test_affine": "AssertionError: a\nb\x1b[31m" + "y" * 2000})
    message = results.validate(record)["parts"]["test_affine"]["message"]
    assert message.startswith("AssertionError: a b [31my") and len(message) == results.MESSAGE_LIMIT


def test_lms_csv_has_canvas_columns_and_moodle_numbers(written):
    _, csv_path, _ = written
    with open(csv_path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    grades = {row[3]: row[5] for row in rows[1:]}
    assert grades == {"ada": "5", "bob": "3", "cy": "0", "dee+x@uni.example": "3", "eve": "4", "fay": "0", "gus": ""}, \
        "after the late penalty; the grader's failure is left ungraded, not zero"
    assert all(len(row) == 6 and row[0] == row[3] for row in rows[1:])
    assert all(g == "" or float(g) >= 0 for g in grades.values()), "Moodle takes numbers, '' or '-' only"


def test_lms_csv_cells_are_never_formulas(tmp_path):
    assignment = "=HYPERLINK(1)"
    folder = tmp_path / "grading"
    results.write(folder, {**graded("ada", 2, 3), "assignment": assignment})
    csv_path = insight.write(assignment, [folder], tmp_path)[1]
    header = next(csv.reader(open(csv_path, newline="")))
    assert header[-1] == report.csv_cell(assignment) == "'" + assignment


def test_report_command(tmp_path, monkeypatch, capsys):
    """The CLI (in this process; tests/test_grading.py runs it as a command): default folders under
    the course, a clear error where nothing was graded."""
    from autograder import cli

    monkeypatch.setenv("PATH", os.environ.get("PATH", ""))  # main puts the interpreter's folder first
    course = tmp_path / "course"
    (course / "build" / "grading").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    argv = ["report", ASSIGNMENT, "--course", str(course)]
    with pytest.raises(SystemExit, match="no result records .* grade first"):
        cli.main(argv)
    for record in class_records():
        results.write(course / "build" / "grading" / ASSIGNMENT, record)
    assert cli.main(argv) == 0
    assert (course / "build" / f"report-{ASSIGNMENT}.html").is_file()
    assert str(course / "build" / f"lms-{ASSIGNMENT}.csv") in capsys.readouterr().out


def test_shard_folders_report_as_one(tmp_path):
    """Records spread over shard folders give the same counts as one folder; the same student graded
    from different files in two shards is an error, as in merge."""
    records = class_records()
    for i, record in enumerate(records):
        results.write(tmp_path / f"shard-{i % 3}", record)
    shards = [tmp_path / f"shard-{i}" for i in range(3)]
    assert insight.load(ASSIGNMENT, shards) == sorted(records, key=lambda r: r["student"])
    results.write(tmp_path / "other", {**graded("ada", 0, 0), "sha256": "1" * 64})
    with pytest.raises(ValueError, match="ada was graded from different files"):
        insight.load(ASSIGNMENT, [*shards, tmp_path / "other"])
