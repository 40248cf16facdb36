"""Shared figures for the lessons.

Every function either draws on an ``ax`` it is given or returns a new
:class:`matplotlib.figure.Figure`. The figures are built without pyplot, so
they never pop up twice in a notebook and never need ``plt.show()``: make the
returned figure the last expression of a cell (or pass it to ``display``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

__all__ = [
    "image_grid",
    "vector_arrows",
    "similarity_heatmap",
    "function_and_derivative",
    "step_size_error",
    "probability_bars",
]


def image_grid(images, labels=None, class_names=None, ncols=8, cmap="gray_r",
               titles=None, size=1.3):
    """Show images in a grid, one small panel each; returns the Figure.

    ``images`` has shape (n, h, w), (n, h, w, 3) or (n, h*w) for square images.
    Each panel is titled with ``titles[i]``, or else ``class_names[labels[i]]``
    (or the bare label).
    """
    images = np.asarray(images)
    if images.ndim == 2:  # flattened square images
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"cannot reshape vectors of length {images.shape[1]} into square images")
        images = images.reshape(len(images), side, side)
    if images.ndim not in (3, 4):
        raise ValueError(f"expected images of shape (n, h, w) or (n, h, w, c), got {images.shape}")
    n = len(images)
    if n == 0:
        raise ValueError("no images to show")
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig = Figure(figsize=(size * ncols, (size + 0.25) * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= n:
            continue
        ax.imshow(images[i], cmap=None if images.ndim == 4 else cmap)
        title = None
        if titles is not None:
            title = titles[i]
        elif labels is not None:
            label = int(labels[i])
            title = class_names[label] if class_names is not None else str(label)
        if title is not None:
            ax.set_title(title, fontsize=9)
    return fig


def vector_arrows(ax, vectors, labels=None, colors=None, origin=(0.0, 0.0),
                  width=2.0, gid=None, fontsize=10):
    """Draw 2-D vectors as arrows from ``origin`` on ``ax``, labelled at their tips.

    Returns the list of arrow patches (each gets ``gid`` if given, so tests
    and callers can find them again).
    """
    vectors = np.atleast_2d(np.asarray(vectors, dtype=float))
    origin = np.asarray(origin, dtype=float)
    n = len(vectors)
    labels = [None] * n if labels is None else list(labels)
    if colors is None or isinstance(colors, str):
        colors = [colors or "black"] * n
    arrows = []
    for vec, label, color in zip(vectors, labels, colors):
        tip = origin + vec
        arrow = FancyArrowPatch(tuple(origin), tuple(tip), arrowstyle="-|>",
                                mutation_scale=14, linewidth=width, color=color,
                                shrinkA=0, shrinkB=0, zorder=5)
        if gid is not None:
            arrow.set_gid(gid)
        ax.add_patch(arrow)
        arrows.append(arrow)
        if label:
            # put the label a little beyond the tip, along the arrow
            length = np.hypot(*vec)
            offset = 0.12 * vec / length if length > 0 else np.array([0.08, 0.08])
            ax.text(*(tip + offset), label, color=color, fontsize=fontsize,
                    ha="center", va="center", zorder=6,
                    bbox=dict(fc="white", ec="none", alpha=0.6, pad=1))
    ax.update_datalim(np.vstack([origin, origin + vectors]))
    return arrows


def similarity_heatmap(matrix, labels, title="Cosine similarity", vmin=None, vmax=1.0,
                       cmap="viridis", fmt="{:.2f}"):
    """A square heatmap of pairwise similarities with the values written in."""
    matrix = np.asarray(matrix, dtype=float)
    n = len(labels)
    if matrix.shape != (n, n):
        raise ValueError(f"matrix has shape {matrix.shape} but there are {n} labels")
    side = 1.0 + 0.7 * n
    fig = Figure(figsize=(side + 1.0, side), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xticks(range(n), labels, rotation=45, ha="right")
    ax.set_yticks(range(n), labels)
    low, high = image.get_clim()
    for i in range(n):
        for j in range(n):
            value = matrix[i, j]
            # dark text on the bright end of the colour map, white elsewhere
            dark = (value - low) > 0.6 * (high - low)
            ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=8,
                    color="black" if dark else "white")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def function_and_derivative(f, df, x=None, h=1e-3, name="f"):
    """Plot f, and its analytic derivative ``df`` against central differences.

    Left: f(x). Right: df(x) as a line and (f(x+h) - f(x-h)) / 2h as dots,
    which should sit on the line.
    """
    x = np.linspace(-3, 3, 201) if x is None else np.asarray(x, dtype=float)
    numeric = (f(x + h) - f(x - h)) / (2 * h)
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    ax_f, ax_d = fig.subplots(1, 2)
    ax_f.plot(x, f(x), color="tab:blue")
    ax_f.set(title=f"${name}(x)$", xlabel="$x$", ylabel=f"${name}(x)$")
    ax_d.plot(x, df(x), color="tab:orange", label="analytic")
    every = max(1, len(x) // 25)
    ax_d.plot(x[::every], numeric[::every], "o", ms=4, color="black",
              label=f"central difference, h={h:g}")
    ax_d.set(title=f"${name}'(x)$", xlabel="$x$", ylabel=f"${name}'(x)$")
    ax_d.legend(fontsize=8)
    for ax in (ax_f, ax_d):
        ax.grid(alpha=0.3)
    return fig


def step_size_error(f, df, x0, hs=None):
    """Log-log plot of the error of forward and central differences against h.

    Shows truncation error (falls as h shrinks: slope 1 forward, slope 2
    central) meeting round-off error (grows as h shrinks, like eps / h).
    """
    hs = np.logspace(-15, -1, 57) if hs is None else np.asarray(hs, dtype=float)
    exact = df(x0)
    forward = np.abs((f(x0 + hs) - f(x0)) / hs - exact)
    central = np.abs((f(x0 + hs) - f(x0 - hs)) / (2 * hs) - exact)
    tiny = 1e-18  # an exact hit would be log(0): clip it for the plot
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.loglog(hs, np.maximum(forward, tiny), "o-", ms=3, label="forward  (f(x+h)-f(x))/h")
    ax.loglog(hs, np.maximum(central, tiny), "s-", ms=3, label="central  (f(x+h)-f(x-h))/2h")
    best = hs[np.argmin(central)]
    ax.axvline(best, color="gray", ls=":", lw=1)
    ax.text(best, ax.get_ylim()[1], f" best central h ~ {best:.0e}", va="top", fontsize=8,
            color="gray")
    ax.set(xlabel="step size $h$", ylabel="absolute error",
           title=f"Numeric derivative error at $x_0$ = {x0:g}")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="lower left")
    return fig


def probability_bars(probabilities, class_names=None, target=None, title="Predicted probabilities"):
    """Bar chart of one probability vector; the ``target`` class is highlighted."""
    p = np.asarray(probabilities, dtype=float)
    names = [str(i) for i in range(len(p))] if class_names is None else list(class_names)
    colors = ["tab:green" if i == target else "tab:blue" for i in range(len(p))]
    fig = Figure(figsize=(max(4, 0.6 * len(p) + 1), 3), layout="constrained")
    ax = fig.subplots()
    bars = ax.bar(range(len(p)), p, color=colors)
    ax.bar_label(bars, [f"{v:.2f}" for v in p], fontsize=8)
    ax.set_xticks(range(len(p)), names, rotation=45 if len(p) > 5 else 0, ha="right" if len(p) > 5 else "center")
    ax.set(ylim=(0, 1.1), ylabel="probability", title=title)
    return fig
