"""The sandbox a student's kernel runs in: bubblewrap, an unprivileged user, rlimits, no network.

Only the kernel is sandboxed; the grader around it (nbgrader, the gradebook, the hidden tests)
stays outside. The kernel sees read-only system folders, the Python environment and the course's
``dlcourse`` package, a private writable working folder with that student's files, and a small
private /tmp. It cannot see the course directory, the gradebook, other submissions or the network:
they are not in its file system, and it has its own network namespace. The grader talks to it over
Unix sockets in a folder shared with the sandbox (Jupyter's ``ipc`` transport).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import dlcourse


class SandboxUnavailable(RuntimeError):
    """bubblewrap or setpriv is missing, so student code cannot be isolated."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one kernel (rlimits; memory is address space)."""

    cpu_seconds: int = 900
    memory_mb: int = 6144
    processes: int = 128
    file_size_mb: int = 64
    open_files: int = 256
    tmp_mb: int = 256


@dataclass(frozen=True)
class Sandbox:
    """How to start one student's kernel.

    ``workdir`` is the student's private folder (the kernel's cwd and HOME); ``ipc_dir`` holds the
    connection file and sockets; ``uid`` is the unprivileged user the kernel runs as when the
    grader is root (distinct per worker, so process limits do not spill over between students).
    """

    workdir: Path
    ipc_dir: Path
    uid: int = 61000
    limits: Limits = field(default_factory=Limits)
    gpu: str | None = None
    threads: int = 1

    def readonly_paths(self) -> list[str]:
        """Host folders the kernel may read: the system, Python, and the course's package."""
        package_root = str(Path(dlcourse.__file__).resolve().parent.parent)
        paths = ["/usr", "/etc", sys.prefix, sys.base_prefix, os.path.realpath(sys.base_prefix), package_root]
        return sorted({p for p in paths if os.path.isdir(p)}, key=len)

    def environment(self) -> dict[str, str]:
        env = {
            "PATH": f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.workdir),
            "LANG": "C.UTF-8",
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde"),
            "OMP_NUM_THREADS": str(self.threads),
            "OPENBLAS_NUM_THREADS": str(self.threads),
            "TF_NUM_INTEROP_THREADS": str(self.threads),
            "TF_NUM_INTRAOP_THREADS": str(self.threads),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "CUDA_VISIBLE_DEVICES": self.gpu if self.gpu is not None else "",
        }
        if self.gpu is not None:
            env["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
        return env

    def bwrap_args(self) -> list[str]:
        """The bubblewrap part of the command: file system, namespaces, environment."""
        args = ["bwrap", "--die-with-parent", "--new-session", "--clearenv", "--unshare-ipc",
                "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        if os.geteuid() != 0:  # root drops to an unprivileged uid instead (see kernel_argv)
            args += ["--unshare-user"]
        # /tmp first: a tmpfs mounted later would hide folders made under it
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", str(self.limits.tmp_mb * 2**20), "--tmpfs", "/tmp"]
        made = set()
        for path in self.readonly_paths() + [str(self.workdir), str(self.ipc_dir)]:
            for parent in list(reversed(Path(path).parents))[1:]:
                if str(parent) not in made and str(parent) != "/tmp":
                    made.add(str(parent))
                    args += ["--perms", "0755", "--dir", str(parent)]
        for path in self.readonly_paths():
            args += ["--ro-bind", path, path]
        for name in ("lib", "lib64", "bin", "sbin"):
            if os.path.islink(f"/{name}"):
                args += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        args += ["--bind", str(self.workdir), str(self.workdir),
                 "--bind", str(self.ipc_dir), str(self.ipc_dir),
                 "--chdir", str(self.workdir)]
        if self.gpu is not None:
            for device in sorted(Path("/dev").glob("nvidia*")):
                args += ["--dev-bind", str(device), str(device)]
        for key, value in self.environment().items():
            args += ["--setenv", key, value]
        return args

    def kernel_argv(self) -> list[str]:
        """The full kernel command, with ``{connection_file}`` for Jupyter to fill in.

        Inside the sandbox a root shell ignores SIGXFSZ (so an oversized write fails with an error
        instead of killing the kernel), hands the connection file to the kernel's user, sets the
        rlimits and drops to that user for good.
        """
        limits = self.limits
        prlimit = ["prlimit", f"--cpu={limits.cpu_seconds}", f"--as={limits.memory_mb * 2**20}",
                   f"--nproc={limits.processes}", f"--fsize={limits.file_size_mb * 2**20}",
                   f"--nofile={limits.open_files}", "--core=0"]
        kernel = [f"{sys.prefix}/bin/python", "-m", "ipykernel_launcher", "-f", '"$0"',
                  "--HistoryManager.hist_file=:memory:"]
        if os.geteuid() == 0:
            uid = str(self.uid)
            drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs"]
            chown = f'chown {uid}:{uid} "$0" && '
        else:
            drop, chown = [], ""
        script = f"trap '' XFSZ; {chown}exec {' '.join(prlimit + drop + kernel)}"
        return self.bwrap_args() + ["--", "/bin/sh", "-c", script, "{connection_file}"]

    def prepare(self) -> None:
        """Create the shared folders and give them to the kernel's user."""
        for folder in (self.workdir, self.ipc_dir):
            folder.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                for path in [folder, *folder.rglob("*")]:
                    os.chown(path, self.uid, self.uid, follow_symlinks=False)

    def write_kernelspec(self, jupyter_path: Path, name: str = "python3") -> None:
        """A kernelspec called ``name`` that starts this sandboxed kernel (put jupyter_path first on JUPYTER_PATH)."""
        folder = jupyter_path / "kernels" / name
        folder.mkdir(parents=True, exist_ok=True)
        spec = {"argv": self.kernel_argv(), "display_name": "Python 3 (sandboxed grading)",
                "language": "python", "interrupt_mode": "message", "metadata": {"debugger": False}}
        (folder / "kernel.json").write_text(json.dumps(spec, indent=1))


def check_available() -> None:
    """Fail with what to install when the sandbox's tools are missing."""
    missing = [tool for tool in ("bwrap", "prlimit", "setpriv") if shutil.which(tool) is None]
    if missing:
        raise SandboxUnavailable(
            f"cannot sandbox student code: {', '.join(missing)} not found. Install them "
            "(Debian/Ubuntu: apt-get install bubblewrap util-linux) or, only for trusted "
            "notebooks, pass --no-sandbox."
        )
