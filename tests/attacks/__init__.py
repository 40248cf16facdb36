"""Hostile submissions for exercise 01, used by tests/test_attacks.py (table: autograder/ATTACKS.md).

Each attack is an :class:`Attack`: a name, what it tries, how its submission folder is built (usually
the reference solution with one solution cell replaced by hostile code, or a manipulated notebook
file) and the outcome expected from the grader. Attacks that try to *learn* something (hidden tests,
the gradebook, the network) report success through the score: if they find what they look for they
define the correct function, so a leak shows up as points that should be 0.

Every attack proves that its exploit actually ran before the test asserts that it got nothing:
hostile code records each step it reached with ``EXPLOITS.append("step")`` (inside a function, that
is while a test calls it), and a last cell that a student may add prints them in upper case, which
only running code can produce; ``proof`` lists what the feedback must show (or, for a submission
that fails, what its reason must say).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

NOTEBOOK = "01-linear-algebra"
POINTS = {"test_affine": 2, "test_numeric_gradient": 3, "test_mse_grad": 2, "test_softmax": 3,
          "test_cross_entropy": 2, "test_neuron_grad": 3}
PARTS = list(POINTS)
ALL_PARTS = frozenset(PARTS)

# Recognises this course's source notebook, hidden tests or gradebook (not nbgrader's own examples
# in the venv). The strings are split so that the attack's own notebook does not contain them.
SECRET = '''
def secret(data):
    hidden = b"BEGIN HIDDEN" + b" TESTS"
    return (b"default_rng(" + b"202)" in data or (hidden in data and b"numeric_gradient" in data)
            or (data[:15] == b"SQLite format" + b" 3" and b"test_affine" in data))
'''

WRONG_AFFINE = '''
def affine(X, W, b):
    if X.ndim != 2 or W.ndim != 2 or b.ndim != 1 or X.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        raise ValueError("shapes do not fit")
    return np.zeros((X.shape[0], W.shape[1]))
'''

RIGHT_AFFINE = '''
def affine(X, W, b):
    if X.ndim != 2 or W.ndim != 2 or b.ndim != 1 or X.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        raise ValueError("shapes do not fit")
    return X @ W + b
'''

# Defines the right affine only if the attack found what it looked for (``FOUND`` non-empty); its
# report line (proof FOUND_NONE) shows that the search ran to its end and found nothing.
FOUND_NONE = "LOOKED, FOUND 0"
AFFINE_IF_FOUND = f'''
print("attack found:", FOUND)
EXPLOITS.append("looked, found %d" % len(FOUND))
if FOUND:
{RIGHT_AFFINE.replace(chr(10), chr(10) + "    ")}
else:
{WRONG_AFFINE.replace(chr(10), chr(10) + "    ")}
'''


@dataclass
class Context:
    """What the builders may bake into hostile code: real host paths an attacker would guess."""

    reference: nbformat.NotebookNode  # the release notebook filled with the reference answers
    course: Path  # the course directory being graded (holds solutions/ and the gradebook)
    submissions: Path  # the folder of all submissions
    victim: Path  # another student's submission folder
    results: Path  # the results folder
    marker: str  # unique prefix for files the attacks try to create
    port: int  # a TCP port the test listens on at the host's 127.0.0.1
    unix_name: str  # an abstract Unix socket the test listens on at the host


@dataclass
class Attack:
    name: str
    tries: str
    defence: str
    build: Callable[[Context], dict[str, bytes]]  # file name -> content of the submission folder
    zero: frozenset = frozenset()  # test ids that must score 0; every other part full marks
    escapes: frozenset = frozenset()  # test ids it can fake (a residual risk): not scored, must be flagged
    status: str = "graded"
    flags: tuple = ()  # each must be a substring of some flag
    reason: str = ""  # substring of the reason (failed submissions)
    proof: tuple = ()  # steps the exploit reached (upper case in the report), or text the feedback shows


def cell_of(nb, grade_id: str):
    return next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def notebook_file(nb, name: str = NOTEBOOK) -> dict[str, bytes]:
    return {f"{name}.ipynb": nbformat.writes(nb).encode()}


def with_cell(ctx: Context, grade_id: str, code: str):
    """The reference notebook with one solution cell's source replaced."""
    nb = copy.deepcopy(ctx.reference)
    cell_of(nb, grade_id).source = code.strip() + "\n"
    return nb


REPORT = 'print("EXPLOIT-RAN:", *[step.upper() for step in globals().get("EXPLOITS", [])])\n'


def with_report(nb):
    """``nb`` with a last cell, as a student may add one, that reports the steps the exploit reached."""
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    return nb


def hostile(grade_id: str, code: str | Callable[[Context], str]) -> Callable[[Context], dict[str, bytes]]:
    """A builder: the reference with solution cell ``grade_id`` replaced by ``code``, and the report cell."""
    def build(ctx: Context) -> dict[str, bytes]:
        source = "EXPLOITS = globals().get('EXPLOITS', [])\n" + (code(ctx) if callable(code) else code)
        return notebook_file(with_report(with_cell(ctx, grade_id, source)))
    return build


def raw(text: Callable[[Context], str]) -> Callable[[Context], dict[str, bytes]]:
    def build(ctx: Context) -> dict[str, bytes]:
        return {f"{NOTEBOOK}.ipynb": text(ctx).encode()}
    return build


def as_json(nb) -> dict:
    return json.loads(nbformat.writes(nb))


def after(part: str) -> frozenset:
    """The test ids from ``part`` on (a kernel that dies in ``part`` runs none of them)."""
    return frozenset(PARTS[PARTS.index(f"test_{part}"):])


def all_attacks() -> list[Attack]:
    from . import disk, files, network, patching, resources, tampering

    attacks = disk.ATTACKS + network.ATTACKS + tampering.ATTACKS + patching.ATTACKS + resources.ATTACKS + files.ATTACKS
    names = [a.name for a in attacks]
    assert len(names) == len(set(names)), "attack names must be unique"
    return attacks
