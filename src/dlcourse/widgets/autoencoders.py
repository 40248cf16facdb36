"""Lesson 11 (course/11-autoencoders.ipynb): walk through a 2-D latent space and watch what the decoder draws.

``latent_space_explorer`` takes a decoder (any callable that maps a batch of 2-D latent points to images) and,
optionally, where the test images landed in the latent space (their codes and labels). Two sliders, ``z1``
and ``z2``, pick a point of the latent space: the explorer marks it on the map of encoded test images and
shows the image the decoder makes of it. Two dropdowns, ``start`` and ``end``, pick two chosen test images
(by their codes), and the slider ``t`` moves along the straight line between them: the strip below shows
eight decodes along that line, with the one at ``t`` framed in red.

Nothing is trained here; each redraw calls the decoder once on a handful of points, so it takes
milliseconds. A decoder that fails, or returns something that is not a batch of images of finite numbers,
gives a message in red instead of a plot.

Exercise 11 asks students to write ROC curves and their AUC, reconstruction errors, a sampling layer, the
KL divergence of Gaussians, the VAE's loss and a convolutional autoencoder; none of that is here (nothing
an exercise asks for is importable from ``dlcourse``). Importing this module imports neither TensorFlow
nor Keras.
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._common import _control_explorer, _number, _show, _show_problem

__all__ = ["latent_space_explorer"]

STRIP = 8           # decodes drawn along the line between the two chosen images
_WIDTH = 11.0


def _finite_number(value, name):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value}")
    return value


def _validated(latents, labels, examples, limit):
    """The inputs as clean arrays and a dict of name -> (2,) code, or a ValueError saying what does not fit."""
    limit = _finite_number(limit, "limit")
    if limit <= 0:
        raise ValueError(f"limit must be positive (the sliders run from -limit to limit), not {limit}")
    if latents is not None:
        latents = np.asarray(latents, dtype=np.float64)
        if latents.ndim != 2 or latents.shape[1] != 2 or len(latents) == 0:
            raise ValueError(f"latents must be an array of shape (N, 2) with N >= 1 (codes of a 2-D latent space), "
                             f"not shape {latents.shape}")
        if not np.all(np.isfinite(latents)):
            raise ValueError("latents must hold finite numbers (no NaN or inf)")
        if labels is not None:
            labels = np.asarray(labels).reshape(-1)
            if len(labels) != len(latents):
                raise ValueError(f"labels must have one entry per code: {len(labels)} labels for {len(latents)} codes")
    elif labels is not None:
        raise ValueError("labels need latents: one label per code")
    if not isinstance(examples, dict) or len(examples) < 2:
        raise ValueError("examples must be a dict {name: code of shape (2,)} with at least two entries")
    clean = {}
    for name, code in examples.items():
        code = np.asarray(code, dtype=np.float64).reshape(-1)
        if code.shape != (2,) or not np.all(np.isfinite(code)):
            raise ValueError(f"examples[{name!r}] must be 2 finite numbers (a point of the latent space)")
        text = str(name).strip()
        if not text:
            raise ValueError("example names must not be empty")
        clean[text[:40]] = code
    if len(clean) < 2:
        raise ValueError("examples must have at least two distinct names")
    return latents, labels, clean, limit


def _as_images(decoded, count):
    """The decoder's output as (count, h, w) floats, or a ValueError saying why it is not a batch of images."""
    try:
        images = np.asarray(decoded, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"the decoder returned a {type(decoded).__name__}, not an array of images") from None
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 2 and images.shape[0] == count:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(f"the decoder returned flat rows of {images.shape[1]} values: not square images")
        images = images.reshape(count, side, side)
    if images.ndim != 3 or images.shape[0] != count:
        raise ValueError(f"the decoder returned shape {images.shape} for {count} points; expected "
                         f"({count}, height, width), ({count}, height, width, 1) or ({count}, height * width)")
    if not np.all(np.isfinite(images)):
        raise ValueError("the decoder returned NaN or inf: is the model trained, and its output a sigmoid?")
    return images


def _draw(latents, labels, class_names, z, start, end, point, images, t_index):
    fig = Figure(figsize=(_WIDTH, 5.2), layout="constrained")
    grid = fig.add_gridspec(2, STRIP, height_ratios=[3.2, 1])
    ax = fig.add_subplot(grid[0, :5])
    if latents is not None:
        colours = None if labels is None else labels
        ax.scatter(latents[:, 0], latents[:, 1], c=colours, cmap="tab10", s=4, alpha=0.5, linewidths=0,
                   gid="codes")
        if labels is not None and class_names is not None:
            for k in np.unique(labels):
                inside = labels == k
                if int(k) < len(class_names) and inside.any():
                    centre = np.median(latents[inside], axis=0)
                    ax.text(*centre, str(class_names[int(k)]), fontsize=7, ha="center", va="center",
                            bbox=dict(boxstyle="round,pad=0.15", fc="white", alpha=0.7, lw=0))
    ax.plot([start[0], end[0]], [start[1], end[1]], "-", color="k", lw=1.5, gid="path")
    ax.plot([start[0], end[0]], [start[1], end[1]], "o", color="k", ms=5)
    ax.plot([point[0]], [point[1]], "s", ms=9, mfc="none", mec="tab:red", mew=2, gid="path-point")
    ax.plot([z[0]], [z[1]], "X", ms=14, color="tab:red", mec="white", gid="slider-point")
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title("latent space: encoded test images, your point (X), the path (line)", fontsize=9)
    ax.grid(alpha=0.3)
    big = fig.add_subplot(grid[0, 5:])
    big.imshow(images[0], cmap="gray_r", vmin=0, vmax=max(1.0, float(images[0].max())))
    big.set_title(f"decoded at z = ({_number(z[0])}, {_number(z[1])})", fontsize=9)
    big.set_axis_off()
    for i in range(STRIP):
        small = fig.add_subplot(grid[1, i])
        small.imshow(images[1 + i], cmap="gray_r", vmin=0, vmax=max(1.0, float(images[1 + i].max())))
        small.set_xticks([])
        small.set_yticks([])
        for spine in small.spines.values():
            spine.set_edgecolor("tab:red" if i == t_index else "none")
            spine.set_linewidth(3)
        small.set_title(f"t = {i / (STRIP - 1):.2f}", fontsize=7, color="tab:red" if i == t_index else "k")
    return fig


def latent_space_explorer(decode, latents=None, labels=None, examples=None, class_names=None, limit=3.0, z=(0.0, 0.0),
                    start=None, end=None, t=0.5):
    """Explore a 2-D latent space with ``decode(points (m, 2) float32) -> images``.

    ``latents`` (N, 2) and ``labels`` (N,) (optional) are the codes of test images, drawn as a map coloured by
    label (``class_names`` names the labels). ``examples`` maps a name to a code (2,): the images you can
    interpolate between (at least two). Controls: ``z1`` and ``z2`` (sliders from ``-limit`` to ``limit``),
    ``start`` and ``end`` (two of the examples) and ``t`` (0 to 1 in steps of 1/7, along the line from start to
    end: the framed image of the strip is the decode at ``t``).
    ``.state`` holds ``z``, the decoded ``image`` there, the ``start``, ``end`` and ``t``, the ``path_point``
    (the code at ``t``), the ``strip`` of decodes along the path, and ``nearest``: the label of the
    encoded test image closest to ``z`` (when latents and labels are given).
    """
    if not callable(decode):
        raise ValueError("decode must be a function (or a Keras model) mapping points (m, 2) to images")
    latents, labels, examples, limit = _validated(latents, labels, examples, limit)
    names = list(examples)
    start = names[0] if start is None or str(start) not in examples else str(start)
    end = names[1] if end is None or str(end) not in examples else str(end)
    z = [min(max(_finite_number(v, "z"), -limit), limit) for v in z]
    slider = dict(min=-limit, max=limit, step=limit / 50, continuous_update=False, readout_format=".2f",
                  layout=widgets.Layout(width="20em"))
    controls = {
        "z1": widgets.FloatSlider(value=z[0], description="z1", **slider),
        "z2": widgets.FloatSlider(value=z[1], description="z2", **slider),
        "start": widgets.Dropdown(options=names, value=start, description="start"),
        "end": widgets.Dropdown(options=names, value=end, description="end"),
        "t": widgets.FloatSlider(value=round(min(max(_finite_number(t, "t"), 0.0), 1.0) * (STRIP - 1)) / (STRIP - 1),
                                 min=0.0, max=1.0,
                                 step=1 / (STRIP - 1), continuous_update=False, readout_format=".2f",
                                 description="t", layout=widgets.Layout(width="20em")),
    }
    explorer, info, output = _control_explorer("dlcourse-latent-space-explorer", controls)

    def redraw(_=None):
        point_z = np.array([controls["z1"].value, controls["z2"].value], dtype=np.float64)
        a, b = controls["start"].value, controls["end"].value
        t_value = float(controls["t"].value)
        t_index = int(round(t_value * (STRIP - 1)))
        steps = np.linspace(0.0, 1.0, STRIP)
        path = (1 - steps)[:, None] * examples[a] + steps[:, None] * examples[b]
        on_path = (1 - t_value) * examples[a] + t_value * examples[b]
        explorer.state = {"valid": True, "z": point_z, "start": a, "end": b, "t": t_value, "path_point": on_path}
        points = np.vstack([point_z[None], path]).astype(np.float32)
        try:
            images = _as_images(decode(points), len(points))
        except Exception as err:  # a decoder that fails must say so, never leave a stale plot
            message = str(err) if isinstance(err, ValueError) and str(err).startswith("the decoder") else (
                f"the decoder failed on points of shape {points.shape}: {type(err).__name__}: {str(err)[:200]}")
            _show_problem(explorer, info, output, message, width=_WIDTH)
            return
        nearest = None
        if latents is not None and labels is not None:
            index = int(np.argmin(np.sum((latents - point_z) ** 2, axis=1)))
            nearest = labels[index].item() if hasattr(labels[index], "item") else labels[index]
        explorer.state.update(image=images[0], strip=images[1:], nearest=nearest)
        explorer.figure = _draw(latents, labels, class_names, point_z, examples[a], examples[b], on_path, images,
                                t_index)
        _show(output, explorer.figure)
        where = ""
        if nearest is not None:
            name = class_names[int(nearest)] if class_names is not None and 0 <= int(nearest) < len(class_names) \
                else str(nearest)
            where = f" The nearest encoded test image there is a <b>{html.escape(name)}</b>."
        same = " (start and end are the same image: the path is a single point)" if a == b else ""
        info.value = (f"z = ({_number(point_z[0])}, {_number(point_z[1])}).{where} Path from <b>{html.escape(a)}</b> to "
                      f"<b>{html.escape(b)}</b>{same}; t = {t_value:.2f} is the framed image.")

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return explorer
