"""The grader's guard, installed in the student's kernel before any student code runs.

``autograder.execute`` sends this file's source to the kernel and calls ``install(key)``. The guard
snapshots what tests rely on (dlcourse.checks, numpy, builtins, the IPython machinery that runs and
reports cells, and the names bound by locked cells) and then, around every graded test cell:

- ``begin()`` (sent as a user expression, so no input transformer touches it) puts every snapshot
  entry back and reports what it had to restore;
- ``end(grade_id)`` (the test cell's last line) fails the test if anything was changed *while* it
  ran, and otherwise prints a completion token only the genuine guard can compute. A test cell
  without its token scores nothing, however its traceback was hidden or its code rewritten.

This is defence in depth inside one Python process, not a security boundary: code that introspects
the guard itself can still defeat it, which the static scan (autograder.scan) flags for review.
"""


def install(key):
    import builtins
    import hashlib
    import hmac
    import sys

    import numpy
    import numpy.linalg
    import numpy.testing
    from IPython import get_ipython

    import dlcourse.checks

    shell = get_ipython()
    modules = [dlcourse.checks, numpy, numpy.linalg, numpy.testing, builtins]
    # IPython and ipykernel swap these themselves around every execution
    swapped = {"input", "get_ipython", "exit", "quit", "display"}
    saved_attrs = {(m, n): v for m in modules for n, v in list(vars(m).items())
                   if not n.startswith("_") and not (m is builtins and n in swapped)}
    saved_sys = {n: getattr(sys, n) for n in ["stdout", "stderr", "settrace", "setprofile"]}
    shell_names = ["run_cell", "run_cell_async", "run_code", "run_ast_nodes", "transform_cell",
                   "showtraceback", "showsyntaxerror", "_showtraceback", "user_expressions"]
    missing = object()
    saved_class = {n: vars(type(shell)).get(n, missing) for n in shell_names}
    saved_instance = {n: vars(shell).get(n, missing) for n in shell_names}
    manager = shell.input_transformer_manager
    hooks = {
        "input_transformers_post": shell.input_transformers_post,
        "ast_transformers": shell.ast_transformers,
        "cleanup_transforms": manager.cleanup_transforms,
        "line_transforms": manager.line_transforms,
        "token_transformers": manager.token_transformers,
        "pre_execute": shell.events.callbacks["pre_execute"],
        "pre_run_cell": shell.events.callbacks["pre_run_cell"],
    }
    saved_hooks = {name: list(hook) for name, hook in hooks.items()}
    protected = {"__builtins__": shell.user_ns["__builtins__"]}
    marked = {}

    def restore():
        """Put every snapshot entry back; return the names that had changed."""
        changed = []
        for (module, name), value in saved_attrs.items():
            if vars(module).get(name, saved_attrs) is not value:
                changed.append(f"{module.__name__}.{name}")
                setattr(module, name, value)
        for name, value in saved_sys.items():
            if getattr(sys, name) is not value:
                changed.append(f"sys.{name}")
                setattr(sys, name, value)
        if sys.gettrace() is not None or sys.getprofile() is not None:
            changed.append("sys.settrace/setprofile")
            sys.settrace(None)
            sys.setprofile(None)
        for target, saved in ((type(shell), saved_class), (shell, saved_instance)):
            for name, value in saved.items():
                if vars(target).get(name, missing) is not value:
                    changed.append(f"shell.{name}")
                    if value is missing:
                        delattr(target, name)
                    else:
                        setattr(target, name, value)
        for name, hook in hooks.items():
            if hook != saved_hooks[name]:
                changed.append(name)
                hook[:] = saved_hooks[name]
        for name in ("__dlcourse_guard__", "__import__"):  # would shadow the builtins the tests use
            if name in shell.user_ns:
                changed.append(name)
                del shell.user_ns[name]
        for name, value in protected.items():
            if shell.user_ns.get(name, protected) is not value:
                changed.append(name)
                shell.user_ns[name] = value
        return changed

    class Guard:
        def mark(self):
            marked.clear()
            marked.update(shell.user_ns)

        def remember(self):
            """Protect the names the locked cell just run has bound."""
            for name, value in list(shell.user_ns.items()):
                if not name.startswith("_") and marked.get(name, marked) is not value:
                    protected[name] = value

        def begin(self):
            return restore()

        def end(self, grade_id):
            changed = restore()
            if changed:
                raise AssertionError(
                    "This test cannot be trusted: while it ran, code changed "
                    + ", ".join(sorted(set(changed))) + ". The grader restored them; the part scores 0."
                )
            token = hmac.new(key.encode(), grade_id.encode(), hashlib.sha256).hexdigest()[:32]
            print(f"DLCOURSE-PASSED {grade_id} {token}")

    guard = Guard()
    sys.modules["__dlcourse_guard__"] = guard
    builtins.__dlcourse_guard__ = guard
    saved_attrs[(builtins, "__dlcourse_guard__")] = guard
