"""Lesson 05 (course/05-optimisation.ipynb): optimisers racing on 2-D loss surfaces.

``optimiser_race_explorer`` runs four optimisers from the same starting point on a chosen surface
(an ill-conditioned quadratic bowl, or Rosenbrock's curved valley) with one learning rate, and
draws their paths over the contour lines of the loss, and the loss against the step. A path that
blows up (a learning rate far too large) is stopped where it left the picture and reported, so the
plot never goes stale and never crashes.

Exercise 05 asks students to write Adam (and a schedule, clipping, initialisers and batch
normalisation) themselves, so the update rules here stay private (underscore names): nothing an
exercise asks for is importable from ``dlcourse``.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from ._common import _control_explorer, _redraw_on_change, _show, _show_problem

__all__ = ["optimiser_race_explorer", "SURFACES", "OPTIMISERS"]

#: The loss surfaces the explorer offers, by the name its menu shows.
SURFACES = ("quadratic", "rosenbrock")
#: The optimisers in the race, in the order they are drawn.
OPTIMISERS = ("gradient descent", "momentum", "RMSProp", "Adam")

_COLOURS = {"gradient descent": "tab:blue", "momentum": "tab:orange", "RMSProp": "tab:green", "Adam": "tab:red"}
_MAX_STEPS = 5000
_MAX_LR = 100.0
_ESCAPE = 1e3  # a path that gets this far from the origin has diverged

# surface name -> (start, x range, y range, minimum)
_SETUP = {
    "quadratic": ((-4.0, 1.5), (-5.0, 5.0), (-2.5, 2.5), (0.0, 0.0)),
    "rosenbrock": ((-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0), (1.0, 1.0)),
}
_CURVATURE = 20.0  # the quadratic's steep direction is 20 times as curved as its shallow one


def _loss(surface, x, y):
    if surface == "quadratic":
        return 0.5 * (x ** 2 + _CURVATURE * y ** 2)
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _gradient(surface, p):
    x, y = p
    if surface == "quadratic":
        return np.array([x, _CURVATURE * y])
    return np.array([-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)])


def _step(name, p, g, state, lr, t):
    """One update of the named optimiser (t counts from 1); returns the new point."""
    if name == "gradient descent":
        return p - lr * g
    if name == "momentum":
        state["v"] = 0.9 * state.get("v", 0.0) + g
        return p - lr * state["v"]
    if name == "RMSProp":
        state["s"] = 0.9 * state.get("s", 0.0) + 0.1 * g ** 2
        return p - lr * g / (np.sqrt(state["s"]) + 1e-8)
    state["m"] = 0.9 * state.get("m", 0.0) + 0.1 * g
    state["s"] = 0.999 * state.get("s", 0.0) + 0.001 * g ** 2
    m_hat, s_hat = state["m"] / (1 - 0.9 ** t), state["s"] / (1 - 0.999 ** t)
    return p - lr * m_hat / (np.sqrt(s_hat) + 1e-8)


def _race(surface, lr, steps):
    """Each optimiser's path (points before each step and after the last) and losses.

    A path stops early where it diverged: its last point is the first one beyond ``_ESCAPE`` (or not
    finite), and ``diverged[name]`` is that step number (None for a path that stayed).
    """
    start = np.array(_SETUP[surface][0])
    paths, losses, diverged = {}, {}, {}
    with np.errstate(over="ignore", invalid="ignore"):
        for name in OPTIMISERS:
            p, state, points = start.copy(), {}, [start.copy()]
            diverged[name] = None
            for t in range(1, steps + 1):
                p = _step(name, p, _gradient(surface, p), state, lr, t)
                points.append(p.copy())
                if not np.all(np.isfinite(p)) or np.abs(p).max() > _ESCAPE:
                    diverged[name] = t
                    break
            path = np.array(points)
            paths[name] = path
            losses[name] = _loss(surface, path[:, 0], path[:, 1])
    return paths, losses, diverged


def _draw(surface, paths, losses, diverged):
    start, (x0, x1), (y0, y1), minimum = _SETUP[surface]
    fig = Figure(figsize=(12, 4.4), layout="constrained")
    ax, ax_loss = fig.subplots(1, 2, width_ratios=[1.25, 1])
    gx, gy = np.meshgrid(np.linspace(x0, x1, 161), np.linspace(y0, y1, 161))
    levels = np.geomspace(1e-2, 2e3, 18) if surface == "rosenbrock" else np.geomspace(1e-2, 1e2, 14)
    ax.contour(gx, gy, _loss(surface, gx, gy) + 1e-12, levels=levels, norm=LogNorm(), cmap="Greys", linewidths=0.8)
    for name, path in paths.items():
        shown = path[np.all(np.isfinite(path), axis=1)]
        label = name + (f" (diverged at step {diverged[name]})" if diverged[name] else "")
        ax.plot(shown[:, 0], shown[:, 1], "-o", ms=2, lw=1.2, color=_COLOURS[name], label=label, gid=f"path-{name}")
    ax.plot(*start, "ks", ms=7, label="start")
    ax.plot(*minimum, "k*", ms=12, label="minimum")
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$w_1$", ylabel="$w_2$",
           title=f"{surface}: paths (contours of L on a log scale)")
    ax.legend(fontsize=7, loc="lower right" if surface == "quadratic" else "lower left")
    for name, curve in losses.items():
        steps = np.arange(len(curve))
        finite = np.isfinite(curve) & (curve < 1e12)
        ax_loss.plot(steps[finite], curve[finite] + 1e-16, color=_COLOURS[name], label=name, gid=f"loss-{name}")
        if diverged[name]:
            last = np.flatnonzero(finite)[-1]
            ax_loss.plot(last, curve[last] + 1e-16, "x", ms=10, mew=2, color=_COLOURS[name])
    ax_loss.set(yscale="log", xlabel="step", ylabel="L (minimum 0)", title="loss against step (x: diverged)")
    ax_loss.grid(alpha=0.3)
    ax_loss.legend(fontsize=7)
    return fig


def optimiser_race_explorer(surface="quadratic", lr=0.05, steps=100):
    """Race gradient descent, momentum, RMSProp and Adam on a 2-D loss surface with one learning rate.

    Left: the contour lines of the loss, the start, the minimum and every optimiser's path. Right:
    the loss against the step on a log scale. Paths that diverge are cut where they leave the plane
    and named in the message. ``.state`` holds the inputs, each optimiser's final loss, and the step
    at which each diverged (None if it did not).
    """
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}: choose one of {', '.join(SURFACES)}")
    controls = {
        "surface": widgets.Dropdown(options=list(SURFACES), value=surface, description="surface",
                                    layout=widgets.Layout(width="15em")),
        "lr": widgets.FloatText(value=float(lr), step=0.001, description="learning rate",
                                style={"description_width": "initial"}, layout=widgets.Layout(width="15em")),
        "steps": widgets.IntText(value=int(steps), step=50, description="steps", layout=widgets.Layout(width="12em")),
    }
    explorer, info, output = _control_explorer("dlcourse-optimiser-race-explorer", controls)

    def redraw(_=None):
        surface_now, lr_now, steps_now = (controls[n].value for n in ("surface", "lr", "steps"))
        explorer.state.clear()
        explorer.state.update(surface=surface_now, lr=lr_now, steps=steps_now)
        problems = []
        if not (math.isfinite(lr_now) and 0 < lr_now <= _MAX_LR):
            problems.append(f"the learning rate must be above 0 and at most {_MAX_LR:g}")
        if not 1 <= steps_now <= _MAX_STEPS:
            problems.append(f"steps must be between 1 and {_MAX_STEPS}")
        if problems:
            message = "; ".join(problems) + "."
            _show_problem(explorer, info, output, message, width=12)
            return
        paths, losses, diverged = _race(surface_now, lr_now, steps_now)
        final = {name: float(curve[-1]) for name, curve in losses.items()}
        gone = [name for name in OPTIMISERS if diverged[name]]
        parts = [f"{name} {final[name]:.2g}" for name in OPTIMISERS if not diverged[name]]
        message = f"loss after {steps_now} steps: " + (", ".join(parts) if parts else "none left")
        if gone:
            message += "; diverged: " + ", ".join(f"{name} (step {diverged[name]})" for name in gone)
            message += " - try a smaller learning rate"
        explorer.state.update(valid=True, message=message, final_loss=final, diverged=dict(diverged))
        info.value = message if not gone else f"<span style='color:#c00'>{message}</span>"
        explorer.figure = _draw(surface_now, paths, losses, diverged)
        _show(output, explorer.figure)

    _redraw_on_change(controls, redraw)
    return explorer
