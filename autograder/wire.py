"""The data-only channel between the judge and the student's kernel.

Values cross by value when they are data: None, bool, int, float, complex, str, bytes, numeric and
boolean numpy arrays and scalars (raw bytes with dtype and shape, never pickle), slices, numpy
random generators (by their state), and lists, tuples and dicts of these. Anything else is replaced, by the sending side's ``other`` function, by
a tagged reference (a handle to an object that stays where it was made); the receiving side's
``resolve`` function turns such tags into its own proxies. Decoding builds only plain data: an
ndarray subclass or a float subclass never survives the trip.

A frame is ``[8-byte length][4-byte header length][JSON header][buffers]``. Both ends use
:class:`Peer`, which sends requests and, while it waits for the reply, serves the other side's
nested requests (the judge calls a student function, which calls back a function of the test).
"""

from __future__ import annotations

import json
import math
import socket
import struct
from typing import Any, Callable

import numpy as np

MAX_FRAME = 1 << 30
RNG_TYPES = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
MAX_DEPTH = 64
DATA_KINDS = "biufc"


class WireError(Exception):
    """A frame or value that is not well-formed data."""


class Closed(Exception):
    """The other side closed the connection."""


def _buffer(buffers: list, data) -> int:
    buffers.append(memoryview(data).cast("B"))
    return len(buffers) - 1


def is_data_array(value: Any) -> bool:
    dtype = value.dtype
    return dtype.kind in DATA_KINDS and dtype.fields is None and dtype.subdtype is None


def encode(value: Any, buffers: list, other: Callable[[Any], dict], depth: int = 0) -> Any:
    """A JSON-able tree for ``value``, with array bytes appended to ``buffers``."""
    if depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply to send")
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value if abs(value) < 2**63 else {"$": "int", "v": str(value)}
    if kind is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if kind is complex:
        return {"$": "complex", "v": [repr(value.real), repr(value.imag)]}
    if kind is bytes:
        return {"$": "bytes", "b": _buffer(buffers, value)}
    if kind in (list, tuple):
        return {"$": kind.__name__, "v": [encode(v, buffers, other, depth + 1) for v in value]}
    if kind is dict:
        return {"$": "dict", "v": [[encode(k, buffers, other, depth + 1), encode(v, buffers, other, depth + 1)]
                                   for k, v in value.items()]}
    if kind is np.ndarray and is_data_array(value):  # tobytes() is C order whatever the layout, 0-d included
        return {"$": "array", "dtype": value.dtype.str, "shape": list(value.shape),
                "b": _buffer(buffers, value.tobytes()), "ro": not value.flags.writeable}
    if isinstance(value, np.generic) and is_data_array(value):
        return {"$": "scalar", "dtype": value.dtype.str, "b": _buffer(buffers, np.asarray(value).tobytes())}
    if kind is slice:
        return {"$": "slice", "v": [encode(x, buffers, other, depth + 1) for x in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"$": "ellipsis"}
    if kind is np.random.Generator and type(value.bit_generator).__name__ in RNG_TYPES:  # by its state
        return {"$": "rng", "name": type(value.bit_generator).__name__,
                "state": encode(value.bit_generator.state, buffers, other, depth + 1)}
    return other(value)


def _dtype(text: Any) -> np.dtype:
    try:
        dtype = np.dtype(str(text))
    except TypeError as err:
        raise WireError(f"not a numeric dtype: {str(text)[:40]}") from err
    if not (dtype.kind in DATA_KINDS and dtype.fields is None and dtype.subdtype is None):
        raise WireError(f"not a numeric dtype: {str(text)[:40]}")
    return dtype


def decode(tree: Any, buffers: list, resolve: Callable[[dict], Any], depth: int = 0) -> Any:
    """The value ``tree`` describes; tags this module does not know go to ``resolve``."""
    if depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply")
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is not dict or not isinstance(tree.get("$"), str):
        raise WireError("malformed value")
    tag = tree["$"]

    def sub(x):
        return decode(x, buffers, resolve, depth + 1)

    def buffer() -> bytes:
        index = tree.get("b")
        if type(index) is not int or not 0 <= index < len(buffers):
            raise WireError("missing data buffer")
        return buffers[index]

    if tag == "int":
        return int(str(tree["v"])[:400])
    if tag == "float":
        if tree["v"] not in ("nan", "inf", "-inf"):
            raise WireError("malformed float")
        return float(tree["v"])
    if tag == "complex":
        return complex(float(tree["v"][0]), float(tree["v"][1]))
    if tag == "bytes":
        return bytes(buffer())
    if tag in ("list", "tuple"):
        items = [sub(v) for v in tree["v"]]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        return {sub(k): sub(v) for k, v in tree["v"]}
    if tag in ("array", "scalar"):
        dtype, data = _dtype(tree["dtype"]), buffer()
        shape = tuple(tree.get("shape", ()))
        if not all(type(n) is int and n >= 0 for n in shape) or math.prod(shape) * dtype.itemsize != len(data):
            raise WireError("array shape does not match its data")
        array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
        array.flags.writeable = tree.get("ro") is not True  # a read-only argument stays read-only
        return array if tag == "array" else array[()]
    if tag == "slice":
        return slice(*(sub(v) for v in tree["v"]))
    if tag == "ellipsis":
        return Ellipsis
    if tag == "rng" and tree.get("name") in RNG_TYPES:
        bits = getattr(np.random, tree["name"])()
        try:
            bits.state = sub(tree["state"])
        except (TypeError, ValueError, KeyError) as err:
            raise WireError("malformed random generator state") from err
        return np.random.Generator(bits)
    return resolve(tree)


class Peer:
    """One end of a connection: ``request`` sends and waits, serving nested requests meanwhile.

    ``serve(header, buffers)`` answers one request of the other side with ``(header, buffers)``
    and must not raise. A request whose op is ``done`` ends ``serve_until_done``.
    """

    def __init__(self, sock: socket.socket, serve: Callable[[dict, list], tuple[dict, list]],
                 max_frame: int = MAX_FRAME):
        self.sock = sock
        self.serve = serve
        self.max_frame = max_frame

    def send(self, header: dict, buffers: list = ()) -> None:
        head = json.dumps({**header, "sizes": [len(b) for b in buffers]}).encode()
        total = 4 + len(head) + sum(len(b) for b in buffers)
        self.sock.sendall(struct.pack("!QI", total, len(head)) + head)
        for b in buffers:
            self.sock.sendall(b)

    def _exactly(self, n: int) -> bytearray:
        data = bytearray(n)
        view, got = memoryview(data), 0
        while got < n:
            k = self.sock.recv_into(view[got:], min(n - got, 1 << 22))
            if k == 0:
                raise Closed("the connection was closed")
            got += k
        return data

    def receive(self) -> tuple[dict, list]:
        total, head_size = struct.unpack("!QI", self._exactly(12))
        if total > self.max_frame or head_size > total - 4:
            raise WireError(f"a message of {total} bytes is over the limit of {self.max_frame}")
        try:
            header = json.loads(bytes(self._exactly(head_size)))
        except (ValueError, RecursionError) as err:
            raise WireError("malformed message header") from err
        sizes = header.get("sizes") if isinstance(header, dict) else None
        if not isinstance(sizes, list) or not all(type(s) is int and s >= 0 for s in sizes) \
                or 4 + head_size + sum(sizes) != total:
            raise WireError("malformed message header")
        return header, [bytes(self._exactly(s)) for s in sizes]

    def request(self, header: dict, buffers: list = ()) -> tuple[dict, list]:
        self.send({**header, "kind": "request"}, buffers)
        while True:
            message, data = self.receive()
            if message.get("kind") != "request":
                return message, data
            self.send(*self.serve(message, data))

    def serve_until_done(self) -> None:
        while True:
            message, data = self.receive()
            if message.get("op") == "done":
                return
            self.send(*self.serve(message, data))
