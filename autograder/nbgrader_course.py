"""Drive nbgrader on a course directory and read the per-part scores back from its gradebook.

A course directory is a folder holding ``nbgrader_config.py`` (which places everything relative to
itself: source ``solutions/``, release ``exercises/``, gradebook and submissions under ``build/``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parent.parent


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message carries its output."""


def nbgrader(course_root: Path, *args: str, timeout: float | None = None) -> str:
    """Run ``nbgrader ARGS`` in ``course_root`` with this interpreter; return its output.

    The interpreter's bin folder goes first on PATH: nbgrader starts ``alembic`` to migrate the
    gradebook, and kernels must come from the same environment.
    """
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course_root, env=env, capture_output=True, text=True, timeout=timeout,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 or "[ERROR]" in output or "| ERROR]" in output:
        raise NbgraderError(f"nbgrader {' '.join(args)} failed (exit {result.returncode}):\n{output}")
    return output


def copy_course(dest: Path, source: Path = REPO_ROOT) -> Path:
    """A fresh course directory at ``dest``: the config and the exercise sources, nothing graded."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copytree(source / "solutions", dest / "solutions",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return dest


def alembic_head() -> str:
    """The revision nbgrader stamps a new gradebook with, read from its migration scripts here."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


def generate_assignment(course_root: Path, assignment: str) -> None:
    """``nbgrader generate_assignment --force`` in this process (the grader imports nbgrader anyway).

    A new gradebook is stamped with alembic's head revision, which nbgrader finds by running the
    ``alembic`` command (3 s on 2 cores); the same revision is read here in milliseconds.
    """
    import nbgrader.api
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    head = alembic_head()
    nbgrader.api.get_alembic_version = lambda: head

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    outcome = NbGraderAPI(config=config).generate_assignment(assignment, force=True)
    if not outcome.get("success"):
        raise NbgraderError(f"nbgrader generate_assignment {assignment} failed:\n{outcome.get('log') or outcome.get('error')}")


def course_directory(course_root: Path):
    """nbgrader's CourseDirectory as the course's nbgrader_config.py sets it up."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    return CourseDirectory(config=config)


def submit(course_root: Path, student: str, assignment: str, notebooks: dict[str, nbformat.NotebookNode]) -> Path:
    """Place a student's notebooks where ``nbgrader autograde`` looks for them."""
    coursedir = course_directory(course_root)
    folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


@dataclass(frozen=True)
class PartScore:
    score: float
    max_score: float


def read_scores(course_root: Path, assignment: str, notebook: str) -> dict[str, dict[str, PartScore]]:
    """Per student, the score of every graded cell (by grade_id) of one notebook."""
    from nbgrader.api import Gradebook, MissingEntry

    scores: dict[str, dict[str, PartScore]] = {}
    with Gradebook(course_directory(course_root).db_url) as gb:
        for student in gb.students:
            try:
                nb = gb.find_submission_notebook(notebook, assignment, student.id)
            except MissingEntry:
                continue
            scores[student.id] = {g.name: PartScore(g.score, g.max_score) for g in nb.grades}
    return scores


def read_messages(notebook: Path) -> dict[str, str]:
    """Per graded cell (grade_id) of an autograded notebook, the error it showed the student, as
    "ExceptionName: message" (the last one where a cell shows several); cells that passed are absent."""
    messages = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if meta.get("grade") and meta.get("grade_id") and errors:
            messages[meta["grade_id"]] = f"{errors[-1].get('ename', '')}: {errors[-1].get('evalue', '')}"
    return messages


def share_work_across_gradebooks() -> None:
    """For a process that runs nbgrader on one private gradebook after another (a grading worker):
    compile each of nbgrader's SQL statements once, not once per gradebook (nbgrader opens a new
    SQLAlchemy engine, whose statement cache starts empty, for every ``Gradebook``), and build the
    cell-metadata schema's validator once, not once per cell (``jsonschema.validate`` checks the
    schema itself on every call). What nbgrader computes is unchanged."""
    import types

    import jsonschema
    import nbgrader.api
    import nbgrader.nbgraderformat.common
    from sqlalchemy import create_engine
    from sqlalchemy.util import LRUCache

    statements = LRUCache(2000)
    shared_kinds: dict[type, type] = {}

    def engine(url, **options):
        made = create_engine(url, execution_options={"compiled_cache": statements}, **options)
        # SQLAlchemy's cache key holds the dialect object, a new one per engine: dialects of one kind
        # (sqlite, set up alike by nbgrader) compare equal here, so a statement compiled for one gradebook
        # serves the next
        kind = type(made.dialect)
        if kind not in shared_kinds:
            shared_kinds[kind] = type(kind.__name__, (kind,), {
                "supports_statement_cache": True, "__hash__": lambda self: hash(type(self)),
                "__eq__": lambda self, other: type(self) is type(other)})
        made.dialect.__class__ = shared_kinds[kind]
        return made

    validators: dict[int, object] = {}

    def validate(instance, schema):
        if id(schema) not in validators:
            kind = jsonschema.validators.validator_for(schema)
            kind.check_schema(schema)
            validators[id(schema)] = (schema, kind(schema))  # the schema is kept, so its id stays its own
        error = jsonschema.exceptions.best_match(validators[id(schema)][1].iter_errors(instance))
        if error is not None:
            raise error

    nbgrader.api.create_engine = engine
    nbgrader.nbgraderformat.common.jsonschema = types.SimpleNamespace(validate=validate)
