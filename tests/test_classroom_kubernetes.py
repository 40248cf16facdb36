"""The Kubernetes classroom in classroom/kubernetes/: Zero to JupyterHub values, image, exchange.

values.yaml is merged over the chart's defaults and validated against the chart's published values
schema (chart 4.4.0, stored in classroom/kubernetes/schema/), as `helm` does; a misspelt key or a
wrong type must fail the same check. The configuration each user gets (classroom/jupyter/, which the
image holds, on the path the hub's spawn hook sets) is then loaded by the real programs: nbgrader
reads the course id and exchange, Jupyter Server and JupyterLab decide which nbgrader tools a
student and an instructor get. No cluster is needed: the spawn hook runs on a stand-in spawner,
and the Dockerfile is linted (hadolint), not built.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import yaml
from traitlets.config import Config, PyFileConfigLoader

from test_deploy_templates import lint, tool

REPO_ROOT = Path(__file__).resolve().parent.parent
K8S = REPO_ROOT / "classroom" / "kubernetes"
VALUES = K8S / "values.yaml"
SCHEMA = K8S / "schema" / "values.schema.json"
CHART_DEFAULTS = K8S / "schema" / "chart-values.yaml"
DOCKERFILE = K8S / "Dockerfile"
EXCHANGE = K8S / "exchange.yaml"
CHART_VERSION = "4.4.0"
INSTRUCTORS = "dlcourse-instructors"


def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def helm_merge(defaults: dict, overrides: dict) -> dict:
    """Values as helm sees them: maps merge key by key, anything else replaces, null deletes."""
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def schema_errors(overrides: dict) -> list[str]:
    schema = json.loads(SCHEMA.read_text())
    merged = helm_merge(yaml.safe_load(CHART_DEFAULTS.read_text()), overrides)
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(merged)]


# -- the chart's schema ----------------------------------------------------------------------------
def test_values_pass_the_charts_values_schema():
    assert json.loads(SCHEMA.read_text())["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema_errors(values()) == []


def _set(tree: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        tree = tree.setdefault(key, {})
    tree[last] = value


@pytest.mark.parametrize("dotted, value, where", [
    ("singleuser.memory.limt", "4G", "singleuser.memory"),      # misspelt key
    ("singleuser.image.tga", "2026.12", "singleuser.image"),    # misspelt key
    ("cull.timeout", "1h", "cull.timeout"),                      # a string where seconds are asked
    ("singleuser.cpu.limit", "2 cores", "singleuser.cpu.limit"),
    ("singelUser", {}, "(top)"),                                 # misspelt top-level section
])
def test_the_schema_rejects_a_misspelt_key_or_a_wrong_type(dotted, value, where):
    broken = values()
    _set(broken, dotted, value)
    errors = schema_errors(broken)
    assert errors and all(e.startswith(f"{where}:") for e in errors), errors


def test_values_name_the_chart_version_of_the_schema_and_the_hub_of_the_image():
    header = VALUES.read_text().split("\n\n", 1)[0]
    assert f'"jupyterhub", version {CHART_VERSION}' in header and "JupyterHub 5.5.0" in header
    assert f"version **{CHART_VERSION}**" in (K8S / "schema" / "README.md").read_text()
    # jupyterhub-singleuser in the image speaks the hub's version.
    assert re.search(r"pip install [^\n]* jupyterhub==5\.5\.0", DOCKERFILE.read_text())


# -- who runs as whom, and who gets the formgrader: the hub's spawn hook ------------------------------
def hub_config() -> Config:
    """Run values.yaml's hub.extraConfig as the chart's jupyterhub_config.py does."""
    c = Config()
    for code in values()["hub"]["extraConfig"].values():
        exec(compile(code, "hub.extraConfig", "exec"), {"c": c})  # noqa: S102 (our own file)
    return c


def spawn(user_id: int, groups: list[str]) -> SimpleNamespace:
    """A stand-in for KubeSpawner (no hub here): what the hook and the uid callable read and set."""
    user = SimpleNamespace(id=user_id, groups=[SimpleNamespace(name=g) for g in groups])
    spawner = SimpleNamespace(user=user, environment=dict(values()["singleuser"]["extraEnv"]))
    config = hub_config().KubeSpawner
    config.pre_spawn_hook(spawner)
    spawner.uid, spawner.gid = config.uid(spawner), config.gid
    return spawner


def test_each_user_runs_under_a_uid_of_their_own_in_the_users_group():
    student_a, student_b = spawn(1, ["dlcourse-students"]), spawn(2, ["dlcourse-students"])
    assert student_a.uid != student_b.uid and min(student_a.uid, student_b.uid) >= 100000
    assert student_a.gid == values()["singleuser"]["fsGid"] == 100
    teacher = spawn(3, [INSTRUCTORS])
    assert teacher.uid not in {student_a.uid, student_b.uid, 0, 1000}


def test_only_instructors_get_the_instructor_config_and_role():
    student = spawn(1, ["dlcourse-students"]).environment["JUPYTER_CONFIG_PATH"].split(":")
    teacher = spawn(3, [INSTRUCTORS]).environment["JUPYTER_CONFIG_PATH"].split(":")
    assert student[0].endswith("/students") and "/students" not in " ".join(teacher)
    assert teacher[0] == "/home/jovyan/dlcourse" and teacher[1:] == student[1:]
    oauth = values()["hub"]["config"]["GenericOAuthenticator"]
    assert oauth["admin_groups"] == [INSTRUCTORS] and INSTRUCTORS in oauth["allowed_groups"]


def test_no_secret_is_in_the_values():
    hub = values()["hub"]
    oauth = hub["config"]["GenericOAuthenticator"]
    assert not {"client_id", "client_secret"} & set(oauth)
    assert hub["extraEnv"]["OAUTH_CLIENT_SECRET"]["valueFrom"]["secretKeyRef"]["name"] == "dlcourse-oauth"
    assert "cookieSecret" not in hub and "secretToken" not in values()["proxy"]


def test_resources_and_threads_fit_tensorflow_on_cpu():
    single = values()["singleuser"]
    # The measured peak of a Keras lesson's kernel is 1.4 GB (README.md): guarantee more than that.
    assert single["memory"]["guarantee"] == "2G" and single["memory"]["limit"] == "4G"
    limit = single["cpu"]["limit"]
    for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS"):
        assert int(single["extraEnv"][name]) == limit, name
    cull = values()["cull"]
    assert cull["enabled"] and cull["timeout"] == 3600 and cull["users"] is False


# -- the configuration each user gets, read by nbgrader, Jupyter Server and JupyterLab -----------------
PROBE = """
import json, os
from jupyter_core.paths import jupyter_path
from jupyter_server.serverapp import ServerApp
from jupyterlab_server.config import get_page_config
from nbgrader.apps import NbGrader
from nbgrader.coursedir import CourseDirectory

nbgrader = NbGrader()
nbgrader.load_config_file()
server = ServerApp()
server.initialize(argv=["--ServerApp.port=0", "--ServerApp.open_browser=False", "--ServerApp.root_dir=."])
print(json.dumps({
    "course_id": CourseDirectory(config=nbgrader.config).course_id,
    "exchange_root": nbgrader.config.Exchange.root,
    "server": {name: ext.enabled for name, ext in server.extension_manager.extensions.items()},
    "lab_disabled": get_page_config(jupyter_path("labextensions")).get("disabledExtensions", []),
}))
"""


def in_this_checkout(path: str) -> str:
    """A pod's path as this checkout holds it: the image's /opt/dlcourse is the repository (the
    Dockerfile copies classroom/jupyter there), and so is an instructor's clone ~/dlcourse."""
    return path.replace("/opt/dlcourse", str(REPO_ROOT)).replace("/home/jovyan/dlcourse", str(REPO_ROOT))


@pytest.fixture(scope="module")
def seen_by(tmp_path_factory):
    """What nbgrader, Jupyter Server and JupyterLab make of a student's and an instructor's pod."""
    home = tmp_path_factory.mktemp("home")
    seen = {}
    for who, groups in (("student", ["dlcourse-students"]), ("instructor", [INSTRUCTORS])):
        pod_env = spawn(5, groups).environment
        env = {**os.environ, **pod_env, "JUPYTER_CONFIG_PATH": in_this_checkout(pod_env["JUPYTER_CONFIG_PATH"]),
               "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
               "HOME": str(home)}
        result = subprocess.run([sys.executable, "-c", PROBE], cwd=home, env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        seen[who] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


def test_the_image_holds_the_classrooms_jupyter_config():
    steps = instructions()
    assert ("WORKDIR", "/opt/dlcourse") in steps and ("COPY", "classroom/jupyter ./classroom/jupyter") in steps
    paths = [spawn(5, groups).environment["JUPYTER_CONFIG_PATH"] for groups in ([], [INSTRUCTORS])]
    in_image = [folder for path in paths for folder in path.split(":") if folder.startswith("/opt/dlcourse/")]
    assert len(in_image) == 3 and all(Path(in_this_checkout(folder)).is_dir() for folder in in_image), in_image


def course_config() -> Config:
    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()


@pytest.mark.parametrize("who", ["student", "instructor"])
def test_nbgrader_sees_the_courses_id_and_the_shared_exchange(seen_by, who):
    assert seen_by[who]["course_id"] == course_config().CourseDirectory.course_id == "dlcourse"
    mounts = values()["singleuser"]["storage"]["extraVolumeMounts"]
    exchange = next(m["mountPath"] for m in mounts if m["name"] == "nbgrader-exchange")
    assert seen_by[who]["exchange_root"] == exchange


FORMGRADER = "nbgrader.server_extensions.formgrader"
TEACHING_PLUGINS = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                    "@jupyter/nbgrader:course-list"}


def test_students_get_fetch_and_submit_but_no_formgrader(seen_by):
    server = seen_by["student"]["server"]
    assert server[FORMGRADER] is False and server["nbgrader.server_extensions.course_list"] is False
    assert server["nbgrader.server_extensions.assignment_list"] is True
    assert TEACHING_PLUGINS <= set(seen_by["student"]["lab_disabled"])
    assert "@jupyter/nbgrader:assignment-list" not in seen_by["student"]["lab_disabled"]


def test_instructors_get_the_formgrader(seen_by):
    server = seen_by["instructor"]["server"]
    assert server[FORMGRADER] is True and server["nbgrader.server_extensions.course_list"] is True
    assert not TEACHING_PLUGINS & set(seen_by["instructor"]["lab_disabled"])


# -- the exchange volume ---------------------------------------------------------------------------------
def test_exchange_is_one_readwritemany_volume_that_every_pod_mounts():
    claim, job = yaml.safe_load_all(EXCHANGE.read_text())
    assert claim["kind"] == "PersistentVolumeClaim" and claim["spec"]["accessModes"] == ["ReadWriteMany"]
    storage = values()["singleuser"]["storage"]
    volume = next(v for v in storage["extraVolumes"] if v["name"] == "nbgrader-exchange")
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    mount = next(m["mountPath"] for m in storage["extraVolumeMounts"] if m["name"] == "nbgrader-exchange")
    pod = job["spec"]["template"]["spec"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    (container,) = pod["containers"]
    assert container["volumeMounts"][0]["mountPath"] == mount
    assert f"chmod 1777 {mount}" in container["command"][-1]


# -- the image ---------------------------------------------------------------------------------------------
def test_dockerfile_passes_hadolint():
    result = lint(tool("hadolint"), str(DOCKERFILE))
    assert result.returncode == 0, result.stdout + result.stderr


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [tuple(line.split(None, 1)) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_dockerfile_builds_the_course_image_without_solutions():
    steps = instructions()
    pins = (REPO_ROOT / "pyproject.toml").read_text()
    tf_version = re.search(r'"tensorflow==([\d.]+)"', pins).group(1)
    assert steps[0] == ("FROM", f"tensorflow/tensorflow:{tf_version}")
    runs = " ".join(arg for op, arg in steps if op == "RUN")
    assert "pip install --no-cache-dir -e ." in runs
    assert '--name dlcourse --display-name "Python 3 (dlcourse)"' in runs
    assert "@jupyter/nbgrader" in runs  # the build fails unless nbgrader's lab extension is enabled
    copied = [source for op, arg in steps if op == "COPY" for source in arg.split()[:-1]]
    for source in copied:
        assert (REPO_ROOT / source).exists(), source
    assert "course" in copied and not {"solutions", ".", "exercises"} & set(copied), copied
    users = [arg for op, arg in steps if op == "USER"]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert json.loads(dict(steps)["CMD"]) == ["jupyterhub-singleuser"]
    # The lessons the postStart hook copies are where the image puts them.
    hook = values()["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"][-1]
    assert ("WORKDIR", "/opt/dlcourse") in steps and ("COPY", "course ./course") in steps
    assert "/opt/dlcourse/course" in hook


def test_readme_gives_the_commands_with_these_files():
    readme = (K8S / "README.md").read_text()
    assert f"--version {CHART_VERSION}" in readme and "--values classroom/kubernetes/values.yaml" in readme
    assert "helm repo add jupyterhub https://hub.jupyter.org/helm-chart/" in readme
    assert "docker build -f classroom/kubernetes/Dockerfile" in readme
    assert "kubectl --namespace dlcourse apply -f classroom/kubernetes/exchange.yaml" in readme
    assert "kubectl --namespace dlcourse create secret generic dlcourse-oauth" in readme
    image = values()["singleuser"]["image"]
    assert f"{image['name']}:{image['tag']}" in readme
