"""nbgrader's Execute step with the verdicts computed out of the student's reach.

``JudgedExecute`` replaces nbgrader's ``Execute`` in ``nbgrader autograde`` (see worker.py), which
hands it, for each notebook, a kernel started for this submission alone (kernels.py) and the
worker's judge. The student's kernel runs the solution cells and every other cell the student can
edit; the judge (``autograder.judge``, a process of its own that never runs student code) runs the
test cells; cells the instructor locked run in both, so both have the course's imports and helpers. Test sources
never reach the student's kernel: while the judge runs a cell, the kernel only serves the judge's
requests through the agent (``autograder.agent``), and what the student's code prints meanwhile is
dropped. The judge's output and error become the test cell's outputs, so nbgrader's scoring,
gradebook and feedback work unchanged. Output beyond ``max_output_bytes`` per cell is dropped.
Anything worth a reviewer's look, and the judge's CPU time, go to ``flags_file``.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import select
import socket
import subprocess
import time
from pathlib import Path
from queue import Empty

from jupyter_client.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_hook
from nbformat import NotebookNode
from traitlets import Integer, Unicode

from nbgrader.preprocessors import Execute

from .wire import Peer

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)


class JudgeFailed(RuntimeError):
    """The judge process failed: the grader's fault, never the student's."""


def error_output(ename: str, evalue: str, traceback: list[str] | None = None) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=traceback or [f"{ename}: {evalue}"])


class JudgeProcess:
    """The judge, driven over its stdin and stdout (one JSON line each way per request). It serves
    one notebook after another: ``begin`` one, run its cells, ``end`` it."""

    def __init__(self, argv: list[str], folder: Path, startup_timeout: float = 120):
        """Start the judge; ``folder`` is where it makes each notebook's socket (the kernel must reach it)."""
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
        self.folder = folder
        self.buffer = b""
        self.startup_timeout = startup_timeout
        self.ready = False
        self.cpu_s = 0.0  # the CPU time the judge reported last, from its start
        self.tensorflow = False  # whether TensorFlow is imported in the judge (its replies say)
        self.socket = ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def _read(self, timeout: float) -> dict | None:
        deadline = timeout
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.process.stdout], [], [], deadline)
            chunk = os.read(self.process.stdout.fileno(), 1 << 20) if ready else b""
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def request(self, message: dict, timeout: float) -> dict:
        if not self.ready:
            if self._read(self.startup_timeout) != {"ready": True}:
                self.close()
                raise JudgeFailed("the judge did not start")
            self.ready = True
        try:
            self.process.stdin.write(json.dumps(message).encode() + b"\n")
            self.process.stdin.flush()
        except OSError as err:
            raise JudgeFailed(f"the judge is gone ({err})") from err
        reply = self._read(timeout)
        if reply is None:
            self.close()
            raise JudgeFailed("the judge stopped answering")
        self.cpu_s = float(reply.get("cpu_s", self.cpu_s))
        self.tensorflow = bool(reply.get("tensorflow", self.tensorflow))
        return reply

    def begin(self) -> str:
        """Open a notebook: the judge listens on a new socket, whose path is returned."""
        self.socket = str(self.folder / f"judge-{secrets.token_hex(8)}.sock")
        reply = self.request({"op": "begin", "socket": self.socket}, 120)
        if reply.get("error"):
            self.close()
            raise JudgeFailed(f"the judge could not open the notebook: {reply['error'].get('evalue')}")
        return self.socket

    def end(self) -> None:
        """Close the notebook: the judge drops its namespace and socket."""
        try:
            if self.alive():
                self.request({"op": "end"}, 60)
        finally:
            Path(self.socket).unlink(missing_ok=True)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def outputs_of(result: dict) -> list[NotebookNode]:
    """A judged test cell's outputs. What the judge wrote to stderr (a library's warning) is shown as
    stdout: nbgrader scores a cell with stderr output 0, and only an error decides a verdict."""
    text = "".join(result.get(name) or "" for name in ("stdout", "stderr"))
    outputs = [NotebookNode(output_type="stream", name="stdout", text=text)] if text else []
    if result.get("error"):
        e = result["error"]
        outputs.append(error_output(str(e["ename"]), str(e["evalue"]), [str(t) for t in e["traceback"]]))
    return outputs


class JudgedExecute(Execute):
    """Execute with the tests in the judge, and an output cap for the student's cells."""

    max_output_bytes = Integer(1_000_000, help="Stream output kept per cell; the rest is dropped.").tag(config=True)
    flags_file = Unicode("", help="Where to write the flags, the judge's CPU time and the timings (JSON) after each notebook.").tag(config=True)

    #: Handed over by the worker before each notebook (nbgrader builds this preprocessor from classes
    #: and config, so objects cannot come through its constructor): the judge, and the manager of the
    #: kernel started for this submission alone.
    judge: JudgeProcess | None = None
    kernel_manager = None

    def _nbgrader(self, cell) -> dict:
        return cell.get("metadata", {}).get("nbgrader", {})

    def _is_test(self, cell) -> bool:
        meta = self._nbgrader(cell)
        return bool(meta.get("grade")) and not meta.get("solution")

    def _is_locked(self, cell) -> bool:
        meta = self._nbgrader(cell)
        return bool(meta.get("locked")) and not meta.get("solution") and not meta.get("grade")

    async def async_start_new_kernel_client(self):
        """nbclient's, less jupyter_client's closing wait for 0.2 s of silence on IOPub: this
        kernel was started for this notebook alone, and nbclient keeps only the messages answering
        its own requests. A kernel_info reply and then any IOPub message show both channels work."""
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels())
        deadline = time.monotonic() + self.startup_timeout
        while True:
            self.kc.kernel_info()
            try:
                reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=1))
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.2))
                    break
                except Empty:
                    pass
            if not await ensure_async(self.km.is_alive()):
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the kernel did not answer within {self.startup_timeout} s")
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _kernel_call(self, code: str) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        reply = await self.async_wait_for_reply(msg_id)
        if (reply or {}).get("content", {}).get("status") != "ok":
            raise JudgeFailed(f"the grader's agent could not start in the kernel: {(reply or {}).get('content')}")

    async def _install_agent(self) -> None:
        """Import the agent in the kernel (sys.path as it was afterwards), before any notebook cell."""
        path = PACKAGE_PARENT
        await self._kernel_call(f"(lambda sys: (sys.path.insert(0, {path!r}), __import__('autograder.agent'), "
                                f"sys.path.remove({path!r})))(__import__('sys'))")

    async def _in_judge(self, cell, cell_index: int) -> tuple[dict, Exception | None]:
        """Run ``cell`` in the judge while the kernel serves it: the judge's result, and the kernel's
        death or hang if that ended the cell (for the caller to raise once it has kept the result)."""
        limit = float(self.timeout or 300)
        nonce = secrets.token_hex(8)
        serve = NotebookNode(cell_type="code", metadata={}, outputs=[],
                             source=f"__import__('autograder.agent').agent.serve({self._socket!r}, {nonce!r})")
        request = {"op": "run", "source": cell.source, "timeout": limit, "nonce": nonce}
        judged = asyncio.ensure_future(asyncio.to_thread(self.judge.request, request, limit + 30))
        saved_timeout, self.timeout, self._serving = self.timeout, int(limit) + 10, True
        served = asyncio.ensure_future(super().async_execute_cell(serve, cell_index, store_history=False))
        try:
            done, _ = await asyncio.wait({judged, served}, return_when=asyncio.FIRST_COMPLETED)
            if judged in done and not served.done():
                await asyncio.wait({served}, timeout=2)
                if not served.done():  # the student's code is still running past the judge's limit
                    await ensure_async(self.km.interrupt_kernel())
            elif served in done and not judged.done():
                await asyncio.wait({judged}, timeout=2)
                if not judged.done():  # the kernel stopped serving before the judge finished
                    self._hang_up(nonce)
            try:
                await served
            except (DeadKernelError, CellTimeoutError) as err:
                self._hang_up(nonce)
                return await judged, err
            return await judged, None
        finally:
            self.timeout, self._serving = saved_timeout, False
            self.nb.cells[cell_index] = cell

    def _hang_up(self, nonce: str) -> None:
        """End the judge's wait for a kernel that stopped serving: connect as this cell's agent and
        hang up, so the judge's next request finds the connection closed."""
        with socket.socket(socket.AF_UNIX) as sock:
            try:
                sock.connect(self._socket)
                Peer(sock, None).send({"op": "hello", "nonce": nonce})
            except OSError:  # the judge is gone or already done: nothing to end
                pass

    def _clock(self, phase: str, since: float) -> float:
        """Add the time since ``since`` to ``phase``; return now."""
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - since
        return now

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if not self._agent_ready:
            started = self._clock("kernel_start", self._started)
            await self._install_agent()
            written = [c.source for c in self.nb.cells if c.cell_type == "code" and not self._is_test(c) and not self._is_locked(c)]
            await asyncio.to_thread(self.judge.request, {"op": "sources", "sources": written}, 120)
            self._clock("judge_start", started)
            self._agent_ready = True
        phase = "tests" if self._is_test(cell) else "setup_cells" if self._is_locked(cell) else "student_cells"
        started = time.perf_counter()
        try:
            return await self._execute_code_cell(cell, cell_index, execution_count, store_history)
        finally:
            self._clock(phase, started)

    async def _execute_code_cell(self, cell, cell_index, execution_count, store_history):
        if self._is_test(cell):
            cell.outputs = [error_output("NotRun", "this test did not finish, so it scores 0")]  # until judged
            result, stopped = await self._in_judge(cell, cell_index)
            cell.outputs = outputs_of(result)
            cell.execution_count = execution_count
            self._ran.add(self._nbgrader(cell)["grade_id"])
            if stopped is not None:
                raise stopped
            return cell
        executed = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self._is_locked(cell):
            result, stopped = await self._in_judge(cell, cell_index)
            if stopped is not None:
                raise stopped
            if result.get("error") and not result["error"].get("student"):  # the cell itself fails in the judge
                where = self._nbgrader(cell).get("grade_id", f"cell {cell_index + 1}")
                self.flags.append(f"grader: locked cell {where} failed in the judge: {result['error']['evalue'][:200]}")
        return executed

    execute_cell = run_sync(async_execute_cell)

    def output(self, outs, msg, display_id, cell_index):
        """Drop what the student's code prints while serving the judge; cap the rest per cell."""
        if self._serving:
            return None
        if msg["msg_type"] == "stream":
            text = msg["content"]["text"]
            room = self.max_output_bytes - self._stream_bytes.get(cell_index, 0)
            self._stream_bytes[cell_index] = self._stream_bytes.get(cell_index, 0) + len(text)
            if len(text) > room:
                if cell_index in self._truncated:
                    return None
                self._truncated.add(cell_index)
                self.flags.append(f"cell {cell_index + 1}: output over {self.max_output_bytes} bytes was dropped")
                msg["content"]["text"] = text[:max(room, 0)] + "\n[output truncated by the grader]\n"
        return super().output(outs, msg, display_id, cell_index)

    def preprocess(self, nb, resources=None, km=None):
        if JudgedExecute.judge is None or JudgedExecute.kernel_manager is None:
            raise JudgeFailed("the worker handed over no judge or kernel")
        self._started = time.perf_counter()
        self.timings: dict[str, float] = {}
        self._agent_ready = False
        self._serving = False
        self._ran: set[str] = set()
        self._truncated: set[int] = set()
        self._stream_bytes: dict[int, int] = {}
        self.flags = []
        self.judge = JudgedExecute.judge
        cpu_before = self.judge.cpu_s
        self._socket = self.judge.begin()
        try:
            super().preprocess(nb, resources, JudgedExecute.kernel_manager)
        except (DeadKernelError, CellTimeoutError) as err:
            reason = "the kernel died" if isinstance(err, DeadKernelError) else "the kernel stopped responding"
            self.flags.append(f"{reason} ({type(err).__name__}); later cells were not run")
            self.nb = nb
        finally:
            if self.kc is not None:  # the worker owns the kernel; the client is this notebook's
                self.kc.stop_channels()
            self.judge.end()
        for cell in nb.cells:
            if cell.cell_type == "code" and self._is_test(cell) and self._nbgrader(cell)["grade_id"] not in self._ran:
                cell.outputs = [error_output("NotRun", "the kernel stopped before this test ran, so it scores 0")]
        if self.flags_file:
            self._clock("execute", self._started)
            Path(self.flags_file).write_text(json.dumps({"flags": self.flags, "judge_cpu_s": self.judge.cpu_s - cpu_before,
                                                         "timings": self.timings}))
        return nb, self.resources
