"""Malformed or manipulated notebook files."""

import copy
import json

from . import ALL_PARTS, NOTEBOOK, Attack, Context, as_json, notebook_file, raw


def nbformat_version(major: int):
    def text(ctx: Context) -> str:
        nb = as_json(ctx.reference)
        nb["nbformat"] = major
        return json.dumps(nb)
    return raw(text)


def nbformat_3(ctx: Context) -> dict[str, bytes]:
    import nbformat

    v3 = nbformat.convert(copy.deepcopy(ctx.reference), 3)
    return {f"{NOTEBOOK}.ipynb": nbformat.writes(v3, version=3).encode()}


def duplicate_ids(ctx: Context) -> dict[str, bytes]:
    nb = as_json(ctx.reference)
    for cell in nb["cells"]:
        cell["id"] = "same"
    return {f"{NOTEBOOK}.ipynb": json.dumps(nb).encode()}


ATTACKS = [
    Attack("not-json", "the notebook file is not JSON", "check_notebook: failed with the reason",
           raw(lambda ctx: "{ this is not json"), zero=ALL_PARTS,
           status="failed", reason="not a readable notebook"),
    Attack("nbformat-5", "claims nbformat 5", "check_notebook: only version 4 is graded",
           nbformat_version(5), zero=ALL_PARTS,
           status="failed", reason="nbformat version 5"),
    Attack("nbformat-3", "the (correct) notebook saved as nbformat 3", "converted to version 4 and graded (flagged)",
           nbformat_3, flags=("nbformat 3",)),
    Attack("renamed", "the (correct) notebook under another name", "graded as the expected notebook (flagged)",
           lambda ctx: notebook_file(ctx.reference, "my homework FINAL(2)"), flags=("renamed",)),
    Attack("two-notebooks", "two notebooks, neither with the expected name", "failed with the reason",
           lambda ctx: {**notebook_file(ctx.reference, "a"), **notebook_file(ctx.reference, "b")},
           zero=ALL_PARTS, status="failed", reason="expected"),
    Attack("duplicate-cell-ids", "every cell has the same id", "nbformat renumbers the ids when it reads the "
           "notebook; graded normally", duplicate_ids),
]
