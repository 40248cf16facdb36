"""A Keras exercise graded under a second Keras backend (DESIGN.md, "Keras across backends").

Exercise 08's reference, graded by the course's own autograder with ``--keras-backend jax`` (JAX's CPU
build, installed by the README's set-up for the tests), gets full marks and its blank release zero.
A third proves the kernels really ran on JAX: the reference with one line added to its Keras function,
an assertion that fails on JAX alone, loses that part and keeps every other.
"""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from autograder import results
from autograder.nbgrader_course import copy_course, nbgrader, read_scores, submit
from tests.grading.plans import fill, reference_answers

pytest.importorskip("jax")

ASSIGNMENT = "08-convolutional-networks"
KERAS_PART = "build_cnn"


def asserting_backend(code: str, test: str) -> str:
    """The reference with ``assert len(keras.backend.backend()) <test>`` as its Keras function's first statement."""
    define = f"def {KERAS_PART}("
    head, tail = code.split(define)
    signature, body = tail.split(":\n", 1)
    return f"{head}{define}{signature}:\n    assert len(keras.backend.backend()) {test}, keras.backend.backend()\n{body}"


@pytest.fixture(scope="module")
def graded_on_jax(tmp_path_factory):
    root = copy_course(tmp_path_factory.mktemp("jax"))
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    notebook = ASSIGNMENT
    source = nbformat.read(root / "solutions" / ASSIGNMENT / f"{notebook}.ipynb", as_version=4)
    release = nbformat.read(root / "exercises" / ASSIGNMENT / f"{notebook}.ipynb", as_version=4)
    reference = reference_answers(source)
    assert KERAS_PART in reference and "import keras" in reference[KERAS_PART]
    plans = {"reference": fill(release, reference), "blank": release}
    # JAX told by its name's length, 3 (tensorflow has 10 letters, torch 5): the part forbids spelling it out
    plans["not-on-jax"] = fill(release, {**reference, KERAS_PART: asserting_backend(reference[KERAS_PART], "!= 3")})
    for student, nb in plans.items():
        submit(root, student, ASSIGNMENT, {notebook: nb})
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--keras-backend", "jax",
                          "--submissions", str(root / "build" / "submitted"), "--workers", "2"],
                         cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    print(run.stderr[-1000:])
    records = {p.stem: results.load(p) for p in (root / "build" / "grading" / ASSIGNMENT).glob("*.json")}
    assert set(records) == set(plans) and all(r["status"] == "graded" for r in records.values()), records
    return read_scores(root, ASSIGNMENT, notebook)


def total(scores) -> tuple[float, float]:
    return sum(s.score for s in scores.values()), sum(s.max_score for s in scores.values())


def test_the_kernels_ran_on_jax(graded_on_jax):
    assert graded_on_jax["not-on-jax"][f"test_{KERAS_PART}"].score == 0
    others = {p: s.score for p, s in graded_on_jax["not-on-jax"].items() if p != f"test_{KERAS_PART}"}
    assert others == {p: s.score for p, s in graded_on_jax["reference"].items() if p != f"test_{KERAS_PART}"}


def test_reference_gets_full_marks_on_jax(graded_on_jax):
    score, max_score = total(graded_on_jax["reference"])
    assert max_score == 15 and score == max_score


def test_blank_gets_zero_on_jax(graded_on_jax):
    assert total(graded_on_jax["blank"])[0] == 0


def test_an_unknown_backend_is_refused_with_a_clear_message(tmp_path):
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--course", str(copy_course(tmp_path))],
                         env={"PATH": "/usr/bin:/bin", "KERAS_BACKEND": "numpy"}, capture_output=True, text=True)
    assert run.returncode != 0 and "unknown Keras backend 'numpy'" in run.stderr
