"""The judge: runs an assignment's test cells in a process of its own and computes every verdict.

    python -m autograder.judge      (started by the grading worker, one per worker slot)

The student's code runs only in the student's kernel; this process never runs it and never sees
the student's files, so one judge serves one notebook after another and pays its imports (numpy,
the course's checks, Keras where tests use it) once. It reads requests as JSON lines on stdin:
``begin`` a notebook (a fresh namespace, listening on the notebook's own socket), the student's
``sources`` for checks that look at them, ``run`` a test cell's source, ``end`` the notebook (its
namespace, socket and everything the tests held are dropped). It answers each on stdout; a cell's
answer is its printed text and its error, if any. During a cell, the names the cell uses but does
not define (the student's functions) are looked up in the student's kernel through the agent
(``autograder.agent``) connected to the notebook's socket: data arrives by value, other objects as
:class:`RemoteObject` handles whose attributes and calls run in the student's kernel. Functions of
the test passed to student code are called back here with data-only arguments, and in-place changes
the student's code makes to array, list and dict arguments are mirrored into the test's own
objects, so mutation checks work as in one process.

Errors raised in a hidden part of a test (between nbgrader's ``### BEGIN/END HIDDEN TESTS``) are
reported without code and without the student's own messages, so feedback cannot leak hidden inputs.
"""

from __future__ import annotations

import ast
import builtins
import gc
import io
import json
import os
import re
import resource
import shutil
import signal
import socket
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout

import numpy as np

from autograder.wire import Closed, Peer, WireError, decode, encode, MAX_FRAME

HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")
MAX_OUTPUT = 100_000


class GradingTimeout(BaseException):
    """The cell ran past its time limit (a BaseException, so test code cannot swallow it)."""


class KernelGone(BaseException):
    """The student's kernel stopped answering."""


class StudentException(Exception):
    """Raised here for an exception the student's code raised in their kernel."""

    student_traceback = ""
    student_type = ""  # the class name in the student's kernel (shown for visible tests only)


def student_exception(reply: dict) -> BaseException:
    """The local exception for an error reply of the agent (typed by its builtin base class)."""
    bases = [b for b in reply.get("bases", []) if isinstance(b, str)]
    if "KeyboardInterrupt" in bases:
        return GradingTimeout()
    builtin = next((getattr(builtins, b) for b in bases if isinstance(getattr(builtins, b, None), type)
                    and issubclass(getattr(builtins, b), Exception)), Exception)
    kind = _exception_class(builtin)
    err = kind(str(reply.get("message", ""))[:2000])
    err.student_traceback = str(reply.get("traceback", ""))[:8000]
    name = str(reply.get("type", ""))
    err.student_type = name if TYPE_NAME.fullmatch(name) else builtin.__name__
    return err


_classes: dict[type, type] = {}


def _exception_class(builtin: type) -> type:
    if builtin not in _classes:
        _classes[builtin] = type(builtin.__name__, (StudentException, builtin), {})
    return _classes[builtin]


class RemoteObject:
    """A student's object that stays in the student's kernel; every use is a request to it."""

    __slots__ = ("_judge", "_id", "_name")

    def __init__(self, judge: "Judge", ident: int, name: str | None):
        object.__setattr__(self, "_judge", judge)
        object.__setattr__(self, "_id", ident)
        object.__setattr__(self, "_name", name)

    def _ask(self, op: str, **fields):
        return self._judge.remote(op, self._id, fields)

    def __getattr__(self, attr: str):
        if attr == "__name__" and self._name:
            return self._name
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return self._ask("getattr", name=attr)

    def __setattr__(self, attr, value):
        raise AttributeError("the grader does not change attributes of your objects")

    def __deepcopy__(self, memo):
        return self  # the object lives in the student's kernel; a copy would name the same one

    def __call__(self, *args, **kwargs):
        reply = self._ask("call", args=list(args), kwargs=kwargs)
        self._judge.mirror(args, kwargs, reply["mutated"])
        return reply["result"]

    def _typed(self, op: str, kind: type | tuple):
        value = self._ask(op)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            raise TypeError(f"{op}() of your object did not give a {getattr(kind, '__name__', kind)}")
        return value

    def __getitem__(self, key):
        return self._ask("getitem", key=key)

    def __len__(self):
        return self._typed("len", int)

    def __iter__(self):
        return iter(self._typed("iter", list))

    def __array__(self, dtype=None, copy=None):
        array = self._typed("array", np.ndarray)
        return array if dtype is None else array.astype(dtype)

    def __bool__(self):
        return self._typed("bool", bool)

    def __int__(self):
        return self._typed("int", int)

    def __index__(self):
        return self._typed("index", int)

    def __float__(self):
        return self._typed("float", float)

    def __complex__(self):
        return self._typed("complex", complex)

    def __repr__(self):
        return self._typed("repr", str)

    def __str__(self):
        return self._typed("str", str)


def write_back(original, new) -> None:
    """Make ``original`` (the test's object) equal to ``new`` (its state after the student's call), in place."""
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if original.shape != new.shape:
            raise ValueError("your function changed the shape of an array argument in place")
        np.copyto(original, new, casting="unsafe")
    elif isinstance(original, np.random.Generator) and isinstance(new, np.random.Generator):
        original.bit_generator.state = new.bit_generator.state
    elif isinstance(original, list) and isinstance(new, list):
        if len(original) == len(new):
            for i, (old, value) in enumerate(zip(original, new)):
                _update(original, i, old, value)
        else:
            original[:] = new
    elif isinstance(original, dict) and isinstance(new, dict):
        for key in [k for k in original if k not in new]:
            del original[key]
        for key, value in new.items():
            _update(original, key, original.get(key), value)
    elif isinstance(original, tuple) and isinstance(new, (tuple, list)) and len(original) == len(new):
        for old, value in zip(original, new):
            write_back(old, value)


def _update(container, key, old, value) -> None:
    mutable = (np.ndarray, list, dict, tuple, np.random.Generator)
    if isinstance(old, mutable) and type(old) is type(value) and not (isinstance(old, np.ndarray) and old.shape != value.shape):
        write_back(old, value)
    else:
        container[key] = value


def split_hidden(source: str) -> list[tuple[str, bool]]:
    """The visible and hidden parts of a test cell, each the full cell with the other part blanked
    (so line numbers stay those of the cell)."""
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        marker = line.strip().startswith("#")
        if marker and HIDDEN_BEGIN in line:
            inside = True
        elif marker and HIDDEN_END in line:
            inside = False
        (hidden if inside else visible).append(line)
        (visible if inside else hidden).append("")
    parts = [("\n".join(visible), False)]
    if any(line.strip() for line in hidden):
        parts.append(("\n".join(hidden), True))
    return parts


def free_names(tree: ast.AST) -> set[str]:
    """Names a cell reads that it never binds (its own assignments, defs, imports, arguments)."""
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound


class Capped(io.StringIO):
    """Printed text, kept up to MAX_OUTPUT characters."""

    def write(self, text: str) -> int:
        room = MAX_OUTPUT - self.tell()
        if room > 0:
            super().write(text[:room] if len(text) <= room else text[:room] + "\n[output truncated]\n")
        return len(text)


class Judge:
    """One notebook's tests: a namespace of their own, and a connection to the student's kernel per cell."""

    def __init__(self, socket_path: str):
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(socket_path)
        os.chmod(socket_path, 0o666)  # the student's kernel runs as another user
        self.server.listen(4)
        signal.signal(signal.SIGALRM, _timeout)  # a cell's time limit (see run)
        self.namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
        self.callbacks: dict[int, object] = {}
        self.classes: dict[str, type] = {}
        self.code: dict[str, list[str] | None] = {}  # the file name each piece of test code ran under: its lines (hidden: None)
        self.peer: Peer | None = None  # connected to the student's kernel when a cell first needs it
        self.nonce = ""
        self.socket_path = socket_path

    def close(self) -> None:
        """Forget this notebook: its socket, its namespace and every object its tests held."""
        self.server.close()
        try:
            os.unlink(self.socket_path)
        except OSError:
            pass
        self.namespace.clear()
        self.callbacks.clear()
        self.classes.clear()
        self.code.clear()

    # -- the connection ---------------------------------------------------------------------------
    def connect(self, timeout: float | None = None) -> None:
        """Accept the agent of this cell (a connection with another nonce is stale and dropped)."""
        self.server.settimeout(timeout)
        while True:
            conn, _ = self.server.accept()
            conn.settimeout(5)  # a connection that says nothing is dropped, not waited for
            peer = Peer(conn, self.answer, MAX_FRAME)
            try:
                hello, _ = peer.receive()
            except (Closed, WireError, OSError):
                conn.close()
                continue
            if hello.get("op") == "hello" and hello.get("nonce") == self.nonce:
                conn.settimeout(None)  # from now on the cell's time limit applies
                self.peer = peer
                return
            conn.close()

    def disconnect(self) -> None:
        """Release the agent of this cell (accepting it first if the cell never needed it)."""
        if self.peer is None:
            try:
                self.connect(timeout=2)
            except OSError:  # its kernel never called in: nothing to release
                return
        if self.peer is not None:
            try:
                self.peer.send({"kind": "request", "op": "done"})
            except OSError:
                pass
            self.peer.sock.close()
            self.peer = None

    # -- values -----------------------------------------------------------------------------------
    def encode(self, value) -> tuple[object, list]:
        buffers: list = []

        def other(obj):
            if isinstance(obj, RemoteObject):
                return {"$": "ref", "id": obj._id}
            for base in (list, tuple, dict):
                if isinstance(obj, base):
                    return encode(base(obj), buffers, other)
            if callable(obj):
                self.callbacks[id(obj)] = obj
                return {"$": "callback", "id": id(obj)}
            raise TypeError(f"the grader cannot pass a {type(obj).__name__} to your code")

        return encode(value, buffers, other), buffers

    def decode(self, tree, buffers: list):
        def resolve(tag: dict):
            if tag["$"] == "handle" and type(tag.get("id")) is int:
                kind = str(tag.get("type"))
                name = tag.get("name") if isinstance(tag.get("name"), str) else None
                return self._remote_class(kind)(self, tag["id"], name and name[:100])
            if tag["$"] == "callback" and tag.get("id") in self.callbacks:
                return self.callbacks[tag["id"]]
            raise WireError("unknown reference")

        return decode(tree, buffers, resolve)

    def _remote_class(self, kind: str) -> type:
        """A RemoteObject subclass named after the student's type, so messages name what they returned."""
        kind = kind if TYPE_NAME.fullmatch(kind) else "object"
        if kind not in self.classes:
            self.classes[kind] = type(kind, (RemoteObject,), {"__slots__": ()})
        return self.classes[kind]

    # -- requests to the student's kernel ------------------------------------------------------------
    def remote(self, op: str, ident: int | None, fields: dict):
        if self.peer is None:
            self.connect()
        tree, buffers = self.encode(fields)
        try:
            reply, data = self.peer.request({"op": op, "id": ident, "fields": tree}, buffers)
        except (Closed, OSError) as err:
            raise KernelGone() from err
        if reply.get("kind") == "error":
            raise student_exception(reply)
        value = self.decode(reply.get("value"), data)
        if op == "call" and not (isinstance(value, dict) and set(value) == {"result", "mutated"}):
            raise WireError("malformed reply to a call")
        return value

    def mirror(self, args: tuple, kwargs: dict, mutated) -> None:
        """Apply the student's in-place changes of arguments to the test's own objects."""
        for position, value in mutated if isinstance(mutated, list) else []:
            if type(position) is int and 0 <= position < len(args):
                write_back(args[position], value)
            elif type(position) is str and position in kwargs:
                write_back(kwargs[position], value)

    def answer(self, header: dict, buffers: list) -> tuple[dict, list]:
        """A callback from student code into a function of the test."""
        try:
            function = self.callbacks.get(header.get("id"))
            if header.get("op") != "callback" or function is None:
                raise WireError("unknown callback")
            fields = self.decode(header.get("fields"), buffers)
            tree, out = self.encode(function(*fields["args"], **fields["kwargs"]))
            return {"kind": "reply", "value": tree}, out
        except Exception as err:  # the student's code sees the test function's error
            return {"kind": "error", "type": type(err).__name__, "message": str(err)[:2000]}, []

    # -- cells ------------------------------------------------------------------------------------
    def run(self, request: dict) -> dict:
        """Run one cell's source; connect to the student's kernel when the cell needs it."""
        source, timeout = str(request["source"]), float(request["timeout"])
        printed, errors = Capped(), Capped()
        fetched: dict = {}
        hidden = False
        error = None
        signal.setitimer(signal.ITIMER_REAL, timeout)
        RUNNING[0] = True
        self.nonce = str(request["nonce"])
        cell = len(self.code)
        try:
            parts = split_hidden(source)
            names = sorted(n for n in free_names(ast.parse(source)) if n not in self.namespace and not hasattr(builtins, n))
            if names:
                fetched = self.remote("lookup", None, {"names": names})
                self.namespace.update({k: v for k, v in fetched.items() if k in names})
            for index, (part, hidden) in enumerate(parts):
                filename = f"<test {cell}.{index}>"
                self.code[filename] = None if hidden else part.splitlines()
                with redirect_stdout(printed), redirect_stderr(errors):
                    exec(compile(part, filename, "exec"), self.namespace)
        except BaseException as err:
            error = self.describe(err, hidden, timeout, self.code, f"<test {cell}.")
        finally:
            RUNNING[0] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.disconnect()
            for name, value in fetched.items():
                if self.namespace.get(name) is value:
                    del self.namespace[name]
        return {"stdout": printed.getvalue(), "stderr": errors.getvalue(), "error": error}

    @staticmethod
    def describe(err: BaseException, hidden: bool, timeout: float, code: dict | None = None, cell: str = "") -> dict:
        """The error output a student sees: what failed and why, never the code of a hidden test. ``code``
        maps test code's file names to its lines (None where hidden); ``cell`` starts this cell's names."""
        where = "In a hidden test: " if hidden else ""
        if isinstance(err, GradingTimeout):
            name, text = "TimeoutError", (f"the test did not finish within {timeout:g} s, the time limit for one "
                                          "test cell; look for an endless loop or very slow code")
        elif isinstance(err, KernelGone):
            name, text = "KernelError", ("your notebook's kernel stopped answering the grader during this test "
                                         "(it crashed, exited or stopped serving the test)")
        elif isinstance(err, StudentException):  # in hidden tests, named by its builtin base, no message
            name = type(err).__name__ if hidden else err.student_type or type(err).__name__
            text = "raised by your code (details withheld in hidden tests)" if hidden else str(err)
        else:
            name, text = type(err).__name__, str(err)[: 300 if hidden else 2000]
        lines = []
        if isinstance(err, StudentException) and not hidden and err.student_traceback:
            lines.append("Traceback in your code:\n" + err.student_traceback)
        tb, deepest = err.__traceback__, None
        code = code or {}
        while tb is not None:  # the test code nearest the failure: this cell's or a helper from an earlier one
            if tb.tb_frame.f_code.co_filename in code:
                deepest = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
        if deepest is not None and code[deepest[0]] is not None and not hidden:
            where_in = "Test cell" if deepest[0].startswith(cell) else "Test helper from an earlier cell"
            lines.append(f"{where_in}, line {deepest[1]}: {code[deepest[0]][deepest[1] - 1].strip()}")
        lines.append(f"{where}{name}: {text}")
        student = isinstance(err, (StudentException, KernelGone, GradingTimeout))
        return {"ename": name, "evalue": f"{where}{text}", "traceback": lines, "student": student}


RUNNING = [False]  # the time limit ends a cell, never the judge between cells


def _timeout(signum, frame):
    if RUNNING[0]:
        raise GradingTimeout()




NOTEBOOK_TMP: list[str] = []  # the temporary folder of the notebook open now, made by ``begin``


def serve(request: dict, judge: Judge | None) -> tuple[dict, Judge | None]:
    """Answer one request; return the answer and the judge of the notebook now open (if any)."""
    op = request.get("op")
    if op in ("begin", "end"):  # nothing of a notebook survives it but the modules its tests imported
        from dlcourse import checks

        if judge is not None:
            judge.close()
        checks.set_student_sources(None)
        while NOTEBOOK_TMP:  # what the tests wrote through tempfile goes with the notebook
            shutil.rmtree(NOTEBOOK_TMP.pop(), ignore_errors=True)
            tempfile.tempdir = None
        gc.collect()
        if op == "end":
            return {"ok": True}, None
        NOTEBOOK_TMP.append(tempfile.mkdtemp(prefix="judged-notebook-"))
        tempfile.tempdir = NOTEBOOK_TMP[0]
        return {"ok": True}, Judge(str(request["socket"]))
    if judge is None:
        raise RuntimeError(f"{op!r} outside a notebook (send begin first)")
    if op == "sources":  # what the student wrote, for checks that read it
        from dlcourse import checks

        checks.set_student_sources([str(s) for s in request["sources"]])
        return {"ok": True}, judge
    return judge.run(request), judge


def main() -> int:
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # stray prints go to the log, never into the protocol
    sys.stdout = sys.stderr
    protocol.write(json.dumps({"ready": True}) + "\n")
    protocol.flush()
    judge = None
    for line in sys.stdin:
        try:
            reply, judge = serve(json.loads(line), judge)
        except BaseException as err:  # a signal between cells, or a broken request: report, never die
            reply = {"stdout": "", "stderr": "", "error": Judge.describe(err, False, 0)}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        protocol.write(json.dumps({**reply, "cpu_s": usage.ru_utime + usage.ru_stime,
                                   "tensorflow": "tensorflow" in sys.modules}) + "\n")
        protocol.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
