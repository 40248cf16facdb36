"""Faking verdicts from inside the student's kernel: patching what tests use, forging what they see.

Since the tests run in the judge, none of this reaches a verdict; each attack still proves that its
exploit ran (``proof``), so a defence that merely stopped the attack code from running would fail.
"""

from . import ALL_PARTS, SECRET, WRONG_AFFINE, Attack, hostile

AFFINE_0 = frozenset({"test_affine"})

PATCH_CHECKS = WRONG_AFFINE + '''
checks.check_array = lambda *a, **k: None
checks.check_raises = lambda *a, **k: None
checks.call_without_mutation = lambda f, *a: f(*a)
EXPLOITS.append("patched checks")
'''

PATCH_AT_CALL = '''
def affine(X, W, b):
    checks.check_array = lambda *a, **k: None
    checks.check_raises = lambda *a, **k: None
    EXPLOITS.append("patched checks during the test")
    return np.zeros((len(X), 3))
'''

SWAP_CODE = WRONG_AFFINE + '''
def nothing(*args, **kwargs):
    return None

for name in ["check_array", "check_raises", "check_scalar", "check", "check_gradient"]:
    getattr(checks, name).__code__ = nothing.__code__
EXPLOITS.append("swapped code objects")
'''

PATCH_NUMPY = WRONG_AFFINE + '''
import numpy._core.numeric as numeric
np.allclose = lambda *a, **k: True
np.isclose = numeric.isclose = lambda a, b, *r, **k: np.ones(np.broadcast_shapes(np.shape(a), np.shape(b)), bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
EXPLOITS.append("patched numpy and numpy._core.numeric")
'''

PATCH_BUILTINS = WRONG_AFFINE + '''
import builtins
real_isinstance = isinstance
builtins.isinstance = lambda obj, kind: True if kind is bool or kind == (bool, np.bool_) else real_isinstance(obj, kind)
EXPLOITS.append("patched builtins")
'''

REBIND_CHECKS = WRONG_AFFINE + '''
class FakeChecks:
    def __getattr__(self, name):
        return lambda *a, **k: (a[1](*a[2:]) if name == "call_without_mutation" else None)

checks = FakeChecks()
EXPLOITS.append("rebound checks")
'''

REDEFINE_HELPER = '''
def mse_loss(w, X, y):
    return 0.0 * (w @ w)

def mse_grad(w, X, y):
    return np.zeros_like(w)

EXPLOITS.append("redefined mse_loss")
'''

# While the test runs, rebind whatever the caller's frames hold: the test's expected values, its
# `checks` and `np`. In one process this made a zero answer pass; with a judge the callers are the agent.
REBIND_CALLER = '''
import sys

class Yes:
    def __getattr__(self, name):
        return lambda *a, **k: None

def affine(X, W, b):
    frame = sys._getframe(1)
    while frame is not None:
        for name in ("checks", "expected", "Z2", "Z"):
            if name in frame.f_globals:
                frame.f_globals[name] = Yes() if name == "checks" else np.zeros((len(X), W.shape[1]))
                EXPLOITS.append("rebound " + name + " in a caller")
        frame = frame.f_back
    EXPLOITS.append("walked the callers")
    return np.zeros((len(X), W.shape[1]))
'''

# A float subclass that, when the test converts it, reads the expected value from the caller's frame.
FRAME_READER = '''
import sys

class Peek(float):
    def __float__(self):
        EXPLOITS.append("float conversion ran")
        frame = sys._getframe(1)
        while frame is not None:
            for value in frame.f_locals.values():
                if type(value) is float and value != 0:
                    return value
            frame = frame.f_back
        return 0.0

def cross_entropy(Z, y):
    return Peek(0.0)
'''

# Drop every error the kernel reports and turn failed replies into successes.
SESSION_FILTER = WRONG_AFFINE + '''
kernel = get_ipython().kernel
real_send = kernel.session.send

def forged(stream, msg_or_type, content=None, *args, **kwargs):
    kind = msg_or_type if isinstance(msg_or_type, str) else msg_or_type.get("msg_type")
    if kind == "error":
        return None
    if kind == "execute_reply" and content is not None:
        content = {**content, "status": "ok"}
    return real_send(stream, msg_or_type, content, *args, **kwargs)

kernel.session.send = forged
EXPLOITS.append("filtered the kernel's messages")
'''

HIDE_TRACEBACK = WRONG_AFFINE + '''
ip = get_ipython()
ip.showtraceback = ip._showtraceback = lambda *a, **k: None
import sys
sys.excepthook = lambda *a: None
EXPLOITS.append("hid tracebacks")
'''

# Empties every later cell the kernel is sent: the tests never reach the kernel, but the attacker's
# own later solution cells (and the agent's call) are emptied too, so every later part fails.
INPUT_TRANSFORMER = WRONG_AFFINE + '''
get_ipython().input_transformers_post.append(lambda lines: [])
EXPLOITS.append("emptied later cells")
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
    EXPLOITS.append("returned an object equal to anything")
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
    EXPLOITS.append("returned a lying ndarray subclass")
    return np.zeros((len(X), W.shape[1])).view(Liar)
'''

# A finaliser that the test's first line would trigger installs a check_array that undoes itself.
SELF_REVERTING = WRONG_AFFINE + '''
c = checks

class Trigger:
    def __del__(self):
        real = c.check_array
        def once(*args, **kwargs):
            c.check_array = real
        c.check_array = once
        EXPLOITS.append("self-reverting patch installed")

X = Trigger()
del X
'''

# The grader's agent lives in the kernel: make it answer every call of affine with the public
# test's expected values, whatever the inputs.
FORGE_AGENT = WRONG_AFFINE + '''
import sys
agent = sys.modules["autograder.agent"].AGENT
real_perform = agent.perform
public = np.array([[2.1, 4.2, -0.7], [5.1, 8.2, -2.7], [8.1, 12.2, -4.7]])

def perform(header, buffers):
    value = real_perform(header, buffers)
    target = getattr(agent.objects.get(header.get("id")), "__name__", "")
    if header.get("op") == "call" and target == "affine" and isinstance(value.get("result"), np.ndarray):
        EXPLOITS.append("forged an answer on the wire")
        return {"result": public, "mutated": []}
    return value

agent.perform = perform
'''

# Sends the judge a frame that claims to be a terabyte, then garbage: the judge must reject it and
# carry on with the next cell.
FLOOD_WIRE = '''
import struct, sys
wire = sys.modules["autograder.wire"]

def affine(X, W, b):
    peer = sys.modules["autograder.agent"].AGENT.peer
    peer.sock.sendall(struct.pack("!QI", 2**40, 10) + b"x" * 64)
    EXPLOITS.append("sent a terabyte header")
    return X @ W + b
'''

# Looks through the kernel's history and memory for the test's source while the test runs.
LEAK_HISTORY = SECRET + '''
import gc

def affine(X, W, b):
    ip = get_ipython()
    texts = [str(x) for x in ip.user_ns.get("In", [])] + [str(x) for x in ip.user_ns.get("_ih", [])]
    texts += [o for o in gc.get_objects() if type(o) is str and len(o) > 40][:200000]
    EXPLOITS.append("searched %d texts" % len(texts) if texts else "found no texts")
    if any(secret(t.encode()) for t in texts):
        EXPLOITS.append("found the hidden tests")
        return X @ W + b
    return np.zeros((len(X), W.shape[1]))
'''

ATTACKS = [
    Attack("patch-checks", "a solution cell sets checks.check_array/check_raises/call_without_mutation to no-ops",
           "the tests run in the judge, whose checks the kernel cannot reach", hostile("affine", PATCH_CHECKS),
           zero=AFFINE_0, proof=("PATCHED CHECKS",)),
    Attack("patch-checks-at-call", "affine itself patches checks.check_array while the test runs",
           "the judge's checks are in another process", hostile("affine", PATCH_AT_CALL),
           zero=AFFINE_0, proof=("PATCHED CHECKS DURING THE TEST",)),
    Attack("swap-code-objects", "replaces the __code__ of every check function with a no-op's",
           "the judge's checks are in another process", hostile("affine", SWAP_CODE),
           zero=AFFINE_0, proof=("SWAPPED CODE OBJECTS",)),
    Attack("patch-numpy", "np.allclose/isclose/array_equal, np.testing and numpy._core.numeric.isclose always pass",
           "the judge's numpy is its own", hostile("affine", PATCH_NUMPY),
           zero=AFFINE_0, proof=("PATCHED NUMPY AND NUMPY._CORE.NUMERIC",)),
    Attack("patch-builtins", "builtins.isinstance says everything is a bool (so checks.check(x) passes)",
           "the judge's builtins are its own", hostile("affine", PATCH_BUILTINS),
           zero=AFFINE_0, proof=("PATCHED BUILTINS",)),
    Attack("rebind-checks", "rebinds the name `checks` to a fake object whose checks pass",
           "names the judge's cells define are never looked up in the kernel", hostile("affine", REBIND_CHECKS),
           zero=AFFINE_0, proof=("REBOUND CHECKS",)),
    Attack("redefine-locked-helper", "redefines the locked helper mse_loss as 0, so a zero gradient checks out",
           "the judge runs locked cells itself; its mse_loss is the instructor's", hostile("mse_grad", REDEFINE_HELPER),
           zero=frozenset({"test_mse_grad"}), proof=("REDEFINED MSE_LOSS",)),
    Attack("rebind-caller-globals", "while the test calls affine, rebinds the expected values and `checks` in "
           "every calling frame's globals", "the callers in the kernel are the agent; the test's frames are "
           "in the judge", hostile("affine", REBIND_CALLER), zero=AFFINE_0, proof=("WALKED THE CALLERS",)),
    Attack("float-reads-caller", "returns a float subclass whose __float__ reads the expected value from the "
           "caller's frame", "values cross as plain data, converted in the kernel, where no expected value exists",
           hostile("cross_entropy", FRAME_READER), zero=frozenset({"test_cross_entropy"}),
           proof=("FLOAT CONVERSION RAN",)),
    Attack("session-filter", "filters the kernel's messages: drops errors and turns failed replies into successes",
           "test outcomes come from the judge, not the kernel's messages", hostile("affine", SESSION_FILTER),
           zero=AFFINE_0, proof=("FILTERED THE KERNEL'S MESSAGES",)),
    Attack("hide-traceback", "showtraceback/_showtraceback and sys.excepthook do nothing",
           "test errors are reported by the judge", hostile("affine", HIDE_TRACEBACK),
           zero=AFFINE_0, proof=("HID TRACEBACKS",)),
    Attack("input-transformer", "an input transformer that empties every later cell sent to the kernel",
           "tests never go to the kernel; the emptied agent call ends each test at once (the attacker's own "
           "later cells are emptied too)", hostile("affine", INPUT_TRANSFORMER), zero=ALL_PARTS,
           proof=("stopped answering the grader",)),
    Attack("fake-eq", "returns an object whose __eq__ is always True (and __array__ gives the public answer)",
           "objects that are not data stay in the kernel; checks need a real ndarray", hostile("affine", FAKE_EQ),
           zero=AFFINE_0, proof=("RETURNED AN OBJECT EQUAL TO ANYTHING",)),
    Attack("ndarray-subclass", "returns an ndarray subclass overriding __eq__ and __array_ufunc__",
           "arrays cross as raw bytes: the judge gets a plain ndarray", hostile("affine", ARRAY_SUBCLASS),
           zero=AFFINE_0, proof=("RETURNED A LYING NDARRAY SUBCLASS",)),
    Attack("self-reverting-patch", "a finaliser installs a check_array that undoes itself after one call",
           "the judge's checks are in another process", hostile("affine", SELF_REVERTING),
           zero=AFFINE_0, proof=("SELF-REVERTING PATCH INSTALLED",)),
    Attack("forge-agent", "patches the grader's agent in the kernel to answer every call of affine with the "
           "public test's expected values", "the hidden tests' inputs differ; the judge checks every answer",
           hostile("affine", FORGE_AGENT), zero=AFFINE_0, proof=("FORGED AN ANSWER ON THE WIRE",)),
    Attack("flood-wire", "sends the judge a frame header claiming a terabyte, then garbage",
           "the judge rejects oversized and malformed frames; that test fails, the next cells run",
           hostile("affine", FLOOD_WIRE), zero=AFFINE_0, proof=("SENT A TERABYTE HEADER",)),
    Attack("leak-history", "while the test runs, searches the kernel's input history and every string in memory "
           "for the hidden tests", "test sources never reach the kernel", hostile("affine", LEAK_HISTORY),
           zero=AFFINE_0, proof=("SEARCHED",)),
]
