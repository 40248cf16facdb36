"""nbgrader's Execute step, hardened for untrusted notebooks.

``GuardedExecute`` replaces nbgrader's ``Execute`` in ``nbgrader autograde`` (see worker.py). It
installs the kernel guard (kernel_guard.py), brackets every graded test cell with the guard's
``begin``/``end``, and then decides from what the grader itself observed, not from what the kernel
chose to print:

- a graded cell passes only if its execute reply is ``ok`` and its completion token is there;
- a graded cell that never ran (the kernel died or hung) fails with the reason;
- output beyond ``max_output_bytes`` per cell is dropped, so a flood cannot exhaust the grader.

Failures become ordinary error outputs, so nbgrader's SaveAutoGrades scores them 0 and the
feedback shows why. What the guard restored, and anything else worth a review, goes to
``flags_file`` for the report.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path

from jupyter_client.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from traitlets import Integer, Unicode

from nbgrader.preprocessors import Execute

GUARD_SOURCE = (Path(__file__).parent / "kernel_guard.py").read_text()
TOKEN_PREFIX = "DLCOURSE-PASSED"


def error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GuardedExecute(Execute):
    """Execute with the kernel guard, completion tokens and an output cap."""

    max_output_bytes = Integer(1_000_000, help="Stream output kept per cell; the rest is dropped.").tag(config=True)
    flags_file = Unicode("", help="Where to write the flags (JSON list) after each notebook.").tag(config=True)

    def _nbgrader(self, cell) -> dict:
        return cell.get("metadata", {}).get("nbgrader", {})

    async def _guard(self, expression: str) -> str:
        """Evaluate ``__dlcourse_guard__.<expression>`` in the kernel as a user expression."""
        msg_id = self.kc.execute("", silent=True, store_history=False,
                                 user_expressions={"r": f"__import__('sys').modules['__dlcourse_guard__'].{expression}"})
        reply = await self.async_wait_for_reply(msg_id)
        result = (reply or {}).get("content", {}).get("user_expressions", {}).get("r", {})
        if result.get("status") != "ok":
            self.flags.append(f"guard call {expression} failed: {result.get('ename', 'no reply')}")
            return ""
        return result.get("data", {}).get("text/plain", "")

    async def _install_guard(self) -> None:
        code = GUARD_SOURCE + f"\ninstall({self._key!r})\ndel install\n"
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        reply = await self.async_wait_for_reply(msg_id)
        if (reply or {}).get("content", {}).get("status") != "ok":
            raise RuntimeError(f"could not install the grading guard in the kernel: {reply}")

    def _token(self, grade_id: str) -> str:
        return hmac.new(self._key.encode(), grade_id.encode(), hashlib.sha256).hexdigest()[:32]

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        meta = self._nbgrader(cell)
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if not self._installed:
            await self._install_guard()
            self._installed = True
        if not meta.get("grade"):
            if meta.get("locked") and not meta.get("solution"):
                await self._guard("mark()")
                result = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
                await self._guard("remember()")
                return result
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

        grade_id = meta["grade_id"]
        restored = await self._guard("begin()")
        if restored not in ("", "[]"):
            self.flags.append(f"before {grade_id} the grader restored {restored}")
        original = cell.source
        cell.source = f"{original}\n__dlcourse_guard__.end({grade_id!r})"
        self._ran.add(grade_id)
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        finally:
            cell.source = original
            self._check_completion(cell, grade_id)

    execute_cell = run_sync(async_execute_cell)

    def _check_completion(self, cell, grade_id: str) -> None:
        """Remove the completion token; without it (and no error shown) the test fails."""
        line = f"{TOKEN_PREFIX} {grade_id} {self._token(grade_id)}\n"
        found = False
        merged = []  # the kernel may send one printed line in several stream messages
        for output in cell.outputs:
            last = merged[-1] if merged else None
            if output.output_type == "stream" and last and last.output_type == "stream" and last.name == output.name:
                last.text += output.text
            else:
                merged.append(output)
        cell.outputs = merged
        for output in cell.outputs:
            if output.output_type == "stream" and line in output.text:
                output.text = output.text.replace(line, "")
                found = True
        cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and not o.text)]
        if not found and not any(o.output_type == "error" for o in cell.outputs):
            cell.outputs.append(error_output(
                "GradingError", "this test did not run to completion (its completion check is missing), so it scores 0"))
            self.flags.append(f"{grade_id}: test ended without its completion token")

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most max_output_bytes of stream text per cell (and, past it, only completion tokens)."""
        if msg["msg_type"] == "stream":
            text = msg["content"]["text"]
            room = self.max_output_bytes - self._stream_bytes.get(cell_index, 0)
            self._stream_bytes[cell_index] = self._stream_bytes.get(cell_index, 0) + len(text)
            if len(text) > room:
                if cell_index not in self._truncated:
                    self._truncated.add(cell_index)
                    self.flags.append(f"cell {cell_index}: output over {self.max_output_bytes} bytes was dropped")
                    text = text[:max(room, 0)] + "\n[output truncated by the grader]\n"
                else:
                    text = ""
                tokens = [line for line in msg["content"]["text"].splitlines(keepends=True) if TOKEN_PREFIX in line]
                if not text and not tokens:
                    return None
                msg["content"]["text"] = text + "".join(tokens)
        return super().output(outs, msg, display_id, cell_index)

    def preprocess(self, nb, resources=None, km=None):
        self._key = secrets.token_hex(16)
        self._installed = False
        self._ran: set[str] = set()
        self._truncated: set[int] = set()
        self._stream_bytes: dict[int, int] = {}
        self.flags = []
        try:
            super().preprocess(nb, resources, km)
        except (DeadKernelError, CellTimeoutError) as err:
            reason = "the kernel died" if isinstance(err, DeadKernelError) else "the kernel stopped responding"
            self.flags.append(f"{reason} ({type(err).__name__}); later cells were not run")
            self.nb = nb
        for cell in nb.cells:
            meta = self._nbgrader(cell)
            if cell.cell_type == "code" and meta.get("grade") and meta["grade_id"] not in self._ran:
                cell.outputs = [error_output("NotRun", "the kernel stopped before this test ran, so it scores 0")]
        if self.flags_file:
            Path(self.flags_file).write_text(json.dumps(self.flags))
        return nb, self.resources
