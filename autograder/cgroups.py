"""Control groups for sandboxes: a CPU quota, memory and process caps, and a way to kill everything.

A grading run makes one group (:func:`create_run_group`) under the grader's own cgroup, so whatever
limits the grader runs under (a Slurm job, a systemd slice) bind its students too; each sandbox gets
a child of it. A sandbox's processes join their group on the host, before bubblewrap starts
(:meth:`Cgroup.join_command`), so every descendant is in it, whatever it does (``setsid``, double
forks); inside the sandbox there is no /sys, and its unprivileged user could not write there anyway.
:meth:`Cgroup.remove` kills every process in a group and deletes it.

cgroup v2 is used where its cpu, memory and pids controllers can be delegated (the grader's own
group, or its parent when the grader's group holds processes: v2 keeps processes in leaves only);
else cgroup v1's cpu, memory and pids hierarchies. Without root, or without either, sandboxes
keep only their rlimits: :func:`create_run_group` says so in one warning line and returns None.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CONTROLLERS = ("cpu", "memory", "pids")
PERIOD_US = 100_000
MOUNT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Cgroup:
    """One control group: a folder per hierarchy (v2: one; v1: cpu, memory and pids, in that order)."""

    version: int
    paths: tuple[str, ...]

    def child(self, name: str) -> Cgroup:
        return Cgroup(self.version, tuple(f"{path}/{name}" for path in self.paths))

    def create(self) -> None:
        for path in self.paths:
            os.mkdir(path)

    def limit(self, cpus: float, memory_bytes: int, processes: int) -> None:
        """Cap CPU time at ``cpus`` cores (CFS quota), memory (no swap) and the number of tasks."""
        quota = max(1000, int(cpus * PERIOD_US))
        if self.version == 2:
            (path,) = self.paths
            writes = {f"{path}/cpu.max": f"{quota} {PERIOD_US}", f"{path}/memory.max": memory_bytes,
                      f"{path}/pids.max": processes}
            no_swap = (f"{path}/memory.swap.max", 0)
        else:
            cpu, memory, pids = self.paths
            writes = {f"{cpu}/cpu.cfs_period_us": PERIOD_US, f"{cpu}/cpu.cfs_quota_us": quota,
                      f"{memory}/memory.limit_in_bytes": memory_bytes, f"{pids}/pids.max": processes}
            no_swap = (f"{memory}/memory.memsw.limit_in_bytes", memory_bytes)
        if os.path.exists(no_swap[0]):  # only where the kernel accounts swap
            writes[no_swap[0]] = no_swap[1]
        for file, value in writes.items():
            Path(file).write_text(str(value))

    def join_command(self) -> list[str]:
        """A host command prefix that moves itself into this group, then execs the rest of the command.

        If a write fails, the command stops there: nothing runs outside its group.
        """
        joins = [f"echo $$ > {shlex.quote(path + '/cgroup.procs')}" for path in self.paths]
        return ["/bin/sh", "-c", " && ".join(joins + ['exec "$@"']), "cgroup-join"]

    def processes(self) -> set[int]:
        """The pids in this group and its subgroups."""
        pids = set()
        for path in self.paths:
            for folder, _, _ in os.walk(path):
                try:
                    pids.update(int(line) for line in Path(folder, "cgroup.procs").read_text().split())
                except OSError:  # removed meanwhile
                    pass
        return pids

    def remove(self, timeout: float = 10) -> None:
        """Kill every process in this group and its subgroups, then delete them (nothing if absent)."""
        deadline = time.monotonic() + timeout
        while True:
            self._kill_all()
            if self._delete():
                return
            if time.monotonic() > deadline:
                warn(f"cgroup {self.paths[0]} still holds processes {sorted(self.processes())} after SIGKILL")
                return
            time.sleep(0.02)

    def _kill_all(self) -> None:
        """SIGKILL the group's processes, each through a pidfd and only if it is still listed once the
        pidfd is open, so that a pid reused by a process outside the group is never hit."""
        pidfds = {}
        for pid in self.processes():
            try:
                pidfds[pid] = os.pidfd_open(pid)
            except ProcessLookupError:
                pass
        listed = self.processes()
        for pid, fd in pidfds.items():
            try:
                if pid in listed:
                    signal.pidfd_send_signal(fd, signal.SIGKILL)
            except ProcessLookupError:
                pass
            finally:
                os.close(fd)

    def _delete(self) -> bool:
        """rmdir the groups, subgroups first; False while one still holds a process."""
        try:
            for path in self.paths:
                for folder, _, _ in os.walk(path, topdown=False):
                    os.rmdir(folder)
        except OSError:
            return False
        return True


def create_run_group(name: str, mount: Path = MOUNT) -> Cgroup | None:
    """A new group ``name`` for one grading run, or None (after one warning line) where cgroups are unusable."""
    if os.geteuid() != 0:
        return unavailable("the grader is not root")
    try:
        parent = v2_parent(mount) or v1_parent(mount)
        if parent is None:
            return unavailable(f"{mount} offers neither cgroup v2 nor cgroup v1 with the cpu, memory and pids controllers")
        group = parent.child(name)
        group.create()
        if group.version == 2 and not delegate(Path(group.paths[0]), Path(parent.paths[0])):
            group.remove()
            return unavailable(f"cannot enable the cpu, memory and pids controllers in {group.paths[0]}")
        return group
    except OSError as err:
        return unavailable(str(err))


def unavailable(reason: str) -> None:
    warn(f"no cgroups ({reason}): each sandbox is limited by rlimits only, so one student's "
         "processes together can still use more CPU and memory than their share")
    return None


def warn(message: str) -> None:
    print(f"autograder: warning: {message}", file=sys.stderr, flush=True)


def own_groups() -> dict[str, str]:
    """The grader's own cgroup per hierarchy, from /proc/self/cgroup ('' names the v2 hierarchy)."""
    groups = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            groups[controller] = path
    return groups


def v2_parent(mount: Path) -> Cgroup | None:
    """The grader's own v2 group, else its parent, where cpu, memory and pids can be delegated."""
    own = own_groups().get("")
    for root in (mount, mount / "unified"):
        if own is None or not (root / "cgroup.controllers").exists():
            continue
        group = root / own.lstrip("/")
        for candidate in (group, group.parent):
            if candidate.is_relative_to(root) and delegate(candidate, root):
                return Cgroup(2, (str(candidate),))
    return None


def delegate(group: Path, root: Path) -> bool:
    """Enable cpu, memory and pids for the children of ``group``, top-down from ``root`` as v2 requires;
    False where that is refused (a group that holds processes, a controller that is missing)."""
    try:
        for folder in [*reversed(group.parents), group]:
            if folder.is_relative_to(root):
                (folder / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in CONTROLLERS))
    except OSError:
        return False
    return True


def v1_parent(mount: Path) -> Cgroup | None:
    """The grader's own groups in the v1 cpu, memory and pids hierarchies."""
    own = own_groups()
    paths = tuple(str(mount / c / own.get(c, "").lstrip("/")) for c in CONTROLLERS)
    if all(c in own for c in CONTROLLERS) and all(os.path.exists(f"{p}/cgroup.procs") for p in paths):
        return Cgroup(1, paths)
    return None
