"""The widgets package as a whole: its layout, the names lessons import, and that nothing in dlcourse
hands students an exercise's answer. Each topic's explorers are tested in tests/test_widgets_<topic>.py."""

import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import dlcourse
from dlcourse import widgets as W

REPO_ROOT = Path(__file__).resolve().parent.parent
PARTS_01 = {"affine", "numeric_gradient", "mse_grad", "softmax", "cross_entropy", "neuron_grad"}
# Visible tests call checks.numeric_gradient, and checks.check_not_used fails a part that uses it.
ALLOWED = {("dlcourse.checks", "numeric_gradient")}


def exercise_functions() -> set[str]:
    """Names of the functions the exercises ask students to write (defined in solution cells)."""
    names = set(PARTS_01)
    for path in (REPO_ROOT / "solutions").rglob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                names |= set(re.findall(r"^def (\w+)", "".join(cell["source"]), flags=re.M))
    return names


def test_exercise_names_are_read_from_the_solutions():
    assert PARTS_01 <= exercise_functions()


def test_nothing_in_dlcourse_exports_an_exercise_answer():
    """AUTHORING.md: nothing an exercise asks a student to write may be importable from dlcourse."""
    import dlcourse

    answers = exercise_functions()
    modules = [dlcourse] + [importlib.import_module(m.name)
                            for m in pkgutil.walk_packages(dlcourse.__path__, "dlcourse.")]
    assert {"dlcourse.checks", "dlcourse.widgets.linear_algebra", "dlcourse.widgets.calculus",
            "dlcourse.widgets.probability"} <= {m.__name__ for m in modules}
    offenders = []
    for module in modules:
        public = {n for n in dir(module) if not n.startswith("_")} | set(getattr(module, "__all__", []))
        for name in sorted(public):
            value = getattr(module, name, None)
            if not callable(value):
                continue
            for answer in {name, getattr(value, "__name__", "")} & answers:
                if (module.__name__, answer) not in ALLOWED:
                    offenders.append(f"{module.__name__}.{name} ({answer})")
    assert not offenders, f"dlcourse exports exercise answers: {offenders}"


def test_widgets_package_keeps_the_names_lessons_import():
    for name in ["matrix_explorer", "gradient_explorer", "softmax_explorer", "transform_points", "determinant",
                 "eigen_directions", "describe_matrix", "LETTER_F", "FUNCTIONS", "evaluate", "gradient",
                 "directional_derivative", "entropy"]:
        assert name in W.__all__ and hasattr(W, name), name
    assert not hasattr(W, "softmax") and not hasattr(W, "naive_softmax")
    for module in (W.linear_algebra, W.calculus, W.probability):
        for name in module.__all__:
            assert getattr(W, name) is getattr(module, name)
    from dlcourse.widgets import _common

    # the plumbing is shared, not copied; each explorer lives in its topic's module
    assert W.linear_algebra._show is W.calculus._show is W.probability._show is _common._show
    assert inspect.getmodule(W.softmax_explorer) is W.probability
    assert inspect.getmodule(W.matrix_explorer) is W.linear_algebra
    assert inspect.getmodule(W.gradient_explorer) is W.calculus


def test_every_topic_module_is_re_exported():
    modules = {m.name for m in pkgutil.iter_modules(W.__path__) if not m.name.startswith("_")}
    assert modules == {topic.__name__.rsplit(".", 1)[1] for topic in W.TOPICS}, "add the module to widgets.TOPICS"
    for topic in W.TOPICS:
        for name in topic.__all__:
            assert getattr(W, name) is getattr(topic, name), f"{topic.__name__}.{name} is not re-exported"


def test_pyproject_packages_include_every_dlcourse_subpackage():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    src = REPO_ROOT / "src" / "dlcourse"
    for init in src.rglob("__init__.py"):
        package = ".".join(("dlcourse", *init.parent.relative_to(src).parts))
        assert package in config["packages"], f"{package} is missing from [tool.setuptools] packages"


def test_importing_any_dlcourse_module_leaves_the_deep_learning_frameworks_unimported():
    """Lessons import dlcourse in their first cells: that must stay cheap (Keras and TensorFlow load
    where a lesson or a graded part asks for them)."""
    modules = sorted(m.name for m in pkgutil.walk_packages(dlcourse.__path__, "dlcourse."))
    code = (f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'jax', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "dlcourse.widgets.convolution" in modules and out.strip() == "[]"
