"""Interactive explorers for the lessons (ipywidgets 8 + matplotlib).

Each explorer is one function that returns an ``ipywidgets.VBox``. The box
carries three extra attributes so tests (and curious students) can drive it:

- ``.controls``: a dict of the input widgets, by name;
- ``.state``: a dict with what was computed for the current inputs;
- ``.figure``: the last matplotlib Figure drawn.

The maths lives in small pure functions (``transform_points``,
``eigen_directions``, ``gradient``, ``softmax``, ...); the explorers only wire
controls to them. Plots are drawn into an ``ipywidgets.Output`` as PNG images,
which works in JupyterLab and Colab without any extension.
"""

from __future__ import annotations

import base64
import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from .plots import vector_arrows

__all__ = [
    "matrix_explorer",
    "gradient_explorer",
    "softmax_explorer",
    "transform_points",
    "determinant",
    "eigen_directions",
    "describe_matrix",
    "LETTER_F",
    "FUNCTIONS",
    "evaluate",
    "gradient",
    "directional_derivative",
    "softmax",
    "naive_softmax",
    "entropy",
]


# --------------------------------------------------------------------------
# shared plumbing
# --------------------------------------------------------------------------

def _show(output, fig):
    """Replace what ``output`` shows with ``fig`` rendered as a PNG.

    The Output widget's state is set directly, in one update, instead of capturing a display
    inside ``with output:``: capturing makes the frontend (and nbclient, which runs notebooks
    under nbgrader and in the tests) track output message ids, and nbclient can then wait for
    its full cell timeout after such a cell (jupyter/nbclient#312).
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    output.outputs = ({"output_type": "display_data", "metadata": {},
                       "data": {"image/png": png, "text/plain": "<Figure>"}},)


def _explorer(css_class, rows, output):
    box = widgets.VBox([*rows, output])
    box.add_class(css_class)
    box.controls = {}
    box.state = {}
    box.figure = None
    return box


# --------------------------------------------------------------------------
# matrices as transformations of the plane
# --------------------------------------------------------------------------

#: A letter "F" inside the unit square: it has no symmetry, so a reflection
#: (mirror image) or a rotation is easy to recognise.
LETTER_F = np.array([
    [0.25, 0.1], [0.25, 0.9], [0.75, 0.9], [0.75, 0.75], [0.4, 0.75],
    [0.4, 0.58], [0.65, 0.58], [0.65, 0.43], [0.4, 0.43], [0.4, 0.1],
])

_UNIT_SQUARE = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])


def transform_points(matrix, points):
    """Apply the 2x2 ``matrix`` to each row of ``points`` (shape (n, 2)): returns A p per row."""
    return np.asarray(points, dtype=float) @ np.asarray(matrix, dtype=float).T


def determinant(matrix):
    """Determinant of a 2x2 matrix: the factor by which it scales areas (negative: flips)."""
    (a, b), (c, d) = np.asarray(matrix, dtype=float)
    return float(a * d - b * c)


def eigen_directions(matrix, tol=1e-9):
    """Eigenvalues of ``matrix`` and its distinct real eigen-directions.

    Returns ``(eigenvalues, directions)``. ``eigenvalues`` is what
    ``np.linalg.eigvals`` gives (complex when the matrix rotates). ``directions``
    is a list of ``(eigenvalue, unit_vector)`` pairs, empty when the eigenvalues
    are not real; parallel eigenvectors (a shear has only one direction) are
    listed once.
    """
    matrix = np.asarray(matrix, dtype=float)
    values, vectors = np.linalg.eig(matrix)
    scale = max(1.0, float(np.abs(matrix).max()))
    if np.any(np.abs(np.imag(values)) > tol * scale):
        return values, []
    values, vectors = np.real(values), np.real(vectors)
    directions = []
    for k in range(len(values)):
        v = vectors[:, k] / np.linalg.norm(vectors[:, k])
        if any(abs(v[0] * u[1] - v[1] * u[0]) < 1e-6 for _, u in directions):
            continue  # same line as one we already have
        directions.append((float(values[k]), v))
    return values, directions


def describe_matrix(matrix):
    """One line about the matrix: determinant (area, orientation) and eigenvalues."""
    det = determinant(matrix)
    values, directions = eigen_directions(matrix)
    if abs(det) < 1e-12:
        area = "det = 0: the plane is squashed onto a line (or a point), not invertible"
    else:
        area = f"det = {det:.3g}: areas scale by {abs(det):.3g}"
        area += ", orientation flips (mirror image)" if det < 0 else ", orientation kept"
    if directions:
        eig = "eigenvalues " + ", ".join(f"{v:.3g}" for v in np.real(values))
        if len(directions) == 1 and not np.allclose(matrix, values[0] * np.eye(2)):
            eig += " (only one eigen-direction)"
    else:
        eig = "eigenvalues " + ", ".join(f"{v:.3g}" for v in values) + ": complex: rotation-like"
    return f"{area}; {eig}"


_PRESETS = {
    "choose a preset...": None,
    "identity": ((1, 0), (0, 1)),
    "stretch x by 2, y by 3": ((2, 0), (0, 3)),
    "shear": ((1, 1), (0, 1)),
    "rotation by 90 degrees": ((0, -1), (1, 0)),
    "reflection in the y axis": ((-1, 0), (0, 1)),
    "singular (det 0)": ((1, 2), (0.5, 1)),
    "symmetric": ((2, 1), (1, 2)),
}


def _draw_matrix(matrix, directions):
    fig = Figure(figsize=(6.2, 6.0), layout="constrained")
    ax = fig.subplots()
    after_square = transform_points(matrix, _UNIT_SQUARE)
    after_f = transform_points(matrix, LETTER_F)
    basis = np.asarray(matrix, dtype=float).T  # columns of A: where e1 and e2 go
    extent = [np.abs(after_square).max(), 2.2]
    extent += [abs(value) for value, _ in directions]
    lim = min(1.25 * max(extent), 12.0)

    # grid lines x = k and y = k, before (faint) and after the transformation
    n = int(np.ceil(lim)) + 1
    ticks = np.arange(-n, n + 1)
    far = np.array([-3 * n, 3 * n], dtype=float)
    for k in ticks:
        for line in (np.column_stack([[k, k], far]), np.column_stack([far, [k, k]])):
            ax.plot(*line.T, color="0.85", lw=0.8, zorder=0)
            image = transform_points(matrix, line)
            ax.plot(*image.T, color="tab:blue", lw=1.0 if k else 1.6, alpha=0.45, zorder=1)

    # the unit square and the letter, before and after
    ax.add_patch(Polygon(_UNIT_SQUARE, closed=True, fill=False, ec="0.6", ls="--", zorder=2))
    ax.add_patch(Polygon(LETTER_F, closed=True, fc="0.8", ec="0.55", zorder=2,
                         label="before"))
    ax.add_patch(Polygon(after_square, closed=True, fc="tab:blue", alpha=0.12, ec="tab:blue",
                         zorder=2, gid="unit-square-after"))
    ax.add_patch(Polygon(after_f, closed=True, fc="tab:orange", alpha=0.85, ec="saddlebrown",
                         zorder=3, gid="letter-after", label="after"))

    vector_arrows(ax, basis, labels=[r"$A e_1$", r"$A e_2$"], colors=["tab:red", "tab:green"],
                  gid="basis")
    if directions:
        vecs = [value * v for value, v in directions]
        arrows = vector_arrows(ax, vecs, colors=["purple"] * len(vecs), width=3.5,
                               gid="eigenvector")
        for arrow, (value, v) in zip(arrows, directions):
            arrow.set_alpha(0.55)
            arrow.set_zorder(4)  # under the basis arrows, which may coincide
            # the whole invariant line, faint, and a label beside the middle of the arrow
            ax.plot(*(np.outer([-3 * n, 3 * n], v)).T, color="purple", lw=0.8, alpha=0.4,
                    ls=":", zorder=1)
            side = np.array([v[1], -v[0]]) * 0.22
            ax.text(*(0.5 * value * v + side), rf"$\lambda$={value:.2g}", color="purple",
                    fontsize=9, ha="center", va="center", zorder=6,
                    bbox=dict(fc="white", ec="none", alpha=0.7, pad=1))

    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.4", lw=0.8, zorder=1)
    ax.axvline(0, color="0.4", lw=0.8, zorder=1)
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    m = np.asarray(matrix, dtype=float)
    ax.set_title(f"A = [[{m[0, 0]:.3g}, {m[0, 1]:.3g}], [{m[1, 0]:.3g}, {m[1, 1]:.3g}]]"
                 "   grey: before, blue/orange: after")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def matrix_explorer(matrix=((1.0, 0.5), (0.0, 1.0))):
    """Edit a 2x2 matrix A and watch how it transforms the plane.

    Shows the grid before (grey) and after (blue), a letter F and the unit
    square before and after, the images A e1, A e2 of the basis vectors, and
    the eigenvectors (scaled by their eigenvalue) when the eigenvalues are real.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (2, 2):
        raise ValueError(f"matrix must be 2x2, got shape {matrix.shape}")
    names = ["m11", "m12", "m21", "m22"]
    controls = {}
    for name, value in zip(names, matrix.ravel()):
        box = widgets.FloatText(value=float(value), step=0.1,
                                layout=widgets.Layout(width="5.5em"))
        box.add_class(f"dlcourse-{name}")
        controls[name] = box
    grid = widgets.GridBox([controls[n] for n in names], layout=widgets.Layout(
        grid_template_columns="repeat(2, 6em)", grid_gap="4px"))
    preset = widgets.Dropdown(options=list(_PRESETS), description="Try:",
                              layout=widgets.Layout(width="20em"))
    info = widgets.HTML()
    output = widgets.Output()
    row = widgets.HBox([widgets.HTML("<b>A =</b>"), grid, preset],
                       layout=widgets.Layout(align_items="center", grid_gap="12px"))
    explorer = _explorer("dlcourse-matrix-explorer", [row, info], output)
    explorer.controls = controls
    explorer.preset = preset
    busy = {"setting": False}

    def redraw(_=None):
        if busy["setting"]:
            return
        m = np.array([[controls["m11"].value, controls["m12"].value],
                      [controls["m21"].value, controls["m22"].value]], dtype=float)
        values, directions = eigen_directions(m)
        explorer.state.update(matrix=m, determinant=determinant(m), eigenvalues=values,
                              real_eigenvectors=bool(directions),
                              eigen_directions=directions)
        info.value = describe_matrix(m)
        explorer.figure = _draw_matrix(m, directions)
        _show(output, explorer.figure)

    def apply_preset(change):
        values = _PRESETS.get(change["new"])
        if values is None:
            return
        busy["setting"] = True
        try:
            for name, value in zip(names, np.ravel(values)):
                controls[name].value = float(value)
        finally:
            busy["setting"] = False
        redraw()

    for box in controls.values():
        box.observe(redraw, names="value")
    preset.observe(apply_preset, names="value")
    redraw()
    return explorer


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
        ax_d.axvline(best, color="red", ls="--", lw=1, label=rf"along $\nabla f$: max = {norm:.3g}")
    ax_d.plot([angle], [directional_derivative(grad, angle)], "o", color="orange", ms=9,
              mec="black", label=f"your u: {directional_derivative(grad, angle):.3g}", zorder=5,
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
        info.value = (f"f = {explorer.state['value']:.3g}, gradient = ({grad[0]:.3g}, {grad[1]:.3g}), "
                      f"|gradient| = {np.hypot(*grad):.3g}, slope along u = {slope:.3g}")
        explorer.figure = _draw_gradient(name, point, angle, grad)
        _show(output, explorer.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return explorer


# --------------------------------------------------------------------------
# softmax and temperature
# --------------------------------------------------------------------------

def softmax(logits, temperature=1.0, axis=-1):
    """Numerically stable softmax of ``logits / temperature`` along ``axis``."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=axis, keepdims=True)  # exp of at most 0: no overflow
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def naive_softmax(logits, axis=-1):
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
    ax_p.bar(names, softmax(logits), fill=False, ec="black", ls="--", lw=1,
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
        probs = softmax(z + shift, temperature)
        explorer.state.update(logits=z + shift, shift=shift, temperature=temperature,
                              probabilities=probs, entropy=float(entropy(probs)))
        info.value = (f"sum of probabilities = {probs.sum():.3f}, largest = {probs.max():.3f}, "
                      f"entropy = {entropy(probs):.3f} nats (uniform: {np.log(len(z)):.3f})")
        explorer.figure = _draw_softmax(z, temperature, shift, probs)
        _show(output, explorer.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return explorer
