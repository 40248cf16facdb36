"""The judge and its wire, in one process: a Judge in the main thread and an Agent in another.

What crosses is data or a handle, never code; in-place changes are mirrored; callbacks work; the
student's errors keep their builtin type; hidden tests keep their code and the student's messages
out of the error; time limits and dead kernels end a cell, not the judge.
"""

from __future__ import annotations

import ast
import itertools
import os
import tempfile
import socket
import struct
import threading

import numpy as np
import pytest

from autograder import wire
from autograder.agent import Agent, as_array
from autograder.judge import Judge, free_names, serve, split_hidden


def roundtrip(value):
    buffers: list = []
    tree = wire.encode(value, buffers, lambda obj: pytest.fail(f"not data: {obj!r}"))
    return wire.decode(tree, [bytes(b) for b in buffers], lambda tag: pytest.fail(f"tag {tag}"))


@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 1.5, float("inf"), 2 - 1j, "héllo", b"\0\1", [1, (2.0, "x")], {"a": [1], 2: None},
    np.arange(6, dtype=np.int16).reshape(2, 3), np.array([[np.nan, 1.0]], dtype=np.float32), np.float32(2.5),
    np.bool_(True), np.zeros((0, 3)), np.array(2.5), np.arange(12.0).reshape(3, 4).T[::2], slice(1, None, 2), Ellipsis,
])
def test_data_crosses_by_value(value):
    back = roundtrip(value)
    if isinstance(value, np.ndarray):
        assert type(back) is np.ndarray and back.dtype == value.dtype and back.shape == value.shape
        assert np.array_equal(back, value, equal_nan=True) and back.flags.writeable
    else:
        assert type(back) is type(value) and (back == value or back != back)


def test_subclasses_and_objects_are_not_data():
    class Sneaky(np.ndarray):
        pass

    others = []
    buffers: list = []
    for value in (np.arange(3).view(Sneaky), np.array([object()]), lambda: 1, type("F", (float,), {})(1.0)):
        wire.encode(value, buffers, lambda obj: others.append(obj) or {"$": "x"})
    assert len(others) == 4


@pytest.mark.parametrize("tree", [
    {"$": "array", "dtype": "O", "shape": [1], "b": 0},
    {"$": "array", "dtype": "<f8", "shape": [3], "b": 0},
    {"$": "array", "dtype": "(2,)f8", "shape": [], "b": 0},
    {"$": "array", "dtype": "<f8", "shape": [1], "b": 5},
    {"$": "float", "v": "1e999"},
    [1, 2],
])
def test_malformed_data_is_rejected(tree):
    with pytest.raises(wire.WireError):
        wire.decode(tree, [b"\0" * 8], lambda tag: (_ for _ in ()).throw(wire.WireError("tag")))


def test_oversized_and_malformed_frames_are_rejected():
    left, right = socket.socketpair()
    peer = wire.Peer(right, lambda h, b: ({}, []), max_frame=1000)
    left.sendall(struct.pack("!QI", 10**9, 10))
    with pytest.raises(wire.WireError, match="over the limit"):
        peer.receive()
    left.sendall(struct.pack("!QI", 14, 10) + b"not json!!")
    with pytest.raises(wire.WireError, match="header"):
        peer.receive()
    left.close()
    with pytest.raises(wire.Closed):
        peer.receive()


def test_free_names_and_hidden_parts():
    source = "x = f(a)\ndef g(v):\n    return h(v) + x\n### BEGIN HIDDEN TESTS\ny = k(1)\n### END HIDDEN TESTS\n"
    assert free_names(ast.parse(source)) == {"f", "a", "h", "k"}
    (visible, shown), (hidden, secret) = split_hidden(source)
    assert not shown and secret
    assert "k(1)" not in visible and "k(1)" in hidden and "f(a)" not in hidden
    assert visible.count("\n") == hidden.count("\n")  # line numbers stay the cell's


STUDENT = '''
import numpy as np

def scale(x, factor):
    return x * factor

def clobber(x):
    x[...] = 0
    return x.sum()

def grow(items, state):
    items.append(len(items))
    state["calls"] = state.get("calls", 0) + 1

def apply(f, x):
    return f(x) + f(2 * x)

def draw(rng):
    return rng.normal(size=3)

def shout(text):
    raise ValueError("bad " + text)

class Oops(ValueError):
    pass

def oops():
    raise Oops("custom")

def slow():
    import time
    start = time.monotonic()
    while time.monotonic() - start < 1.5:
        pass

class Model:
    units = 4
    def count(self):
        return 12

def make():
    return Model()

def build(units, seed):
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(units, activation="relu"), keras.layers.Dense(2)])

class Sub(np.ndarray):
    def __eq__(self, other):
        return True

def sneaky():
    return np.zeros(2).view(Sub)
'''


@pytest.fixture
def judge(tmp_path):
    namespace: dict = {}
    exec(STUDENT, namespace)
    judge = Judge(str(tmp_path / "judge.sock"))
    agent = Agent(namespace)
    judge.namespace["np"] = np

    def serve(path, nonce):
        try:
            agent.serve(path, nonce)
        except OSError:  # the judge hung up after a time limit
            pass

    nonces = itertools.count()

    def run(source, timeout=10.0):
        nonce = f"cell-{next(nonces)}"
        thread = threading.Thread(target=serve, args=(str(tmp_path / "judge.sock"), nonce), daemon=True)
        thread.start()
        result = judge.run({"source": source, "timeout": timeout, "nonce": nonce})
        thread.join(5)
        return result

    yield run
    judge.server.close()


def ok(result):
    assert result["error"] is None, result["error"]
    return result


def test_student_functions_are_called_with_data(judge):
    ok(judge("out = scale(np.arange(3.0), 2)\nassert type(out) is np.ndarray and out.tolist() == [0, 2, 4]"))


def test_read_only_arguments_stay_read_only(judge):
    error = judge("a = np.ones(3)\na.flags.writeable = False\nclobber(a)")["error"]
    assert error["ename"] == "ValueError" and "read-only" in error["evalue"]


def test_in_place_changes_are_mirrored(judge):
    ok(judge("a = np.ones(3)\ns = clobber(a)\nassert s == 0 and a.tolist() == [0, 0, 0]\n"
             "items, state = [1], {}\ngrow(items, state)\nassert items == [1, 1] and state == {'calls': 1}"))


def test_callbacks_and_generators(judge):
    ok(judge("calls = []\ndef f(v):\n    calls.append(v)\n    return float(v) ** 2\n"
             "assert apply(f, 3.0) == 45.0 and calls == [3.0, 6.0]"))
    ok(judge("rng = np.random.default_rng(7)\nfirst = draw(rng)\n"
             "expected = np.random.default_rng(7).normal(size=3)\nassert np.allclose(first, expected)\n"
             "assert np.allclose(rng.normal(size=3), np.random.default_rng(7).normal(size=6)[3:])"))


def test_objects_stay_behind_handles(judge):
    ok(judge("m = make()\nassert type(m).__name__ == 'Model' and m.units == 4 and m.count() == 12\n"
             "assert not isinstance(m, np.ndarray)"))
    ok(judge("s = sneaky()\nassert type(s) is np.ndarray and not (s == np.ones(2)).all()"))


def test_a_keras_model_is_probed_through_its_handle(judge):
    ok(judge("m = build(8, 0)\nassert type(m).__name__ == 'Sequential' and m.count_params() == 4 * 8 + 8 + 8 * 2 + 2\n"
             "assert m.get_config()['layers'][1]['config']['activation'] == 'relu'\n"
             "assert [type(layer).__name__ for layer in m.layers] == ['Dense', 'Dense']\n"
             "out = np.asarray(m(np.ones((3, 4), dtype='float32')))\n"
             "assert type(out) is np.ndarray and out.shape == (3, 2) and out.dtype == np.float32"))


def test_student_errors_keep_their_type_but_hidden_ones_their_message(judge):
    ok(judge("try:\n    shout('x')\nexcept ValueError as e:\n    assert 'bad x' in str(e)\nelse:\n    raise AssertionError"))
    visible = judge("shout('visible')")["error"]
    assert visible["ename"] == "ValueError" and "bad visible" in visible["evalue"]
    assert any("in shout" in line for line in visible["traceback"])
    assert judge("oops()")["error"]["ename"] == "Oops"
    assert judge("### BEGIN HIDDEN TESTS\noops()\n### END HIDDEN TESTS")["error"]["ename"] == "ValueError"
    hidden = judge("x = 1\n### BEGIN HIDDEN TESTS\nshout('SECRET-INPUT')\n### END HIDDEN TESTS")["error"]
    assert hidden["ename"] == "ValueError"
    assert "SECRET" not in str(hidden) and "hidden test" in hidden["evalue"]


def test_failed_hidden_assertion_shows_its_message_but_no_code(judge):
    error = judge("assert True\n### BEGIN HIDDEN TESTS\nsecret_value = 12345\nassert False, 'off'\n"
                  "### END HIDDEN TESTS")["error"]
    assert "off" in error["evalue"] and "12345" not in str(error) and "secret_value" not in str(error)
    visible = judge("value = 1\nassert value == 2, 'wrong value'")["error"]
    assert "line 2: assert value == 2" in "\n".join(visible["traceback"])


def test_a_time_limit_ends_the_cell_not_the_judge(judge):
    error = judge("slow()", timeout=0.5)["error"]
    assert error["ename"] == "TimeoutError"
    ok(judge("assert scale(1, 2) == 2"))


def test_a_warning_in_a_test_is_shown_but_decides_nothing(judge):
    from nbgrader.utils import has_failed
    from nbformat.v4 import new_code_cell

    from autograder.execute import outputs_of

    result = ok(judge("import sys\nprint('UserWarning: /dev/shm is not writable', file=sys.stderr)\n"  # as a library would
                      "assert scale(1, 2) == 2"))
    assert "/dev/shm" in result["stderr"], "the judge saw the warning"
    cell = new_code_cell(outputs=outputs_of(result))
    assert "/dev/shm" in cell.outputs[0].text and not has_failed(cell)
    failed = judge("assert scale(1, 2) == 3, 'wrong'")
    assert has_failed(new_code_cell(outputs=outputs_of(failed)))


def test_undefined_names_fail_plainly(judge):
    assert judge("missing_function(1)")["error"]["ename"] == "NameError"


def test_random_generators_cross_by_state():
    rng = np.random.default_rng(11)
    rng.normal(size=5)
    back = roundtrip(rng)
    assert type(back) is np.random.Generator and back is not rng
    assert np.array_equal(back.normal(size=4), rng.normal(size=4))


def test_one_judge_serves_notebook_after_notebook_and_forgets_each(tmp_path):
    """What a notebook's tests define, fetched or were told dies with the notebook: the next one
    starts from an empty namespace, on a socket of its own, with no student sources set."""
    from dlcourse import checks

    first, second = str(tmp_path / "first.sock"), str(tmp_path / "second.sock")
    reply, judge = serve({"op": "begin", "socket": first}, None)
    assert reply == {"ok": True} and os.path.exists(first)
    scratch = tempfile.mkdtemp()
    assert os.path.isdir(scratch) and os.path.dirname(scratch) == tempfile.tempdir
    serve({"op": "sources", "sources": ["def f(): pass"]}, judge)
    assert checks.student_sources() == ["def f(): pass"]
    assert ok(judge.run({"source": "kept = 41\nimport numpy as np", "timeout": 5, "nonce": "a"}))
    assert judge.namespace["kept"] == 41
    _, judge = serve({"op": "end"}, judge)
    assert judge is None and not os.path.exists(first) and checks.GRADER_SOURCES is None
    assert not os.path.exists(scratch) and tempfile.tempdir is None, "what the tests wrote went with the notebook"
    _, judge = serve({"op": "begin", "socket": second}, None)
    try:
        error = judge.run({"source": "kept + 1", "timeout": 0.5, "nonce": "b"})["error"]
        assert error["ename"] == "TimeoutError", "kept is gone, so the judge waits for a kernel to look it up in"
        assert "kept" not in judge.namespace and "np" not in judge.namespace
    finally:
        serve({"op": "end"}, judge)
    with pytest.raises(RuntimeError, match="begin"):
        serve({"op": "run", "source": "1", "timeout": 1, "nonce": "c"}, None)


class DeviceTensor:
    """Stands in for a torch tensor on a GPU (a mock at the edge of this machine: no GPU, no torch):
    numpy refuses it, ``detach().cpu()`` gives the host copy."""

    def __init__(self, values, on_host=False):
        self.values, self.on_host = values, on_host

    def __array__(self, dtype=None, copy=None):
        if not self.on_host:
            raise TypeError("can't convert cuda:0 device type tensor to numpy")
        return np.asarray(self.values, dtype=dtype)

    def detach(self):
        return self

    def cpu(self):
        return DeviceTensor(self.values, on_host=True)


def test_a_tensor_on_a_gpu_reaches_the_judge_as_its_host_copy():
    with pytest.raises(TypeError):
        np.asarray(DeviceTensor([1.0, 2.0]))
    assert np.array_equal(as_array(DeviceTensor([1.0, 2.0])), [1.0, 2.0])
    refused = DeviceTensor([1.0])
    refused.cpu = lambda: refused  # no host copy to be had: numpy's refusal stands
    with pytest.raises(TypeError):
        as_array(refused)


def test_a_failing_helper_from_an_earlier_cell_is_quoted_from_its_own_cell(judge):
    ok(judge("def expect_two(v):\n    assert v == 2, 'not two'"))
    error = judge("expect_two(2)\n"
                  "expect_two(3)\n"
                  "### BEGIN HIDDEN TESTS\n"
                  "secret_threshold = 0.123\n"
                  "### END HIDDEN TESTS")["error"]
    assert error["evalue"] == "not two"
    assert "Test helper from an earlier cell, line 2: assert v == 2, 'not two'" in error["traceback"]
    assert not any("secret_threshold" in line for line in error["traceback"]), "a hidden line was quoted"
    error = judge("x = 1\nexpect_two(x)")["error"]
    assert "Test helper from an earlier cell, line 2: assert v == 2, 'not two'" in error["traceback"]
    error = judge("x = 1\nassert x == 2, 'x'")["error"]
    assert "Test cell, line 2: assert x == 2, 'x'" in error["traceback"]
