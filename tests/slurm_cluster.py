"""A real one-node Slurm cluster for tests: munged, slurmctld and slurmd, all under one temp dir.

Nothing on the machine is changed: the munge key, socket, slurm.conf, state, spool and logs live
in the cluster's folder, and client commands find the cluster through ``SLURM_CONF``. The daemons
run in the foreground as children of the test process (as root), on free TCP ports, and are
stopped by :meth:`SlurmCluster.stop`, after every job is cancelled.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

APT_PACKAGES = "slurm-wlm munge"
INSTALL_HINT = (f"install them with `apt-get install -y --no-install-recommends {APT_PACKAGES}` "
                "(or set DLCOURSE_SKIP_SLURM=1 to skip the Slurm tests)")
DAEMONS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo", "scancel")
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED",
            "BOOT_FAIL", "DEADLINE"}


class SlurmError(RuntimeError):
    """A Slurm daemon or command failed; the message carries its output and logs."""


def missing_programs() -> list[str]:
    """The programs of slurm-wlm and munge that are not on PATH (sbin included)."""
    path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin:/sbin"
    return [name for name in DAEMONS if shutil.which(name, path=path) is None]


def _set_child_subreaper(on: bool) -> None:
    """Adopt orphaned descendants (slurmstepd), so they can be reaped here and never linger as
    zombies under an init that does not reap (as in some containers)."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0)


def _adopted_children() -> dict[int, tuple[str, str]]:
    """Children of this process (the daemons' orphans end up here): pid -> (name, state)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        state, ppid = text[text.rindex(")") + 2:].split()[:2]
        if int(ppid) == os.getpid():
            children[int(stat.parent.name)] = (comm, state)
    return children


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_hardware() -> dict[str, str]:
    """This machine as ``slurmd -C`` describes it (CPUs, sockets, cores, threads, RealMemory)."""
    out = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout
    first = out.splitlines()[0]
    return dict(field.split("=", 1) for field in first.split() if "=" in field)


class SlurmCluster:
    """One controller and one compute node on localhost, configured in ``root``."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.conf = self.root / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        self.env["PATH"] = self.env.get("PATH", "") + os.pathsep + "/usr/sbin:/sbin"
        self.node = socket.gethostname().split(".")[0]
        self._daemons: dict[str, subprocess.Popen] = {}

    # -- set-up ---------------------------------------------------------------------------------
    def write_config(self) -> None:
        """The munge key and a minimal slurm.conf: no accounting, no cgroups, everything in root."""
        for sub in ("state", "spool", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        key = self.root / "munge.key"
        if not key.exists():
            subprocess.run(["mungekey", "--create", f"--keyfile={key}"], check=True, env=self.env)
        hw = node_hardware()
        cpus, memory = hw["CPUs"], hw["RealMemory"]
        r = self.root
        self.conf.write_text(f"""\
ClusterName=dlcourse-test
SlurmctldHost={self.node}(127.0.0.1)
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={r}/munge.socket
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool/%n
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd.pid
SlurmctldLogFile={r}/log/slurmctld.log
SlurmdLogFile={r}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
MaxArraySize=1001
NodeName={self.node} NodeAddr=127.0.0.1 CPUs={cpus} Boards={hw.get("Boards", 1)} \
SocketsPerBoard={hw.get("SocketsPerBoard", 1)} CoresPerSocket={hw.get("CoresPerSocket", cpus)} \
ThreadsPerCore={hw.get("ThreadsPerCore", 1)} RealMemory={memory} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")

    def _spawn(self, name: str, *argv: str) -> None:
        log = open(self.root / "log" / f"{name}.out", "ab")
        self._daemons[name] = subprocess.Popen(
            argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def start(self, timeout: float = 60) -> SlurmCluster:
        """Write the configuration, start munged, slurmctld and slurmd; wait for an idle node."""
        if os.geteuid() != 0:
            raise SlurmError("the test Slurm cluster runs its daemons as root (SlurmUser=root): run the "
                             "tests as root, or set DLCOURSE_SKIP_SLURM=1")
        self.write_config()
        _set_child_subreaper(True)
        r = self.root
        # --force: this socket's folder is not world-searchable (a pytest temp dir); only root uses it.
        self._spawn("munged", "munged", "--foreground", "--force", f"--key-file={r}/munge.key",
                    f"--socket={r}/munge.socket", f"--pid-file={r}/munged.pid",
                    f"--log-file={r}/log/munged.log", f"--seed-file={r}/munged.seed")
        self._wait(lambda: (r / "munge.socket").exists(), 15, "munged to create its socket")
        self._spawn("slurmctld", "slurmctld", "-D", "-c", "-f", str(self.conf))
        self._wait(lambda: self.run("scontrol", "ping", check=False).returncode == 0, timeout,
                   "slurmctld to answer `scontrol ping`")
        self._spawn("slurmd", "slurmd", "-D", "-N", self.node, "-f", str(self.conf))
        self._wait(lambda: self.node_state().startswith("idle"), timeout, f"node {self.node} to be idle")
        return self

    def _wait(self, ready, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            for name, proc in self._daemons.items():
                if proc.poll() is not None:
                    raise SlurmError(f"{name} exited with {proc.returncode} while waiting for {what}\n{self.logs()}")
            if time.monotonic() > deadline:
                raise SlurmError(f"timed out after {timeout:.0f} s waiting for {what}\n{self.logs()}")
            time.sleep(0.5)

    # -- commands -------------------------------------------------------------------------------
    def run(self, *argv: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        """A Slurm client command against this cluster."""
        env = {**self.env, **kwargs.pop("env", {})}
        kwargs["cwd"] = kwargs.get("cwd") or self.root
        result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, **kwargs)
        if check and result.returncode != 0:
            raise SlurmError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result

    def node_state(self) -> str:
        return self.run("sinfo", "-h", "-N", "-n", self.node, "-o", "%t", check=False).stdout.strip()

    def sbatch(self, script: Path, *options: str, env: dict | None = None, cwd: Path | None = None) -> str:
        """Submit ``script`` with ``options`` (they override its #SBATCH lines); the job id."""
        out = self.run("sbatch", "--parsable", *options, str(script), env=env or {}, cwd=cwd or self.root).stdout
        return out.strip().split(";")[0]

    def job_states(self, job_id: str) -> dict[str, str]:
        """Task (array index, or the job id) -> JobState, as ``scontrol show job`` reports them."""
        out = self.run("scontrol", "show", "job", "-o", job_id, check=False).stdout
        states = {}
        for line in out.splitlines():
            state = re.search(r"\bJobState=(\S+)", line)
            task = re.search(r"\bArrayTaskId=(\S+)", line)
            if state:
                states[task.group(1) if task else job_id] = state.group(1)
        return states

    def wait(self, job_id: str, timeout: float = 300) -> dict[str, str]:
        """Wait until every task of the job has ended; its final states."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.job_states(job_id)
            if states and all(s in TERMINAL for s in states.values()):
                return states
            if time.monotonic() > deadline:
                raise SlurmError(f"job {job_id} not done after {timeout:.0f} s: {states}\n{self.logs()}")
            time.sleep(1)

    def logs(self, tail: int = 40) -> str:
        """The last lines of every daemon log, for error messages."""
        parts = []
        for log in sorted((self.root / "log").glob("*")):
            lines = log.read_text(errors="replace").splitlines()[-tail:]
            parts.append(f"--- {log.name}\n" + "\n".join(lines))
        return "\n".join(parts)

    # -- tear-down ------------------------------------------------------------------------------
    def stop(self) -> None:
        """Cancel every job, wait for them to go, then stop slurmd, slurmctld and munged."""
        if "slurmctld" in self._daemons and self._daemons["slurmctld"].poll() is None:
            self.run("scancel", "--user", "root", check=False)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                out = self.run("squeue", "-h", "-o", "%i", check=False)
                if out.returncode != 0 or not out.stdout.strip():
                    break
                time.sleep(0.5)
        for name in ("slurmd", "slurmctld", "munged"):
            proc = self._daemons.pop(name, None)
            if proc is None or proc.poll() is not None:
                continue
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # Reap what the jobs left: zombies of any name, and any slurmstepd still alive.
        for pid, (name, state) in _adopted_children().items():
            if state != "Z" and name not in {"slurmstepd", "munged", "slurmctld", "slurmd"}:
                continue
            try:
                if state != "Z":
                    os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        _set_child_subreaper(False)

    def __enter__(self) -> SlurmCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
