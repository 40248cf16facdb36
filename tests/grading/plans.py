"""Submissions made from an exercise's answer sets: the reference, the blank release, and notebooks
that carry the alternative correct answers or the wrong answers of tests/grading/answers_NN.py
(one wrong answer per part and submission, since parts are scored independently)."""

from __future__ import annotations

import copy


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_ids(nb) -> list[str]:
    return [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c).get("solution")]


def reference_source(cell) -> str:
    """A source cell's code with nbgrader's solution markers removed."""
    return "\n".join(line for line in cell.source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def reference_answers(source) -> dict[str, str]:
    """Each solution cell's reference code (markers removed), by grade_id."""
    return {nbgrader_meta(c)["grade_id"]: reference_source(c) for c in source.cells if nbgrader_meta(c).get("solution")}


def fill(release, answers: dict[str, str]):
    """A copy of the release notebook with the given solution cells' sources replaced."""
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id].strip() + "\n"
    return nb


def plan_submissions(source, release, answers_module):
    """Submissions and the expected outcome of each: student -> (notebook, set of parts meant to fail)."""
    reference = reference_answers(source)
    plans = {"reference": (fill(release, reference), set()), "blank": (release, set(reference))}
    n_correct = max(len(v) for v in answers_module.CORRECT.values())
    for i in range(n_correct):
        answers = {part: versions[i] for part, versions in answers_module.CORRECT.items() if i < len(versions)}
        plans[f"correct-{i + 1}"] = (fill(release, {**reference, **answers}), set())
    n_wrong = max(len(v) for v in answers_module.WRONG.values())
    for i in range(n_wrong):
        answers = {part: list(wrong.values())[i] for part, wrong in answers_module.WRONG.items() if i < len(wrong)}
        plans[f"wrong-{i + 1}"] = (fill(release, {**reference, **answers}), set(answers))
    return plans
