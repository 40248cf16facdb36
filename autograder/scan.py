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
                      "resource", "pty", "shutil", "dis", "types", "codecs", "base64"}
SUSPICIOUS_CALLS = {"exec", "eval", "compile", "__import__", "get_ipython", "globals", "setattr",
                    "delattr", "vars", "open", "exit", "quit"}
SUSPICIOUS_ATTRIBUTES = {"_exit", "fork", "system", "popen", "kill", "settrace", "setprofile",
                         "excepthook", "displayhook", "showtraceback", "input_transformers_post",
                         "input_transformers_cleanup", "ast_transformers", "events", "run_cell",
                         "user_ns", "modules", "__closure__", "__globals__", "__code__", "__class__",
                         "__subclasses__", "__builtins__", "f_back", "f_globals", "f_locals"}
PROTECTED_NAMES = {"np", "numpy", "checks", "dlcourse"}
GUARD_NAME = re.compile(r"dlcourse_guard|DLCOURSE-PASSED")


def scan_code(source: str) -> list[str]:
    """Findings for one cell's code (IPython syntax allowed)."""
    if GUARD_NAME.search(source):
        return ["refers to the grader's guard"]
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return []
    findings = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            findings += [f"imports {n}" for n in names if n.split(".")[0] in SUSPICIOUS_MODULES]
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
            findings += [f"class {node.name} defines {m}" for m in sorted(methods & {
                "__eq__", "__ne__", "__bool__", "__array_ufunc__", "__array_function__", "__array__",
                "__array_finalize__", "__getattr__", "__instancecheck__"})]
            bases = [ast.unparse(b) for b in node.bases]
            findings += [f"class {node.name} subclasses {b}" for b in bases if "ndarray" in b or "float" == b]
    return sorted(set(findings))


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
