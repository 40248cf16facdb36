"""Lesson 03 (course/03-xor-and-hidden-layers.ipynb): a 2-h-1 network learning XOR.

``hidden_layer_explorer`` lets the student choose the number of hidden units, their activation, the
number of gradient-descent steps and the random seed of the initial weights. It trains the network
on noisy XOR data and draws, side by side, the decision boundary in the input plane and the same
points in the hidden space (the first two hidden units), where the output unit draws a straight line.
Exercise 03 asks students to write the forward and backward passes and the training loop, so the
maths here stays private (underscore names): nothing an exercise asks for is importable from
``dlcourse``.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _control_explorer, _redraw_on_change, _show, _show_problem

__all__ = ["hidden_layer_explorer", "HIDDEN_ACTIVATIONS"]

#: The hidden activations the explorer offers, by the name its menu shows.
HIDDEN_ACTIVATIONS = ("tanh", "sigmoid", "relu")

_MAX_UNITS = 32
_MAX_STEPS = 5000
_LEARNING_RATE = 0.5
_EXTENT = 1.6  # the plane shown is [-1.6, 1.6]^2


def _xor_points():
    """Four noisy clusters at the corners (+-1, +-1); label 1 where the signs differ."""
    rng = np.random.default_rng(3)
    corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=float)
    X = np.repeat(corners, 10, axis=0) + rng.normal(0, 0.25, size=(40, 2))
    return X, np.repeat([0.0, 1.0, 1.0, 0.0], 10)


def _hidden(z, name):
    if name == "tanh":
        return np.tanh(z), 1 - np.tanh(z) ** 2
    if name == "sigmoid":
        s = 0.5 * (1 + np.tanh(z / 2))
        return s, s * (1 - s)
    return np.maximum(z, 0), (z > 0) * 1.0


def _train(X, t, units, name, steps, seed):
    """Full-batch gradient descent on the mean cross-entropy from seeded random weights.

    Returns the parameters and the loss before each step and after the last (steps + 1 values).
    """
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(0, 1, size=(2, units)), np.zeros(units)
    W2, b2 = rng.normal(0, 1 / np.sqrt(units), size=units), 0.0
    losses = []
    for step in range(steps + 1):
        H, dH = _hidden(X @ W1 + b1, name)
        z = H @ W2 + b2
        losses.append(float(np.mean(np.logaddexp(0, z) - t * z)))
        if step == steps:
            return (W1, b1, W2, b2), np.array(losses)
        dz = (0.5 * (1 + np.tanh(z / 2)) - t) / len(t)
        dZ1 = np.outer(dz, W2) * dH
        W2, b2 = W2 - _LEARNING_RATE * H.T @ dz, b2 - _LEARNING_RATE * dz.sum()
        W1, b1 = W1 - _LEARNING_RATE * X.T @ dZ1, b1 - _LEARNING_RATE * dZ1.sum(axis=0)


def _draw(params, name, X, t, losses):
    W1, b1, W2, b2 = params
    fig = Figure(figsize=(13, 4.2), layout="constrained")
    ax_in, ax_h, ax_loss = fig.subplots(1, 3, width_ratios=[1.1, 1, 0.8])
    grid = np.linspace(-_EXTENT, _EXTENT, 121)
    g1, g2 = np.meshgrid(grid, grid)
    plane = np.column_stack([g1.ravel(), g2.ravel()])
    z = (_hidden(plane @ W1 + b1, name)[0] @ W2 + b2).reshape(g1.shape)
    p = 0.5 * (1 + np.tanh(z / 2))
    ax_in.imshow(p, origin="lower", extent=(-_EXTENT, _EXTENT) * 2, cmap="coolwarm", vmin=0, vmax=1,
                 aspect="equal", gid="probability")
    if z.min() < 0 < z.max():
        ax_in.contour(g1, g2, z, levels=[0], colors="black", linewidths=2)
    for label, marker, colour in ((0, "o", "tab:blue"), (1, "^", "tab:red")):
        ax_in.scatter(*X[t == label].T, marker=marker, fc="white", ec=colour, label=f"class {label}")
    ax_in.set(xlabel="$x_1$", ylabel="$x_2$", title="input space: output p and boundary p = 0.5")
    ax_in.legend(loc="lower right", fontsize=7)

    H = _hidden(X @ W1 + b1, name)[0][:, :2]
    if H.shape[1] == 1:
        H = np.column_stack([H[:, 0], np.zeros(len(H))])
        ax_h.set(ylabel="(only one hidden unit)")
    else:
        ax_h.set(ylabel="$a_2$ (hidden unit 2)")
    for label, marker, colour in ((0, "o", "tab:blue"), (1, "^", "tab:red")):
        ax_h.scatter(*H[t == label].T, marker=marker, fc="white", ec=colour, gid=f"hidden-{label}")
    if len(W2) == 2 and abs(W2[1]) > 1e-12:
        # the output unit's boundary W2 . a + b2 = 0, a straight line in the hidden space
        low, high = ax_h.get_xlim()
        a1 = np.array([low, high])
        ax_h.plot(a1, -(W2[0] * a1 + b2) / W2[1], "k-", lw=2, gid="output-boundary")
        ax_h.set_xlim(low, high)
    ax_h.set(xlabel="$a_1$ (hidden unit 1)",
             title="hidden space" + (f" (units 1-2 of {len(W2)})" if len(W2) > 2 else ""))
    ax_h.margins(0.1)

    ax_loss.plot(losses, color="tab:purple", gid="loss")
    ax_loss.set(xlabel="gradient-descent step", ylabel="mean cross-entropy", title="training loss",
                ylim=(0, max(1.0, float(losses.max()) * 1.05)))
    ax_loss.grid(alpha=0.3)
    return fig


def hidden_layer_explorer(units=2, activation="tanh", steps=1000, seed=0):
    """Train a 2-``units``-1 network on noisy XOR and show what its hidden layer does.

    Left: the output probability over the input plane and the decision boundary p = 0.5. Middle:
    the data in the hidden space (hidden units 1 and 2), with the output unit's straight boundary
    when there are exactly two hidden units. Right: the loss during training. ``.state`` holds the
    inputs, the final loss and the accuracy on the points.
    """
    if activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(HIDDEN_ACTIVATIONS)}")
    controls = {
        "units": widgets.IntText(value=int(units), description="hidden units", style={"description_width": "initial"},
                                 layout=widgets.Layout(width="13em")),
        "activation": widgets.Dropdown(options=list(HIDDEN_ACTIVATIONS), value=activation, description="f",
                                       layout=widgets.Layout(width="13em")),
        "steps": widgets.IntText(value=int(steps), step=100, description="steps", layout=widgets.Layout(width="13em")),
        "seed": widgets.IntText(value=int(seed), description="seed", layout=widgets.Layout(width="11em")),
    }
    explorer, info, output = _control_explorer("dlcourse-hidden-layer-explorer", controls)
    X, t = _xor_points()

    def redraw(_=None):
        units_now, steps_now, seed_now = (controls[n].value for n in ("units", "steps", "seed"))
        name = controls["activation"].value
        explorer.state.clear()
        explorer.state.update(units=units_now, activation=name, steps=steps_now, seed=seed_now)
        problems = []
        if not 1 <= units_now <= _MAX_UNITS:
            problems.append(f"hidden units must be between 1 and {_MAX_UNITS}")
        if not 0 <= steps_now <= _MAX_STEPS:
            problems.append(f"steps must be between 0 and {_MAX_STEPS} (more only waits longer)")
        if seed_now < 0:
            problems.append("the seed must be 0 or more")
        if problems:
            message = "; ".join(problems) + "."
            _show_problem(explorer, info, output, message, width=10)
            return
        params, losses = _train(X, t, units_now, name, steps_now, seed_now)
        W1, b1, W2, b2 = params
        z = _hidden(X @ W1 + b1, name)[0] @ W2 + b2
        accuracy = float(np.mean((z > 0) == (t == 1)))
        message = f"after {steps_now} steps: loss {losses[-1]:.3f}, accuracy on the points {accuracy:.0%}"
        if accuracy < 1 and steps_now >= 500:
            message += " (stuck? try another seed or more hidden units)"
        explorer.state.update(valid=True, message=message, loss=float(losses[-1]), accuracy=accuracy)
        info.value = message
        explorer.figure = _draw(params, name, X, t, losses)
        _show(output, explorer.figure)

    _redraw_on_change(controls, redraw)
    return explorer
