"""Exhausting time, memory, processes, output or disk; killing the kernel."""

from . import AFFINE_IF_FOUND, ALL_PARTS, RIGHT_AFFINE, WRONG_AFFINE, Attack, after, hostile

AFFINE_0 = frozenset({"test_affine"})


def in_affine(body: str) -> str:
    """An affine that runs ``body`` (indented) when the test calls it, then returns nothing useful."""
    lines = "\n".join("    " + line for line in body.strip().splitlines())
    return f"def affine(X, W, b):\n{lines}\n    return np.zeros((len(X), 3))\n"


MEMORY_BOMB = WRONG_AFFINE + '''
hog = []
try:
    while True:
        hog.append(b"x" * 2**28)  # 256 MB, touched
except MemoryError:
    print("stopped after", len(hog) * 256, "MB")
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

ATTACKS = [
    Attack("infinite-loop", "affine loops forever when the test calls it",
           "per-cell timeout interrupts the kernel; later cells run", hostile("affine", in_affine("while True:\n    pass")),
           zero=AFFINE_0),
    Attack("long-sleep", "affine sleeps for an hour", "per-cell timeout interrupts the kernel",
           hostile("affine", in_affine("import time\ntime.sleep(3600)")), zero=AFFINE_0),
    Attack("sigint-ignored-loop", "ignores SIGINT, then loops forever in affine, so the interrupt does nothing",
           "a second cell timeout stops the notebook (flagged); later tests NotRun",
           hostile("affine", in_affine("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass")),
           zero=ALL_PARTS, flags=("stopped responding",)),
    Attack("memory-bomb", "allocates (and touches) 256 MB blocks until it fails",
           "address-space rlimit: MemoryError in the kernel, the host is untouched", hostile("affine", MEMORY_BOMB),
           zero=AFFINE_0),
    Attack("fork-bomb", "forks children (that sleep) until fork fails", "sandbox nproc rlimit (128 per sandbox user); "
           "the pid namespace dies with the kernel", hostile("affine", FORK_BOMB), zero=AFFINE_0),
    Attack("output-flood", "prints a gigabyte in a loop from inside affine",
           "output cap per cell (1 MB kept, flagged) and the cell timeout",
           hostile("affine", in_affine("for i in range(1_000_000):\n    print('x' * 1000)")),
           zero=AFFINE_0, flags=("output over",)),
    Attack("big-file", "writes a 200 MB file in its folder and 400 MB to /tmp",
           "file-size rlimit (64 MB) and the 256 MB private /tmp", hostile("affine", BIG_FILE),
           zero=AFFINE_0, proof=("LOOKED, FOUND 0",)),
    Attack("sys-exit", "calls sys.exit() in a solution cell after defining a wrong affine",
           "IPython turns SystemExit into a cell error; the kernel goes on",
           hostile("affine", WRONG_AFFINE + "import sys\nsys.exit()\n"), zero=AFFINE_0),
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
