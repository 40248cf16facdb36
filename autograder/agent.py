"""The grader's agent inside the student's kernel: the judge's only way to reach student code.

``autograder.execute`` imports this module in the student's kernel before the notebook runs and,
for every cell the judge runs, executes ``serve(socket_path, nonce)``: the agent connects to the
judge and answers its requests (look up a name, call a function, read an attribute, ...) until the
judge says it is done. Values travel through ``autograder.wire``: data by value, other objects as
handles that stay here. Functions of the test that the judge passes in arrive as
:class:`JudgeFunction` proxies, called back over the same connection.

This code runs in the student's process, so nothing it sends is trusted: the judge treats every
answer as the student's own data, and computes every verdict itself.
"""

from __future__ import annotations

import builtins
import itertools
import os
import socket
import traceback

import numpy as np

from autograder.wire import Peer, WireError, decode, encode

MAX_ITEMS = 100_000
HERE = {os.path.join(os.path.dirname(os.path.abspath(__file__)), name) for name in ("agent.py", "wire.py")}


def describe(err: BaseException) -> dict:
    """An error reply: the exception's type, its builtin bases, message and (student-side) traceback."""
    def text(get) -> str:
        try:
            return str(get())[:4000]
        except BaseException:  # a student's __str__ may raise anything
            return ""

    frames = [f for f in traceback.extract_tb(err.__traceback__) if os.path.abspath(f.filename) not in HERE]
    return {"kind": "error", "type": text(lambda: type(err).__name__),
            "bases": [c.__name__ for c in type(err).__mro__ if c.__module__ == "builtins"],
            "message": text(lambda: err), "traceback": text(lambda: "".join(traceback.format_list(frames)))}


def state(value):
    """What a mutation of an argument would change (arrays, lists, dicts, generators), as a copy."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return [state(v) for v in value]
    if isinstance(value, dict):
        return {k: state(v) for k, v in value.items()}
    if isinstance(value, np.random.Generator):
        return repr(value.bit_generator.state)
    return None


def same(a, b) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and (a is None or a == b)


class JudgeFunction:
    """A function of the test, called back in the judge with data-only arguments."""

    def __init__(self, agent: "Agent", ident: int):
        self._agent, self._id = agent, ident

    def __call__(self, *args, **kwargs):
        peer = self._agent.peer
        if peer is None:
            raise RuntimeError("this function belongs to a grader's test and can only be called while it runs")
        tree, buffers = self._agent.encode({"args": list(args), "kwargs": kwargs})
        reply, data = peer.request({"op": "callback", "id": self._id, "fields": tree}, buffers)
        if reply.get("kind") == "error":
            kind = getattr(builtins, str(reply.get("type")), None)
            if not (isinstance(kind, type) and issubclass(kind, Exception)):
                kind = RuntimeError
            raise kind(str(reply.get("message", ""))[:2000])
        return self._agent.decode(reply.get("value"), data)


class Agent:
    """Answers the judge: one per kernel, its handles valid for the whole notebook."""

    def __init__(self, namespace: dict | None = None):
        self.namespace = namespace  # None: the kernel's user namespace
        self.objects: dict[int, object] = {}
        self.ids: dict[int, int] = {}
        self.peer: Peer | None = None

    def serve(self, path: str, nonce: str) -> None:
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.connect(path)
            self.peer = Peer(sock, self.answer)
            self.peer.send({"op": "hello", "nonce": nonce})
            self.peer.serve_until_done()
        finally:
            self.peer = None
            sock.close()

    def handle(self, obj) -> dict:
        ident = self.ids.get(id(obj))
        if ident is None:
            ident = self.ids[id(obj)] = len(self.objects) + 1
            self.objects[ident] = obj
        try:
            name = obj.__name__ if callable(obj) and isinstance(obj.__name__, str) else None
        except BaseException:
            name = None
        return {"$": "handle", "id": ident, "type": type(obj).__name__, "name": name}

    def encode(self, value) -> tuple[object, list]:
        buffers: list = []

        def other(obj):
            if isinstance(obj, JudgeFunction):
                return {"$": "callback", "id": obj._id}
            if isinstance(obj, np.ndarray):
                return encode(np.ndarray.view(obj, np.ndarray), buffers, self.handle)
            for base in (int, float, complex, str, bytes, list, tuple, dict):
                if isinstance(obj, base):
                    return encode(base(obj), buffers, other)
            return self.handle(obj)

        return encode(value, buffers, other), buffers

    def decode(self, tree, buffers: list):
        def resolve(tag: dict):
            if tag["$"] == "ref" and tag.get("id") in self.objects:
                return self.objects[tag["id"]]
            if tag["$"] == "callback" and type(tag.get("id")) is int:
                return JudgeFunction(self, tag["id"])
            raise WireError(f"unknown reference {str(tag.get('$'))[:20]}")

        return decode(tree, buffers, resolve)

    def answer(self, header: dict, buffers: list) -> tuple[dict, list]:
        """The reply to one request of the judge (errors included, never raised)."""
        try:
            value = self.perform(header, buffers)
            tree, out = self.encode(value)
            return {"kind": "reply", "value": tree}, out
        except BaseException as err:  # the judge reports it; KeyboardInterrupt is the grader's time limit
            return describe(err), []

    def perform(self, header: dict, buffers: list):
        op = header.get("op")
        fields = self.decode(header.get("fields"), buffers) or {}
        if op == "lookup":
            from IPython import get_ipython

            namespace = self.namespace if self.namespace is not None else get_ipython().user_ns
            return {name: namespace[name] for name in fields["names"] if name in namespace}
        target = self.objects.get(header.get("id"))
        if target is None:
            raise WireError("unknown handle")
        if op == "call":
            args, kwargs = fields["args"], fields["kwargs"]
            before = [state(a) for a in args], {k: state(v) for k, v in kwargs.items()}
            result = target(*args, **kwargs)
            mutated = [[i, a] for i, a in enumerate(args) if before[0][i] is not None and not same(before[0][i], state(a))]
            mutated += [[k, v] for k, v in kwargs.items() if before[1][k] is not None and not same(before[1][k], state(v))]
            return {"result": result, "mutated": mutated}
        if op == "getattr":
            return getattr(target, str(fields["name"]))
        if op == "getitem":
            return target[fields["key"]]
        if op == "iter":
            items = list(itertools.islice(iter(target), MAX_ITEMS + 1))
            if len(items) > MAX_ITEMS:
                raise ValueError(f"more than {MAX_ITEMS} items")
            return items
        if op == "array":
            return as_array(target)
        conversions = {"len": len, "bool": bool, "int": int, "float": float, "complex": complex,
                       "index": lambda x: x.__index__(), "repr": lambda x: repr(x)[:4000], "str": lambda x: str(x)[:4000]}
        if op in conversions:
            return conversions[op](target)
        raise WireError(f"unknown request {str(op)[:20]}")


def as_array(value) -> np.ndarray:
    """numpy's copy of ``value``; a torch tensor on a GPU, or one that requires grad, is detached and
    brought to the host first (numpy refuses both)."""
    try:
        return np.asarray(value)
    except (TypeError, RuntimeError):
        if not (hasattr(value, "detach") and hasattr(value, "cpu")):
            raise
        return np.asarray(value.detach().cpu())


AGENT = Agent()


def serve(path: str, nonce: str) -> None:
    """Answer the judge for one cell (the grader runs this in the kernel)."""
    AGENT.serve(path, nonce)
