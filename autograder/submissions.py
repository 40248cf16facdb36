"""Find the submissions in what an instructor hands over, and check each notebook before grading.

Accepted layouts (a folder, or a .zip of one):

- nbgrader's ``submitted/``: ``<student>/<assignment>/*.ipynb`` (plus any other files);
- one folder per student: ``<student>/*.ipynb``;
- flat notebooks, as LMSs export them: ``<student>_<anything>.ipynb`` (the student id is the
  part of the file name before the first ``_``; without ``_``, the whole name).

A notebook that is not JSON, not nbformat 4, or otherwise broken is reported as a failed
submission with the reason; it never stops the batch. A notebook saved under another name is
graded as the expected one, with a flag.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MAX_ZIP_BYTES = 2 * 2**30
MAX_NOTEBOOK_BYTES = 50 * 2**20


@dataclass
class Submission:
    """One student's files, ready to grade (``problem`` set when it cannot be graded)."""

    student: str
    folder: Path
    sha256: str = ""
    flags: list[str] = field(default_factory=list)
    problem: str = ""


def student_id(name: str) -> str:
    """A safe student id from a folder or file name."""
    cleaned = re.sub(r"[^A-Za-z0-9._@+-]+", "-", name).strip("-.") or "student"
    return cleaned[:128]


def extract_zip(archive: Path, dest: Path) -> Path:
    """Unpack an LMS download safely (no paths outside ``dest``, bounded size)."""
    with zipfile.ZipFile(archive) as zf:
        if sum(info.file_size for info in zf.infolist()) > MAX_ZIP_BYTES:
            raise ValueError(f"{archive} unpacks to more than {MAX_ZIP_BYTES // 2**30} GiB")
        for info in zf.infolist():
            target = (dest / info.filename).resolve()
            if not target.is_relative_to(dest.resolve()):
                raise ValueError(f"{archive} holds a path outside the archive: {info.filename}")
        zf.extractall(dest)
    return dest


def discover(path: Path, assignment: str, scratch: Path) -> dict[str, Path]:
    """Map student id -> folder of that student's files, for any accepted layout."""
    path = Path(path)
    if path.is_file() and path.suffix == ".zip":
        path = extract_zip(path, Path(tempfile.mkdtemp(prefix="unzipped-", dir=scratch)))
    if not path.is_dir():
        raise FileNotFoundError(f"no submissions at {path} (expected a folder or a .zip)")
    found: dict[str, Path] = {}
    for entry in sorted(path.iterdir()):
        if entry.name.startswith((".", "__MACOSX")):
            continue
        if entry.is_dir():
            folder = entry / assignment if (entry / assignment).is_dir() else entry
            found.setdefault(student_id(entry.name), folder)
        elif entry.suffix == ".ipynb":
            student = student_id(entry.name.split("_")[0] if "_" in entry.name else entry.stem)
            folder = Path(tempfile.mkdtemp(prefix=f"{student}-", dir=scratch))
            shutil.copy2(entry, folder / entry.name)
            found.setdefault(student, folder)
    return found


def digest(folder: Path) -> str:
    """SHA-256 over a submission's file names and contents (what 'unchanged' means)."""
    h = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(file.relative_to(folder)).encode() + b"\0")
        h.update(hashlib.sha256(file.read_bytes()).digest())
    return h.hexdigest()


def check_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str, list[str]]:
    """Read a submitted notebook: (notebook, problem, flags). Repairs what can safely be repaired."""
    flags: list[str] = []
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return None, f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB", flags
    try:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    except Exception as err:
        return None, f"{path.name} is not a readable notebook ({type(err).__name__}: {str(err)[:200]})", flags
    major = nb.get("nbformat")
    if major != 4:
        if major == 3:
            nb = nbformat.convert(nb, 4)
            flags.append(f"{path.name} was saved as nbformat 3 and was converted")
        else:
            return None, f"{path.name} has nbformat version {major!r}; only version 4 notebooks can be graded", flags
    try:
        _, nb = nbformat.validator.normalize(nb)
        nb = nbformat.from_dict(nb)
        nbformat.validate(nb)
    except Exception as err:
        return None, f"{path.name} is not a valid notebook ({type(err).__name__}: {str(err)[:200]})", flags
    return nb, "", flags


def copy_files(folder: Path, dest: Path) -> list[str]:
    """Copy a submission to ``dest`` without following symbolic links; drop them and return their names.

    The grader runs as root: a link to the course's source notebook or the gradebook must never be
    copied as its target into the sandbox, and a dangling link must not stop the batch.
    """
    shutil.copytree(folder, dest, symlinks=True, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    dropped = []
    for root, dirs, files in os.walk(dest):
        for name in dirs + files:
            path = Path(root) / name
            if path.is_symlink():
                path.unlink()
                dropped.append(str(path.relative_to(dest)))
    return sorted(dropped)


def prepare(student: str, folder: Path, notebook: str, dest: Path) -> Submission:
    """Copy a student's files to ``dest``, with the notebook checked and named ``<notebook>.ipynb``."""
    try:
        dropped = copy_files(folder, dest)
    except (OSError, shutil.Error) as err:
        dest.mkdir(parents=True, exist_ok=True)
        return Submission(student, dest, sha256=digest(dest),
                          problem=f"the submission's files could not be copied ({type(err).__name__}: {str(err)[:200]})")
    submission = Submission(student, dest, sha256=digest(dest))
    if dropped:
        submission.flags.append(f"symbolic links were ignored: {', '.join(dropped)[:300]}")
    expected = dest / f"{notebook}.ipynb"
    notebooks = sorted(dest.glob("*.ipynb"))
    if not expected.exists():
        if len(notebooks) != 1:
            submission.problem = (f"expected {notebook}.ipynb; found "
                                  + (", ".join(p.name for p in notebooks) or "no notebook"))
            return submission
        notebooks[0].rename(expected)
        submission.flags.append(f"notebook was renamed {notebooks[0].name!r}; graded as {expected.name}")
    nb, problem, flags = check_notebook(expected)
    submission.flags += flags
    if problem:
        submission.problem = problem
        return submission
    nbformat.write(nb, expected)
    return submission
