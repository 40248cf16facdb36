"""Malformed or manipulated notebook files; files shipped beside the notebook to run before it."""

import copy
import json
import sys

from . import ALL_PARTS, NOTEBOOK, Attack, Context, as_json, hostile, notebook_file, raw


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


# A dlcourse.checks whose checks all pass, and whose call_without_mutation swallows the blank's error.
SHADOW_CHECKS = '''
SHADOW = True
def call_without_mutation(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except Exception:
        return (0.0, 0.0)
def __getattr__(name):
    return lambda *args, **kwargs: None
'''
# Python that puts SHADOW_CHECKS in place of dlcourse.checks before the notebook imports it (one line, for a .pth).
INSTALL_SHADOW = ("import sys, types; shadow = types.ModuleType('dlcourse.checks'); "
                  f"exec({SHADOW_CHECKS!r}, shadow.__dict__); sys.modules['dlcourse.checks'] = shadow\n")
# The affine left blank; the cell records whether the shadow reached the kernel (proof: it looked).
BLANK_AFFINE = '''
EXPLOITS.append("shadow loaded" if getattr(checks, "SHADOW", False) else "shadow not loaded")
def affine(X, W, b):
    raise NotImplementedError()
'''
SITE = f".local/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"


def shipping(files: dict[str, str]):
    """A builder: the reference with affine left blank, and ``files`` (nested paths) beside the notebook."""
    def build(ctx: Context) -> dict[str, bytes]:
        return {**hostile("affine", BLANK_AFFINE)(ctx), **{name: text.encode() for name, text in files.items()}}
    return build


SHADOWED = dict(zero=frozenset({"test_affine"}), proof=("SHADOW NOT LOADED",))

ATTACKS = [
    Attack("shipped-checks-module", "ships dlcourse/__init__.py and dlcourse/checks.py (every check passes) beside "
           "a notebook with affine blank: the kernel's working folder precedes site-packages on sys.path",
           "the kernel gets none of the student's files: its working folder is the grader's (release files only)",
           shipping({"dlcourse/__init__.py": "", "dlcourse/checks.py": SHADOW_CHECKS}), **SHADOWED),
    Attack("ipython-startup-file", "ships ~/.ipython/profile_default/startup/00-shadow.py and an "
           "ipython_kernel_config.py whose exec_lines install the passing checks before the notebook runs",
           "HOME and IPYTHONDIR are an empty tmpfs of the grader's",
           shipping({".ipython/profile_default/startup/00-shadow.py": INSTALL_SHADOW,
                     ".ipython/profile_default/ipython_kernel_config.py":
                         f"c.InteractiveShellApp.exec_lines = [{INSTALL_SHADOW.strip()!r}]\n"}), **SHADOWED),
    Attack("site-hooks", "ships sitecustomize.py, usercustomize.py and a .pth that install the passing checks, "
           "beside the notebook and in ~/.local's user site-packages",
           "none of the student's files is in the sandbox; user site-packages are off (PYTHONNOUSERSITE)",
           shipping({"sitecustomize.py": INSTALL_SHADOW, "usercustomize.py": INSTALL_SHADOW, "zz-shadow.pth": INSTALL_SHADOW,
                     f"{SITE}/sitecustomize.py": INSTALL_SHADOW, f"{SITE}/usercustomize.py": INSTALL_SHADOW,
                     f"{SITE}/zz-shadow.pth": INSTALL_SHADOW}), **SHADOWED),
    Attack("not-json", "the notebook file is not JSON", "check_notebook: failed with the reason",
           raw(lambda ctx: "{ this is not json"), zero=ALL_PARTS,
           status="failed", reason="not a readable notebook"),
    Attack("nbformat-5", "claims nbformat 5", "check_notebook: only version 4 is graded",
           nbformat_version(5), zero=ALL_PARTS,
           status="failed", reason="nbformat version 5"),
    Attack("nbformat-3", "the (correct) notebook saved as nbformat 3", "converted to version 4 and graded (flagged)",
           nbformat_3, flags=("nbformat 3",)),
    Attack("renamed", "the (correct) notebook under another name", "graded as the expected notebook",
           lambda ctx: notebook_file(ctx.reference, "my homework FINAL(2)")),
    Attack("two-notebooks", "two notebooks, neither with the expected name", "failed with the reason",
           lambda ctx: {**notebook_file(ctx.reference, "a"), **notebook_file(ctx.reference, "b")},
           zero=ALL_PARTS, status="failed", reason="expected"),
    Attack("duplicate-cell-ids", "every cell has the same id", "nbformat renumbers the ids when it reads the "
           "notebook; graded normally", duplicate_ids),
]
