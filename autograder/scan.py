"""Static scan of the code a student wrote: what in it deserves a human look.

The kernel guard (kernel_guard.py) stops the common ways of faking a test at run time; code that
reaches for the machinery the guard itself relies on could defeat it, so such code is flagged for
review. A flag is not a verdict: it lists the construct and the cell, and the score stands.
"""

from __future__ import annotations

import ast
import re

from IPython.core.inputtransformer2 import TransformerManager

SUSPICIOUS_MODULES = {"ctypes", "gc", "inspect", "importlib", "builtins", "socket", "subprocess",
                      "signal", "sys", "IPython", "threading", "multiprocessing", "pickle", "marshal",
                      "resource", "pty", "shutil", "dis", "types", "codecs", "base64", "_thread",
                      "weakref", "atexit", "operator"}
SUSPICIOUS_CALLS = {"exec", "eval", "compile", "__import__", "get_ipython", "globals", "setattr",
                    "delattr", "vars", "open", "exit", "quit", "getattr", "dir"}
SUSPICIOUS_ATTRIBUTES = {"_exit", "fork", "system", "popen", "kill", "settrace", "setprofile",
                         "excepthook", "displayhook", "showtraceback", "input_transformers_post",
                         "input_transformers_cleanup", "ast_transformers", "events", "run_cell",
                         "user_ns", "modules", "__closure__", "__globals__", "__code__", "__class__",
                         "__subclasses__", "__builtins__", "f_back", "f_globals", "f_locals",
                         "__dict__", "__func__", "__self__", "cell_contents", "__traceback__", "tb_frame",
                         "gi_frame", "cr_frame", "__mro__", "__bases__"}
PROTECTED_NAMES = {"np", "numpy", "checks", "dlcourse"}
PROTECTED_MODULES = {"numpy", "dlcourse"}
# Code that runs at a moment the student picks, e.g. while a test rebinds a name (see ATTACKS.md)
HOOK_METHODS = {"__eq__", "__ne__", "__bool__", "__array_ufunc__", "__array_function__", "__array__",
                "__array_finalize__", "__getattr__", "__instancecheck__", "__del__"}
GUARD_NAME = re.compile(r"dlcourse_guard|DLCOURSE-PASSED")


def scan_code(source: str) -> list[str]:
    """Findings for one cell's code (IPython syntax allowed)."""
    if GUARD_NAME.search(source):
        return ["refers to the grader's guard"]
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return []
    findings = aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            findings += [f"imports {n}" for n in names if n.split(".")[0] in SUSPICIOUS_MODULES]
        elif isinstance(node, ast.Name) and node.id == "__builtins__":
            findings.append("uses __builtins__")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value != "__main__"
              and (node.value.startswith("__") or node.value.endswith("__"))):
            findings.append(f"uses the string {node.value[:30]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SUSPICIOUS_CALLS:
            findings.append(f"calls {node.func.id}()")
        elif isinstance(node, ast.Attribute) and node.attr in SUSPICIOUS_ATTRIBUTES:
            findings.append(f"uses .{node.attr}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                root = target
                while isinstance(root, (ast.Attribute, ast.Subscript)):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in PROTECTED_NAMES:
                    findings.append(f"assigns to {ast.unparse(target)}")
        elif isinstance(node, ast.ClassDef):
            methods = {f.name for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
            findings += [f"class {node.name} defines {m}" for m in sorted(methods & HOOK_METHODS)]
            bases = [ast.unparse(b) for b in node.bases]
            findings += [f"class {node.name} subclasses {b}" for b in bases if "ndarray" in b or "float" == b]
    return sorted(set(findings))


def aliases(tree: ast.AST) -> list[str]:
    """Protected modules used as values (``c = checks``, ``f(np)``, ``import numpy as n``).

    Assignments to ``checks.x`` or ``np.x`` are flagged above; an alias would hide them.
    """
    findings = []
    attribute_roots = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in PROTECTED_NAMES and isinstance(node.ctx, ast.Load) \
                and id(node) not in attribute_roots:
            findings.append(f"aliases {node.id}")
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and id(node) not in attribute_roots \
                and ast.unparse(node) in {"np.testing", "np.linalg", "numpy.testing", "numpy.linalg",
                                          "dlcourse.checks"}:
            findings.append(f"aliases {ast.unparse(node)}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module or "" if isinstance(node, ast.ImportFrom) else ""
            for alias in node.names:
                full = f"{module}.{alias.name}" if module else alias.name
                bound = alias.asname or alias.name.split(".")[0]
                if full.split(".")[0] in PROTECTED_MODULES and bound not in PROTECTED_NAMES:
                    findings.append(f"imports {full} as {bound}")
    return findings


def scan_notebook(nb) -> list[str]:
    """Findings in the cells a student may edit (everything but nbgrader's locked cells)."""
    flags = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or (meta.get("locked") and not meta.get("solution")) or meta.get("grade"):
            continue
        where = meta.get("grade_id") or f"cell {index + 1}"
        flags += [f"{where}: {finding}" for finding in scan_code(cell.source)]
    return flags
