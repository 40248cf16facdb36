"""dlcourse.checks: every check passes right answers, fails wrong ones, and never leaks the expected values."""

import ast
import re

import numpy as np
import pytest

from dlcourse import checks
from dlcourse.checks import CheckFailure

SECRET = np.array([[0.123456, 7.654321], [3.141593, 2.718282]])


def failure(func, *args, **kwargs) -> str:
    with pytest.raises(CheckFailure) as info:
        func(*args, **kwargs)
    message = str(info.value)
    for value in SECRET.ravel():
        assert f"{value:g}"[:5] not in message, f"message reveals an expected value: {message}"
    return message


def test_rel_error():
    assert checks.rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert checks.rel_error(1.0, 1.1) == pytest.approx(0.1 / 2.1)
    assert checks.rel_error(0.0, 0.0) == 0.0
    assert checks.rel_error([], []) == 0.0


def test_check_array_accepts_close_values_and_other_float_dtypes():
    checks.check_array(SECRET * (1 + 1e-9), SECRET)
    checks.check_array(SECRET.astype(np.float32), SECRET, rtol=1e-6)


@pytest.mark.parametrize("actual, words", [
    (SECRET.tolist(), "is a list, not a numpy array"),
    (tuple(SECRET), "tuple"),
    (SECRET.T.copy()[:1], "shape (1, 2)"),
    (np.round(SECRET).astype(int), "dtype int"),
    (np.where(SECRET > 3, np.nan, SECRET), "contains NaN in 2 place"),
    (np.where(SECRET > 3, np.inf, SECRET), "contains inf"),
    (SECRET + 0.01, "of 4 values are off"),
])
def test_check_array_names_the_problem(actual, words):
    assert words in failure(checks.check_array, actual, SECRET, "softmax(Z)")


def test_check_array_message_carries_name_and_hint():
    message = failure(checks.check_array, SECRET * 2, SECRET, "affine(X, W, b)", hint="Add the bias.")
    assert message.startswith("affine(X, W, b)") and message.endswith("Add the bias.")


def test_check_array_ignores_a_lying_subclass():
    class AlwaysEqual(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

        def __array_ufunc__(self, *args, **kwargs):
            return True

    fake = np.zeros_like(SECRET).view(AlwaysEqual)
    assert "values are off" in failure(checks.check_array, fake, SECRET)


def test_check_array_compares_non_numeric_arrays_exactly():
    checks.check_array(np.array(["a", "b"]), np.array(["a", "b"]))
    failure(checks.check_array, np.array(["a", "c"]), np.array(["a", "b"]))


def test_check_scalar():
    checks.check_scalar(0.5, 0.5)
    checks.check_scalar(np.float32(0.5), 0.5)
    checks.check_scalar(np.array(0.5), 0.5)
    assert "single number" in failure(checks.check_scalar, np.array([0.5, 0.5]), 0.5)
    assert "should be a number" in failure(checks.check_scalar, "0.5", 0.5)
    assert "should be a number" in failure(checks.check_scalar, True, 1.0)
    assert "nan" in failure(checks.check_scalar, float("nan"), 0.5)
    assert "relative error" in failure(checks.check_scalar, 0.6, 0.5)


def test_check_requires_a_real_true():
    checks.check(True, "never shown")
    checks.check(np.bool_(True), "never shown")
    assert failure(checks.check, False, "was false") == "was false"
    assert failure(checks.check, np.array([True, True]), "an array is not a bool") == "an array is not a bool"


def test_check_raises():
    def raises_value_error():
        raise ValueError("x")

    checks.check_raises(ValueError, raises_value_error, message="never shown")
    assert failure(checks.check_raises, ValueError, lambda: None, message="must raise") == "must raise"
    assert "raised KeyError instead" in failure(checks.check_raises, ValueError, {}.__getitem__, 1, message="must raise.")


def test_call_without_mutation():
    x = np.array([1.0, 2.0])
    assert checks.call_without_mutation(lambda a: a * 2, x).tolist() == [2.0, 4.0]

    def in_place(a):
        a -= 1
        return a

    assert "changed argument 1 in place" in failure(checks.call_without_mutation, in_place, x, name="softmax")
    nan = np.array([np.nan])
    checks.call_without_mutation(lambda a: a, nan)


@pytest.mark.parametrize("change", [
    lambda p: p["W"].__setitem__((0, 0), 9.0),  # an array inside a dict
    lambda p: p.__setitem__("W", p["W"] * 2),  # an entry replaced
    lambda p: p.__setitem__("extra", 1.0),  # an entry added
    lambda p: p.pop("b"),  # an entry removed
    lambda p: p["layers"][1].__setitem__(0, -1.0),  # an array inside a list inside the dict
    lambda p: p["layers"].append(np.zeros(1)),
    lambda p: p.__setitem__("t", p["t"] + 1),  # a counter in a state dict
    lambda p: p.__setitem__("b", p["b"].astype(np.float32)),  # an entry replaced by another dtype
])
def test_call_without_mutation_looks_inside_dicts_and_lists(change):
    def params():
        return {"W": np.ones((2, 2)), "b": np.zeros(2), "layers": [np.ones(1), np.ones(2)], "t": 3, "nan": np.nan,
                "rng": np.random.default_rng(0)}

    def student(p, rng):
        rng.random()  # generators advance: that is not a mutation
        p["rng"].random()
        return 0

    checks.call_without_mutation(student, params(), np.random.default_rng(1))
    assert "changed argument 1 in place" in failure(checks.call_without_mutation, lambda p: change(p), params())


def test_numeric_gradient_matches_analytic_and_leaves_x_alone():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    before = x.copy()
    grad = checks.numeric_gradient(lambda v: np.sum(np.sin(v) * v), x)
    np.testing.assert_allclose(grad, np.cos(x) * x + np.sin(x), rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_numeric_gradient_of_integer_input_is_float():
    grad = checks.numeric_gradient(lambda v: float(np.sum(v ** 2)), np.array([1, 2]))
    np.testing.assert_allclose(grad, [2.0, 4.0], rtol=1e-8)


def test_check_gradient():
    x = np.array([0.5, -1.5, 2.0])
    f = lambda v: np.sum(v ** 3)  # noqa: E731
    checks.check_gradient(f, 3 * x ** 2, x)
    assert "relative error" in failure(checks.check_gradient, f, 3 * x ** 2 + 0.1, x, hint="Check the power rule.")
    assert "shape" in failure(checks.check_gradient, f, (3 * x ** 2)[:, None], x)
    assert "relative error" in failure(checks.check_gradient, f, np.full(3, np.nan), x)
    assert "not a numpy array" in failure(checks.check_gradient, f, list(3 * x ** 2), x)


# ---------------------------------------------------------------- the precision policy

def test_tolerance_is_relative_to_the_size_of_the_result():
    expected = np.array([1000.0, 1e-3])
    checks.check_array(expected + [1e-3, 1e-3], expected)  # 1e-3 off a 1e-3 entry: within 1e-5 * 1000
    assert "1 of 2 values are off" in failure(checks.check_array, expected + [0.1, 0.0], expected)
    checks.check_array(expected.astype(np.float32), expected)  # float32 meets the policy
    assert checks.RTOL == 1e-5
    # an explicit scale or atol replaces the default
    failure(checks.check_array, expected + [0.0, 1e-3], expected, scale=1.0)
    checks.check_array(expected + [0.0, 1e-3], expected, atol=1e-2)


def test_check_scalar_tolerance_and_scale():
    checks.check_scalar(1.0 + 1e-6, 1.0)
    assert "relative error" in failure(checks.check_scalar, 1.0 + 1e-4, 1.0)
    # a loss that cancels from numbers in the thousands: the scale says how large they were
    checks.check_scalar(0.5 + 1e-3, 0.5, scale=1000.0)
    failure(checks.check_scalar, 0.5 + 1e-3, 0.5)
    checks.check_scalar(np.float32(0.5), 0.5)
    checks.check_scalar(np.array(0.5, dtype=np.float32), 0.5)
    assert "should be a number" in failure(checks.check_scalar, np.array("0.5"), 0.5)


# ---------------------------------------------------------------- forbidden code

IMPORTS = "import numpy as np\nfrom dlcourse import checks\n"
FORBIDDEN = {"numeric_gradient": "checks.numeric_gradient is the answer", "check_gradient": "", "scipy": "numpy only"}
OWN = '''
def numeric_gradient(f, x, h=1e-5):
    """Unlike checks.numeric_gradient, mine works on a copy."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        up = f(x)
        x[i] = saved - h
        grad[i] = (up - f(x)) / (2 * h)
        x[i] = saved
    return grad
'''


def not_used(*cells, name="numeric_gradient", forbidden=FORBIDDEN):
    checks.check_not_used(name, forbidden, sources=[IMPORTS, *cells])


def test_check_not_used_passes_code_of_ones_own():
    not_used(OWN)
    # recursion, a docstring naming the helper, a local variable named like a forbidden global
    not_used("def numeric_gradient(f, x, h=1e-5):\n    'calls numeric_gradient? no'\n"
             "    return np.zeros_like(x) if x.size == 0 else numeric_gradient(f, x[:0], h)\n")
    not_used("ng = checks.numeric_gradient\n", "def numeric_gradient(f, x, h=1e-5):\n    ng = np.gradient\n"
             "    return ng(x)\n")  # the local ng is not the global one
    # only the last definition counts (a fixed answer re-run after a forbidden one)
    not_used("def numeric_gradient(f, x, h=1e-5):\n    return checks.numeric_gradient(f, x, h)\n", OWN)
    # code elsewhere in the notebook, not used by the function, may use anything
    not_used(OWN, "g = checks.numeric_gradient(lambda v: v @ v, np.ones(3))\nimport scipy\n")


@pytest.mark.parametrize("cells, words", [
    (["def numeric_gradient(f, x, h=1e-5):\n    return checks.numeric_gradient(f, x, h)\n"],
     "Your numeric_gradient uses `numeric_gradient`: checks.numeric_gradient is the answer"),
    (["ng = checks.numeric_gradient\n\ndef numeric_gradient(f, x, h=1e-5):\n    return ng(f, x, h)\n"],
     "through `ng`"),
    (["from dlcourse.checks import numeric_gradient as ng\n", "def numeric_gradient(f, x, h=1e-5):\n    return ng(f, x, h)\n"],
     "through `ng`"),
    (["import dlcourse.checks as c\ndef numeric_gradient(f, x, h=1e-5):\n    return c.numeric_gradient(f, x, h)\n"],
     "uses `numeric_gradient`"),
    (["def numeric_gradient(f, x, h=1e-5):\n    return getattr(checks, 'numeric_gradient')(f, x, h)\n"],
     "uses `numeric_gradient`"),
    (["def helper(f, x, h):\n    return other(f, x, h)\n", "def other(f, x, h):\n    return checks.check_gradient\n",
      "def numeric_gradient(f, x, h=1e-5):\n    return helper(f, x, h)\n"], "through `other`"),
    (["from scipy.optimize import approx_fprime\n", "def numeric_gradient(f, x, h=1e-5):\n    return approx_fprime(x, f, h)\n"],
     "uses `scipy`: numpy only"),
    (["def numeric_gradient(f, x, h=1e-5):\n    import scipy.optimize as so\n    return so.approx_fprime(x, f, h)\n"],
     "uses `scipy`"),
    (["def numeric_gradient(f, x, h=1e-5):\n    return __import__('scipy.optimize').optimize.approx_fprime(x, f, h)\n"],
     "uses `scipy`"),
    (["class Grad:\n    def __call__(self, f, x, h=1e-5):\n        return checks.numeric_gradient(f, x, h)\n",
      "numeric_gradient = Grad()\n"], "through `Grad`"),
    (["def setup():\n    global ng\n    ng = checks.numeric_gradient\n", "setup()\n",
      "def numeric_gradient(f, x, h=1e-5):\n    return ng(f, x, h)\n"], "through `ng`"),
    (["if True:\n    from scipy import optimize\n", "def numeric_gradient(f, x, h=1e-5):\n    return optimize.approx_fprime(x, f, h)\n"],
     "uses `scipy`"),
    (["def numeric_gradient(f, x, h=1e-5, g=checks.numeric_gradient):\n    return g(f, x, h)\n"],
     "uses `numeric_gradient`"),
])
def test_check_not_used_finds_forbidden_code(cells, words):
    assert words in failure(not_used, *cells)


def test_check_not_used_for_other_functions_forbids_the_name_itself():
    # in mse_grad, a call of the student's own numeric_gradient is a finite difference too
    cells = [OWN, "def mse_grad(w, X, y):\n    return numeric_gradient(lambda v: v @ v, w)\n"]
    assert "Your mse_grad uses `numeric_gradient`" in failure(not_used, *cells, name="mse_grad")
    not_used(OWN, "def mse_grad(w, X, y):\n    return X.T @ (X @ w - y) / len(y)\n", name="mse_grad")


def test_check_not_used_reads_ipython_syntax_and_skips_what_does_not_parse():
    cells = ["%matplotlib inline\nng = checks.numeric_gradient\n", "this is not python (", "!ls\n",
             "def numeric_gradient(f, x, h=1e-5):\n    return ng(f, x, h)\n"]
    assert "through `ng`" in failure(not_used, *cells)


def test_check_not_used_without_a_definition_fails_and_without_code_passes():
    assert "Could not find the code of your numeric_gradient" in failure(not_used, "x = 1\n")
    checks.set_student_sources(None)
    try:
        checks.check_not_used("numeric_gradient", FORBIDDEN)  # no IPython here, nothing set: nothing to check
    finally:
        checks.set_student_sources(None)


def test_numpy_only_names_the_other_libraries_and_cannot_be_changed():
    assert {"scipy", "sklearn", "torch", "tensorflow", "keras", "jax"} <= set(checks.NUMPY_ONLY)
    with pytest.raises(TypeError):
        checks.NUMPY_ONLY["scipy"] = "allowed"  # type: ignore[index]
    assert "numpy only" in failure(checks.check_not_used, "softmax", checks.NUMPY_ONLY,
                                   sources=["import torch\ndef softmax(Z):\n    return torch.softmax(Z, -1)\n"])


def test_student_sources_set_by_the_grader_win():
    checks.set_student_sources(["def f():\n    return 1\n"])
    try:
        assert checks.student_sources() == ["def f():\n    return 1\n"]
        checks.check_not_used("f", FORBIDDEN)
        checks.set_student_sources(["import scipy\ndef f():\n    return scipy\n"])
        assert "uses `scipy`" in failure(checks.check_not_used, "f", FORBIDDEN)
    finally:
        checks.set_student_sources(None)
    assert checks.student_sources() == []  # no grader, no IPython: nothing


def test_student_sources_fall_back_to_the_ipython_history():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("import numpy as np\nfrom dlcourse import checks", store_history=True)
        shell.run_cell("%config InteractiveShell.ast_node_interactivity = 'last_expr'\n"
                       "ng = checks.numeric_gradient", store_history=True)
        shell.run_cell("def numeric_gradient(f, x, h=1e-5):\n    return ng(f, x, h)", store_history=True)
        assert any("def numeric_gradient" in source for source in checks.student_sources())
        assert "through `ng`" in failure(checks.check_not_used, "numeric_gradient", FORBIDDEN)
        shell.run_cell(OWN, store_history=True)  # the student fixes it and runs the cell again
        checks.check_not_used("numeric_gradient", FORBIDDEN)
        # in a kernel, a function the history never defined is a failure, not a pass
        assert "Could not find the code of your affine" in failure(checks.check_not_used, "affine", FORBIDDEN)
        # what the grader sets replaces the history
        checks.set_student_sources(["def numeric_gradient(f, x, h=1e-5):\n    return checks.numeric_gradient(f, x)\n"])
        failure(checks.check_not_used, "numeric_gradient", FORBIDDEN)
    finally:
        checks.set_student_sources(None)
        InteractiveShell.clear_instance()


def test_check_not_used_skips_code_too_deep_to_parse():
    deep = "total = " + "+".join(["1"] * 5000) + "\n"
    with pytest.raises(RecursionError):
        ast.parse(deep)  # the case is real: Python's parser gives up on it
    checks.check_not_used("f", {"numeric_gradient": "write it yourself"},
                          sources=["def f(x):\n    return 2 * x\n", deep])


def test_a_failed_check_shows_the_test_line_and_the_message_not_the_checks_module(capsys):
    """In a notebook, a failing test cell's traceback ends at the check it called (IPython's _render_traceback_)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("import numpy as np\nfrom dlcourse import checks")
        failed = shell.run_cell("z = np.zeros(3)\nchecks.check_array(z, np.ones(3), name='your softmax')")
        assert isinstance(failed.error_in_exec, CheckFailure)
        other = shell.run_cell("checks.call_without_mutation(int, 'x')")  # the student's own error: all of it
        assert isinstance(other.error_in_exec, ValueError)
    finally:
        InteractiveShell.clear_instance()
    shown = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    failure, student_error = shown.split("ValueError", 1)
    assert "checks.check_array(z, np.ones(3), name='your softmax')" in failure
    assert "CheckFailure: your softmax has the right shape, but 3 of 3 values are off" in failure
    assert "checks.py" not in failure and "def check_array" not in failure
    assert "checks.py" in student_error  # other errors keep every frame
