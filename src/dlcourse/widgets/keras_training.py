"""Lesson 07 (course/07-numpy-to-keras.ipynb): what a trained classifier gets wrong, class by class.

``confusion_explorer`` takes images, their true labels and a model's predictions (class indices, or
one row of class scores per image) and shows the confusion matrix beside the images that fall in one
of its cells: pick a true class and a predicted class from the two menus, and the cell is
highlighted and its images drawn (the diagonal holds the images the model got right). A third menu
shows the matrix as counts or as rows normalised by the number of images of each true class.

Exercise 07 asks students to compute a confusion matrix, so the counting here stays private
(underscore names): nothing an exercise asks for is importable from ``dlcourse``. Nothing here
imports TensorFlow or Keras: the explorer works on numpy arrays, whichever backend made them.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._common import _control_explorer, _redraw_on_change, _show, _show_problem

__all__ = ["confusion_explorer", "CONFUSION_SCALES"]

#: How the matrix can be shown, by the name its menu shows.
CONFUSION_SCALES = ("counts", "fraction of true class")

_MAX_CLASSES = 30
_MAX_SHOWN = 12  # images drawn from one cell


def _problem_with(images, labels, predictions, class_names):
    """Why these inputs cannot be explored (a sentence), or None; and the cleaned arrays."""
    try:
        images = np.asarray(images)
        labels = np.asarray(labels)
        predictions = np.asarray(predictions)
    except Exception as err:  # noqa: BLE001 - ragged lists and the like
        return f"the inputs cannot be read as arrays ({type(err).__name__})", None
    if labels.ndim != 1 or labels.size == 0:
        return f"labels must be a non-empty 1-d array of class indices, not shape {labels.shape}", None
    n = labels.size
    if predictions.ndim == 2:
        if predictions.shape[0] != n or predictions.shape[1] < 2:
            return (f"predictions of shape {predictions.shape} do not fit {n} labels: give one class index "
                    "per image, shape (n,), or one row of class scores per image, shape (n, classes)"), None
        if not np.issubdtype(predictions.dtype, np.number) or not np.all(np.isfinite(predictions)):
            return "the prediction scores must be finite numbers (is there a NaN in the model's output?)", None
        predictions = np.argmax(predictions, axis=1)
    if predictions.shape != (n,):
        return f"predictions have shape {predictions.shape} but there are {n} labels: they must match", None
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values.dtype == bool or not np.issubdtype(values.dtype, np.number):
            return f"{name} must be integer class indices, not {values.dtype}", None
        if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)) or values.min() < 0:
            return f"{name} must be whole numbers 0, 1, 2, ... (class indices)", None
    labels, predictions = labels.astype(int), predictions.astype(int)
    if class_names is None:
        k = int(max(labels.max(), predictions.max())) + 1
        class_names = [str(i) for i in range(k)]
    class_names = [str(name) for name in class_names]
    k = len(class_names)
    if not 2 <= k <= _MAX_CLASSES:
        return f"there must be between 2 and {_MAX_CLASSES} classes, not {k}", None
    if len(set(class_names)) != k:
        return "the class names must be different from each other", None
    if max(labels.max(), predictions.max()) >= k:
        return f"a label or prediction is {max(labels.max(), predictions.max())}, but there are only {k} class names", None
    if images.ndim == 2 and images.shape[0] == n and round(np.sqrt(images.shape[1])) ** 2 == images.shape[1]:
        side = round(np.sqrt(images.shape[1]))
        images = images.reshape(n, side, side)
    if images.ndim not in (3, 4) or images.shape[0] != n or (images.ndim == 4 and images.shape[-1] not in (1, 3)):
        return (f"images of shape {images.shape} do not fit {n} labels: give (n, height, width), "
                "(n, height, width, 1 or 3) or square images flattened to (n, pixels)"), None
    if not np.issubdtype(images.dtype, np.number) or not np.all(np.isfinite(images)):
        return "the images must hold finite numbers", None
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    return None, (images, labels, predictions, class_names)


def _counts(labels, predictions, k):
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def _draw(matrix, scale, class_names, true_class, predicted_class, images, shown):
    k = len(class_names)
    fig = Figure(figsize=(13, 5.6), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1.1, 1])
    ax_m = left.subplots()
    if scale == "counts":
        values = matrix.astype(float)
        label = "images"
    else:
        totals = matrix.sum(axis=1, keepdims=True)
        values = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
        label = "fraction of the true class"
    ax_m.imshow(values, cmap="Blues", vmin=0, gid="confusion-matrix")
    if k <= 12:
        top = values.max() if values.max() > 0 else 1
        for i in range(k):
            for j in range(k):
                text = f"{matrix[i, j]}" if scale == "counts" else f"{values[i, j]:.2f}"
                ax_m.text(j, i, text, ha="center", va="center", fontsize=7,
                          color="white" if values[i, j] > 0.6 * top else "black")
    ax_m.add_patch(Rectangle((predicted_class - 0.5, true_class - 0.5), 1, 1, fill=False, ec="tab:red", lw=3,
                             gid="highlight"))
    ax_m.set_xticks(range(k), class_names, rotation=60, ha="right", fontsize=8)
    ax_m.set_yticks(range(k), class_names, fontsize=8)
    ax_m.set(xlabel="predicted class", ylabel="true class", title=f"confusion matrix ({label})")

    count = int(matrix[true_class, predicted_class])
    title = (f"true {class_names[true_class]}, predicted {class_names[predicted_class]}: "
             f"{count} image{'s' if count != 1 else ''}")
    if count == 0:
        ax = right.subplots()
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"No image of class {class_names[true_class]}\nwas predicted as "
                f"{class_names[predicted_class]}.",
                ha="center", va="center", fontsize=12, wrap=True, gid="empty-cell")
        right.suptitle(title, fontsize=11)
        return fig
    cols = min(4, len(shown))
    rows = -(-len(shown) // cols)
    axes = np.atleast_1d(right.subplots(rows, cols)).ravel()
    low, high = float(images.min()), float(images.max())
    for ax in axes:
        ax.set_axis_off()
    for ax, index in zip(axes, shown):
        picture = images[index].astype(float)
        cmap = "gray_r" if picture.ndim == 2 else None
        if picture.ndim == 3:
            picture = (picture - low) / (high - low) if high > low else np.zeros_like(picture)
        ax.imshow(picture, cmap=cmap, vmin=None if cmap is None else low, vmax=None if cmap is None else high,
                  gid="cell-image")
        ax.set_title(f"#{index}", fontsize=8)
    more = f" (first {len(shown)} shown)" if count > len(shown) else ""
    right.suptitle(title + more, fontsize=11)
    return fig


def confusion_explorer(images, labels, predictions, class_names=None, true_class=None, predicted_class=None):
    """Explore a classifier's confusion matrix and the images in each of its cells.

    ``images``: (n, height, width), (n, height, width, 1 or 3) or square images flattened to
    (n, pixels); ``labels``: (n,) true class indices; ``predictions``: (n,) predicted class indices
    or (n, classes) scores (the largest wins); ``class_names``: one name per class (default 0, 1,
    ...). The menus pick a true and a predicted class (the first confusion the model makes most
    often, unless given). ``.state`` holds the count matrix, the chosen cell, its count, the indices
    of the images shown and the accuracy; inputs that do not fit give a message instead of a plot.
    """
    problem, cleaned = _problem_with(images, labels, predictions, class_names)
    names = cleaned[3] if cleaned else (list(map(str, class_names)) if class_names is not None
                                        and len(class_names) >= 1 else ["-"])
    controls = {
        "true": widgets.Dropdown(options=names, description="true class", style={"description_width": "initial"},
                                 layout=widgets.Layout(width="17em")),
        "predicted": widgets.Dropdown(options=names, description="predicted as",
                                      style={"description_width": "initial"}, layout=widgets.Layout(width="18em")),
        "normalise": widgets.Dropdown(options=list(CONFUSION_SCALES), value="counts", description="show",
                                      layout=widgets.Layout(width="16em")),
    }
    explorer, info, output = _control_explorer("dlcourse-confusion-explorer", controls)

    if problem is not None:
        message = f"Cannot show a confusion matrix: {problem}."
        _show_problem(explorer, info, output, message, width=12)
        for control in controls.values():
            control.disabled = True
        return explorer

    images, labels, predictions, names = cleaned
    k = len(names)
    matrix = _counts(labels, predictions, k)
    off = matrix - np.diag(np.diag(matrix))
    worst = np.unravel_index(np.argmax(off), off.shape) if off.max() > 0 else (0, 0)
    start_true = worst[0] if true_class is None else true_class
    start_pred = worst[1] if predicted_class is None else predicted_class
    for key, start in (("true", start_true), ("predicted", start_pred)):
        if not (isinstance(start, (int, np.integer)) and 0 <= start < k):
            raise ValueError(f"{key}_class must be a class index from 0 to {k - 1}, not {start!r}")
        controls[key].value = names[int(start)]
    accuracy = float(np.trace(matrix) / matrix.sum())

    def redraw(_=None):
        t = names.index(controls["true"].value)
        p = names.index(controls["predicted"].value)
        scale = controls["normalise"].value
        in_cell = np.flatnonzero((labels == t) & (predictions == p))
        shown = in_cell[:_MAX_SHOWN]
        count = int(matrix[t, p])
        of_true = int(matrix[t].sum())
        if count == 0:
            message = (f"no image of class {names[t]} was predicted as {names[p]}"
                       + (" (the test set has no image of this class)" if of_true == 0 else ""))
        else:
            share = f", {count / of_true:.1%} of the {of_true} images of this class"
            message = f"{count} image{'s' if count != 1 else ''} of class {names[t]} predicted as {names[p]}{share}"
        message += f"; overall accuracy {accuracy:.1%}"
        explorer.state.clear()
        explorer.state.update(valid=True, message=message, matrix=matrix.copy(), true_class=t, predicted_class=p,
                              scale=scale, count=count, shown=shown.tolist(), accuracy=accuracy)
        info.value = message
        explorer.figure = _draw(matrix, scale, names, t, p, images, shown)
        _show(output, explorer.figure)

    _redraw_on_change(controls, redraw)
    return explorer
