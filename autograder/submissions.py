"""Find the submissions in what an instructor hands over, and check each notebook before grading.

Accepted layouts (a folder, or a .zip of one):

- nbgrader's ``submitted/``: ``<student>/<assignment>/*.ipynb`` (plus any other files);
- one folder per student: ``<student>/*.ipynb``;
- flat notebooks, as LMSs export them: ``<student>_<anything>.ipynb`` (the student id is the
  part of the file name before the first ``_``; without ``_``, the whole name).

A notebook that is not JSON, not nbformat 4, or otherwise broken is reported as a failed
submission with the reason; it never stops the batch. A student's only notebook, saved under
another name (LMSs and browsers rename files), is graded as the expected one. The submission time
comes from the exchange's ``timestamp.txt``, else from the notebook file's time (see
:func:`handed_in`). A zip is unpacked entry by entry, keeping each entry's time: an entry that is
unsafe or whose data does not match its header is skipped and reported on the student it belongs to.
Two entries that map to the same student id are never merged: an entry named exactly as the id
keeps it, and every other one fails under an id of its own, with a reason that names both.
"""

from __future__ import annotations

import calendar
import errno
import hashlib
import itertools
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import nbformat

MAX_ZIP_BYTES = 2 * 2**30  # unpacked, in all
MAX_ENTRY_BYTES = 200 * 2**20  # unpacked, one entry
MAX_NOTEBOOK_BYTES = 50 * 2**20
NAME_CLASH = (errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG)


@dataclass
class Found:
    """One entry of what was handed in (a student's folder or notebook), before it is prepared."""

    name: str  # the folder or file name as handed in
    folder: Path
    flags: list[str] = field(default_factory=list)
    problem: str = ""
    exchange: bool = False  # nbgrader's <student>/<assignment>/ layout, with the exchange's timestamp.txt


@dataclass
class Submission:
    """One student's files, ready to grade (``problem`` set when it cannot be graded, ``cause`` whose that is)."""

    student: str
    folder: Path
    sha256: str = ""
    flags: list[str] = field(default_factory=list)
    problem: str = ""
    cause: str = "student"
    timestamp: str = ""  # when it was handed in, ISO 8601 in UTC ("" when unknown)


def student_id(name: str) -> str:
    """A safe student id from a folder or file name: it starts with a letter or digit."""
    cleaned = re.sub(r"^[^A-Za-z0-9]+", "", re.sub(r"[^A-Za-z0-9._@+-]+", "-", name))
    return cleaned[:128].rstrip("-.") or "student"


class _Skip(Exception):
    """Why one zip entry is not unpacked."""


def extract_zip(archive: Path, dest: Path) -> dict[str, str]:
    """Unpack an LMS download into ``dest`` entry by entry; return the skipped entries and why.

    Nothing outside ``dest``, no links, no entry twice; sizes are counted while unpacking (the
    headers are not trusted), against a cap per entry and one in all.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise ValueError(f"{archive} is not a readable zip archive ({err})") from None
    skipped: dict[str, str] = {}
    left = MAX_ZIP_BYTES
    with zf:
        for info in zf.infolist():
            try:
                left -= _unpack(zf, info, dest, left)
            except _Skip as err:
                skipped[info.filename] = str(err)
            except OSError as err:  # e.g. a full disk: nothing can be graded
                raise RuntimeError(f"could not unpack {archive}: {err}") from err
    return skipped


def _unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, left: int) -> int:
    """Unpack one entry; return the bytes written, or raise _Skip."""
    parts = [p for p in PurePosixPath(info.filename).parts if p != "."]
    if info.filename.startswith("/") or re.match(r"[A-Za-z]:", info.filename):
        raise _Skip("its path is absolute")
    if ".." in parts:
        raise _Skip("its path leads outside the archive")
    if not parts:
        raise _Skip("it has no name")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _Skip("it is a symbolic link")
    target = dest.joinpath(*parts)
    if info.is_dir() and target.is_dir():
        return 0
    if os.path.lexists(target):
        raise _Skip("another entry has the same path")
    try:
        if info.is_dir():
            target.mkdir(parents=True)
            return 0
        target.parent.mkdir(parents=True, exist_ok=True)
        cap = min(MAX_ENTRY_BYTES, left)
        written = 0
        with zf.open(info) as source, open(target, "xb") as out:
            while chunk := source.read(2**20):
                written += len(chunk)
                if written > cap:
                    raise _Skip(f"it unpacks to more than {MAX_ENTRY_BYTES} bytes" if cap == MAX_ENTRY_BYTES
                                else f"the archive unpacks to more than {MAX_ZIP_BYTES} bytes in all")
                out.write(chunk)
        when = calendar.timegm((*info.date_time, 0, 0, 0))  # the time the archive records (taken as UTC)
        os.utime(target, (when, when))
        return written
    except (_Skip, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as err:
        target.unlink(missing_ok=True)  # nothing was at ``target`` before this entry
        raise _Skip(str(err) if isinstance(err, _Skip)
                    else f"its data does not match its header ({type(err).__name__}: {err})") from None
    except OSError as err:
        if err.errno not in NAME_CLASH:
            raise  # a full disk is the grader's trouble, not this entry's
        raise _Skip(f"its path clashes with another entry ({err.strerror})") from None


def discover(path: Path, assignment: str, scratch: Path) -> dict[str, Found]:
    """Map student id -> that student's entry, for any accepted layout."""
    path = Path(path)
    skipped: dict[str, str] = {}
    if path.is_file() and path.suffix == ".zip":
        unzipped = Path(tempfile.mkdtemp(prefix="unzipped-", dir=scratch))
        skipped = extract_zip(path, unzipped)
        path = unzipped
    if not path.is_dir():
        raise FileNotFoundError(f"no submissions at {path} (expected a folder or a .zip)")
    claims: dict[str, tuple[str, Found]] = {}  # name as handed in -> (the id it claims, entry)
    for entry in sorted(path.iterdir()):
        flat = entry.suffix == ".ipynb" and not entry.is_dir()
        if entry.name.startswith((".", "__MACOSX")) or not (flat or entry.is_dir()):
            continue
        if entry.is_symlink():
            found = Found(entry.name, _empty(scratch), problem=f"{entry.name!r} is a symbolic link; it is not followed")
        elif flat:
            found = Found(entry.name, _empty(scratch))
            shutil.copy2(entry, found.folder / entry.name)
        else:
            nested = entry / assignment
            exchange = nested.is_dir() and not nested.is_symlink()
            found = Found(entry.name, nested if exchange else entry, exchange=exchange)
        claims[entry.name] = (_claim(entry.name, flat), found)
    for member, reason in skipped.items():
        note = f"zip entry {member!r} was skipped: {reason}"
        owner = _owner(member)
        if owner is None:
            print(f"warning: {note}", file=sys.stderr)
        elif owner in claims and not member.endswith(".ipynb"):
            claims[owner][1].flags.append(note)
        elif owner in claims:  # grading the student's other notebooks instead would be wrong
            found = claims[owner][1]
            found.problem = "; ".join(filter(None, [found.problem, note]))
        else:  # all this student handed in was skipped: they still get a record saying why
            found = Found(owner, _empty(scratch), problem=note)
            claims[owner] = (_claim(owner, owner == member), found)
    return _assign_ids(list(claims.values()))


def _empty(scratch: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix="entry-", dir=scratch))


def _claim(name: str, flat: bool) -> str:
    """The student id a folder (or, ``flat``, a notebook file) stands for."""
    if flat:
        name = name.split("_")[0] if "_" in name else name.removesuffix(".ipynb")
    return student_id(name)


def _owner(member: str) -> str | None:
    """The top-level folder or notebook a zip entry belongs to (None: no one's)."""
    parts = [p for p in PurePosixPath(member).parts if p != "."]
    if (not parts or member.startswith("/") or re.match(r"[A-Za-z]:", member) or parts[0] == ".."
            or parts[0].startswith((".", "__MACOSX")) or (len(parts) == 1 and not member.endswith(".ipynb"))):
        return None
    return parts[0]


def _assign_ids(claims: list[tuple[str, Found]]) -> dict[str, Found]:
    """Give each entry its own id. Where several claim one, an entry named exactly as the id keeps it;
    each other gets ``<id>-dup-<hash of its name>`` and a problem that names the collision."""
    groups: dict[str, list[Found]] = {}
    for student, found in claims:
        groups.setdefault(student, []).append(found)
    taken = set(groups)
    assigned: dict[str, Found] = {}
    for student, group in sorted(groups.items()):
        names = ", ".join(repr(found.name) for found in group)
        for found in group:
            if len(group) == 1 or found.name == student:
                assigned[student] = found
                continue
            other = _derived_id(student, found.name, taken)
            taken.add(other)
            found.problem = (f"{names} all stand for the student id {student!r}; {found.name!r} is not graded "
                             f"as {student!r} (rename it and grade again)"
                             + (f"; besides, {found.problem}" if found.problem else ""))
            assigned[other] = found
    return assigned


def _derived_id(student: str, name: str, taken: set[str]) -> str:
    """``<student>-dup-<8 hex of sha256(name)>``, unless taken (then another hash of the name)."""
    for attempt in itertools.count():
        seed = os.fsencode(name) + (b"\0%d" % attempt if attempt else b"")
        candidate = f"{student[:115]}-dup-{hashlib.sha256(seed).hexdigest()[:8]}"
        if candidate not in taken:
            return candidate


def handed_in(folder: Path, notebook: Path, exchange: bool) -> tuple[str, str]:
    """When the submission was handed in, as ISO 8601 in UTC, and a problem with it ("" if none).

    From the exchange: its ``timestamp.txt`` (what ``nbgrader submit`` wrote). From an LMS: the
    notebook file's time, which a download keeps (in a zip, the time of its entry). A
    ``timestamp.txt`` in an LMS upload is the student's own file and is not believed.
    """
    from nbgrader.utils import parse_utc

    stamp = folder / "timestamp.txt"
    if exchange and stamp.is_file():
        try:
            when = parse_utc(stamp.read_text(errors="replace")[:100].strip())
        except (ValueError, OverflowError, TypeError):
            return "", "timestamp.txt is not a time: the submission time is unknown (no late penalty applied)"
        return when.replace(tzinfo=timezone.utc).isoformat(), ""  # parse_utc gives naive UTC
    return datetime.fromtimestamp(notebook.stat().st_mtime, timezone.utc).isoformat(), ""


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


def prepare(student: str, found: Found, notebook: str, dest: Path) -> Submission:
    """Copy a student's files to ``dest``, with the notebook checked and named ``<notebook>.ipynb``."""
    try:
        dropped = copy_files(found.folder, dest)
    except (OSError, shutil.Error) as err:
        dest.mkdir(parents=True, exist_ok=True)
        return Submission(student, dest, sha256=digest(dest), flags=list(found.flags), cause="grader",
                          problem=f"the files could not be copied ({type(err).__name__}: {str(err)[:200]})")
    submission = Submission(student, dest, sha256=digest(dest), flags=list(found.flags), problem=found.problem)
    if dropped:
        submission.flags.append(f"symbolic links were ignored: {', '.join(dropped)[:300]}")
    if submission.problem:
        return submission
    expected = dest / f"{notebook}.ipynb"
    notebooks = sorted(dest.glob("*.ipynb"))
    if not expected.exists():
        if len(notebooks) != 1:
            submission.problem = (f"expected {notebook}.ipynb; found "
                                  + (", ".join(p.name for p in notebooks) or "no notebook"))
            return submission
        notebooks[0].rename(expected)  # LMSs and browsers rename files: the content is what is graded
    submission.timestamp, problem = handed_in(dest, expected, found.exchange)
    if problem:
        submission.flags.append(problem)
    submission.sha256 = hashlib.sha256(f"{submission.sha256} {submission.timestamp}".encode()).hexdigest()
    nb, problem, flags = check_notebook(expected)
    submission.flags += flags
    if problem:
        submission.problem = problem
        return submission
    nbformat.write(nb, expected)
    return submission
