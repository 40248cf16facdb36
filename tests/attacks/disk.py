"""Reading the source notebook, the gradebook or hidden tests; writing outside the sandbox."""

from . import AFFINE_IF_FOUND, FOUND_NONE, SECRET, NOTEBOOK, WRONG_AFFINE, Attack, Context, hostile

SOURCE = f"solutions/01-linear-algebra/{NOTEBOOK}.ipynb"


def walk_root(ctx: Context) -> str:
    return f'''
import os, time
{SECRET}
FOUND, started = [], time.monotonic()
for root, dirs, names in os.walk("/"):
    if root in ("/proc", "/sys", "/dev") or time.monotonic() - started > 6:
        dirs[:] = []
        continue
    for name in names:
        if name.endswith((".ipynb", ".db", ".sqlite")):
            try:
                data = open(os.path.join(root, name), "rb").read(20_000_000)
            except OSError:
                continue
            if secret(data):
                FOUND.append(os.path.join(root, name))
''' + AFFINE_IF_FOUND


def guess_paths(ctx: Context) -> str:
    course = str(ctx.course)
    return f'''
import glob, os
{SECRET}
COURSE = {course!r}
paths = ["../../{SOURCE}", "../../../{SOURCE}", "../../../../{SOURCE}", "../course/{SOURCE}",
         "../course/build/gradebook.db", "../../template/build/gradebook.db",
         COURSE + "/{SOURCE}", COURSE + "/build/gradebook.db", "/work/main/{SOURCE}",
         "/proc/1/root" + COURSE + "/{SOURCE}", f"/proc/{{os.getppid()}}/cwd/../course/build/gradebook.db",
         f"/proc/{{os.getppid()}}/root" + COURSE + "/{SOURCE}"]
paths += glob.glob(COURSE + "/build/grading/autograder-*/template/build/gradebook.db")
paths += glob.glob(COURSE + "/build/grading/autograder-*/work/*/course/build/gradebook.db")
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    paths += [f"/proc/{{pid}}/cwd/../course/build/gradebook.db", f"/proc/{{pid}}/cwd/../../{SOURCE}",
              f"/proc/{{pid}}/root" + COURSE + "/build/gradebook.db"]
FOUND = []
for path in paths:
    try:
        data = open(path, "rb").read()
    except OSError:
        continue
    if secret(data):
        FOUND.append(path)
''' + AFFINE_IF_FOUND


def write_everywhere(ctx: Context) -> str:
    targets = [str(ctx.course), str(ctx.course / "build"), str(ctx.course / "solutions" / "01-linear-algebra"),
               str(ctx.victim), str(ctx.submissions), str(ctx.results), "/tmp", "/dev/shm", "/var/tmp", "/root",
               "/work", "/", "..", "../..", "../../..", "../../../..", "../course/build", "/proc/1/root/tmp",
               "/proc/1/cwd/../.."]
    return f'''
import glob, os
written = []
targets = {targets!r} + glob.glob({str(ctx.course)!r} + "/build/grading/autograder-*/work/*/home")
targets += [f"/proc/{{os.getppid()}}/cwd/..", f"/proc/{{os.getppid()}}/root/tmp"]
for i, target in enumerate(targets):
    path = os.path.join(target, "{ctx.marker}-write-" + str(i))
    try:
        with open(path, "w") as f:
            f.write("written by an attack")
        written.append(path)
    except OSError:
        pass
    try:
        os.makedirs(os.path.join(target, "{ctx.marker}-dir-" + str(i), "x"))
    except OSError:
        pass
print("writable (inside the sandbox):", written)
EXPLOITS.append("tried %d targets" % len(targets))
''' + WRONG_AFFINE


def symlinks(ctx: Context) -> dict[str, bytes]:
    """Submission folder with symbolic links to the course's source notebook and gradebook."""
    code = f'''
import os
{SECRET}
FOUND = []
for name in sorted(os.listdir(".")):
    try:
        data = open(name, "rb").read()
    except OSError:
        continue
    if secret(data):
        FOUND.append(name)
''' + AFFINE_IF_FOUND
    return {**hostile("affine", code)(ctx),
            "@symlink:hint.txt": str(ctx.course / SOURCE).encode(),
            "@symlink:grades.db": str(ctx.course / "build" / "gradebook.db").encode()}


ATTACKS = [
    Attack("read-walk-root", "walks / and opens every .ipynb/.db, looking for hidden tests or the gradebook",
           "sandbox: only /usr, /etc, Python and dlcourse's src are mounted",
           hostile("affine", walk_root), zero=frozenset({"test_affine"}), proof=(FOUND_NONE,)),
    Attack("read-guessed-paths", "opens ../../solutions, ../course/build/gradebook.db, the absolute course path, "
           "/proc/1/root, /proc/<ppid>/cwd and /proc/<pid>/root of every visible process",
           "sandbox: own pid and mount namespace; the course and scratch are not mounted",
           hostile("affine", guess_paths), zero=frozenset({"test_affine"}), proof=(FOUND_NONE,)),
    Attack("write-outside", "writes marker files into the course, another submission, the results, the host /tmp, "
           "/proc/<pid>/root, other students' sandboxes and every folder up the tree",
           "sandbox: read-only mounts, private tmpfs /tmp, other folders not mounted",
           hostile("affine", write_everywhere), zero=frozenset({"test_affine"}), proof=("TRIED",)),
    Attack("symlink-in-submission", "submits symbolic links to the course's source notebook and gradebook, "
           "hoping the grader copies their targets into the sandbox",
           "submissions.prepare drops symbolic links (flagged)",
           symlinks, zero=frozenset({"test_affine"}), flags=("symbolic link",), proof=(FOUND_NONE,)),
]
