"""Assertions for exercise test cells.

Every failure raises :class:`CheckFailure` (an ``AssertionError``) with a message a student can act
on. Messages describe *what* is wrong (type, shape, dtype, NaN, size of the error) and hint at *why*,
but never print the expected values.

Values are compared on a plain ``np.ndarray`` view of the student's result, so an ndarray subclass
cannot change the outcome by overriding ``__eq__`` or ufuncs.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np


class CheckFailure(AssertionError):
    """A test-cell check failed; the message is written for the student."""


def fail(message: str) -> None:
    raise CheckFailure(message)


def check(condition: Any, message: str) -> None:
    """Fail with ``message`` unless ``condition`` is exactly ``True`` (numpy bools included)."""
    if not (isinstance(condition, (bool, np.bool_)) and bool(condition)):
        fail(message)


def rel_error(x: Any, y: Any) -> float:
    """Largest elementwise relative error ``|x - y| / max(|x| + |y|, 1e-12)``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size == 0 and y.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(np.abs(x) + np.abs(y), 1e-12)))


def as_plain_array(value: Any, name: str = "your result") -> np.ndarray:
    """The student's ndarray as a plain ``np.ndarray`` view; fails for lists, scalars and other types."""
    if not isinstance(value, np.ndarray):
        kind = type(value).__name__
        hint = " (a tuple?)" if isinstance(value, tuple) else ""
        fail(f"{name} is a {kind}{hint}, not a numpy array. Return an np.ndarray, e.g. with np.asarray(...).")
    return np.ndarray.view(value, np.ndarray)


def check_array(
    actual: Any,
    expected: Any,
    name: str = "your result",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    hint: str = "",
) -> None:
    """Check type, shape, dtype, finiteness and values of an array against the expected one.

    ``hint`` is appended to a failure about the values: use it to point at the likely mistake.
    """
    actual = as_plain_array(actual, name)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        fail(
            f"{name} has shape {actual.shape}, but the shape should be {expected.shape}. "
            "Check which axes you multiply, sum or index over, and whether broadcasting stretched an array."
        )
    if np.issubdtype(expected.dtype, np.floating) and not np.issubdtype(actual.dtype, np.floating):
        fail(
            f"{name} has dtype {actual.dtype}, but it should hold floating-point numbers. "
            "Did an integer array (np.zeros_like of an int input, or // division) truncate the values?"
        )
    if np.issubdtype(actual.dtype, np.number) and np.issubdtype(expected.dtype, np.number):
        _check_finite(actual, expected, name)
        if not np.allclose(actual, expected, rtol=rtol, atol=atol):
            wrong = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
            fail(
                f"{name} has the right shape, but {int(wrong.sum())} of {wrong.size} values are off "
                f"(largest relative error {rel_error(actual, expected):.2g}; tolerance rtol={rtol:g}). "
                + hint
            )
    elif not np.array_equal(actual, expected):
        fail(f"{name} has the right shape but the wrong values. " + hint)


def _check_finite(actual: np.ndarray, expected: np.ndarray, name: str) -> None:
    if not np.issubdtype(actual.dtype, np.inexact):
        return
    bad = ~np.isfinite(actual) & np.isfinite(expected)
    if bad.any():
        what = "NaN" if np.isnan(actual[bad]).any() else "inf"
        fail(
            f"{name} contains {what} in {int(bad.sum())} place(s) where a finite number is expected. "
            "Did exp() overflow or log() receive 0? Look for a numerically stable formulation."
        )


def check_scalar(actual: Any, expected: float, name: str = "your result", rtol: float = 1e-6,
                 atol: float = 1e-8, hint: str = "") -> None:
    """Check a real number: a Python or numpy scalar (or 0-d array), finite, close to ``expected``."""
    if isinstance(actual, np.ndarray) and actual.ndim > 0:
        fail(f"{name} is an array of shape {actual.shape}; it should be a single number. Did you forget to sum or average?")
    if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, (int, float, np.number, np.ndarray)):
        fail(f"{name} is a {type(actual).__name__}; it should be a number (float).")
    value = float(np.asarray(actual))
    if not np.isfinite(value):
        fail(f"{name} is {value}. Did exp() overflow or log() receive 0? Look for a numerically stable formulation.")
    if not np.isclose(value, expected, rtol=rtol, atol=atol):
        fail(f"{name} is off (relative error {rel_error(value, expected):.2g}; tolerance rtol={rtol:g}). " + hint)


def check_raises(exception: type[BaseException], func: Callable, *args: Any, message: str) -> None:
    """Check that ``func(*args)`` raises ``exception``; ``message`` explains when it must."""
    try:
        func(*args)
    except exception:
        return
    except Exception as err:  # a different error is a failure too, with its type named
        fail(f"{message} It raised {type(err).__name__} instead.")
    fail(message)


def call_without_mutation(func: Callable, *args: Any, name: str | None = None) -> Any:
    """Call ``func(*args)`` and fail if it changed any of its array arguments in place."""
    before = [copy.deepcopy(a) for a in args]
    result = func(*args)
    for i, (old, new) in enumerate(zip(before, args)):
        if isinstance(old, np.ndarray) and not np.array_equal(old, new, equal_nan=True):
            fname = name or getattr(func, "__name__", "your function")
            fail(
                f"{fname} changed argument {i + 1} in place. Work on a copy "
                "(e.g. x = x - m instead of x -= m) so the caller's data stays intact."
            )
    return result


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x`` (any shape; ``x`` is not changed).

    Each partial derivative is ``(f(x + h e_i) - f(x - h e_i)) / (2h)``: its error shrinks like h**2.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        f_plus = float(f(x))
        x[index] = saved - h
        f_minus = float(f(x))
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def check_gradient(
    f: Callable[[np.ndarray], float],
    gradient: Any,
    x: np.ndarray,
    name: str = "your gradient",
    rtol: float = 1e-5,
    h: float = 1e-5,
    hint: str = "",
) -> None:
    """Compare an analytic ``gradient`` of ``f`` at ``x`` with the central-difference gradient."""
    numeric = numeric_gradient(f, x, h)
    gradient = as_plain_array(gradient, name)
    if gradient.shape != numeric.shape:
        fail(f"{name} has shape {gradient.shape}; a gradient has the shape of the variable, {numeric.shape}.")
    error = rel_error(gradient, numeric)
    if not np.all(np.isfinite(gradient)) or error > rtol:
        fail(
            f"{name} disagrees with a numeric (central-difference) gradient: relative error {error:.2g}, "
            f"tolerance {rtol:g}. " + hint
        )
