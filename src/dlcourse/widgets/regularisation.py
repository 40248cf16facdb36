"""Lesson 06 (course/06-generalisation.ipynb): regularisation against over-fitting.

``regularisation_explorer`` trains a small 2-h-1 tanh network on a few noisy points of a curved
two-class task, with an L2 or L1 penalty on its weights, or with inverted dropout on its hidden
units, and draws the training and validation loss during training beside the decision boundary.
The student moves the penalty's strength and watches the gap between the two curves close (and,
with too much, both curves rise: under-fitting).

Exercise 06 asks students to write the penalties with their gradients, inverted dropout and the
evaluation metrics, so the maths here stays private (underscore names): nothing an exercise asks
for is importable from ``dlcourse``.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _control_explorer, _redraw_on_change, _show, _show_problem

__all__ = ["regularisation_explorer", "PENALTIES"]

#: The kinds of regularisation the explorer offers, by the name its menu shows.
PENALTIES = ("none", "l2", "l1", "dropout")

_MAX_UNITS = 64
_MAX_STRENGTH = 10.0
_STEPS = 1500
_RECORD_EVERY = 10
_LEARNING_RATE = 0.02
_EXTENT = 2.2


def _task(n, seed, noise=0.35):
    """Two interleaved arcs ("moons") in the plane, with Gaussian noise; labels 0 and 1."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, size=n)
    angle = rng.uniform(0, math.pi, size=n)
    x = np.where(label == 0, np.cos(angle), 1 - np.cos(angle)) - 0.5
    y = np.where(label == 0, np.sin(angle), 0.5 - np.sin(angle)) - 0.25
    X = np.column_stack([x, y]) * 1.5 + rng.normal(0, noise, size=(n, 2))
    return X, label.astype(float)


def _data(seed):
    """A small noisy training set (the model can memorise it) and a large validation set."""
    X_train, t_train = _task(40, 1000 + seed)
    X_val, t_val = _task(400, 5000 + seed)
    return X_train, t_train, X_val, t_val


def _logits(params, X):
    W1, b1, w2, b2 = params
    return np.tanh(X @ W1 + b1) @ w2 + b2


def _bce(z, t):
    return float(np.mean(np.logaddexp(0, z) - t * z))


def _train(X, t, X_val, t_val, units, penalty, strength, seed, steps=_STEPS):
    """Adam on the mean cross-entropy plus the penalty (weights only, never biases).

    Returns the parameters, and the data loss (without the penalty) on the training and on the
    validation set, recorded every ``_RECORD_EVERY`` steps, with the steps they were recorded at.
    """
    rng = np.random.default_rng(seed)
    params = [rng.normal(0, 1.0, size=(2, units)), np.zeros(units), rng.normal(0, 1 / math.sqrt(units), size=units),
              np.zeros(())]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    beta1, beta2 = 0.9, 0.999
    n = len(t)
    recorded, train_loss, val_loss = [], [], []
    for step in range(steps + 1):
        if step % _RECORD_EVERY == 0 or step == steps:
            recorded.append(step)
            train_loss.append(_bce(_logits(params, X), t))
            val_loss.append(_bce(_logits(params, X_val), t_val))
        if step == steps:
            break
        W1, b1, w2, b2 = params
        A = np.tanh(X @ W1 + b1)
        keep = np.ones_like(A)
        if penalty == "dropout" and strength > 0:
            keep = (rng.random(A.shape) >= strength) / (1 - strength)
        z = (A * keep) @ w2 + b2
        dz = (0.5 * (1 + np.tanh(z / 2)) - t) / n
        dA = np.outer(dz, w2) * keep * (1 - A ** 2)
        grads = [X.T @ dA, dA.sum(axis=0), (A * keep).T @ dz, dz.sum()]
        if penalty == "l2":
            grads[0] = grads[0] + strength * W1
            grads[2] = grads[2] + strength * w2
        elif penalty == "l1":
            grads[0] = grads[0] + strength * np.sign(W1)
            grads[2] = grads[2] + strength * np.sign(w2)
        for i, g in enumerate(grads):
            first[i] = beta1 * first[i] + (1 - beta1) * g
            second[i] = beta2 * second[i] + (1 - beta2) * g * g
            m_hat = first[i] / (1 - beta1 ** (step + 1))
            v_hat = second[i] / (1 - beta2 ** (step + 1))
            params[i] = params[i] - _LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)
    return params, np.array(recorded), np.array(train_loss), np.array(val_loss)


def _accuracy(params, X, t):
    return float(np.mean((_logits(params, X) > 0) == (t == 1)))


def _draw(params, X, t, X_val, t_val, steps, train_loss, val_loss, title):
    fig = Figure(figsize=(12, 4.4), layout="constrained")
    ax_curve, ax_plane = fig.subplots(1, 2, width_ratios=[1, 1])
    ax_curve.plot(steps, train_loss, color="tab:blue", lw=2, label="training loss", gid="train-loss")
    ax_curve.plot(steps, val_loss, color="tab:orange", lw=2, label="validation loss", gid="val-loss")
    best = int(np.argmin(val_loss))
    ax_curve.axvline(steps[best], color="gray", ls=":", lw=1.5, gid="best-step",
                     label=f"lowest validation loss (step {steps[best]})")
    top = max(1.0, float(np.max(val_loss[1:] if len(val_loss) > 1 else val_loss)) * 1.05)
    ax_curve.set(xlabel="training step (Adam)", ylabel="mean cross-entropy (no penalty)", ylim=(0, min(top, 3.0)),
                 title="training against validation loss")
    ax_curve.grid(alpha=0.3)
    ax_curve.legend(loc="upper right", fontsize=8)

    grid = np.linspace(-_EXTENT, _EXTENT, 101)
    g1, g2 = np.meshgrid(grid, grid)
    z = _logits(params, np.column_stack([g1.ravel(), g2.ravel()])).reshape(g1.shape)
    p = 0.5 * (1 + np.tanh(z / 2))
    ax_plane.imshow(p, origin="lower", extent=(-_EXTENT, _EXTENT) * 2, cmap="coolwarm", vmin=0, vmax=1,
                    aspect="equal", alpha=0.8, gid="probability")
    if z.min() < 0 < z.max():
        ax_plane.contour(g1, g2, z, levels=[0], colors="black", linewidths=2)
    ax_plane.scatter(*X_val.T, s=4, c=np.where(t_val == 1, "tab:red", "tab:blue"), alpha=0.35, gid="validation")
    for label, marker, colour in ((0, "o", "tab:blue"), (1, "^", "tab:red")):
        ax_plane.scatter(*X[t == label].T, marker=marker, s=45, fc="white", ec=colour, lw=1.5,
                         label=f"training, class {label}")
    ax_plane.set(xlim=(-_EXTENT, _EXTENT), ylim=(-_EXTENT, _EXTENT), xlabel="$x_1$", ylabel="$x_2$", title=title)
    ax_plane.legend(loc="lower right", fontsize=7)
    return fig


def regularisation_explorer(strength=0.0, penalty="none", units=32, seed=0):
    """Train a 2-``units``-1 tanh network on 40 noisy points and show how regularisation changes it.

    ``penalty`` is ``"none"``, ``"l2"`` (adds strength/2 times the sum of squared weights to the loss),
    ``"l1"`` (strength times the sum of absolute weights) or ``"dropout"`` (each hidden unit is dropped
    with probability strength during training, inverted scaling, none at evaluation). Left: the data
    loss on the training and validation sets during training; right: the output probability and the
    decision boundary, with the training points (large) and validation points (small). ``.state``
    holds the inputs, the final losses, the step of the lowest validation loss and the accuracies.
    """
    if penalty not in PENALTIES:
        raise ValueError(f"unknown penalty {penalty!r}: choose one of {', '.join(PENALTIES)}")
    controls = {
        "penalty": widgets.Dropdown(options=list(PENALTIES), value=penalty, description="penalty",
                                    layout=widgets.Layout(width="14em")),
        "strength": widgets.FloatText(value=float(strength), step=0.01, description="strength",
                                      layout=widgets.Layout(width="14em")),
        "units": widgets.IntText(value=int(units), description="hidden units", style={"description_width": "initial"},
                                 layout=widgets.Layout(width="13em")),
        "seed": widgets.IntText(value=int(seed), description="seed", layout=widgets.Layout(width="11em")),
    }
    explorer, info, output = _control_explorer("dlcourse-regularisation-explorer", controls)

    def redraw(_=None):
        name = controls["penalty"].value
        strength_now, units_now, seed_now = (controls[n].value for n in ("strength", "units", "seed"))
        explorer.state.clear()
        explorer.state.update(penalty=name, strength=strength_now, units=units_now, seed=seed_now)
        problems = []
        if not math.isfinite(strength_now) or strength_now < 0:
            problems.append("the strength must be a number, 0 or more")
        elif name == "dropout" and strength_now >= 1:
            problems.append("a dropout probability must be below 1 (at 1 every unit is dropped)")
        elif name == "dropout" and strength_now > 0.95:
            problems.append("a dropout probability above 0.95 leaves almost nothing to train: try 0.1 to 0.5")
        elif strength_now > _MAX_STRENGTH:
            problems.append(f"a strength above {_MAX_STRENGTH:g} only flattens the model: try 0.001 to 1")
        if not 1 <= units_now <= _MAX_UNITS:
            problems.append(f"hidden units must be between 1 and {_MAX_UNITS}")
        if seed_now < 0:
            problems.append("the seed must be 0 or more")
        if problems:
            message = "; ".join(problems) + "."
            _show_problem(explorer, info, output, message, width=11)
            return
        X, t, X_val, t_val = _data(seed_now)
        used = 0.0 if name == "none" else strength_now
        params, steps, train_loss, val_loss = _train(X, t, X_val, t_val, units_now, name, used, seed_now)
        best = int(np.argmin(val_loss))
        state = dict(valid=True, train_loss=float(train_loss[-1]), val_loss=float(val_loss[-1]),
                     best_step=int(steps[best]), best_val_loss=float(val_loss[best]),
                     train_accuracy=_accuracy(params, X, t), val_accuracy=_accuracy(params, X_val, t_val),
                     weight_norm=float(np.sqrt(np.sum(params[0] ** 2) + np.sum(params[2] ** 2))))
        gap = state["val_loss"] - state["train_loss"]
        message = (f"after {steps[-1]} steps: training loss {state['train_loss']:.3f}, validation loss "
                   f"{state['val_loss']:.3f} (gap {gap:.3f}); accuracy {state['train_accuracy']:.0%} on the "
                   f"training points, {state['val_accuracy']:.0%} on the validation points")
        state["message"] = message
        explorer.state.update(state)
        info.value = message
        label = "no regularisation" if name == "none" else f"{name}, strength {strength_now:g}"
        explorer.figure = _draw(params, X, t, X_val, t_val, steps, train_loss, val_loss,
                                f"decision boundary ({label})")
        _show(output, explorer.figure)

    _redraw_on_change(controls, redraw)
    return explorer
