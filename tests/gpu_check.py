"""Grade the Keras exercises on a GPU runner: ``python -m tests.gpu_check [--keras-backend jax|torch]``.

CI has no GPU, so this is run by hand on one (the note of the session that ran it gives the output).
For each Keras exercise it submits the reference and the blank release, grades them with the real
pipeline (``python -m autograder grade --device gpu``) and prints one JSON line per exercise: scores,
the device each record names, where the kernel's Keras put a tensor, the parts the reference lost and
seconds. Exit status 1 if a reference misses a point, a blank earns one, or a record names another device.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import results
from autograder.nbgrader_course import copy_course, generate_assignment, read_scores, submit
from tests.grading.plans import fill, reference_answers

KERAS_EXERCISES = ["07-numpy-to-keras", "08-convolutional-networks", "10-transfer-learning", "13-attention"]

#: Put before the reference's first answer: the kernel prints where its Keras puts a tensor.
PROBE = "import keras as _k\nprint('GPU-CHECK', _k.backend.backend(), _k.ops.ones(1).device)\n"


def grade(root: Path, assignment: str, backend: str, device: str, extra: list[str]) -> dict:
    generate_assignment(root, assignment)
    source = nbformat.read(root / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    release = nbformat.read(root / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    reference = reference_answers(source)
    first = next(iter(reference))
    plans = {"reference": fill(release, {**reference, first: PROBE + reference[first]}), "blank": release}
    for student, nb in plans.items():
        submit(root, student, assignment, {assignment: nb})
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", assignment, "--device", device,
                          "--keras-backend", backend, "--workers", "1", *extra],
                         cwd=root, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        return {"assignment": assignment, "error": run.stderr[-3000:]}
    records = {p.stem: results.load(p) for p in (root / "build" / "grading" / assignment).glob("*.json")}
    if records["reference"]["status"] != "graded":
        return {"assignment": assignment, "error": records["reference"]["reason"], "log": run.stderr[-2000:]}
    scores = read_scores(root, assignment, assignment)
    graded = nbformat.read(root / "build" / "autograded" / "reference" / assignment / f"{assignment}.ipynb",
                           as_version=4)
    probe = next(c for c in graded.cells if c.cell_type == "code" and "GPU-CHECK" in c.source)
    seen = [o.get("text", "").strip() or f"{o.get('ename')}: {o.get('evalue')}" for o in probe.get("outputs", [])]
    lost = {part: p.get("message", "") for part, p in records["reference"]["parts"].items()
            if p["score"] < p["max_score"]}
    return {"assignment": assignment, "wall_s": round(wall, 1),
            "scores": {s: [sum(p.score for p in parts.values()), sum(p.max_score for p in parts.values())]
                       for s, parts in scores.items()},
            "devices": {s: r.get("device") for s, r in records.items()},
            "seconds": {s: r.get("duration_s") for s, r in records.items()},
            "timings": records["reference"].get("timings"), "kernel_saw": seen[:1], "reference_lost": lost}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--keras-backend", default="jax", choices=["jax", "torch", "tensorflow"])
    p.add_argument("--exercise", action="append", help="only these (default: every Keras exercise)")
    p.add_argument("--device", default="gpu", choices=["gpu", "cpu"], help="cpu: a dry run of this script")
    p.add_argument("--no-sandbox", action="store_true")
    args = p.parse_args()
    extra = ["--no-sandbox"] if args.no_sandbox else []
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_course(Path(tmp) / "course")
        for assignment in args.exercise or KERAS_EXERCISES:
            out = grade(root, assignment, args.keras_backend, args.device, extra)
            print(json.dumps(out), flush=True)
            ok = ("error" not in out and out["scores"]["reference"][0] == out["scores"]["reference"][1]
                  and out["scores"]["blank"][0] == 0
                  and all(str(d).startswith(args.device) for d in out["devices"].values()))
            failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
