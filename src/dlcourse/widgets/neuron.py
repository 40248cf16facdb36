"""Lesson 02 (course/02-the-neuron.ipynb): one neuron, a = f(w . x + b), on the plane.

``neuron_explorer`` lets the student set the two weights, the bias and the activation, and draws
the neuron's output over the input plane, its decision boundary w . x + b = 0 with the weight
vector at right angles to it, and the activation curve with the range of z the plane produces.
Exercise 02 asks students to write the activations and their derivatives, so the maths here stays
private (underscore names): nothing an exercise asks for is importable from ``dlcourse``.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _control_explorer, _redraw_on_change, _show, _show_problem

__all__ = ["neuron_explorer", "ACTIVATIONS"]

#: The activations the explorer offers, by the name its menu shows.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")

#: Largest |w| or |b| the explorer accepts: beyond it the plot would be a single sharp step.
_LIMIT = 1000.0
_EXTENT = 3.0  # the plane shown is [-3, 3] x [-3, 3]


def _activate(z, name):
    """Value of the named activation at z (float array), stable for any finite z."""
    z = np.asarray(z, dtype=float)
    if name == "sigmoid":
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.1 * z)
    if name == "elu":
        return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))
    raise ValueError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}")


def _threshold(name):
    """The output value on the decision boundary z = 0."""
    return 0.5 if name == "sigmoid" else 0.0


def _points():
    """A fixed toy data set: two Gaussian blobs, labels 0 and 1."""
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal((-1.0, -0.8), 0.6, size=(25, 2)),
                   rng.normal((1.1, 0.9), 0.6, size=(25, 2))])
    return X, np.repeat([0, 1], 25)


def _draw_neuron(w, b, name, X, y):
    fig = Figure(figsize=(9.5, 4.2), layout="constrained")
    ax, ax_f = fig.subplots(1, 2, width_ratios=[1.15, 1])
    grid = np.linspace(-_EXTENT, _EXTENT, 121)
    g1, g2 = np.meshgrid(grid, grid)
    z = w[0] * g1 + w[1] * g2 + b
    a = _activate(z, name)
    image = ax.imshow(a, origin="lower", extent=(-_EXTENT, _EXTENT) * 2, cmap="coolwarm",
                      aspect="equal", gid="surface")
    fig.colorbar(image, ax=ax, shrink=0.8, label=f"output a = {name}(z)")
    ax.scatter(*X[y == 0].T, marker="o", fc="white", ec="tab:blue", label="class 0")
    ax.scatter(*X[y == 1].T, marker="^", fc="white", ec="tab:red", label="class 1")
    norm = float(np.hypot(*w))
    if norm > 0:
        # the boundary w . x + b = 0: the point nearest the origin, and the line through it
        foot = -b * w / norm ** 2
        along = np.array([-w[1], w[0]]) / norm
        ends = foot + np.outer([-20, 20], along)
        ax.plot(*ends.T, color="black", lw=2, gid="boundary", label="w·x + b = 0")
        arrow = w / norm * 0.9
        ax.annotate("", xy=foot + arrow, xytext=foot,
                    arrowprops=dict(arrowstyle="-|>", color="black", lw=2), gid="weight")
        ax.text(*(foot + 1.15 * arrow), "w", fontsize=11, ha="center", va="center")
    ax.set(xlim=(-_EXTENT, _EXTENT), ylim=(-_EXTENT, _EXTENT), xlabel="$x_1$", ylabel="$x_2$",
           title=f"w = ({w[0]:.3g}, {w[1]:.3g}), b = {b:.3g}")
    ax.legend(loc="lower right", fontsize=7)

    zs = np.linspace(-6, 6, 241)
    ax_f.plot(zs, _activate(zs, name), color="tab:purple", lw=2, gid="activation")
    low, high = float(z.min()), float(z.max())
    ax_f.axvspan(max(low, -6), min(high, 6), color="tab:orange", alpha=0.15,
                 label="z over the plane", gid="z-range")
    ax_f.axhline(_threshold(name), color="0.5", ls=":", lw=1)
    ax_f.axvline(0, color="0.5", lw=0.8)
    ax_f.set(xlabel="z = w·x + b", ylabel="a = f(z)", title=f"{name}: z from {low:.3g} to {high:.3g}")
    ax_f.grid(alpha=0.3)
    ax_f.legend(fontsize=8, loc="upper left")
    return fig


def neuron_explorer(w=(1.0, 1.0), b=0.0, activation="sigmoid"):
    """Set w1, w2, b and the activation of one neuron; watch its output and decision boundary.

    Left: the output a = f(w . x + b) over the plane, the boundary w . x + b = 0 (black) with the
    weight vector w at right angles to it, and a fixed toy data set. Right: the activation curve,
    with the range of z the plane produces shaded. ``.state`` holds the inputs, the boundary's
    distance from the origin |b| / |w|, and the accuracy on the points of "a above the boundary
    value means class 1".
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)}")
    w = np.asarray(w, dtype=float)
    if w.shape != (2,):
        raise ValueError(f"w must hold two weights, got shape {w.shape}")
    controls = {name: widgets.FloatText(value=float(value), step=0.25, description=name,
                                        layout=widgets.Layout(width="11em"))
                for name, value in (("w1", w[0]), ("w2", w[1]), ("b", b))}
    controls["activation"] = widgets.Dropdown(options=list(ACTIVATIONS), value=activation,
                                              description="f", layout=widgets.Layout(width="14em"))
    explorer, info, output = _control_explorer("dlcourse-neuron-explorer", controls)
    X, y = _points()

    def redraw(_=None):
        values = np.array([controls[n].value for n in ("w1", "w2", "b")], dtype=float)
        name = controls["activation"].value
        explorer.state.clear()
        explorer.state.update(w=values[:2].copy(), b=float(values[2]), activation=name)
        if not np.all(np.isfinite(values)) or np.abs(values).max() > _LIMIT:
            message = (f"w1, w2 and b must be numbers between -{_LIMIT:g} and {_LIMIT:g}: "
                       "beyond that the output is a sharp step and shows nothing new.")
            _show_problem(explorer, info, output, message)
            return
        w_now, b_now = values[:2], float(values[2])
        norm = float(np.hypot(*w_now))
        predicted = (X @ w_now + b_now > 0).astype(int)
        accuracy = float(np.mean(predicted == y))
        if norm > 0:
            distance = abs(b_now) / norm
            message = (f"boundary at distance |b|/|w| = {distance:.3g} from the origin; "
                       f"accuracy on the points {accuracy:.0%}")
        else:
            distance = None
            message = ("w = 0: z = b everywhere, so the output is the same everywhere and "
                       "there is no boundary.")
        explorer.state.update(valid=True, message=message, distance=distance, accuracy=accuracy,
                              has_boundary=norm > 0)
        info.value = message
        explorer.figure = _draw_neuron(w_now, b_now, name, X, y)
        _show(output, explorer.figure)

    _redraw_on_change(controls, redraw)
    return explorer
