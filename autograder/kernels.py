"""Students' kernels: each new, in a sandbox of its own, started one submission ahead.

A worker grades one submission while the next one's kernel starts beside it, so kernel start-up
and the assignment's imports (numpy, the course's checks, TensorFlow for Keras exercises) are paid
off the critical path. A kernel is started before anyone's code is known and warmed only from the
assignment's template: the modules its source notebook imports, nothing of any student's. Each
kernel serves exactly one submission and is killed with its sandbox afterwards; the kernel being
warmed runs as the slot's other user, in its own cgroup, so nothing the student being graded does
(processes, memory) reaches it.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from .cgroups import Cgroup
from .sandbox import Limits, Sandbox, make_ipc_folder, remove_folder

SANDBOX_KERNEL = "dlcourse-sandbox"
SECOND_UID_OFFSET = 1000  # a slot's kernels alternate between UID_BASE + k and this much higher
WARM_TIMEOUT = 120
WARM_SOURCE = """
import importlib
for name in {modules!r}:
    try:
        importlib.import_module(name)
    except Exception:  # a name that is no module, or a module that fails: the notebook will say so
        pass
"""


@dataclass(frozen=True)
class KernelSettings:
    """What every kernel of one worker slot is made with (the same for each submission of a batch)."""

    sandbox: bool
    uid: int
    cgroup: dict | None
    gpu: str | None
    threads: int
    keras_backend: str
    limits: tuple
    ipc_root: str
    release: str  # the release's files besides notebooks, the kernel's working folder
    judge_folder: str  # where the judge's sockets are: readable in the sandbox
    modules: tuple[str, ...]  # what the assignment's source notebook imports (template_modules)

    def sandbox_for(self, uid: int, ipc_dir: Path) -> Sandbox | None:
        if not self.sandbox:
            return None
        group = Cgroup(**self.cgroup).child(f"sandbox-{uid}") if self.cgroup else None
        return Sandbox(ipc_dir=ipc_dir, uid=uid, files=Path(self.release), readonly=(self.judge_folder,),
                       cgroup=group, gpu=self.gpu, threads=self.threads, keras_backend=self.keras_backend,
                       limits=Limits(**dict(self.limits)))


@dataclass
class Kernel:
    """A started kernel: its manager (for nbclient), its sandbox, and the thread warming it."""

    settings: KernelSettings
    manager: AsyncKernelManager
    sandbox: Sandbox | None
    ipc_dir: Path
    spec_dir: Path
    warming: threading.Thread = field(default=None)

    def alive(self) -> bool:
        return bool(run_sync(self.manager.is_alive)())

    def stop(self) -> None:
        """Kill the kernel and everything in its sandbox; remove its folders."""
        try:
            run_sync(self.manager.shutdown_kernel)(now=True)
        except Exception:  # already gone: the sandbox's cgroup below kills whatever is left
            pass
        if self.sandbox is not None:
            self.sandbox.stop()
        if self.warming is not None:
            self.warming.join(timeout=10)
        remove_folder(self.ipc_dir)
        shutil.rmtree(self.spec_dir, ignore_errors=True)


def start(settings: KernelSettings, uid: int, scratch: Path) -> Kernel:
    """Start a new kernel in a new sandbox as ``uid``, and warm it in the background."""
    ipc_dir = make_ipc_folder(Path(settings.ipc_root))
    spec_dir = Path(tempfile.mkdtemp(prefix="kernelspec-", dir=scratch))
    sandbox = settings.sandbox_for(uid, ipc_dir)
    name = NATIVE_KERNEL_NAME
    if sandbox is not None:
        sandbox.start()
        sandbox.write_kernelspec(spec_dir, SANDBOX_KERNEL)
        name = SANDBOX_KERNEL
    manager = AsyncKernelManager(
        kernel_name=name, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_dir / "kernels")]),
        transport="ipc", ip=str(ipc_dir / "kernel"), connection_file=str(ipc_dir / "kernel.json"))
    kernel = Kernel(settings, manager, sandbox, ipc_dir, spec_dir)
    try:
        extra = [] if sandbox is not None else ["--HistoryManager.hist_file=:memory:"]
        run_sync(manager.start_kernel)(extra_arguments=extra, cwd=settings.release)
    except Exception:
        kernel.stop()
        raise
    kernel.warming = threading.Thread(target=warm, args=(manager, settings.modules), daemon=True)
    kernel.warming.start()
    return kernel


def warm(manager: AsyncKernelManager, modules: tuple[str, ...]) -> None:
    """Import ``modules`` in the kernel (binding no names), so the notebook's own imports are instant."""
    if not modules:
        return
    code = f"exec({WARM_SOURCE.format(modules=modules)!r}, {{}})"  # a namespace of its own: no name reaches the notebook's
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=WARM_TIMEOUT)
        client.execute(code, silent=True, store_history=False)  # the reply is not awaited: cells queue behind it
    except Exception:  # a kernel that dies or hangs here fails the submission it is given to, as it should
        pass
    finally:
        client.stop_channels()  # the request is sent first (the sockets linger)


def template_modules(notebook) -> tuple[str, ...]:
    """The modules an assignment's source notebook imports at top level in the cells that run in the
    student's kernel (set-up cells and reference solutions, not tests), in order."""
    found: list[str] = []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or (meta.get("grade") and not meta.get("solution")):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return tuple(dict.fromkeys(found))
