"""Exhausting time, memory, processes, output or disk; killing the kernel."""

from . import AFFINE_IF_FOUND, ALL_PARTS, FOUND_NONE, RIGHT_AFFINE, WRONG_AFFINE, Attack, after, hostile

AFFINE_0 = frozenset({"test_affine"})


def in_affine(body: str) -> str:
    """An affine that runs ``body`` (indented) when the test calls it, then returns nothing useful."""
    lines = "\n".join("    " + line for line in ('EXPLOITS.append("entered affine")\n' + body).strip().splitlines())
    return f"def affine(X, W, b):\n{lines}\n    return np.zeros((len(X), 3))\n"


MEMORY_BOMB = WRONG_AFFINE + '''
hog = []
try:
    while True:
        hog.append(b"x" * 2**28)  # 256 MB, touched
except MemoryError:
    print("stopped after", len(hog) * 256, "MB")
    EXPLOITS.append("allocated %d MB" % (len(hog) * 256))
del hog
'''

FORK_BOMB = WRONG_AFFINE + '''
import os, time
children = 0
while children < 10_000:
    try:
        pid = os.fork()
    except OSError as err:
        print("fork refused after", children, "children:", err)
        EXPLOITS.append("forked %d" % children)
        break
    if pid == 0:
        time.sleep(600)
        os._exit(0)
    children += 1
'''

BIG_FILE = '''
FOUND = []
try:
    with open("big.bin", "wb") as f:
        for _ in range(200):
            f.write(b"\\0" * 2**20)
    FOUND.append("200 MB written")
except OSError as err:
    print("refused:", err)
try:
    with open("/tmp/big.bin", "wb") as f:
        for _ in range(400):
            f.write(b"\\0" * 2**20)
    FOUND.append("400 MB written to /tmp")
except OSError as err:
    print("refused:", err)
''' + AFFINE_IF_FOUND

# Busy loops in sessions of their own, left running for the rest of the grading (in the old grader,
# they starved the students graded beside it into timeouts). Proof: each loop burned CPU.
SETSID_LOOPS = WRONG_AFFINE + '''
import subprocess, sys, time
loops = [subprocess.Popen(["setsid", sys.executable, "-c", "while True: pass"]) for _ in range(4)]
time.sleep(1)
burning = [p for p in loops if int(open(f"/proc/{p.pid}/stat").read().rsplit(")", 1)[1].split()[11]) > 0]
EXPLOITS.append("%d loops burning" % len(burning))
'''

# Fills HOME (the working folder), /tmp and the ipc folder with 16 MB files (under the file-size
# rlimit) until the disk refuses, up to 2 GB each; FOUND names the folders that took all of it.
DISK_FILL = '''
import os
from ipykernel.connect import get_connection_file
FOUND = []
for name, folder in [("home", os.path.expanduser("~")), ("tmp", "/tmp"), ("ipc", os.path.dirname(get_connection_file()))]:
    written, paths = 0, []
    try:
        while written < 2048:
            paths.append(os.path.join(folder, "fill-%d.bin" % len(paths)))
            with open(paths[-1], "wb") as f:
                for _ in range(16):
                    f.write(b"\\0" * 2**20)
                    written += 1
        FOUND.append(name)
    except OSError as err:
        EXPLOITS.append("%s: %s" % (name, err.strerror))
    for path in paths:
        if os.path.exists(path):
            os.remove(path)
''' + AFFINE_IF_FOUND

ATTACKS = [
    Attack("setsid-busy-loops", "starts 4 busy loops, each in a session of its own (setsid), that run on for the "
           "rest of its grading, to starve the students graded beside it",
           "the sandbox's cgroup: every process it starts shares one CPU quota (the slot's cores); killed at the end",
           hostile("affine", SETSID_LOOPS), zero=AFFINE_0, proof=("4 LOOPS BURNING",)),
    Attack("disk-fill", "fills its HOME and working folder, /tmp and the ipc folder until the disk refuses (up to 2 GB "
           "each, in 16 MB files under the file-size rlimit)",
           "HOME and /tmp are size-capped tmpfs in the sandbox (256 MB each), the ipc folder a 16 MB tmpfs: ENOSPC "
           "for it alone", hostile("affine", DISK_FILL), zero=AFFINE_0,
           proof=("HOME: NO SPACE LEFT ON DEVICE", "TMP: NO SPACE LEFT ON DEVICE", "IPC: NO SPACE LEFT ON DEVICE",
                  FOUND_NONE)),
    Attack("infinite-loop", "affine loops forever when the test calls it",
           "per-cell timeout interrupts the kernel; later cells run", hostile("affine", in_affine("while True:\n    pass")),
           zero=AFFINE_0, proof=("ENTERED AFFINE",)),
    Attack("long-sleep", "affine sleeps for an hour", "per-cell timeout interrupts the kernel",
           hostile("affine", in_affine("import time\ntime.sleep(3600)")), zero=AFFINE_0, proof=("ENTERED AFFINE",)),
    Attack("sigint-ignored-loop", "ignores SIGINT, then loops forever in affine, so the interrupt does nothing",
           "a second cell timeout stops the notebook (flagged); later tests NotRun",
           hostile("affine", in_affine("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass")),
           zero=ALL_PARTS, flags=("stopped responding",)),
    Attack("memory-bomb", "allocates (and touches) 256 MB blocks until it fails",
           "address-space rlimit: MemoryError in the kernel, the host is untouched", hostile("affine", MEMORY_BOMB),
           zero=AFFINE_0, proof=("ALLOCATED",)),
    Attack("fork-bomb", "forks children (that sleep) until fork fails", "the sandbox cgroup's pids.max (128; and the "
           "nproc rlimit per sandbox user); the cgroup is killed at the end", hostile("affine", FORK_BOMB), zero=AFFINE_0,
           proof=("FORKED",)),
    Attack("output-flood", "prints a gigabyte in a loop from inside affine",
           "what student code prints during a test is dropped, never shown; the cell timeout ends it",
           hostile("affine", in_affine("for i in range(1_000_000):\n    print('x' * 1000)")),
           zero=AFFINE_0, proof=("ENTERED AFFINE",)),
    Attack("big-file", "writes a 200 MB file in its folder and 400 MB to /tmp",
           "file-size rlimit (64 MB); HOME and /tmp are 256 MB tmpfs", hostile("affine", BIG_FILE),
           zero=AFFINE_0, proof=("LOOKED, FOUND 0",)),
    Attack("deep-expression", "a solution cell holding a 5000-term sum, which makes ipykernel's compiler recurse too "
           "deeply: the kernel never answers that cell",
           "the cell's time limit ends it; the judge's checks skip code that does not parse; the other parts are graded",
           hostile("affine", WRONG_AFFINE + "x = " + "+".join(["1"] * 5000) + "\n"), zero=AFFINE_0,
           proof=("CellTimeoutError",)),
    Attack("sys-exit", "calls sys.exit() in a solution cell after defining a wrong affine",
           "IPython turns SystemExit into a cell error; the kernel goes on",
           hostile("affine", WRONG_AFFINE + "import sys\nEXPLOITS.append('exiting')\nsys.exit()\n"), zero=AFFINE_0,
           proof=("EXITING",)),
    Attack("os-exit-in-function", "softmax calls os._exit(0) when the test calls it (the kernel dies)",
           "the kernel's death fails that test and every later one (NotRun, flagged)",
           hostile("softmax", "import os\ndef softmax(Z):\n    os._exit(0)\n"), zero=after("softmax"),
           flags=("the kernel died",)),
    Attack("kill-kernel-parent", "a solution cell kills every process it can see (its sandbox's init) and then itself",
           "pid namespace: it can only see its own sandbox; later tests NotRun",
           hostile("softmax", "import os, signal\nfor pid in range(1, 100):\n    try:\n        os.kill(pid, signal.SIGKILL)\n"
                   "    except OSError:\n        pass\n" + RIGHT_AFFINE.replace("affine", "softmax_unused")),
           zero=after("softmax"), flags=("the kernel died",)),
]
