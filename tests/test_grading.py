"""Every exercise's grader, tested through the real pipeline (AUTHORING.md, "Every test is itself tested").

For each exercise: regenerate the student version with ``nbgrader generate_assignment`` and compare
it with the committed one; then grade, with the course's own autograder (sandboxed kernels, tests in
the judge, exactly what students get) and a temporary gradebook, the reference solution, alternative
correct answers, plausible wrong answers (several parts wrong per submission, since parts are scored
independently) and the blank release, and check every part's score.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder import results
from autograder.nbgrader_course import copy_course, course_directory, nbgrader, read_scores, submit
from tests.grading.plans import nbgrader_meta, plan_submissions, solution_ids

REPO_ROOT = Path(__file__).resolve().parent.parent
# Each exercise and the module of its right and wrong answers (a test checks that none is missing).
EXERCISES = {
    "01-linear-algebra": "tests.grading.answers_01",
    "02-the-neuron": "tests.grading.answers_02",
    "03-xor-and-hidden-layers": "tests.grading.answers_03",
    "04-backpropagation": "tests.grading.answers_04",
    "05-optimisation": "tests.grading.answers_05",
    "06-generalisation": "tests.grading.answers_06",
    "07-numpy-to-keras": "tests.grading.answers_07",
    "08-convolutional-networks": "tests.grading.answers_08",
    "09-sequences": "tests.grading.answers_09",
    "10-transfer-learning": "tests.grading.answers_10",
    "11-autoencoders": "tests.grading.answers_11",
    "12-gans": "tests.grading.answers_12",
    "13-attention": "tests.grading.answers_13",
}



def test_every_exercise_has_its_answers_registered():
    exercises = {f.name for f in (REPO_ROOT / "solutions").iterdir() if f.is_dir() and f.name[:2].isdigit()}
    assert set(EXERCISES) == exercises, "register each solutions/NN-topic with its tests/grading/answers_NN.py"
    for module in EXERCISES.values():
        assert (REPO_ROOT / (module.replace(".", "/") + ".py")).is_file(), module


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=sorted(EXERCISES))
def graded(request, tmp_path_factory):
    """Generate, submit and autograde every planned submission of one exercise."""
    assignment = request.param
    answers = importlib.import_module(EXERCISES[assignment])
    root = copy_course(tmp_path_factory.mktemp(assignment))
    nbgrader(root, "generate_assignment", assignment, "--force")
    source_dir = root / "solutions" / assignment
    notebook = next(source_dir.glob("*.ipynb")).stem
    source = nbformat.read(source_dir / f"{notebook}.ipynb", as_version=4)
    release = nbformat.read(root / "exercises" / assignment / f"{notebook}.ipynb", as_version=4)
    plans = plan_submissions(source, release, answers)
    for student, (nb, _) in plans.items():
        submit(root, student, assignment, {notebook: nb})
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, "--submissions",
                          str(root / "build" / "submitted"), "--workers", "2"], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    print(f"\nautograded {len(plans)} submissions of {assignment} in {time.perf_counter() - started:.1f} s")
    records = {p.stem: results.load(p) for p in (root / "build" / "grading" / assignment).glob("*.json")}
    return {
        "root": root, "assignment": assignment, "notebook": notebook, "answers": answers, "records": records,
        "source": source, "plans": plans, "scores": read_scores(root, assignment, notebook),
    }


def autograded_notebook(graded, student):
    coursedir = course_directory(graded["root"])
    folder = coursedir.format_path(coursedir.autograded_directory, student, graded["assignment"])
    return nbformat.read(Path(folder) / f"{graded['notebook']}.ipynb", as_version=4)


def errors(nb) -> dict[str, str]:
    """grade_id (or cell id) -> exception name, for every cell that raised."""
    return {nbgrader_meta(c).get("grade_id", c.get("id")): o.ename for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"}


def error_cells(nb) -> list[str]:
    return list(errors(nb))


def test_committed_release_is_generated_from_solutions(graded):
    generated = graded["root"] / "exercises" / graded["assignment"]
    committed = REPO_ROOT / "exercises" / graded["assignment"]
    names = sorted(p.name for p in generated.iterdir())
    assert names == sorted(p.name for p in committed.iterdir()), "exercises/ holds other files than nbgrader generates"
    for name in names:
        assert json.loads((generated / name).read_text()) == json.loads((committed / name).read_text()), (
            f"exercises/{graded['assignment']}/{name} differs from what `make exercises` generates: "
            "edit solutions/, never exercises/, and regenerate"
        )


def test_every_part_has_answers_to_test(graded):
    parts = solution_ids(graded["source"])
    assert len(parts) >= 5
    assert sorted(graded["answers"].CORRECT) == sorted(parts), "every part needs an alternative correct answer"
    assert sorted(graded["answers"].WRONG) == sorted(parts), "every part needs wrong answers"
    # AUTHORING.md: at least two alternative correct answers and five plausible wrong ones per part
    assert all(len(correct) >= 2 for correct in graded["answers"].CORRECT.values())
    assert all(len(wrong) >= 5 for wrong in graded["answers"].WRONG.values())
    for part in parts:
        assert any(nbgrader_meta(c).get("grade_id") == f"test_{part}" and nbgrader_meta(c).get("grade")
                   for c in graded["source"].cells), f"part {part} has no graded cell test_{part}"


def test_honest_work_is_graded_and_never_flagged(graded):
    for student, record in graded["records"].items():
        assert record["status"] == "graded", (student, record["reason"])
        if not student.startswith("wrong"):
            assert record["flags"] == [], (student, record["flags"])


def test_reference_gets_full_marks_without_errors(graded):
    scores = graded["scores"]["reference"]
    assert {p: s.score for p, s in scores.items()} == {p: s.max_score for p, s in scores.items()}
    assert error_cells(autograded_notebook(graded, "reference")) == []


def test_blank_release_gets_zero_with_errors_only_in_graded_cells(graded):
    scores = graded["scores"]["blank"]
    assert sum(s.score for s in scores.values()) == 0
    graded_ids = {f"test_{p}" for p in solution_ids(graded["source"])}
    errors = error_cells(autograded_notebook(graded, "blank"))
    assert sorted(errors) == sorted(graded_ids), "a blank notebook must fail in its test cells and nowhere else"


def test_each_submission_scores_exactly_as_planned(graded):
    mismatches = []
    for student, (_, failing) in graded["plans"].items():
        for part, score in graded["scores"][student].items():
            expected = 0 if part.removeprefix("test_") in failing else score.max_score
            if score.score != expected:
                mismatches.append(f"{student}: {part} scored {score.score}, expected {expected}")
    assert not mismatches, "\n".join(mismatches)


def test_every_wrong_answer_was_graded(graded):
    n_wrong = sum(len(w) for w in graded["answers"].WRONG.values())
    planned = sum(len(failing) for student, (_, failing) in graded["plans"].items() if student.startswith("wrong"))
    assert planned == n_wrong
    assert set(graded["scores"]) == set(graded["plans"])


def test_wrong_answers_fail_in_their_test_cells_for_a_real_reason(graded):
    """A wrong answer must run and be caught by the tests, not break on a typo in this test's fixtures."""
    broken = {"SyntaxError", "IndentationError", "NameError"}
    for student, (_, failing) in graded["plans"].items():
        if not student.startswith("wrong"):
            continue
        raised = errors(autograded_notebook(graded, student))
        assert sorted(raised) == sorted(f"test_{part}" for part in failing), f"{student}: {raised}"
        assert not broken & set(raised.values()), f"{student}: {raised}"


def test_wrong_answers_fail_for_the_reason_they_were_written_for(graded):
    """Each wrong answer's test cell reports what the answer was written to provoke (``REASONS``)."""
    reasons = getattr(graded["answers"], "REASONS", None)
    if reasons is None:
        pytest.skip("this exercise's answers list no REASONS")
    problems = []
    for part, wrong in graded["answers"].WRONG.items():
        assert set(reasons.get(part, {})) == set(wrong), f"{part}: every wrong answer needs a reason"
        for i, description in enumerate(wrong):
            nb = autograded_notebook(graded, f"wrong-{i + 1}")
            cell = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == f"test_{part}")
            reported = " ".join(f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error")
            if reasons[part][description] not in reported:
                problems.append(f"{part} / {description!r}: expected {reasons[part][description]!r} in {reported!r}")
    assert not problems, "\n".join(problems)


def test_class_report_agrees_with_the_records(graded, tmp_path):
    """``python -m autograder report`` on what the fixture graded: each part's pass rate is what the
    records say, every wrong answer's REASONS message is among its part's failure messages, and the
    LMS CSV holds every student's score."""
    import csv
    import html
    import re

    from tests.test_reports import active_content

    run = subprocess.run([sys.executable, "-m", "autograder", "report", graded["assignment"], "--out", str(tmp_path)],
                         cwd=graded["root"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    page = (tmp_path / f"report-{graded['assignment']}.html").read_text()
    assert active_content(page) == [] and "<script" not in page.lower()

    def text(fragment):
        return html.unescape(re.sub(r"<[^>]+>", " ", fragment))

    records = graded["records"]
    table = re.search(r'<table id="parts">(.*?)</table>', page, re.S)[1]
    shown = {cells[0]: cells[2] for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
             for cells in [[text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]]}
    expected = {part: f"{sum(r['parts'][part]['score'] == r['parts'][part]['max_score'] for r in records.values())} "
                      f"of {len(records)}" for part in records["reference"]["parts"]}
    print(f"\n{graded['assignment']} pass rates (full marks / graded): {expected}")
    assert shown == expected
    problems = []
    for part, wrong in graded["answers"].WRONG.items():
        section = re.search(rf'<section id="messages-test_{part}">(.*?)</section>', page, re.S)
        failing = sum(r["parts"][f"test_{part}"]["score"] < r["parts"][f"test_{part}"]["max_score"]
                      for r in records.values())
        assert section and f"test_{part}: {failing} failing" in text(section[1]), part
        for i, description in enumerate(wrong):
            reason = getattr(graded["answers"], "REASONS", {}).get(part, {}).get(description)
            assert records[f"wrong-{i + 1}"]["parts"][f"test_{part}"]["message"], (part, description)
            if reason is not None and reason not in text(section[1]):
                problems.append(f"{part} / {description!r}: {reason!r} is not among the part's messages")
    assert not problems, "\n".join(problems)
    with open(tmp_path / f"lms-{graded['assignment']}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {row["SIS Login ID"]: float(row[graded["assignment"]]) for row in rows} == {
        student: results.total(r)[0] - r["late_penalty"] for student, r in records.items()}


def test_feedback_never_shows_hidden_tests(graded):
    """No feedback page of any planned submission shows a line that only hidden tests have (inputs,
    expected values, reference formulas); the visible tests' code does show."""
    from tests.test_reports import rendered_text

    sources = [c.source for c in graded["source"].cells if nbgrader_meta(c).get("grade")]
    hidden_parts = [c.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0] for c in sources
                    if "### BEGIN HIDDEN TESTS" in c]
    visible = "\n".join(c.split("### BEGIN HIDDEN TESTS")[0] + c.split("### END HIDDEN TESTS")[-1] for c in sources)
    hidden = {line.strip() for part in hidden_parts for line in part.splitlines()
              if len(line.strip()) > 25 and line.strip() not in visible}
    assert len(hidden) > 10, "the exercise's hidden tests are worth checking"
    shown = max((line.strip() for line in visible.splitlines()), key=len)  # a visible test line
    coursedir = course_directory(graded["root"])
    for student in graded["plans"]:
        page = Path(coursedir.format_path(coursedir.feedback_directory, student, graded["assignment"]),
                    f"{graded['notebook']}.html")
        text = rendered_text(page.read_text())
        assert shown in text, f"{student}: the feedback shows the visible tests"
        own = "\n".join(c.source for c in graded["plans"][student][0].cells)  # what the student wrote may match
        leaked = sorted(line for line in hidden if line in text and line not in own)
        assert not leaked, f"{student}'s feedback shows hidden test lines: {leaked[:3]}"
