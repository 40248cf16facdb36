"""The project's own files agree: pins, set-up commands, CI entry point."""

import re
import tomllib
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    pins = {}
    for requirement in requirements:
        name, sep, version = requirement.partition("==")
        assert sep, f"{requirement} in pyproject.toml is not pinned with =="
        pins[name.lower()] = version
    return pins


def test_environment_yml_mirrors_pyproject_pins():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_pins = {}
    for requirement in pip_section:
        if requirement.startswith("-e"):
            continue
        name, _, version = requirement.partition("==")
        conda_pins[name.lower()] = version
    assert conda_pins == pyproject_pins()
    assert "python=3.11" in env["dependencies"]


def test_core_stack_is_the_documented_one():
    pins = pyproject_pins()
    assert pins["tensorflow"].startswith("2.21.")
    assert pins["keras"].startswith("3.")
    assert pins["ipywidgets"].startswith("8.")
    assert pins["jupyterlab"].startswith("4.")
    assert pins["nbgrader"].startswith("0.9.")


def readme_setup_commands() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    return [line.split("#")[0].strip() for line in first_block.splitlines() if line.split("#")[0].strip()]


def test_readme_starts_with_exactly_two_commands():
    assert readme_setup_commands() == ["bash setup.sh lab", "bash setup.sh test"]


def test_ci_runs_the_readme_test_command():
    lines = [line.strip() for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    assert readme_setup_commands()[1] in lines


def test_docs_link_only_to_files_in_the_repository():
    """A user of the repository has nothing else: every relative link in the docs resolves inside it."""
    docs = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    assert len(docs) >= 3
    broken = []
    for doc in docs:
        for target in re.findall(r"\]\(([^)#\s]+)\)", doc.read_text()):
            if "://" not in target and not (doc.parent / target).resolve().is_relative_to(REPO_ROOT):
                broken.append(f"{doc.name}: {target} is outside the repository")
            elif "://" not in target and not (doc.parent / target).exists():
                broken.append(f"{doc.name}: {target} does not exist")
    assert not broken, broken
    assert "shared folder" not in (REPO_ROOT / "README.md").read_text()
