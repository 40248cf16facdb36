"""The sandbox on its own: isolation, cgroup caps (CPU, memory, processes), disk quotas, cleanup, and
that nothing of the student's reaches the kernel. Each test first shows that its exploit ran (the
loops burned CPU, the write reached ENOSPC, the shadow module was on the host) and then that it
got nothing. Tests that need cgroups (and root) are skipped where the grader has none."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from pathlib import Path

import pytest

import dlcourse.checks
from autograder import cgroups, worker
from autograder.nbgrader_course import copy_course
from autograder.sandbox import HOME, IPC_MB, Limits, Sandbox, make_ipc_folder, remove_folder

UID = 61900
ASSIGNMENT = "01-linear-algebra"


@pytest.fixture
def run_group():
    group = cgroups.create_run_group(f"test-sandbox-{uuid.uuid4().hex[:8]}")
    if group is None:
        pytest.skip("no usable cgroups here (the grader falls back to rlimits)")
    yield group
    group.remove()


@pytest.fixture
def ipc_root():
    root = Path(tempfile.mkdtemp(prefix="sbt-", dir="/tmp"))
    yield root
    remove_folder(root)


@pytest.fixture
def make(run_group, ipc_root):
    """Start sandboxes in this test's run group; stop them afterwards."""
    started = []

    def start(uid: int = UID, ipc_dir: Path | None = None, **kwargs) -> Sandbox:
        sandbox = Sandbox(ipc_dir=ipc_dir or make_ipc_folder(ipc_root), uid=uid,
                          cgroup=run_group.child(f"sandbox-{uid}"), **kwargs)
        sandbox.start()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


def run_python(sandbox: Sandbox, code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(sandbox.command([sys.executable, "-c", code]), capture_output=True, text=True,
                          timeout=timeout)


def start_python(sandbox: Sandbox, code: str) -> subprocess.Popen:
    return subprocess.Popen(sandbox.command([sys.executable, "-c", code]), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stat(pid: int) -> list[str]:
    """/proc/PID/stat from field 3 (state) on: [3] is the session, [11] and [12] utime and stime."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def wait_for(predicate, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def running(sandbox: Sandbox, code: str) -> list[int]:
    """The sandbox's processes running ``python -c CODE...``."""
    return [pid for pid in sandbox.cgroup.processes() if cmdline(pid).startswith(f"{sys.executable} -c {code}")]


def counter(file: str, key: str) -> int:
    """A counter in a cgroup file of 'key value' lines (0 when absent)."""
    for line in Path(file).read_text().splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


def test_sandbox_isolates_a_process(tmp_path, ipc_root):
    secret = tmp_path / "course" / "gradebook.db"
    secret.parent.mkdir()
    secret.write_text("hidden")
    sandbox = Sandbox(ipc_dir=make_ipc_folder(ipc_root), uid=UID, limits=Limits(processes=32, file_size_mb=1))
    probe = (
        "import os, resource, socket\n"
        "print('uid', os.getuid())\n"
        f"print('secret', os.path.exists({str(secret)!r}))\n"
        "print('sys', os.path.exists('/sys/fs/cgroup'))\n"
        "print('nproc', resource.getrlimit(resource.RLIMIT_NPROC)[0])\n"
        "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2); print('net yes')\n"
        "except OSError: print('net no')\n"
        "open('/tmp/x', 'w').write('ok'); print('tmp ok')\n"
        "try:\n    open('big', 'wb').write(b'0' * 2_000_000); print('big yes')\n"
        "except OSError as err: print('big', err.strerror)\n"
    )
    out = run_python(sandbox, probe)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    if os.geteuid() == 0:
        assert "uid 61900" in lines
    assert "secret False" in lines and "sys False" in lines and "nproc 32" in lines
    assert "net no" in lines and "tmp ok" in lines and "big File too large" in lines


def test_a_process_cannot_leave_its_cgroup(make):
    sandbox = make()
    escape = (
        "import ctypes, os, time\n"
        "for path in ['/sys/fs/cgroup/cgroup.procs', '/sys/fs/cgroup/cpu/cgroup.procs']:\n"
        "    try:\n        open(path, 'w').write(str(os.getpid())); print('moved')\n"
        "    except OSError as err: print('write', type(err).__name__)\n"
        "os.makedirs('/tmp/cg', exist_ok=True)\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "for fstype, options in [(b'cgroup2', None), (b'cgroup', b'cpu')]:\n"
        "    if libc.mount(b'none', b'/tmp/cg', fstype, 0, options) == 0: print('mounted')\n"
        "    else: print('mount', os.strerror(ctypes.get_errno()))\n"
        "print('done', flush=True)\n"
        "time.sleep(30)\n"
    )
    proc = start_python(sandbox, escape)
    try:
        assert proc.stdout.readline().startswith("write FileNotFoundError")
        lines = [proc.stdout.readline().strip() for _ in range(4)]
        assert lines[-1] == "done" and "moved" not in lines and "mounted" not in lines, lines
        assert all(line.startswith(("write", "mount Operation not permitted")) for line in lines[:3]), lines
        assert running(sandbox, "import ctypes"), "still in its cgroup"
    finally:
        sandbox.stop()
        proc.wait(10)


def test_setsid_busy_loops_share_one_cpu_quota(make):
    sandbox = make(threads=1)
    cpu = sandbox.cgroup.paths[0]
    quota = Path(cpu, "cpu.max" if sandbox.cgroup.version == 2 else "cpu.cfs_quota_us").read_text().split()[0]
    assert int(quota) == cgroups.PERIOD_US, "the sandbox's share is its job's threads (1 core)"
    sandbox.cgroup.limit(0.25, Limits().cgroup_memory_bytes(), 128)  # a quarter core: far below what 3 loops take
    loops = ("import subprocess, sys, time\n"
             "for _ in range(3):\n"
             "    subprocess.Popen(['setsid', sys.executable, '-c', 'while True: pass'])\n"
             "time.sleep(30)\n")
    proc = start_python(sandbox, loops)
    try:
        busy = wait_for(lambda: len(found := running(sandbox, "while True")) == 3 and found)
        (parent,) = running(sandbox, "import subprocess")
        assert {stat(p)[3] for p in busy}.isdisjoint({stat(parent)[3]}) and len({stat(p)[3] for p in busy}) == 3
        time.sleep(0.5)
        throttled = counter(f"{cpu}/cpu.stat", "nr_throttled")
        before = {p: int(stat(p)[11]) + int(stat(p)[12]) for p in busy}
        started = time.monotonic()
        time.sleep(2)
        used = sum(int(stat(p)[11]) + int(stat(p)[12]) - before[p] for p in busy) / os.sysconf("SC_CLK_TCK")
        wall = time.monotonic() - started
        assert all(int(stat(p)[11]) > 0 for p in busy), "every loop ran"
        assert counter(f"{cpu}/cpu.stat", "nr_throttled") > throttled, "the loops wanted more than the quota"
        assert used <= 0.25 * wall * 1.3, f"3 setsid loops used {used:.2f} s of CPU in {wall:.2f} s"
    finally:
        sandbox.stop()
        proc.wait(10)


def test_memory_is_capped_for_the_whole_sandbox(make):
    sandbox = make(limits=Limits(memory_mb=128, tmp_mb=8, home_mb=8))
    hogs = ("import subprocess, sys\n"
            "try:\n    block = b'x' * 200 * 2**20; print('rlimit no')\n"
            "except MemoryError: print('rlimit MemoryError')\n"
            "hog = 'import time; block = b\"x\" * 80 * 2**20; print(\"allocated\", flush=True); time.sleep(1)'\n"
            "children = [subprocess.Popen([sys.executable, '-c', hog]) for _ in range(3)]\n"
            "print('exits', sorted(c.wait() for c in children))\n")
    out = run_python(sandbox, hogs)
    assert out.returncode == 0, out.stderr
    assert "rlimit MemoryError" in out.stdout, "one process is held by its address-space rlimit"
    assert out.stdout.count("allocated") >= 1, "the hogs ran"
    assert "-9" in out.stdout.splitlines()[-1], "3 x 80 MB > 144 MB: the kernel's OOM killer stopped one"
    memory = sandbox.cgroup.paths[0 if sandbox.cgroup.version == 2 else 1]
    if sandbox.cgroup.version == 2:
        assert counter(f"{memory}/memory.events", "oom_kill") >= 1
    else:
        assert counter(f"{memory}/memory.oom_control", "oom_kill") >= 1


def test_process_count_is_capped_for_the_whole_sandbox(make):
    sandbox = make(limits=Limits(processes=20))
    fork = ("import os, time\n"
            "children = 0\n"
            "while children < 100:\n"
            "    try:\n        pid = os.fork()\n"
            "    except OSError as err:\n        print('refused after', children, err.strerror); break\n"
            "    if pid == 0:\n        time.sleep(30); os._exit(0)\n"
            "    children += 1\n")
    out = run_python(sandbox, fork)
    assert out.returncode == 0, out.stderr
    children = int(out.stdout.split()[2])
    assert 10 <= children < 20, out.stdout
    pids = sandbox.cgroup.paths[-1]
    assert counter(f"{pids}/pids.events", "max") >= 1, "the cgroup (not only the rlimit) refused"


def test_disk_quota_gives_enospc_and_leaves_the_host_untouched(make):
    sandbox = make(limits=Limits(tmp_mb=8, home_mb=8))
    name = f"fill-{uuid.uuid4().hex[:8]}"
    fill = (f"import os\n"
            f"for folder in [{HOME!r}, '/tmp', {str(sandbox.ipc_dir)!r}]:\n"
            f"    written = 0\n"
            f"    try:\n"
            f"        with open(os.path.join(folder, {name!r}), 'wb') as f:\n"
            f"            while written < 100:\n"
            f"                f.write(b'x' * 2**20); f.flush(); written += 1\n"
            f"    except OSError as err:\n"
            f"        print(folder, written, err.strerror)\n")
    out = run_python(sandbox, fill)
    assert out.returncode == 0, out.stderr
    got = {line.split()[0]: line.split(None, 2)[1:] for line in out.stdout.splitlines()}
    for folder, quota in [(HOME, 8), ("/tmp", 8), (str(sandbox.ipc_dir), IPC_MB)]:
        written, error = got[folder]
        assert error == "No space left on device" and quota - 2 <= int(written) <= quota, (folder, got)
    assert not Path(HOME, name).exists() and not Path("/tmp", name).exists()
    assert os.path.ismount(sandbox.ipc_dir), "the ipc folder is a tmpfs of its own, not the host's disk"


def test_a_kernel_reaches_the_judges_socket_and_nothing_else_of_its_folder(make, ipc_root):
    """The judge's folder (one per worker, a sandbox of its own as another user) is read-only in the
    kernel's sandbox: the kernel connects to the judge's socket, but can neither remove it nor
    leave anything there for the next student's kernel."""
    folder = make_ipc_folder(ipc_root)
    judge = make(uid=UID + 500, ipc_dir=folder)
    kernel = make(readonly=(str(folder),))
    path = str(folder / "judge.sock")
    serve = ("import os, socket\n"
             f"server = socket.socket(socket.AF_UNIX); server.bind({path!r}); os.chmod({path!r}, 0o666)\n"
             "server.listen(1); print('listening', flush=True)\n"
             "conn, _ = server.accept(); print('got', conn.recv(100).decode(), os.getuid())\n")
    connect = ("import os, socket\n"
               "client = socket.socket(socket.AF_UNIX)\n"
               f"client.connect({path!r}); client.sendall(str(os.getuid()).encode())\n"
               f"for attempt in (lambda: os.unlink({path!r}), lambda: open({str(folder / 'left')!r}, 'w')):\n"
               "    try:\n        attempt(); print('done')\n"
               "    except OSError as err: print(err.strerror)\n")
    server = start_python(judge, serve)
    assert server.stdout.readline() == "listening\n"
    out = run_python(kernel, connect)
    assert out.stdout == "Read-only file system\nRead-only file system\n", out.stdout + out.stderr
    assert server.communicate(timeout=10)[0] == f"got {UID} {UID + 500}\n"
    assert sorted(os.listdir(folder)) == ["judge.sock"]


def test_nothing_survives_stop(make):
    sandbox = make()
    daemons = ("import os, time\n"
               "for _ in range(3):\n"
               "    if os.fork() == 0:\n"
               "        os.setsid()\n"
               "        if os.fork() == 0:\n            time.sleep(600)\n"
               "        os._exit(0)\n"
               "time.sleep(600)\n")
    proc = start_python(sandbox, daemons)
    pids = wait_for(lambda: len(found := running(sandbox, "import os, time")) == 4 and found)
    assert len({stat(p)[3] for p in pids}) == 4, "daemons in sessions of their own"
    sandbox.stop()
    assert proc.wait(10) != 0
    alive = [p for p in pids if os.path.exists(f"/proc/{p}") and stat(p)[0] != "Z"]
    assert alive == [] and not any(os.path.exists(p) for p in sandbox.cgroup.paths)


def test_student_files_never_reach_the_kernel(tmp_path, run_group, ipc_root):
    """A kernel started from the worker's sandbox: no shipped module, startup file, .pth or
    sitecustomize of the student's runs or shadows anything; only the release's files are there."""
    template = copy_course(tmp_path / "template")
    (template / "solutions" / ASSIGNMENT / "data.csv").write_text("1,2,3\n")
    files = tmp_path / "files"
    shipped = {"dlcourse/__init__.py": "", "dlcourse/checks.py": "PWNED = True\n",
               ".ipython/profile_default/startup/00-x.py": "PWNED = True\n",
               "sitecustomize.py": "import builtins; builtins.PWNED = True\n",
               "usercustomize.py": "import builtins; builtins.PWNED = True\n",
               "x.pth": "import builtins; builtins.PWNED = True\n", f"{ASSIGNMENT}.ipynb": "{}"}
    for name, text in shipped.items():
        (files / name).parent.mkdir(parents=True, exist_ok=True)
        (files / name).write_text(text)
    assert (files / "dlcourse" / "checks.py").is_file(), "the shadow module is on the host side"
    job = {"uid": UID, "ipc_root": str(ipc_root), "template": str(template), "assignment": ASSIGNMENT,
           "notebook": ASSIGNMENT, "work": str(tmp_path / "work" / "ada"), "files": str(files), "threads": 1,
           "cgroup": asdict(run_group), "sandbox": True}
    slot = worker.Slot()
    slot.judge_folder = make_ipc_folder(ipc_root)
    sandbox = slot.kernel_settings(job).sandbox_for(UID, make_ipc_folder(ipc_root))
    sandbox.start()
    probe = ("import os, sys, builtins, dlcourse.checks\n"
             "print('home', sorted(os.listdir(os.environ['HOME'])))\n"
             "print('cwd', os.getcwd(), sorted(os.listdir('.')))\n"
             "print('ipython', sorted(os.listdir(os.path.join(os.environ['IPYTHONDIR'], 'profile_default', 'startup'))))\n"
             "print('pwned', hasattr(builtins, 'PWNED') or 'PWNED' in globals() or hasattr(dlcourse.checks, 'PWNED'))\n"
             "print('checks', dlcourse.checks.__file__)\n"
             "print('path', [os.path.abspath(p) for p in sys.path if not p.startswith((sys.prefix, sys.base_prefix))])\n"
             "print('data', open('data.csv').read().strip(), os.access('data.csv', os.W_OK))\n")
    try:
        lines = kernel_output(sandbox, tmp_path / "jupyter", probe)
    finally:
        sandbox.stop()
    assert lines[0] == "home ['.ipython', 'data.csv']", lines
    assert lines[1] == f"cwd {HOME} ['.ipython', 'data.csv']"
    assert lines[2] == "ipython ['README']" and lines[3] == "pwned False"
    assert lines[4] == f"checks {dlcourse.checks.__file__}", "the course's own module"
    assert lines[5] == f"path ['{HOME}']", "the working folder (the grader's) is the only one added to sys.path"
    assert lines[6] == "data 1,2,3 False", "the release's data file, read-only"


def kernel_output(sandbox: Sandbox, jupyter_path: Path, code: str) -> list[str]:
    """Start the sandbox's kernel from its kernelspec, run ``code``, return its printed lines."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    sandbox.write_kernelspec(jupyter_path, "sandboxed")
    km = KernelManager(kernel_name="sandboxed", transport="ipc", ip=str(sandbox.ipc_dir / "kernel"),
                       connection_file=str(sandbox.ipc_dir / "kernel.json"),
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(jupyter_path / "kernels")]))
    km.start_kernel()
    client = km.client()
    client.start_channels()
    text = []
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive(code, timeout=60, output_hook=lambda msg: text.append(
            msg["content"].get("text", "") + str(msg["content"].get("evalue", ""))))
        assert reply["content"]["status"] == "ok", text
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)
    return "".join(text).splitlines()


def test_without_cgroups_a_warning_and_rlimits(tmp_path, ipc_root, capfd):
    assert cgroups.create_run_group("none", mount=tmp_path) is None
    warning = capfd.readouterr().err
    assert warning.count("\n") == 1 and "warning: no cgroups" in warning and "rlimits only" in warning
    out = run_python(Sandbox(ipc_dir=make_ipc_folder(ipc_root), uid=UID), "print('ran')")
    assert out.stdout == "ran\n", out.stderr


def test_cgroup_v2_is_delegated_top_down_beside_a_busy_group(tmp_path, monkeypatch):
    """No v2 host here: the v2 path on a stand-in tree of plain files. The grader's own group
    holds processes (its subtree_control refuses writes), so the run's group goes beside it."""
    own = tmp_path / "slice" / "session"
    (own / "cgroup.subtree_control").mkdir(parents=True)  # writing to it fails, as EBUSY would
    (tmp_path / "cgroup.controllers").write_text("cpu memory pids")
    monkeypatch.setattr(cgroups, "own_groups", lambda: {"": "/slice/session"})
    monkeypatch.setattr(cgroups.os, "geteuid", lambda: 0)
    group = cgroups.create_run_group("run", mount=tmp_path)
    assert group == cgroups.Cgroup(2, (str(tmp_path / "slice" / "run"),))
    for folder in (tmp_path, tmp_path / "slice", tmp_path / "slice" / "run"):
        assert (folder / "cgroup.subtree_control").read_text() == "+cpu +memory +pids"
    sandbox = group.child("sandbox-1")
    sandbox.create()
    sandbox.limit(2, 3 * 2**20, 64)
    written = {f.name: f.read_text() for f in Path(sandbox.paths[0]).iterdir()}
    assert written == {"cpu.max": "200000 100000", "memory.max": str(3 * 2**20), "pids.max": "64"}
    assert sandbox.join_command()[2] == f"echo $$ > {sandbox.paths[0]}/cgroup.procs && exec \"$@\""
