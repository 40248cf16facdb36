"""dlcourse.checks: every check passes right answers, fails wrong ones, and never leaks the expected values."""

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
