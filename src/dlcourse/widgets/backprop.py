"""Lesson 04 (course/04-backpropagation.ipynb): how gradients flow back through a deep network.

``gradient_flow_explorer`` builds a stack of ``depth`` fully connected layers of one width, with one
hidden activation and weights drawn with a chosen scale (standard deviation ``scale / sqrt(fan_in)``),
runs a batch of random inputs through it, backpropagates a softmax cross-entropy loss, and plots the
norm of the gradient reaching every hidden layer on a log scale: falling towards the input means
vanishing gradients, rising means exploding ones. A second panel shows the spread of the activations on the
way forward, which is where the trouble starts.

Exercise 04 asks students to write the activation backward passes, softmax cross-entropy, a
gradient check, the backward pass through a stack of layers and its training loop, so the maths
here stays private (underscore names): nothing an exercise asks for is importable from ``dlcourse``.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _control_explorer, _redraw_on_change, _show, _show_problem

__all__ = ["gradient_flow_explorer", "FLOW_ACTIVATIONS"]

#: The hidden activations the explorer offers, by the name its menu shows.
FLOW_ACTIVATIONS = ("sigmoid", "tanh", "relu")

_MAX_DEPTH = 60
_MAX_SCALE = 20.0
_WIDTH = 64
_BATCH = 128
_CLASSES = 10


def _act(z, name):
    """The activation and its slope at z."""
    if name == "sigmoid":
        s = 0.5 * (1 + np.tanh(z / 2))
        return s, s * (1 - s)
    if name == "tanh":
        a = np.tanh(z)
        return a, 1 - a ** 2
    return np.maximum(z, 0.0), (z > 0) * 1.0


def _gradient_flow(depth, name, scale, seed):
    """Norms of the gradient reaching each hidden layer, dL/dZ (layer 1 next to the input), and the
    spread (standard deviation) of each hidden layer's output (see ``_signals``)."""
    signals, spreads = _signals(depth, name, scale, seed)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array([np.linalg.norm(g) for g in signals]), spreads


def _signals(depth, name, scale, seed):
    """The gradients dL/dZ of every hidden layer (layer 1 first), and the spread of each layer's output.

    ``depth`` hidden layers of ``_WIDTH`` units, then a linear layer to ``_CLASSES`` logits and the
    mean softmax cross-entropy against random labels, on a batch of standard normal inputs. Weights
    ~ N(0, scale^2 / fan_in), biases 0.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(_BATCH, _WIDTH))
    labels = rng.integers(0, _CLASSES, size=_BATCH)
    sizes = [_WIDTH] * (depth + 1) + [_CLASSES]
    weights = [rng.normal(0.0, scale / np.sqrt(m), size=(m, k)) for m, k in zip(sizes[:-1], sizes[1:])]
    slopes, spreads = [], []
    a = X
    with np.errstate(over="ignore", invalid="ignore"):
        for W in weights[:-1]:
            a, slope = _act(a @ W, name)
            slopes.append(slope)
            spreads.append(float(np.std(a)))
        z = a @ weights[-1]
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(_BATCH), labels] -= 1
        grad = (p / _BATCH) @ weights[-1].T                 # dL/dA of the last hidden layer
        signals = [None] * depth
        for i in range(depth - 1, -1, -1):
            grad = grad * slopes[i]                         # dL/dZ of hidden layer i + 1
            signals[i] = grad
            grad = grad @ weights[i].T
    return signals, np.array(spreads)


def _draw(norms, spreads, depth, name, scale):
    fig = Figure(figsize=(12, 4.2), layout="constrained")
    ax_g, ax_a = fig.subplots(1, 2, width_ratios=[1.4, 1])
    layers = np.arange(1, depth + 1)
    shown = np.where(norms > 0, norms, np.nan)
    ax_g.semilogy(layers, shown, "o-", color="tab:red", gid="gradient-norms")
    ax_g.set(xlabel="hidden layer (1 = next to the input)", ylabel=r"$\|\partial L / \partial z^{[l]}\|$ (log scale)",
             title=f"backward: gradient reaching each layer (depth {depth}, {name}, scale {scale:g})")
    if depth <= 20:
        ax_g.set_xticks(layers)
    ax_g.grid(alpha=0.3, which="both")
    ax_a.plot(layers, spreads, "s-", color="tab:blue", gid="activation-spread")
    ax_a.set(xlabel="hidden layer", ylabel="std of the layer's output", title="forward: spread of each layer's output",
             yscale="log" if spreads.min() > 0 and spreads.max() / spreads.min() > 100 else "linear")
    ax_a.grid(alpha=0.3, which="both")
    return fig


def gradient_flow_explorer(depth=8, activation="sigmoid", scale=1.0, seed=0):
    """Per-layer gradient norms of a deep network at initialisation, as depth, activation and scale change.

    Left: the norm of the gradient of the loss with respect to each hidden layer's pre-activations
    (log scale); right: the spread of each layer's output. ``.state`` holds the inputs, ``norms``
    (one per hidden layer, the first next to the input), ``spreads`` and ``ratio``, the first
    layer's norm over the last one's (below 1e-2: "vanishing"; above 1e2: "exploding").
    """
    if activation not in FLOW_ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(FLOW_ACTIVATIONS)}")
    controls = {
        "depth": widgets.IntText(value=int(depth), description="hidden layers", style={"description_width": "initial"},
                                 layout=widgets.Layout(width="13em")),
        "activation": widgets.Dropdown(options=list(FLOW_ACTIVATIONS), value=activation, description="f",
                                       layout=widgets.Layout(width="13em")),
        "scale": widgets.FloatText(value=float(scale), step=0.1, description="weight scale",
                                   style={"description_width": "initial"}, layout=widgets.Layout(width="14em")),
        "seed": widgets.IntText(value=int(seed), description="seed", layout=widgets.Layout(width="11em")),
    }
    explorer, info, output = _control_explorer("dlcourse-gradient-flow-explorer", controls)

    def redraw(_=None):
        depth_now, scale_now, seed_now = (controls[n].value for n in ("depth", "scale", "seed"))
        name = controls["activation"].value
        explorer.state.clear()
        explorer.state.update(depth=depth_now, activation=name, scale=scale_now, seed=seed_now)
        problems = []
        if not 1 <= depth_now <= _MAX_DEPTH:
            problems.append(f"hidden layers must be between 1 and {_MAX_DEPTH}")
        if not (np.isfinite(scale_now) and 0 < scale_now <= _MAX_SCALE):
            problems.append(f"the weight scale must be between 0 (excluded) and {_MAX_SCALE:g}")
        if seed_now < 0:
            problems.append("the seed must be 0 or more")
        if problems:
            _show_problem(explorer, info, output, "; ".join(problems) + ".", width=10)
            return
        norms, spreads = _gradient_flow(depth_now, name, scale_now, seed_now)
        if not np.all(np.isfinite(norms)) or not np.all(np.isfinite(spreads)):
            _show_problem(explorer, info, output, "The gradients overflowed to inf: they exploded. Lower the weight "
                          "scale or the depth.", width=10)
            return
        if norms.max() == 0:
            _show_problem(explorer, info, output, "Every gradient is exactly 0: every unit is dead or saturated. "
                          "Change the scale.", width=10)
            return
        ratio = norms[0] / norms[-1] if norms[-1] > 0 else float("inf")  # first hidden layer / last
        verdict = ("vanishing" if ratio < 1e-2 else "exploding" if ratio > 1e2 else "roughly balanced")
        message = (f"gradient at layer 1 / at layer {depth_now}: {ratio:.2g} ({verdict}); "
                   f"smallest norm {norms.min():.2g}, largest {norms.max():.2g}")
        explorer.state.update(valid=True, message=message, norms=norms, spreads=spreads, ratio=float(ratio),
                              verdict=verdict)
        info.value = message
        explorer.figure = _draw(norms, spreads, depth_now, name, scale_now)
        _show(output, explorer.figure)

    _redraw_on_change(controls, redraw)
    return explorer
