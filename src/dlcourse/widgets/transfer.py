"""Lesson 10 (course/10-transfer-learning.ipynb): how much a pretrained base is worth, as a function of
how many labelled examples a new task has.

``transfer_explorer`` takes the accuracies the lesson measured (for each target task, each strategy and
each number of labelled examples per class) and draws the data-efficiency curves: pick a target, a
strategy to highlight and a number of examples per class, and it shows the curves with that point
marked and, beside them, every strategy's accuracy at that number of examples. Nothing is trained here:
the explorer draws the numbers it is given, so it is instant.

Exercise 10 asks students to write few-shot sampling, digit resizing, freezing, a head on a base in
inference mode and batched feature extraction; none of that is here (nothing an exercise asks for is
importable from ``dlcourse``). Importing this module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _control_explorer, _number, _redraw_on_change, _show, _show_problem

__all__ = ["transfer_explorer"]

_COLOURS = ("tab:grey", "tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def _validated(results):
    """``results`` as {target: {strategy: {examples: accuracy}}} with int keys and float accuracies, or
    a ValueError saying what does not fit."""
    if not isinstance(results, dict) or not results:
        raise ValueError("results must be a non-empty dict {target: {strategy: {examples per class: accuracy}}}")
    clean = {}
    for target, curves in results.items():
        if not isinstance(curves, dict) or not curves:
            raise ValueError(f"results[{target!r}] must be a non-empty dict {{strategy: {{examples: accuracy}}}}")
        clean[str(target)] = {}
        for strategy, points in curves.items():
            if not isinstance(points, dict):
                raise ValueError(f"results[{target!r}][{strategy!r}] must be a dict {{examples: accuracy}}")
            curve = {}
            for examples, accuracy in points.items():
                if int(examples) != examples or int(examples) < 1:
                    raise ValueError(f"examples per class must be whole numbers >= 1, not {examples!r}")
                accuracy = float(accuracy)
                if not (math.isnan(accuracy) or 0.0 <= accuracy <= 1.0):
                    raise ValueError(f"accuracies must lie between 0 and 1 (or be nan: not measured), "
                                     f"not {accuracy} for {strategy!r} at {examples}")
                curve[int(examples)] = accuracy
            clean[str(target)][str(strategy)] = dict(sorted(curve.items()))
    return clean


def _examples_of(curves):
    return sorted({k for points in curves.values() for k in points})


def _draw(curves, strategy, examples, chance):
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax, bars = fig.subplots(1, 2, width_ratios=[1.6, 1])
    for i, (name, points) in enumerate(curves.items()):
        ks = [k for k, a in points.items() if not math.isnan(a)]
        accs = [100 * points[k] for k in ks]
        bold = name == strategy
        ax.plot(ks, accs, "o-", color=_COLOURS[i % len(_COLOURS)], lw=3 if bold else 1.2,
                alpha=1.0 if bold else 0.55, label=name, gid=f"curve-{name}")
    if chance is not None:
        ax.axhline(100 * chance, color="k", ls=":", lw=1, label="chance")
    ax.axvline(examples, color="tab:red", ls="--", lw=1, gid="examples-line")
    value = curves[strategy].get(examples, math.nan)
    if not math.isnan(value):
        ax.plot([examples], [100 * value], "o", ms=14, mfc="none", mec="tab:red", mew=2, gid="chosen-point")
    ax.set_xscale("log")
    ax.set_xlabel("labelled examples per class (log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("data-efficiency curves", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    names = list(curves)
    heights = [100 * curves[n].get(examples, math.nan) for n in names]
    drawn = bars.bar(range(len(names)), np.nan_to_num(heights),
                     color=[_COLOURS[i % len(_COLOURS)] for i in range(len(names))], gid="bars")
    for patch, name in zip(drawn, names):
        patch.set_edgecolor("tab:red" if name == strategy else "none")
        patch.set_linewidth(2.5)
    for i, h in enumerate(heights):
        bars.text(i, (0 if math.isnan(h) else h) + 1, "not run" if math.isnan(h) else _number(h, 3) + "%",
                  ha="center", fontsize=9)
    bars.set_xticks(range(len(names)), names, rotation=15, fontsize=8)
    bars.set_ylim(0, 105)
    bars.set_title(f"{examples} labelled examples per class", fontsize=10)
    return fig


def transfer_explorer(results, target=None, strategy=None, examples=None, chance=None):
    """Explore data-efficiency curves: ``results`` maps each target task to {strategy: {labelled examples
    per class: test accuracy in [0, 1]}} (nan where a strategy was not run at that size).

    Controls: ``target`` (which task; only when there are several), ``strategy`` (the curve to highlight) and ``examples`` (labelled
    examples per class). ``chance`` (optional) draws the chance level, e.g. 0.2 for five classes.
    ``.state`` holds the target, strategy, examples, the highlighted ``accuracy``, every strategy's
    ``accuracies`` at that size, the ``best`` strategy there, and the ``gain`` of the highlighted strategy
    over the first one (the baseline, e.g. training from scratch), in accuracy points (0-1 scale).
    """
    results = _validated(results)
    target = next(iter(results)) if target is None else str(target)
    if target not in results:
        raise ValueError(f"target must be one of {list(results)}, not {target!r}")
    strategies = list(results[target])
    strategy = strategies[-1] if strategy is None else str(strategy)
    sizes = _examples_of(results[target])
    examples = sizes[0] if examples is None else int(examples)
    controls = {} if len(results) == 1 else {
        "target": widgets.Dropdown(options=list(results), value=target, description="target")}
    controls |= {
        "strategy": widgets.Dropdown(options=strategies, value=strategy if strategy in strategies else strategies[-1],
                                     description="strategy"),
        "examples": widgets.Dropdown(options=[(str(k), k) for k in sizes],
                                     value=examples if examples in sizes else sizes[0], description="per class"),
    }
    explorer, info, output = _control_explorer("dlcourse-transfer-explorer", controls)

    def retarget(change):
        curves = results[change["new"]]
        old_s, old_k = controls["strategy"].value, controls["examples"].value
        new_sizes = _examples_of(curves)
        controls["strategy"].options = list(curves)
        controls["strategy"].value = old_s if old_s in curves else list(curves)[-1]
        controls["examples"].options = [(str(k), k) for k in new_sizes]
        controls["examples"].value = old_k if old_k in new_sizes else min(new_sizes, key=lambda k: abs(k - old_k))
        redraw()

    def redraw(change=None):
        name = controls["target"].value if "target" in controls else target
        curves = results[name]
        chosen, k = controls["strategy"].value, controls["examples"].value
        if chosen not in curves or k not in _examples_of(curves):
            return   # the options are being swapped for another target; the last change redraws
        explorer.state = {"valid": True, "target": name, "strategy": chosen, "examples": k}
        value = curves[chosen].get(k, math.nan)
        if math.isnan(value):
            _show_problem(explorer, info, output,
                          f"{chosen!r} was not run with {k} examples per class on {name!r} "
                          f"(the lesson skips it in quick mode): pick another size or strategy", width=11)
            return
        accuracies = {s: points.get(k, math.nan) for s, points in curves.items()}
        measured = {s: a for s, a in accuracies.items() if not math.isnan(a)}
        baseline = next(iter(curves))
        best = max(measured, key=measured.get)
        gain = value - accuracies[baseline] if not math.isnan(accuracies[baseline]) else math.nan
        explorer.state.update(accuracy=value, accuracies=accuracies, best=best, gain=gain)
        explorer.figure = _draw(curves, chosen, k, chance)
        _show(output, explorer.figure)
        info.value = (f"<b>{name}</b>, {k} examples per class: <b>{chosen}</b> reaches {_number(100 * value, 3)}% "
                      f"({'+' if gain >= 0 else ''}{_number(100 * gain, 3)} points over {baseline}); "
                      f"best here: <b>{best}</b>." if not math.isnan(gain) else
                      f"<b>{name}</b>, {k} examples per class: <b>{chosen}</b> reaches {_number(100 * value, 3)}%; "
                      f"best here: <b>{best}</b>.")

    if "target" in controls:
        controls["target"].observe(retarget, names="value")
    _redraw_on_change(controls, redraw)
    return explorer

