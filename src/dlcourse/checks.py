"""Assertions for exercise test cells.

Every failure raises :class:`CheckFailure` (an ``AssertionError``) with a message a student can act
on. Messages describe *what* is wrong (type, shape, dtype, NaN, size of the error) and hint at *why*,
but never print the expected values.

Values are compared on a plain ``np.ndarray`` view of the student's result, so an ndarray subclass
cannot change the outcome by overriding ``__eq__`` or ufuncs.

Precision policy (one for the whole course, stated in every exercise's header): a value passes when
``|yours - exact| <= RTOL * (|exact| + scale)``, where ``scale`` is the size of the numbers the part
works with (by default the largest entry of the expected result). With ``RTOL = 1e-5`` a correct
float32 computation (about 7 significant digits) passes; a part that needs float64 says so.

Forbidden code: :func:`check_not_used` fails a part when the code of a student's function, or code
it uses, names something the part forbids (a helper that solves it, a library other than numpy). It
reads the student's code from :func:`student_sources`: what a grader set with
:func:`set_student_sources`, or else the IPython input history of the running kernel.
"""

from __future__ import annotations

import ast
import copy
import re
import symtable
import types
from typing import Any, Callable, Iterable, Mapping

import numpy as np

#: The relative accuracy every check asks for unless a test says otherwise (see the module docstring).
RTOL = 1e-5

#: Libraries an exercise that says "numpy only" forbids, with the reason a student is shown.
NUMPY_ONLY = types.MappingProxyType({
    name: "this exercise is numpy only"
    for name in ("scipy", "sklearn", "torch", "tensorflow", "keras", "jax", "autograd", "numdifftools",
                 "sympy")
})


class CheckFailure(AssertionError):
    """A test-cell check failed; the message is written for the student."""

    def _render_traceback_(self):
        """How IPython shows it: the test's lines down to the check that failed, and the message.

        The frames inside this module say nothing to a student, so the traceback stops before them.
        """
        from IPython import get_ipython  # called by IPython only, so it is loaded

        tb, last = self.__traceback__, None
        while tb is not None and tb.tb_frame.f_code.co_filename != __file__:
            last, tb = tb, tb.tb_next
        if last is not None:
            last.tb_next = None
        return get_ipython().InteractiveTB.structured_traceback(type(self), self, self.__traceback__)


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
    rtol: float = RTOL,
    atol: float | None = None,
    hint: str = "",
    scale: float | None = None,
) -> None:
    """Check type, shape, dtype, finiteness and values of an array against the expected one.

    Values pass when ``|actual - expected| <= rtol * |expected| + atol``. By default ``atol`` is
    ``rtol * scale``, and ``scale`` the largest finite magnitude in ``expected``: an entry near 0 in
    a result whose other entries are large need not be accurate relative to itself. ``hint`` is
    appended to a failure about the values: use it to point at the likely mistake.
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
        if atol is None:
            atol = rtol * (_size_of(expected) if scale is None else float(scale))
        if not np.allclose(actual, expected, rtol=rtol, atol=atol):
            wrong = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
            error = _relative_error(actual, expected, atol / rtol if rtol else 0.0)
            fail(
                f"{name} has the right shape, but {int(wrong.sum())} of {wrong.size} values are off "
                f"(largest relative error {error:.2g}; tolerance {rtol:g}). " + hint
            )
    elif not np.array_equal(actual, expected):
        fail(f"{name} has the right shape but the wrong values. " + hint)


def _size_of(expected: np.ndarray) -> float:
    """The largest finite magnitude in ``expected`` (0 when there is none)."""
    values = np.abs(np.asarray(expected, dtype=np.float64))
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else 0.0


def _relative_error(actual: np.ndarray, expected: np.ndarray, scale: float) -> float:
    """Largest ``|actual - expected| / (|expected| + scale)``, as the tolerance measures it."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(actual - expected) / np.maximum(np.abs(expected) + scale, 1e-300)
    return float(np.nanmax(error)) if error.size and not np.all(np.isnan(error)) else 0.0


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


def check_scalar(actual: Any, expected: float, name: str = "your result", rtol: float = RTOL,
                 atol: float | None = None, hint: str = "", scale: float | None = None) -> None:
    """Check a real number: a Python or numpy scalar (or 0-d array), finite, close to ``expected``.

    It passes when ``|actual - expected| <= rtol * |expected| + atol``; by default ``atol`` is
    ``rtol * scale`` and ``scale`` is ``|expected|`` (give the size of the numbers the value was
    computed from where cancellation can make the result much smaller than they are).
    """
    if isinstance(actual, np.ndarray) and actual.ndim > 0:
        fail(f"{name} is an array of shape {actual.shape}; it should be a single number. Did you forget to sum or average?")
    if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, (int, float, np.number, np.ndarray)):
        fail(f"{name} is a {type(actual).__name__}; it should be a number (float).")
    if isinstance(actual, np.ndarray) and not np.issubdtype(actual.dtype, np.number):
        fail(f"{name} is an array of dtype {actual.dtype}; it should be a number (float).")
    value = float(np.ndarray.view(np.asarray(actual), np.ndarray)) if isinstance(actual, np.ndarray) \
        else float(actual)
    if not np.isfinite(value):
        fail(f"{name} is {value}. Did exp() overflow or log() receive 0? Look for a numerically stable formulation.")
    if atol is None:
        atol = rtol * (abs(expected) if scale is None else float(scale))
    if not abs(value - expected) <= rtol * abs(expected) + atol:
        error = _relative_error(value, expected, atol / rtol if rtol else 0.0)
        fail(f"{name} is off (relative error {error:.2g}; tolerance {rtol:g}). " + hint)


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
    """Call ``func(*args)`` and fail if it changed any argument in place: an array, or a dict, list or
    tuple, or an array anywhere inside one (random generators are meant to advance and are not checked)."""
    before = [copy.deepcopy(a) for a in args]
    result = func(*args)
    for i, (old, new) in enumerate(zip(before, args)):
        if not _unchanged(old, new):
            fname = name or getattr(func, "__name__", "your function")
            fail(
                f"{fname} changed argument {i + 1} in place (or an array or entry inside it). Work on a copy "
                "(e.g. x = x - m instead of x -= m, a new dict instead of d[key] = ...) so the caller's data "
                "stays intact."
            )
    return result


def _unchanged(old: Any, new: Any) -> bool:
    """Whether ``new`` still equals ``old``, a deep copy taken before a call: arrays (values, shape and
    dtype), containers entry by entry, and numbers and strings in them (other objects are not compared)."""
    if isinstance(old, np.ndarray):
        return (isinstance(new, np.ndarray) and old.shape == new.shape and old.dtype == new.dtype
                and np.array_equal(old, new, equal_nan=True))
    if isinstance(old, dict):
        return isinstance(new, dict) and old.keys() == new.keys() and all(_unchanged(old[k], new[k]) for k in old)
    if isinstance(old, (list, tuple)):
        return len(old) == len(new) and all(_unchanged(a, b) for a, b in zip(old, new))
    if isinstance(old, (int, float, complex, str, bytes, np.number, np.bool_)) or old is None:
        return type(old) is type(new) and (old == new or old != old)  # old != old: NaN
    return True


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
    rtol: float = RTOL,
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


# --------------------------------------------------------------------------------------------------
# forbidden code: what a part says not to use
# --------------------------------------------------------------------------------------------------

#: The student's code as the grader gave it (see :func:`set_student_sources`); None: use the history.
GRADER_SOURCES: tuple[str, ...] | None = None


def set_student_sources(sources: Iterable[str] | None) -> None:
    """Tell :func:`check_not_used` which code is the student's (``None``: the IPython history again).

    A grader that runs the tests outside the student's kernel calls this with the sources of the
    submitted notebook's student-editable cells, in notebook order.
    """
    global GRADER_SOURCES
    GRADER_SOURCES = None if sources is None else tuple(str(source) for source in sources)


def student_sources() -> list[str]:
    """The student's code, one string per cell: what the grader set, else this kernel's input history.

    In a live notebook (and under plain nbgrader, which runs the notebook in one kernel) the history
    holds every cell run so far, in the order it ran, the running test cell last. Outside IPython,
    with nothing set, there is no code: an empty list.
    """
    if GRADER_SOURCES is not None:
        return list(GRADER_SOURCES)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the course
        return []
    shell = get_ipython()
    if shell is None:
        return []
    history = getattr(getattr(shell, "history_manager", None), "input_hist_parsed", None)
    if not isinstance(history, list):
        history = shell.user_ns.get("In", [])
    return [entry for entry in history if isinstance(entry, str) and entry.strip()]


def _parse(source: str) -> ast.Module | None:
    """A cell's code as an AST (IPython syntax such as magics transformed first); None if it does not parse."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):  # RecursionError: an expression nested too deeply
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(source))
    except Exception:  # noqa: BLE001 - a cell that cannot be read is skipped
        return None


def _module_level(statements: list[ast.stmt]):
    """Statements that run at module level, including those inside top-level if/try/with/for/while."""
    for statement in statements:
        yield statement
        if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            yield from _module_level(statement.body + statement.orelse)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            yield from _module_level(statement.body)
        elif isinstance(statement, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            handlers = [s for h in statement.handlers for s in h.body]
            yield from _module_level(statement.body + handlers + statement.orelse + statement.finalbody)
        elif isinstance(statement, ast.Match):
            yield from _module_level([s for case in statement.cases for s in case.body])


def _target_names(target: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(target) if isinstance(node, ast.Name)}


def _bound_names(statement: ast.stmt) -> set[str]:
    """Names a module-level statement binds (not descending into nested blocks)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        # a function that declares `global x` binds x when it runs
        declared = {name for node in ast.walk(statement) if isinstance(node, ast.Global) for name in node.names}
        return {statement.name} | declared
    if isinstance(statement, ast.Assign):
        return set().union(*(_target_names(t) for t in statement.targets))
    if isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        return _target_names(statement.target)
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {alias.asname or alias.name.split(".")[0] for alias in statement.names}
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return _target_names(statement.target)
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return set().union(set(), *(_target_names(i.optional_vars) for i in statement.items if i.optional_vars))
    if isinstance(statement, ast.Expr):  # a walrus at module level
        return {n.target.id for n in ast.walk(statement) if isinstance(n, ast.NamedExpr)}
    return set()


def _free_names(statement: ast.stmt) -> set[str]:
    """Names a module-level statement looks up in the module's namespace (its globals), when it runs
    and when the functions and classes it defines run; local variables are not among them."""
    try:
        table = symtable.symtable(ast.unparse(statement), "<cell>", "exec")
    except (SyntaxError, ValueError, RecursionError):
        return {node.id for node in ast.walk(statement) if isinstance(node, ast.Name)}
    names = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_referenced()}
    pending = list(table.get_children())
    while pending:
        child = pending.pop()
        names |= {symbol.get_name() for symbol in child.get_symbols() if symbol.is_global()}
        pending.extend(child.get_children())
    return names


def _docstrings(statement: ast.stmt) -> set[int]:
    """ids of the docstring constants in a statement (they may mention anything)."""
    found = set()
    for node in ast.walk(statement):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


_DOTTED = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*")


def _uses(statement: ast.stmt, forbidden: Mapping[str, str], own_name: str) -> list[str]:
    """The forbidden names a statement uses: as a name, an attribute, in an import, or as a string
    that spells a (dotted) name, e.g. ``getattr(checks, "numeric_gradient")``."""
    docstrings = _docstrings(statement)
    found = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            if node.id in forbidden and node.id != own_name:
                found.append(node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr in forbidden:
                found.append(node.attr)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            parts = (node.module or "").split(".") if isinstance(node, ast.ImportFrom) else []
            for alias in node.names:
                parts += alias.name.split(".") + ([alias.asname] if alias.asname else [])
            found += [part for part in parts if part in forbidden]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value.strip()
            if _DOTTED.fullmatch(text):
                found += [part for part in text.split(".") if part in forbidden]
    return found


def find_forbidden(function_name: str, forbidden: Mapping[str, str] | Iterable[str],
                   sources: Iterable[str] | None = None) -> list[tuple[str, str]] | None:
    """``(name, where)`` for each forbidden name that ``function_name``'s code, or code it uses, names.

    The code is the last module-level statement in ``sources`` (default :func:`student_sources`)
    that binds ``function_name`` (a ``def``, an assignment, an import), and, transitively, the last
    module-level binding of every global name that code looks up. Returns ``None`` when no binding
    of ``function_name`` is found.
    """
    if not isinstance(forbidden, Mapping):
        forbidden = {name: "" for name in forbidden}
    bindings: dict[str, list[ast.stmt]] = {}
    for source in student_sources() if sources is None else sources:
        tree = _parse(source)
        if tree is None:
            continue
        for statement in _module_level(tree.body):
            for name in _bound_names(statement):
                bindings.setdefault(name, []).append(statement)
    if function_name not in bindings:
        return None
    found: list[tuple[str, str]] = []
    seen_statements: set[int] = set()
    pending = [function_name]
    seen_names = {function_name}
    while pending:
        name = pending.pop(0)
        chain = bindings.get(name, [])
        # the last full binding, and augmented assignments after it (x += ... reads x too)
        start = max((i for i, s in enumerate(chain) if not isinstance(s, ast.AugAssign)), default=0)
        for statement in chain[start:]:
            if id(statement) in seen_statements:
                continue
            seen_statements.add(id(statement))
            where = function_name if name == function_name else name
            found += [(used, where) for used in _uses(statement, forbidden, function_name)]
            for free in sorted(_free_names(statement) - seen_names):
                if free in bindings:
                    seen_names.add(free)
                    pending.append(free)
    return found


def check_not_used(function_name: str, forbidden: Mapping[str, str] | Iterable[str], message: str = "",
                   sources: Iterable[str] | None = None) -> None:
    """Fail unless the student's ``function_name``, and the code it uses, avoid every forbidden name.

    ``forbidden`` maps a name (a function, an attribute such as ``checks.numeric_gradient``, a
    module such as ``scipy``) to the reason it is forbidden, which the message shows. A name counts
    as used where it appears as a name, an attribute, in an import, or spelled out in a string
    constant. ``message`` is added to the failure. The student's code comes from ``sources``, else
    :func:`student_sources`; when there is no code at all (plain Python, no grader) nothing is checked.
    """
    if sources is None:
        sources = student_sources()
        if not sources:
            return
    if not isinstance(forbidden, Mapping):
        forbidden = {name: "" for name in forbidden}
    found = find_forbidden(function_name, forbidden, sources)
    if found is None:
        fail(f"Could not find the code of your {function_name}: define it with `def {function_name}(...)` "
             "in its cell and run that cell. " + message)
    if found:
        used, where = found[0]
        place = f"Your {function_name}" + ("" if where == function_name else f" (through `{where}`, which it uses)")
        reason = forbidden.get(used, "")
        fail(f"{place} uses `{used}`" + (f": {reason}" if reason else "") + ". This part forbids it. " + message)
