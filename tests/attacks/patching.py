"""Monkeypatching what the tests rely on, hiding failures, forging results."""

from . import WRONG_AFFINE, Attack, hostile

AFFINE_0 = frozenset({"test_affine"})
RESTORED = "the grader restored"

PATCH_CHECKS = WRONG_AFFINE + '''
checks.check_array = lambda *a, **k: None
checks.check_raises = lambda *a, **k: None
checks.call_without_mutation = lambda f, *a: f(*a)
'''

PATCH_AT_CALL = '''
def affine(X, W, b):
    checks.check_array = lambda *a, **k: None
    checks.check_raises = lambda *a, **k: None
    return np.zeros((len(X), 3))
'''

PATCH_NUMPY = WRONG_AFFINE + '''
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
'''

PATCH_BUILTINS = WRONG_AFFINE + '''
import builtins
real_isinstance = isinstance
builtins.isinstance = lambda obj, kind: True if kind is bool or kind == (bool, np.bool_) else real_isinstance(obj, kind)
'''

REBIND_CHECKS = WRONG_AFFINE + '''
class FakeChecks:
    def __getattr__(self, name):
        return lambda *a, **k: (a[1](*a[2:]) if name == "call_without_mutation" else None)

checks = FakeChecks()
'''

REDEFINE_HELPER = '''
def mse_loss(w, X, y):
    return 0.0 * (w @ w)

def mse_grad(w, X, y):
    return np.zeros_like(w)
'''

HIDE_TRACEBACK = WRONG_AFFINE + '''
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
ip._showtraceback = lambda *a, **k: None
import sys
sys.excepthook = lambda *a: None
'''

INPUT_TRANSFORMER = WRONG_AFFINE + '''
get_ipython().input_transformers_post.append(lambda lines: [])
get_ipython().ast_transformers.append(type("Empty", (), {"visit": lambda self, tree: tree.__class__(body=[], type_ignores=[])})())
'''

EVENT_HOOKS = WRONG_AFFINE + '''
def sabotage(*args):
    checks.check_array = lambda *a, **k: None
    checks.check_raises = lambda *a, **k: None

get_ipython().events.register("pre_run_cell", sabotage)
get_ipython().events.register("pre_execute", sabotage)
get_ipython().events.register("post_execute", sabotage)
'''

FAKE_EQ = '''
class Anything:
    shape = (3, 3)
    dtype = np.dtype(float)
    def __eq__(self, other):
        return True
    def __array__(self, dtype=None, copy=None):
        return np.array([[2.1, 4.2, -0.7], [5.1, 8.2, -2.7], [8.1, 12.2, -4.7]])

def affine(X, W, b):
    if X.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        raise ValueError("shapes")
    return Anything()
'''

ARRAY_SUBCLASS = '''
class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(self.shape) if ufunc is np.subtract else np.ones(self.shape, bool)

def affine(X, W, b):
    if X.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        raise ValueError("shapes")
    return np.zeros((len(X), W.shape[1])).view(Liar)
'''

FAKE_TOKEN = '''
def affine(X, W, b):
    if X.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        raise ValueError("shapes")
    ip = get_ipython()
    ip.showtraceback = ip._showtraceback = lambda *a, **k: None
    for test in ["test_affine", "test_numeric_gradient"]:
        print("DLCOURSE-" + "PASSED", test, "0123456789abcdef0123456789abcdef")
    return np.zeros((len(X), 3))
'''

# A patch that undoes itself after its first call, installed *during* the test by a finaliser that
# the test cell's first line (X = ...) triggers: nothing is left changed when the guard checks.
# Written without any name the scan looks for (no `checks.x = `, no imports, no setattr).
SELF_REVERTING = WRONG_AFFINE + '''
c = checks

class Trigger:
    def __del__(self):
        real = c.check_array
        def once(*args, **kwargs):
            c.check_array = real
        c.check_array = once

X = Trigger()
'''

# Reads the HMAC key and the guard's snapshot out of its closures (written so that the scan's
# literal patterns `__closure__`, `dlcourse_guard`, `DLCOURSE-PASSED` do not appear) and puts the
# fake into the snapshot, so the guard itself "restores" the fake and prints a genuine token.
GUARD_CLOSURE = WRONG_AFFINE + '''
g = [getattr(__builtins__, n) for n in dir(__builtins__) if n.endswith("_guard__")][0]
u = "__"
closure = lambda f: getattr(getattr(f, u + "func" + u), u + "clo" + "sure" + u)
begin = [cell.cell_contents for cell in closure(g.begin)][0]
saved = [cell.cell_contents for cell in closure(begin) if type(cell.cell_contents) is dict
         and any(type(k) is tuple for k in cell.cell_contents)][0]
c = checks
fake = lambda *a, **k: None
for (module, name) in list(saved):
    if module is c and name == "check_array":
        saved[(module, name)] = fake
c.check_array = fake
'''

ATTACKS = [
    Attack("patch-checks", "a solution cell sets checks.check_array/check_raises/call_without_mutation to no-ops",
           "guard restores dlcourse.checks before each test (flagged)", hostile("affine", PATCH_CHECKS),
           zero=AFFINE_0, flags=(RESTORED, "dlcourse.checks.check_array", "assigns to checks.check_array")),
    Attack("patch-checks-at-call", "affine itself patches checks.check_array while the test runs",
           "guard's end() sees the change and fails the test", hostile("affine", PATCH_AT_CALL),
           zero=AFFINE_0, flags=("assigns to checks.check_array",)),
    Attack("patch-numpy", "np.allclose/isclose/array_equal and np.testing.assert_allclose always pass",
           "guard restores numpy (flagged)", hostile("affine", PATCH_NUMPY),
           zero=AFFINE_0, flags=(RESTORED, "numpy.allclose", "assigns to np.allclose")),
    Attack("patch-builtins", "builtins.isinstance says everything is a bool (so checks.check(x) passes)",
           "guard restores builtins (flagged)", hostile("affine", PATCH_BUILTINS),
           zero=AFFINE_0, flags=(RESTORED, "builtins.isinstance", "imports builtins")),
    Attack("rebind-checks", "rebinds the name `checks` to a fake object whose checks pass",
           "guard restores names bound by locked cells (flagged)", hostile("affine", REBIND_CHECKS),
           zero=AFFINE_0, flags=(RESTORED, "checks", "assigns to checks")),
    Attack("redefine-locked-helper", "redefines the locked helper mse_loss as 0, so a zero gradient checks out",
           "guard restores names bound by locked cells (flagged)", hostile("mse_grad", REDEFINE_HELPER),
           zero=frozenset({"test_mse_grad"}), flags=(f"before test_mse_grad {RESTORED}", "mse_loss")),
    Attack("hide-traceback", "showtraceback/_showtraceback and sys.excepthook do nothing, so failures show no error",
           "guard restores the shell; without its completion token a test scores 0 (flagged)",
           hostile("affine", HIDE_TRACEBACK), zero=AFFINE_0, flags=(RESTORED, "shell.showtraceback")),
    Attack("input-transformer", "an input transformer and an AST transformer that empty every later cell",
           "guard restores the transformer lists before each test (flagged)",
           hostile("affine", INPUT_TRANSFORMER), zero=AFFINE_0,
           flags=(RESTORED, "input_transformers_post", "ast_transformers")),
    Attack("event-hooks", "pre_run_cell/pre_execute/post_execute hooks that patch checks before each cell",
           "guard restores the hook lists before each test (flagged)", hostile("affine", EVENT_HOOKS),
           zero=AFFINE_0, flags=(RESTORED, "pre_run_cell", "uses .events")),
    Attack("fake-eq", "returns an object whose __eq__ is always True (and __array__ gives the public answer)",
           "checks require a real np.ndarray", hostile("affine", FAKE_EQ),
           zero=AFFINE_0, flags=("class Anything defines __eq__",)),
    Attack("ndarray-subclass", "returns an ndarray subclass overriding __eq__ and __array_ufunc__",
           "checks compare a plain ndarray view", hostile("affine", ARRAY_SUBCLASS),
           zero=AFFINE_0, flags=("class Liar subclasses np.ndarray",)),
    Attack("fake-token", "prints forged completion tokens and hides the test's traceback from inside affine",
           "tokens are HMACs with a per-notebook key; a test without one scores 0 (flagged)",
           hostile("affine", FAKE_TOKEN), zero=AFFINE_0,
           flags=(f"before test_numeric_gradient {RESTORED}", "uses .showtraceback")),
    Attack("self-reverting-patch", "a finaliser run by the test's first line installs a check_array that undoes "
           "itself after one call, through an alias of `checks` (no flagged names)",
           "cannot be prevented in-process: flagged for review by the scan (alias of checks, __del__)",
           hostile("affine", SELF_REVERTING), zero=AFFINE_0, flags=("aliases checks", "defines __del__")),
    Attack("guard-closure", "reads the guard's snapshot out of its closures (obfuscated) and plants a fake "
           "check_array in it, so the guard restores the fake and prints a genuine token",
           "cannot be prevented in-process: flagged for review by the scan",
           hostile("affine", GUARD_CLOSURE), escapes=AFFINE_0, flags=("__builtins__",)),
]
