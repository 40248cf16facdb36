"""Lesson 01 (course/01-linear-algebra.ipynb), calculus: gradients and directional derivatives.

``gradient_explorer`` moves a point over a 2-D function and compares the gradient (steepest ascent,
at right angles to the contour) with a direction you choose.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..plots import vector_arrows
from ._common import _explorer, _number, _redraw_on_change, _show

__all__ = [
    "gradient_explorer",
    "FUNCTIONS",
    "evaluate",
    "gradient",
    "directional_derivative",
]


# --------------------------------------------------------------------------
# gradients and directional derivatives
# --------------------------------------------------------------------------

def _bowl(x, y):
    return x**2 + 3 * y**2, (2 * x, 6 * y)


def _saddle(x, y):
    return x**2 - y**2, (2 * x, -2 * y)


def _valley(x, y):  # a gentle Rosenbrock-like banana valley
    return (1 - x)**2 + 5 * (y - x**2)**2, (-2 * (1 - x) - 20 * x * (y - x**2), 10 * (y - x**2))


def _waves(x, y):
    return np.sin(x) * np.cos(y), (np.cos(x) * np.cos(y), -np.sin(x) * np.sin(y))


#: name -> (function returning (value, gradient), formula in LaTeX)
FUNCTIONS = {
    "bowl": (_bowl, r"$f(x, y) = x^2 + 3y^2$"),
    "saddle": (_saddle, r"$f(x, y) = x^2 - y^2$"),
    "valley": (_valley, r"$f(x, y) = (1-x)^2 + 5(y - x^2)^2$"),
    "waves": (_waves, r"$f(x, y) = \sin x \cos y$"),
}


def _lookup(function):
    try:
        return FUNCTIONS[function][0]
    except KeyError:
        raise ValueError(f"unknown function {function!r}; choose one of {list(FUNCTIONS)}") from None


def evaluate(function, x, y):
    """Value of the named function (a key of ``FUNCTIONS``) at (x, y); works on arrays."""
    return _lookup(function)(x, y)[0]


def gradient(function, x, y):
    """Analytic gradient (df/dx, df/dy) of the named function at (x, y), as an array."""
    return np.array(_lookup(function)(x, y)[1], dtype=float)


def directional_derivative(grad, angle_deg):
    """Rate of change along the unit vector at ``angle_deg``: grad . (cos t, sin t).

    ``angle_deg`` may be an array; the result is largest where the angle points
    along the gradient, and equals its length there.
    """
    t = np.deg2rad(angle_deg)
    return grad[0] * np.cos(t) + grad[1] * np.sin(t)


_LIM = 2.0
_GRID = np.linspace(-_LIM, _LIM, 121)


def _draw_gradient(function, point, angle, grad):
    fig = Figure(figsize=(10, 4.6), layout="constrained")
    ax, ax_d = fig.subplots(1, 2, width_ratios=[1.25, 1])
    X, Y = np.meshgrid(_GRID, _GRID)
    Z = evaluate(function, X, Y)
    levels = np.unique(np.quantile(Z, np.linspace(0, 1, 16)))  # evenly filled colours
    filled = ax.contourf(X, Y, Z, levels=levels, cmap="viridis")
    ax.contour(X, Y, Z, levels=levels, colors="white", linewidths=0.5, alpha=0.6)
    fig.colorbar(filled, ax=ax, shrink=0.8, label="f(x, y)", format="%.2g")

    px, py = point
    norm = float(np.hypot(*grad))
    ax.plot(px, py, "o", color="white", mec="black", zorder=6)
    length = 0.8  # arrows are drawn with a fixed length; the text gives the size
    if norm > 1e-9:
        g_unit = np.asarray(grad) / norm
        vector_arrows(ax, [length * g_unit], labels=[r"$\nabla f$"], colors=["red"],
                      origin=point, gid="gradient", width=2.5)
        tangent = np.array([-g_unit[1], g_unit[0]]) * 0.5  # along the contour line
        ax.plot([px - tangent[0], px + tangent[0]], [py - tangent[1], py + tangent[1]],
                color="white", lw=2, ls="--", zorder=5, gid="tangent")
    t = np.deg2rad(angle)
    vector_arrows(ax, [length * np.array([np.cos(t), np.sin(t)])], labels=["$u$"],
                  colors=["orange"], origin=point, gid="direction", width=2.5)
    ax.set(xlim=(-_LIM, _LIM), ylim=(-_LIM, _LIM), xlabel="$x$", ylabel="$y$",
           title=FUNCTIONS[function][1])
    ax.set_aspect("equal")
    if norm <= 1e-9:
        ax.text(px, py - 0.25, "gradient = 0: flat here", color="white", ha="center",
                va="top", fontsize=9)

    angles = np.linspace(-180, 180, 361)
    ax_d.plot(angles, directional_derivative(grad, angles), color="tab:blue",
              label=r"$D_u f = \nabla f \cdot u$")
    ax_d.axhline(0, color="0.5", lw=0.8)
    if norm > 1e-9:
        best = np.rad2deg(np.arctan2(grad[1], grad[0]))
        ax_d.axvline(best, color="red", ls="--", lw=1, label=rf"along $\nabla f$: max = {_number(norm)}")
    ax_d.plot([angle], [directional_derivative(grad, angle)], "o", color="orange", ms=9,
              mec="black", label=f"your u: {_number(directional_derivative(grad, angle))}", zorder=5,
              gid="current-angle")
    ax_d.set(xlim=(-180, 180), xticks=range(-180, 181, 90), xlabel="angle of u (degrees)",
             ylabel="slope along u", title="Directional derivative")
    top = max(norm, 1e-3) * 1.15
    ax_d.set_ylim(-top, top)
    ax_d.grid(alpha=0.3)
    ax_d.legend(fontsize=8, loc="best", framealpha=0.9)
    return fig


def gradient_explorer(function="bowl", point=(1.0, 1.0)):
    """Move a point over a 2-D function and compare the gradient with a direction you choose.

    Left: filled contours, the gradient arrow (steepest ascent, at right angles
    to the contour) and your direction u. Right: the slope along u for every
    angle; it peaks where u points along the gradient.
    """
    _lookup(function)
    controls = {
        "function": widgets.Dropdown(options=list(FUNCTIONS), value=function, description="f"),
        "x": widgets.FloatSlider(value=point[0], min=-_LIM, max=_LIM, step=0.05, description="x"),
        "y": widgets.FloatSlider(value=point[1], min=-_LIM, max=_LIM, step=0.05, description="y"),
        "angle": widgets.FloatSlider(value=0.0, min=-180, max=180, step=1,
                                     description="angle of u"),
    }
    for name in ("x", "y", "angle"):  # a redraw takes ~0.3 s: update when the slider is released
        controls[name].continuous_update = False
    info = widgets.HTML()
    output = widgets.Output()
    rows = [widgets.HBox([controls["function"], controls["angle"]]),
            widgets.HBox([controls["x"], controls["y"]]), info]
    explorer = _explorer("dlcourse-gradient-explorer", rows, output)
    explorer.controls = controls

    def redraw(_=None):
        name = controls["function"].value
        point = np.array([controls["x"].value, controls["y"].value])
        angle = controls["angle"].value
        grad = gradient(name, *point)
        slope = float(directional_derivative(grad, angle))
        explorer.state.update(function=name, point=point, angle=angle, gradient=grad,
                              value=float(evaluate(name, *point)),
                              directional_derivative=slope,
                              steepest_angle=float(np.rad2deg(np.arctan2(grad[1], grad[0]))))
        info.value = (f"f = {_number(explorer.state['value'])}, gradient = ({_number(grad[0])}, {_number(grad[1])}), "
                      f"|gradient| = {_number(np.hypot(*grad))}, slope along u = {_number(slope)}")
        explorer.figure = _draw_gradient(name, point, angle, grad)
        _show(output, explorer.figure)

    _redraw_on_change(controls, redraw)
    return explorer
