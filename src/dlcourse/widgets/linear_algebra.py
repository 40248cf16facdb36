"""Lesson 01 (course/01-linear-algebra.ipynb), matrices: a 2x2 matrix transforming the plane.

``matrix_explorer`` draws the grid, a letter F and the unit square before and after, the images of
the basis vectors and the real eigen-directions; the small pure functions beside it do the maths.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from ..plots import vector_arrows
from ._common import _explorer, _message_figure, _number, _show

__all__ = [
    "matrix_explorer",
    "transform_points",
    "determinant",
    "eigen_directions",
    "describe_matrix",
    "LETTER_F",
]


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
    values = np.where(np.abs(values) < tol * scale, 0.0, values)  # an eigenvalue that is 0 up to rounding
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
        area = f"det = {_number(det)}: areas scale by {_number(abs(det))}"
        area += ", orientation flips (mirror image)" if det < 0 else ", orientation kept"
    if directions:
        eig = "eigenvalues " + ", ".join(_number(v) for v in np.real(values))
        if len(directions) == 1 and not np.allclose(matrix, values[0] * np.eye(2)):
            eig += " (only one eigen-direction)"
    else:
        eig = ("eigenvalues " + ", ".join(f"{_number(v.real)} {'-' if v.imag < 0 else '+'} {_number(abs(v.imag))}i" for v in values)
               + ": complex: rotation-like")
    return f"{area}; {eig}"


#: Entries beyond this size push the letter and the grid out of the picture (its axes stop at 12).
_LIMIT = 10.0

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
                    fontsize=9, ha="center", va="center", zorder=6, clip_on=True,
                    bbox=dict(fc="white", ec="none", alpha=0.7, pad=1))

    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.4", lw=0.8, zorder=1)
    ax.axvline(0, color="0.4", lw=0.8, zorder=1)
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    m = np.asarray(matrix, dtype=float)
    ax.set_title(f"A = [[{_number(m[0, 0])}, {_number(m[0, 1])}], [{_number(m[1, 0])}, {_number(m[1, 1])}]]"
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
    preset = widgets.Dropdown(options=list(_PRESETS), description="Try:", style={"description_width": "initial"},
                              layout=widgets.Layout(width="max-content"))
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
        if _PRESETS.get(preset.value) is not None and not np.array_equal(m, _PRESETS[preset.value]):
            preset.value = next(iter(_PRESETS))  # an edit by hand: the menu no longer names this matrix
        if not np.all(np.isfinite(m)) or np.abs(m).max() > _LIMIT:
            message = f"The entries of A must be numbers between -{_LIMIT:g} and {_LIMIT:g}: change the one that is not."
            explorer.state.update(matrix=m, valid=False, message=message)
            info.value = message
            explorer.figure = _message_figure(message, width=6.2)
            _show(output, explorer.figure)
            return
        values, directions = eigen_directions(m)
        explorer.state.update(matrix=m, valid=True, message="", determinant=determinant(m), eigenvalues=values,
                              real_eigenvectors=bool(directions), eigen_directions=directions)
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
