"""Lesson 01 (course/01-linear-algebra.ipynb), probabilities: softmax and temperature.

``softmax_explorer`` moves logits, a common shift and a temperature, and shows the probabilities.
Softmax itself is what exercise 01, part 4 asks students to write, so it stays private here
(``_softmax``, ``_naive_softmax``) and is not exported: nothing an exercise asks for may be
importable from ``dlcourse``.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _explorer, _redraw_on_change, _show

__all__ = [
    "softmax_explorer",
    "entropy",
]


# --------------------------------------------------------------------------
# softmax and temperature
# --------------------------------------------------------------------------

def _softmax(logits, temperature=1.0, axis=-1):
    """Numerically stable softmax of ``logits / temperature`` along ``axis``."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=axis, keepdims=True)  # exp of at most 0: no overflow
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _naive_softmax(logits, axis=-1):
    """Softmax straight from the formula; overflows (nan) for large logits."""
    e = np.exp(np.asarray(logits, dtype=float))
    return e / e.sum(axis=axis, keepdims=True)


def entropy(p, axis=-1):
    """Shannon entropy in nats, -sum p log p (0 log 0 counts as 0)."""
    p = np.asarray(p, dtype=float)
    terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=axis)


def _draw_softmax(logits, temperature, shift, probs):
    k = len(logits)
    names = [f"class {i + 1}" for i in range(k)]
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax_z, ax_p = fig.subplots(1, 2)
    shifted = logits + shift
    ax_z.bar(names, shifted, color="tab:purple", gid="logits")
    ax_z.axhline(0, color="0.4", lw=0.8)
    ax_z.set(ylim=(-16, 16), ylabel="logit $z_i$ + c", title=f"Logits (shift c = {shift:+.2g})")
    bars = ax_p.bar(names, probs, color="tab:blue", gid="probabilities")
    ax_p.bar_label(bars, [f"{p:.2f}" for p in probs], fontsize=9)
    ax_p.bar(names, _softmax(logits), fill=False, ec="black", ls="--", lw=1,
             label="at T = 1", gid="reference")
    ax_p.axhline(1 / k, color="0.5", ls=":", lw=1, label="uniform 1/K")
    ax_p.set(ylim=(0, 1.1), ylabel="probability",
             title=f"softmax(z / T), T = {temperature:.2g}")
    ax_p.legend(fontsize=8, loc="upper right")
    return fig


def softmax_explorer(logits=(2.0, 1.0, 0.1)):
    """Move logits, a common shift and a temperature; watch the softmax probabilities.

    The shift adds the same constant to every logit and changes nothing; a low
    temperature sharpens the distribution towards the largest logit, a high one
    flattens it towards uniform.
    """
    logits = [float(z) for z in logits]
    if not 2 <= len(logits) <= 6:
        raise ValueError("give between 2 and 6 logits")
    controls = {f"z{i + 1}": widgets.FloatSlider(value=z, min=-5, max=5, step=0.1,
                                                 description=f"z{i + 1}")
                for i, z in enumerate(logits)}
    controls["shift"] = widgets.FloatSlider(value=0.0, min=-10, max=10, step=0.5,
                                            description="shift c")
    controls["temperature"] = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1,
                                                     step=0.02, description="T")
    info = widgets.HTML()
    output = widgets.Output()
    logit_boxes = widgets.VBox([controls[f"z{i + 1}"] for i in range(len(logits))])
    rows = [widgets.HBox([logit_boxes, widgets.VBox([controls["shift"], controls["temperature"]])]),
            info]
    explorer = _explorer("dlcourse-softmax-explorer", rows, output)
    explorer.controls = controls

    def redraw(_=None):
        z = np.array([controls[f"z{i + 1}"].value for i in range(len(logits))])
        shift = controls["shift"].value
        temperature = controls["temperature"].value
        probs = _softmax(z + shift, temperature)
        explorer.state.update(logits=z + shift, shift=shift, temperature=temperature,
                              probabilities=probs, entropy=float(entropy(probs)))
        info.value = (f"sum of probabilities = {probs.sum():.3f}, largest = {probs.max():.3f}, "
                      f"entropy = {entropy(probs):.3f} nats (uniform: {np.log(len(z)):.3f})")
        explorer.figure = _draw_softmax(z, temperature, shift, probs)
        _show(output, explorer.figure)

    _redraw_on_change(controls, redraw)
    return explorer
