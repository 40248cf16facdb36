"""The course on Google Colab: every notebook's first cell, its kernel, and the README's Colab links.

One place holds the course's address: ``[project.urls] Repository`` in pyproject.toml, with the
release ``v<project.version>``. From them come the first cell of every lesson and exercise (on
Colab it installs ``dlcourse`` at that release with ``--no-deps``, so Colab's own TensorFlow, numpy,
matplotlib and ipywidgets stay, and the notebook's data; elsewhere it does nothing), and the README's
"Open in Colab" links. Instructors run, from the repository root::

    python -m dlcourse.colab set-url https://github.com/ACCOUNT/REPO   # a new address, then sync
    python -m dlcourse.colab sync     # rewrite first cells, kernelspecs, README links; regenerate exercises
    python -m dlcourse.colab check    # list what disagrees with pyproject.toml (exit status 1 if anything)
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat

# The kernel setup.sh registers, and every notebook asks for.
KERNELSPEC = {"name": "dlcourse", "display_name": "Python 3 (dlcourse)", "language": "python"}
CELL_ID = "colab-setup"
GITHUB = re.compile(r"https://github\.com/[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")
README_BEGIN = "<!-- colab-links: written by `python -m dlcourse.colab sync` from pyproject.toml -->"
README_END = "<!-- /colab-links -->"
COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^)\s\"']+")
# Notebooks that load these get them downloaded in their first cell (on Colab only).
DATA = {"load_fashion_mnist": ('from dlcourse.data import load_fashion_mnist\n\n'
                               'for split in ("train", "test"):  # into the Keras cache, once\n'
                               '    load_fashion_mnist(split)'),
        "load_fortunes": 'subprocess.run(["apt-get", "install", "-qq", "fortunes-min"], check=True)'}


class ColabConfigError(ValueError):
    """pyproject.toml's repository address or version cannot be used for Colab links."""


def repository(root: Path) -> tuple[str, str]:
    """The course's GitHub address and release tag (``v`` + version) from ``root``/pyproject.toml."""
    path = Path(root) / "pyproject.toml"
    try:
        project = tomllib.loads(path.read_text())["project"]
        version = project["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as err:
        raise ColabConfigError(f"{path}: cannot read its [project] table ({err}); run this from the "
                               "repository root") from err
    url = project.get("urls", {}).get("Repository", "")
    return github_url(url, f"{path}, [project.urls] Repository"), f"v{version}"


def github_url(url: str, where: str = "the address") -> str:
    """``url`` without a trailing slash or .git, if it is ``https://github.com/ACCOUNT/REPO``."""
    clean = url.strip().removesuffix("/").removesuffix(".git")
    if not GITHUB.fullmatch(clean):
        raise ColabConfigError(f"{where} must look like https://github.com/ACCOUNT/REPO (Colab opens notebooks "
                               f"from GitHub), not {url!r}")
    return clean


def colab_link(url: str, tag: str, path: str) -> str:
    """The address that opens ``path`` of the repository at ``tag`` in Colab."""
    return f"https://colab.research.google.com/github/{url.removeprefix('https://github.com/')}/blob/{tag}/{path}"


def first_cell_source(url: str, tag: str, code: str = "") -> str:
    """The first cell of a notebook whose code is ``code`` (it decides which data to fetch)."""
    lines = [
        "# On Google Colab: install the course's helpers at this release, and this notebook's data.",
        "# Anywhere else (JupyterLab after `bash setup.sh lab`) this cell does nothing.",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        "    import subprocess",
        "",
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",',
        f'                    "dlcourse @ git+{url}@{tag}"], check=True)',
    ]
    for name, fetch in DATA.items():
        if name in code:
            lines += ["    " + line if line else "" for line in fetch.splitlines()]
    return "\n".join(lines)


def source_notebooks(root: Path) -> list[Path]:
    """The notebooks written by hand: lessons and nbgrader sources (exercises/ is generated from the latter)."""
    root = Path(root)
    return sorted([*root.glob("course/*.ipynb"), *root.glob("solutions/*/*.ipynb")])


def _graded(path: Path) -> bool:
    return path.parent.parent.name == "solutions"


def _first_cell(nb, url: str, tag: str, graded: bool):
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and c.get("id") != CELL_ID)
    cell = nbformat.v4.new_code_cell(first_cell_source(url, tag, code))
    cell.id = CELL_ID
    if graded:  # a locked nbgrader cell: students cannot change it, the grader runs it as the course's
        cell.metadata["nbgrader"] = {"grade": False, "grade_id": CELL_ID.replace("-", "_"), "locked": True,
                                     "schema_version": 3, "solution": False, "task": False}
    return cell


def normalise(nb, url: str, tag: str, graded: bool):
    """``nb`` with the course's first cell (replaced or inserted) and kernelspec."""
    nb = copy.deepcopy(nb)
    cell = _first_cell(nb, url, tag, graded)
    if nb.cells and nb.cells[0].get("id") == CELL_ID:
        nb.cells[0] = cell
    else:
        nb.cells.insert(0, cell)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    if nb.nbformat_minor < 5:  # cell ids need nbformat 4.5
        nb.nbformat_minor = 5
    return nb


def readme_links(root: Path, url: str, tag: str) -> str:
    """The README's table of Colab links: one row per module, its lesson and its exercise where they exist."""
    root = Path(root)
    lessons = {p.stem for p in root.glob("course/*.ipynb")}
    exercises = {p.parent.name for p in root.glob("solutions/*/*.ipynb") if p.stem == p.parent.name}
    rows = [README_BEGIN, "| Lesson | Exercise |", "|---|---|"]
    for module in sorted(lessons | exercises):
        lesson = f"[{module}]({colab_link(url, tag, f'course/{module}.ipynb')})" if module in lessons else ""
        exercise = (f"[{module}]({colab_link(url, tag, f'exercises/{module}/{module}.ipynb')})"
                    if module in exercises else "")
        rows.append(f"| {lesson} | {exercise} |")
    return "\n".join(rows + [README_END])


def _readme_with_links(text: str, links: str) -> str:
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        raise ColabConfigError(f"README.md has no {README_BEGIN} ... {README_END} block for the Colab links")
    return text[:start] + links + text[end + len(README_END):]


def _same(a, b) -> bool:
    return nbformat.writes(a) == nbformat.writes(b)


def _stale_releases(root: Path, url: str, tag: str) -> list[str]:
    """Assignments whose committed release does not start with its source's first cell and kernelspec."""
    stale = []
    for source in sorted(root.glob("solutions/*/*.ipynb")):
        release = root / "exercises" / source.parent.name / source.name
        expected = normalise(nbformat.read(source, as_version=4), url, tag, graded=True).cells[0]
        nb = nbformat.read(release, as_version=4) if release.exists() else None
        if (nb is None or not nb.cells or nb.cells[0].source != expected.source
                or not nb.cells[0].metadata.get("nbgrader", {}).get("locked")
                or nb.metadata.get("kernelspec") != KERNELSPEC):
            stale.append(source.parent.name)
    return stale


def problems(root: Path) -> list[str]:
    """What disagrees with pyproject.toml's address and version: first cells, kernelspecs, README links."""
    root = Path(root).resolve()
    url, tag = repository(root)
    found = []
    for path in source_notebooks(root):
        nb = nbformat.read(path, as_version=4)
        if not _same(nb, normalise(nb, url, tag, graded=_graded(path))):
            found.append(f"{path.relative_to(root)}: first cell or kernelspec is not the course's "
                         "(python -m dlcourse.colab sync)")
    found += [f"exercises/{name}: not generated from its source's first cell and kernelspec "
              f"(make exercises ASSIGNMENT={name})" for name in _stale_releases(root, url, tag)]
    readme = (root / "README.md").read_text()
    if readme_links(root, url, tag) not in readme:
        found.append("README.md: the Colab links are not those of pyproject.toml's address, release and notebooks "
                     "(python -m dlcourse.colab sync)")
    stray = [link for link in COLAB_LINK.findall(readme) if not link.startswith(colab_link(url, tag, ""))]
    found += [f"README.md: Colab link to another repository or release: {link}" for link in stray]
    return found


def sync(root: Path) -> list[str]:
    """Rewrite what :func:`problems` checks from pyproject.toml, and regenerate with nbgrader the exercises
    that then disagree. Returns what it changed."""
    root = Path(root).resolve()
    url, tag = repository(root)
    changed = []
    for path in source_notebooks(root):
        nb = nbformat.read(path, as_version=4)
        new = normalise(nb, url, tag, graded=_graded(path))
        if not _same(nb, new):
            nbformat.validate(new)
            nbformat.write(new, path)
            changed.append(str(path.relative_to(root)))
    readme = root / "README.md"
    text = readme.read_text()
    new_text = _readme_with_links(text, readme_links(root, url, tag))
    if new_text != text:
        readme.write_text(new_text)
        changed.append("README.md")
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    for assignment in _stale_releases(root, url, tag):  # (nbgrader starts alembic by name: PATH)
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                       cwd=root, env=env, check=True, capture_output=True)
        changed.append(f"exercises/{assignment}/")
    return changed


def set_url(root: Path, url: str) -> None:
    """Write ``url`` as pyproject.toml's ``[project.urls] Repository`` (the line must exist)."""
    url = github_url(url)
    path = Path(root) / "pyproject.toml"
    text = path.read_text()
    new, count = re.subn(r'(?m)^Repository = ".*"$', f'Repository = "{url}"', text)
    if count != 1:
        raise ColabConfigError(f"{path} needs exactly one line 'Repository = \"...\"' under [project.urls]")
    path.write_text(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlcourse.colab", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    address = commands.add_parser("set-url", help="set the repository's GitHub address, then sync")
    address.add_argument("url", help="https://github.com/ACCOUNT/REPO")
    commands.add_parser("sync", help="rewrite first cells, kernelspecs and README links; regenerate exercises")
    commands.add_parser("check", help="list what disagrees with pyproject.toml")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (default: here)")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            found = problems(args.root)
            print("\n".join(found) or "Colab links, first cells and kernelspecs agree with pyproject.toml")
            return 1 if found else 0
        if args.command == "set-url":
            set_url(args.root, args.url)
        print("\n".join(sync(args.root)) or "nothing to change")
    except (ColabConfigError, subprocess.CalledProcessError) as err:
        detail = getattr(err, "stderr", None)
        print(f"error: {err}" + (f"\n{detail.decode(errors='replace')[-2000:]}" if detail else ""), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
