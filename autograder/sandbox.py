"""The sandboxes student code (and the judge) run in: bubblewrap, an unprivileged user, cgroups, rlimits.

Only what runs untrusted code is sandboxed; the grader around it (nbgrader, the gradebook, the hidden
tests) stays outside. A sandbox sees read-only system folders, the Python environment, the course's
``dlcourse`` package and the ``autograder`` package, plus what it is given:

- HOME, which is also the working folder: an empty, size-capped tmpfs (``/home/sandbox``) holding
  read-only copies of the release's files besides the notebook (instructor's data), never the
  student's files. IPython, Jupyter and matplotlib keep their settings there, so no startup file,
  profile or config of the student's exists, and the kernel's sys.path holds only this folder
  besides the environment's (user site-packages are off).
- a private, size-capped tmpfs /tmp;
- the per-job ``ipc_dir``, shared read-write with the grader (Jupyter's sockets, the judge's).

It cannot see the course directory, the gradebook, other submissions, /sys or the network (it has
its own network, pid, IPC and UTS namespaces). Its processes join their own cgroup before
bubblewrap starts, so together they get ``threads`` cores, a memory cap and a process cap, whatever
they do; :meth:`Sandbox.stop` kills them all. Without cgroups (not root, or none usable) the same
rlimits as always still bound each process.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import dlcourse

from .cgroups import Cgroup

HOME = "/home/sandbox"
IPC_MB = 16


class SandboxUnavailable(RuntimeError):
    """bubblewrap or setpriv is missing, so student code cannot be isolated."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox. Per process (rlimits): CPU seconds, address space
    (``memory_mb``, unless ``address_space`` is off: on a GPU runner, where CUDA builds of the
    frameworks reserve far more address space than they use), file size, open files, and processes
    of its user. For the whole sandbox: its cgroup caps memory at ``memory_mb`` plus its tmpfs
    quotas, and tasks at ``processes``; HOME and /tmp are tmpfs of ``home_mb`` and ``tmp_mb``."""

    cpu_seconds: int = 900
    memory_mb: int = 6144
    processes: int = 128
    file_size_mb: int = 64
    open_files: int = 256
    tmp_mb: int = 256
    home_mb: int = 256
    address_space: bool = True

    def cgroup_memory_bytes(self) -> int:
        return (self.memory_mb + self.tmp_mb + self.home_mb) * 2**20


@dataclass(frozen=True)
class Sandbox:
    """One sandbox, and the host commands that run something in it.

    ``ipc_dir`` is bound read-write at its own path (make it with :func:`make_ipc_folder`);
    ``uid`` is the unprivileged user everything runs as when the grader is root (one per slot and
    role: the judge of a slot takes another uid than its kernel); ``files`` is a host folder whose
    entries appear read-only in the working folder; ``readonly`` adds host paths readable at their
    real paths; ``cgroup`` is the sandbox's own group (a child of the run's, see cgroups.py), or None
    for rlimits only. ``threads`` is the sandbox's CPU share in cores.

    Use: ``start()``, then run :meth:`command` (any program) or :meth:`kernel_argv` (a Jupyter
    kernel) as often as needed, then ``stop()``, which kills whatever is left. A judge beside a
    student's kernel is a second sandbox of the same job, with its own user and cgroup::

        judge = Sandbox(ipc_dir=kernel.ipc_dir, uid=kernel.uid + 500, threads=kernel.threads,
                        cgroup=run_group.child(f"sandbox-{kernel.uid + 500}"))
        judge.start()
        process = subprocess.Popen(judge.command([sys.executable, "-m", "autograder.judge", socket]), ...)
        ...
        judge.stop()
    """

    ipc_dir: Path
    uid: int = 61000
    files: Path | None = None
    readonly: tuple[str, ...] = ()
    cgroup: Cgroup | None = None
    limits: Limits = field(default_factory=Limits)
    gpu: str | None = None
    threads: int = 1
    keras_backend: str = "tensorflow"

    def readonly_paths(self) -> list[str]:
        """Host folders the sandbox may read: the system, Python, the course's and the grader's packages."""
        package_root = str(Path(dlcourse.__file__).resolve().parent.parent)
        grader_agent = str(Path(__file__).resolve().parent)  # the judge's agent is imported from here
        paths = ["/usr", "/etc", sys.prefix, sys.base_prefix, os.path.realpath(sys.base_prefix), package_root,
                 grader_agent, *self.readonly]
        return sorted({p for p in paths if os.path.exists(p)}, key=len)

    def environment(self) -> dict[str, str]:
        env = {
            "PATH": f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin",
            "HOME": HOME,
            "LANG": "C.UTF-8",
            "USER": "sandbox",  # the sandbox's uid has no passwd entry; getpass asks these first (torch does)
            "LOGNAME": "sandbox",
            "IPYTHONDIR": f"{HOME}/.ipython",
            "JUPYTER_CONFIG_DIR": f"{HOME}/.jupyter",
            "MPLCONFIGDIR": f"{HOME}/.config/matplotlib",
            "PYTHONNOUSERSITE": "1",
            "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde"),
            "OMP_NUM_THREADS": str(self.threads),
            "OPENBLAS_NUM_THREADS": str(self.threads),
            "TF_NUM_INTEROP_THREADS": str(self.threads),
            "TF_NUM_INTRAOP_THREADS": str(self.threads),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "CUDA_VISIBLE_DEVICES": self.gpu if self.gpu is not None else "",
            "KERAS_BACKEND": self.keras_backend,
        }
        if self.gpu is None:  # JAX's CUDA plugin, if installed, would still initialise CUDA (and abort under --as)
            env["JAX_PLATFORMS"] = "cpu"
        else:  # take GPU memory as needed, not all of it at start (TensorFlow, JAX)
            env["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
            env["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
            # float32 as on a CPU: TF32 matrix products (JAX's and TensorFlow's default on recent GPUs) keep
            # 10 mantissa bits, coarser than the tests' tolerances (an H200 put a JAX model's output 1.6e-4 off)
            env["NVIDIA_TF32_OVERRIDE"] = "0"
            env["JAX_DEFAULT_MATMUL_PRECISION"] = "highest"
        return env

    def bwrap_args(self) -> list[str]:
        """The bubblewrap part of a command: file system, namespaces, environment."""
        args = ["bwrap", "--die-with-parent", "--new-session", "--clearenv", "--unshare-ipc",
                "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        if os.geteuid() != 0:  # root drops to an unprivileged uid instead (see command)
            args += ["--unshare-user"]
        # /tmp first: a tmpfs mounted later would hide folders made under it
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", str(self.limits.tmp_mb * 2**20), "--tmpfs", "/tmp"]
        made = {"/tmp"}
        for path in self.readonly_paths() + [str(self.ipc_dir), HOME]:
            for parent in list(reversed(Path(path).parents))[1:]:
                if str(parent) not in made:
                    made.add(str(parent))
                    args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--perms", "0700", "--size", str(self.limits.home_mb * 2**20), "--tmpfs", HOME]
        for path in self.readonly_paths():
            args += ["--ro-bind", path, path]
        for name in ("lib", "lib64", "bin", "sbin"):
            if os.path.islink(f"/{name}"):
                args += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        for entry in sorted(self.files.iterdir()) if self.files else []:
            args += ["--ro-bind", str(entry), f"{HOME}/{entry.name}"]
        args += ["--bind", str(self.ipc_dir), str(self.ipc_dir), "--chdir", HOME]
        if self.gpu is not None:
            for device in sorted(Path("/dev").glob("nvidia*")):
                args += ["--dev-bind", str(device), str(device)]
        for key, value in self.environment().items():
            args += ["--setenv", key, value]
        return args

    def command(self, argv: list[str], owned: tuple[str, ...] = ()) -> list[str]:
        """The host command that runs ``argv`` in this sandbox (for subprocess or a kernelspec).

        It joins the sandbox's cgroup, enters bubblewrap, ignores SIGXFSZ (so an oversized write
        fails with EFBIG instead of killing), sets the rlimits and, when the grader is root, gives
        HOME and the ``owned`` paths (inside the sandbox, e.g. a connection file) to the sandbox's
        user and drops to that user for good.
        """
        limits = self.limits
        prlimit = ["prlimit", f"--cpu={limits.cpu_seconds}", f"--nproc={limits.processes}",
                   f"--fsize={limits.file_size_mb * 2**20}", f"--nofile={limits.open_files}", "--core=0"]
        if limits.address_space:
            prlimit.insert(2, f"--as={limits.memory_mb * 2**20}")
        script = "trap '' XFSZ; "
        drop = []
        if os.geteuid() == 0:
            uid = str(self.uid)
            script += f"chown {uid}:{uid} {' '.join(shlex.quote(p) for p in (HOME, *owned))} && "
            drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs"]
        join = self.cgroup.join_command() if self.cgroup is not None else []
        return [*join, *self.bwrap_args(), "--", "/bin/sh", "-c", script + 'exec "$@"', "sandbox",
                *prlimit, *drop, *argv]

    def kernel_argv(self) -> list[str]:
        """The sandboxed kernel's command, with ``{connection_file}`` for Jupyter to fill in."""
        kernel = [f"{sys.prefix}/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}",
                  "--HistoryManager.hist_file=:memory:"]
        return self.command(kernel, owned=("{connection_file}",))

    def write_kernelspec(self, jupyter_path: Path, name: str = "python3") -> None:
        """A kernelspec called ``name`` that starts this sandboxed kernel (put jupyter_path first on JUPYTER_PATH)."""
        folder = jupyter_path / "kernels" / name
        folder.mkdir(parents=True, exist_ok=True)
        spec = {"argv": self.kernel_argv(), "display_name": "Python 3 (sandboxed grading)",
                "language": "python", "interrupt_mode": "message", "metadata": {"debugger": False}}
        (folder / "kernel.json").write_text(json.dumps(spec, indent=1))

    def start(self) -> None:
        """Make the sandbox's cgroup, with its limits (first killing what a crashed job left in it)."""
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup.create()
            self.cgroup.limit(self.threads, self.limits.cgroup_memory_bytes(), self.limits.processes)

    def stop(self) -> None:
        """Kill every process of the sandbox and remove its cgroup."""
        if self.cgroup is not None:
            self.cgroup.remove()


def make_ipc_folder(root: Path) -> Path:
    """A new folder under ``root`` for one job's sockets, shared by its sandboxes (kernel and judge).

    When the grader is root it is a tmpfs of its own (IPC_MB), so nothing written there reaches the
    host's disk, writable by every user with the sticky bit (no sandbox can remove another's
    sockets); only this job's sandboxes bind it. Keep ``root`` short: Unix socket paths are limited
    to 107 bytes.
    """
    folder = Path(tempfile.mkdtemp(dir=root))
    if os.geteuid() == 0:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={IPC_MB}m,nr_inodes=4096,mode=1777",
                        "sandbox-ipc", str(folder)], check=True)
    return folder


def remove_folder(folder: Path) -> None:
    """Unmount whatever is mounted at or under ``folder`` (deepest first), then delete it."""
    prefix = str(folder).rstrip("/") + "/"
    with open("/proc/self/mountinfo") as mounts:
        points = [line.split()[4] for line in mounts]
    for point in sorted((p for p in points if (p + "/").startswith(prefix)), reverse=True):
        subprocess.run(["umount", "--lazy", point])
    shutil.rmtree(folder, ignore_errors=True)


def check_available() -> None:
    """Fail with what to install when the sandbox's tools are missing."""
    missing = [tool for tool in ("bwrap", "prlimit", "setpriv") if shutil.which(tool) is None]
    if missing:
        raise SandboxUnavailable(
            f"cannot sandbox student code: {', '.join(missing)} not found. Install them "
            "(Debian/Ubuntu: apt-get install bubblewrap util-linux) or, only for trusted "
            "notebooks, pass --no-sandbox."
        )
