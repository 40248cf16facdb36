"""Lesson 08 (course/08-convolutional-networks.ipynb): a kernel sliding over an image, and what a
trained convolutional network sees.

``kernel_explorer`` slides an editable kernel (3x3 by default) over a greyscale image: pick a preset
or type the kernel's entries, the stride and the padding, and move the window with the position
slider; the plot shows the window on the image, the kernel, and the feature map with the output
pixel that this window's dot product fills.

``cnn_explorer`` takes a trained Keras image classifier and test images: pick an image, a layer
and a target class, and it shows the image with the class probabilities, the layer's feature maps
and the Grad-CAM map of the target class for that layer (TensorFlow backend).

Exercise 08 asks students to write a convolution's forward and backward passes, pooling, layer
geometry and Grad-CAM, so the maths here stays private (underscore names): nothing an exercise asks
for is importable from ``dlcourse``. Importing this module imports neither TensorFlow nor Keras:
``cnn_explorer`` imports them when it is called.
"""

from __future__ import annotations

import re

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._common import _control_explorer, _number, _show, _show_problem

__all__ = ["kernel_explorer", "cnn_explorer", "KERNEL_PRESETS"]

#: Kernels the menu offers, by name (rows of the kernel; "custom" keeps what is typed).
KERNEL_PRESETS = {
    "vertical edges": ((1, 0, -1), (2, 0, -2), (1, 0, -1)),
    "horizontal edges": ((1, 2, 1), (0, 0, 0), (-1, -2, -1)),
    "blur": ((1 / 9, 1 / 9, 1 / 9), (1 / 9, 1 / 9, 1 / 9), (1 / 9, 1 / 9, 1 / 9)),
    "sharpen": ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
    "identity": ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
    "diagonal": ((2, -1, -1), (-1, 2, -1), (-1, -1, 2)),
}
_CUSTOM = "custom"
_LIMIT = 1000.0      # largest |entry| of a kernel the explorer accepts
_MAX_SIDE = 7        # largest kernel side


def _kernel_text(kernel):
    return "; ".join(" ".join(_number(v, 3) for v in row) for row in np.asarray(kernel, dtype=float))


def _parse_kernel(text):
    """The kernel typed as rows separated by ';' or new lines, entries by spaces or commas, or a sentence
    saying why it cannot be used."""
    rows = [row for row in re.split(r"[;\n]", str(text)) if row.strip()]
    try:
        values = [[float(entry) for entry in re.split(r"[\s,]+", row.strip()) if entry] for row in rows]
    except ValueError:
        return None, "the kernel must hold numbers only, rows separated by ';' (e.g. 1 0 -1; 2 0 -2; 1 0 -1)"
    side = len(values)
    if side == 0 or any(len(row) != side for row in values):
        return None, (f"the kernel must be square: as many rows as entries in each row "
                      f"(got {side} row(s) of {sorted({len(r) for r in values}) or [0]} entries)")
    if side > _MAX_SIDE:
        return None, f"keep the kernel at most {_MAX_SIDE}x{_MAX_SIDE}"
    kernel = np.array(values, dtype=float)
    if not np.all(np.isfinite(kernel)) or np.abs(kernel).max() > _LIMIT:
        return None, f"the kernel's entries must be numbers between -{_LIMIT:g} and {_LIMIT:g}"
    return kernel, None


def _pad(image, padding, side):
    """The image with "same" zero padding: (side - 1) // 2 zeros before, the rest after, on each axis."""
    if padding != "same":
        return image
    before = (side - 1) // 2
    return np.pad(image, ((before, side - 1 - before), (before, side - 1 - before)))


def _slide(image, kernel, stride, padding):
    """The feature map of one kernel over one image (cross-correlation, as deep learning uses)."""
    side = kernel.shape[0]
    padded = _pad(image, padding, side)
    rows = (padded.shape[0] - side) // stride + 1
    cols = (padded.shape[1] - side) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = np.sum(padded[i * stride:i * stride + side, j * stride:j * stride + side] * kernel)
    return padded, out


def _default_image():
    """A 20x20 test card: a bright square, a diagonal bar and a dot (edges in every direction)."""
    image = np.zeros((20, 20))
    image[3:10, 3:10] = 1.0
    for k in range(8):
        image[11 + k, 2 + k:4 + k] = 0.7
    image[13:16, 13:16] = 0.5
    return image


def _draw_kernel(padded, kernel, out, stride, pos, top_left, offset):
    side = kernel.shape[0]
    fig = Figure(figsize=(12, 4.2), layout="constrained")
    ax_in, ax_k, ax_out = fig.subplots(1, 3, width_ratios=[1.2, 0.8, 1.2])
    # the (padded) input with the window
    h, w = padded.shape
    ax_in.imshow(padded, cmap="gray", gid="input")
    if offset:
        ax_in.add_patch(Rectangle((offset - 0.5, offset - 0.5), w - 2 * offset, h - 2 * offset, fill=False,
                                  ec="tab:blue", ls="--", lw=1))
    ax_in.add_patch(Rectangle((top_left[1] - 0.5, top_left[0] - 0.5), side, side, fill=False, ec="tab:red", lw=2.5,
                              gid="window"))
    ax_in.set_title("input" + (" (zero padding outside the blue line)" if offset else ""), fontsize=10)
    ax_in.set_axis_off()
    # the kernel with its numbers
    limit = max(float(np.abs(kernel).max()), 1e-12)
    ax_k.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit, gid="kernel")
    if side <= 5:
        for (i, j), v in np.ndenumerate(kernel):
            ax_k.text(j, i, _number(v, 3), ha="center", va="center", fontsize=9)
    ax_k.set_title(f"{side}x{side} kernel, stride {stride}", fontsize=10)
    ax_k.set_axis_off()
    # the feature map with this window's output pixel
    limit = max(float(np.abs(out).max()), 1e-12)
    image = ax_out.imshow(out, cmap="RdBu_r", vmin=-limit, vmax=limit, gid="feature-map")
    fig.colorbar(image, ax=ax_out, shrink=0.8)
    ax_out.add_patch(Rectangle((pos[1] - 0.5, pos[0] - 0.5), 1, 1, fill=False, ec="tab:red", lw=2.5, gid="output-pixel"))
    ax_out.set_title(f"feature map {out.shape[0]}x{out.shape[1]}: pixel {pos} = {_number(out[pos], 4)}", fontsize=10)
    ax_out.set_axis_off()
    return fig


def kernel_explorer(image=None, kernel="vertical edges", stride=1, padding="valid"):
    """Slide a kernel over a greyscale ``image`` (2-d, 3x3 to 64x64; default a small test card).

    Controls: ``preset`` (a kernel from ``KERNEL_PRESETS``, or "custom"), ``kernel`` (the entries,
    rows separated by ';'), ``stride`` (1 to 3), ``padding`` ("valid": none, "same": zeros around the
    image so that stride 1 keeps its size) and ``position`` (which output pixel, in reading order).
    ``.state`` holds the kernel, the feature map, the window's top-left corner in the padded image,
    the output pixel and its value, the dot product of the window with the kernel.
    """
    image = _default_image() if image is None else np.asarray(image, dtype=float)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim != 2 or not (3 <= min(image.shape) and max(image.shape) <= 64):
        raise ValueError(f"image must be a 2-d greyscale image from 3x3 to 64x64, not shape {image.shape}")
    if not np.all(np.isfinite(image)):
        raise ValueError("image must hold finite numbers")
    if isinstance(kernel, str) and kernel in KERNEL_PRESETS:
        preset, text = kernel, _kernel_text(KERNEL_PRESETS[kernel])
    else:
        preset, text = _CUSTOM, _kernel_text(kernel)
    if stride not in (1, 2, 3) or padding not in ("valid", "same"):
        raise ValueError("stride must be 1, 2 or 3 and padding 'valid' or 'same'")
    controls = {
        "preset": widgets.Dropdown(options=[*KERNEL_PRESETS, _CUSTOM], value=preset, description="kernel",
                                   layout=widgets.Layout(width="16em")),
        "kernel": widgets.Text(value=text, description="entries", continuous_update=False,
                               layout=widgets.Layout(width="26em")),
        "stride": widgets.Dropdown(options=[1, 2, 3], value=stride, description="stride",
                                   layout=widgets.Layout(width="10em")),
        "padding": widgets.Dropdown(options=["valid", "same"], value=padding, description="padding",
                                    layout=widgets.Layout(width="13em")),
        "position": widgets.IntSlider(value=0, min=0, max=0, description="position", continuous_update=False,
                                      layout=widgets.Layout(width="24em")),
    }
    explorer, info, output = _control_explorer("dlcourse-kernel-explorer", controls)
    busy = {"on": False}

    def redraw(_=None):
        if busy["on"]:
            return
        kernel_now, problem = _parse_kernel(controls["kernel"].value)
        stride_now, padding_now = controls["stride"].value, controls["padding"].value
        explorer.state.clear()
        explorer.state.update(stride=stride_now, padding=padding_now)
        if problem is None and kernel_now.shape[0] > min(image.shape) and padding_now == "valid":
            problem = (f"a {kernel_now.shape[0]}x{kernel_now.shape[0]} kernel does not fit in a "
                       f"{image.shape[0]}x{image.shape[1]} image without padding")
        if problem is not None:
            _show_problem(explorer, info, output, f"Cannot slide this kernel: {problem}.", width=12)
            return
        side = kernel_now.shape[0]
        padded, out = _slide(image, kernel_now, stride_now, padding_now)
        busy["on"] = True
        try:   # the slider covers the output pixels of this kernel, stride and padding
            controls["position"].max = out.size - 1
        finally:
            busy["on"] = False
        index = min(controls["position"].value, out.size - 1)
        pos = (index // out.shape[1], index % out.shape[1])
        top_left = (pos[0] * stride_now, pos[1] * stride_now)
        window = padded[top_left[0]:top_left[0] + side, top_left[1]:top_left[1] + side]
        value = float(np.sum(window * kernel_now))
        offset = (side - 1) // 2 if padding_now == "same" else 0
        message = (f"output pixel {pos} of {out.shape[0]}x{out.shape[1]} = sum(window x kernel) = "
                   f"{_number(value, 4)}; window at rows {top_left[0]}-{top_left[0] + side - 1}, columns "
                   f"{top_left[1]}-{top_left[1] + side - 1} of the {'padded ' if offset else ''}image")
        explorer.state.update(valid=True, message=message, kernel=kernel_now, feature_map=out, position=pos,
                              top_left=top_left, value=value, window=window.copy())
        info.value = message
        explorer.figure = _draw_kernel(padded, kernel_now, out, stride_now, pos, top_left, offset)
        _show(output, explorer.figure)

    def preset_changed(change):
        if change["new"] != _CUSTOM:
            busy["on"] = True
            controls["kernel"].value = _kernel_text(KERNEL_PRESETS[change["new"]])
            busy["on"] = False
            redraw()

    def kernel_typed(change):
        kernel_now, _ = _parse_kernel(change["new"])
        name = next((n for n, k in KERNEL_PRESETS.items() if kernel_now is not None and kernel_now.shape == (3, 3)
                     and np.allclose(kernel_now, k, atol=1e-3)), _CUSTOM)
        if controls["preset"].value != name:
            busy["on"] = True
            controls["preset"].value = name
            busy["on"] = False
        redraw()

    controls["preset"].observe(preset_changed, names="value")
    controls["kernel"].observe(kernel_typed, names="value")
    for name in ("stride", "padding", "position"):
        controls[name].observe(redraw, names="value")
    redraw()
    return explorer


# --------------------------------------------------------------------------------------------------
# what a trained network sees
# --------------------------------------------------------------------------------------------------

def _feature_layers(model):
    """Names of the layers whose output is a stack of feature maps (batch, height, width, channels),
    augmentation layers aside (they do nothing at inference)."""
    names = []
    for layer in model.layers:
        try:
            shape = layer.output.shape
        except Exception:  # noqa: BLE001 - a layer without a single output
            continue
        if len(shape) == 4 and not type(layer).__name__.startswith("Random") and type(layer).__name__ != "InputLayer":
            names.append(layer.name)
    return names


def _probe(model, layer_name):
    """A model from the classifier's input to (the layer's feature maps, the class scores before softmax)."""
    import keras

    last = model.layers[-1]
    softmax_dense = (type(last).__name__ == "Dense"
                     and last.get_config().get("activation") in ("softmax", keras.activations.softmax))
    outputs = [model.get_layer(layer_name).output, last.input if softmax_dense else model.outputs[0]]
    return keras.Model(model.inputs, outputs), (last if softmax_dense else None)


def _maps_and_cam(probe, last, x, target):
    """Feature maps (h, w, c), class probabilities, and the Grad-CAM map (h, w) in [0, 1] of ``target``."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        maps, head = probe(x, training=False)
        if last is not None:
            scores = tf.matmul(head, last.kernel) + last.bias
        else:   # the model's own output: take logs so that the score is not squashed by a softmax
            scores = tf.math.log(tf.maximum(head, 1e-12))
        score = scores[:, target]
    grads = tape.gradient(score, maps)[0].numpy().astype(np.float64)
    maps = maps[0].numpy().astype(np.float64)
    probabilities = tf.nn.softmax(scores)[0].numpy().astype(np.float64)
    weights = grads.mean(axis=(0, 1))
    cam = np.maximum(np.tensordot(maps, weights, axes=([2], [0])), 0.0)
    cam = cam / cam.max() if cam.max() > 0 else cam
    return maps, probabilities, cam


def _draw_cnn(picture, maps, probabilities, cam, names, label, predicted, target, layer_name, shown):
    fig = Figure(figsize=(13, 6.2), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.15, 1])
    ax_img, ax_cam, ax_p = top.subplots(1, 3, width_ratios=[1, 1, 1.4])
    h, w = picture.shape
    ax_img.imshow(picture, cmap="gray_r", gid="image")
    ax_img.set_title(f"true: {names[label]}\npredicted: {names[predicted]}", fontsize=10,
                     color="black" if label == predicted else "tab:red")
    ax_cam.imshow(picture, cmap="gray_r")
    ax_cam.imshow(cam, cmap="jet", alpha=0.5, extent=(-0.5, w - 0.5, h - 0.5, -0.5), interpolation="bilinear",
                  vmin=0, vmax=1, gid="grad-cam")
    ax_cam.set_title(f"Grad-CAM of '{names[target]}'\nat layer {layer_name}", fontsize=10)
    for ax in (ax_img, ax_cam):
        ax.set_axis_off()
    colours = ["tab:gray"] * len(names)
    colours[predicted] = "tab:blue"
    colours[target] = "tab:orange"
    ax_p.barh(range(len(names)), probabilities, color=colours, gid="probabilities")
    ax_p.set_yticks(range(len(names)), names, fontsize=8)
    ax_p.invert_yaxis()
    ax_p.set(xlim=(0, 1), xlabel="probability", title="class probabilities (orange: Grad-CAM target)")
    axes = np.atleast_1d(bottom.subplots(2, 8)).ravel()
    for ax in axes:
        ax.set_axis_off()
    for ax, channel in zip(axes, shown):
        ax.imshow(maps[:, :, channel], cmap="viridis", gid="feature-map")
        ax.set_title(f"#{channel}", fontsize=7)
    bottom.suptitle(f"layer {layer_name}: {len(shown)} of its {maps.shape[2]} feature maps "
                    f"({maps.shape[0]}x{maps.shape[1]}), the most active first", fontsize=10)
    return fig


def cnn_explorer(model, images, labels, class_names, index=0, layer=None):
    """Feature maps and Grad-CAM of a trained Keras image classifier, image by image.

    ``model``: a built Keras model from images (n, height, width, channels) to class probabilities
    (a last ``Dense`` layer with softmax: Grad-CAM then uses the scores before the softmax);
    ``images``: what the model takes, (n, height, width, channels) or (n, height, width) for one
    channel; ``labels``: (n,) true classes; ``class_names``: one name per class. Controls: ``image``
    (an index into ``images``), ``layer`` (a layer whose output is a stack of feature maps) and
    ``target`` (the class whose Grad-CAM is drawn: the predicted one, or any). Grad-CAM needs the
    TensorFlow backend. ``.state`` holds the prediction, the probabilities, the Grad-CAM map and the
    shape of the feature maps.
    """
    names = [str(n) for n in class_names]
    images = np.asarray(images)
    labels = np.asarray(labels)
    problem = None
    layers = []
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[0] == 0 or labels.shape != (images.shape[0],):
        problem = (f"images of shape {images.shape} and labels of shape {labels.shape} do not fit: give "
                   "(n, height, width, channels) images and n labels")
    elif not np.issubdtype(images.dtype, np.number) or not np.all(np.isfinite(images)):
        problem = "the images must hold finite numbers"
    else:
        try:
            import keras

            if not isinstance(model, keras.Model):
                problem = f"model must be a Keras model, not a {type(model).__name__}"
            elif keras.backend.backend() != "tensorflow":
                problem = f"Grad-CAM here needs the TensorFlow backend (Keras runs on {keras.backend.backend()})"
            else:
                layers = _feature_layers(model)
                if not layers:
                    problem = "the model has no layer that outputs feature maps (height, width, channels)"
                elif int(model.outputs[0].shape[-1]) != len(names):
                    problem = f"the model gives {int(model.outputs[0].shape[-1])} classes but {len(names)} class names"
        except Exception as err:  # noqa: BLE001 - an unbuilt model and the like
            problem = f"the model cannot be read ({type(err).__name__}: {err})"
    controls = {
        "image": widgets.BoundedIntText(value=0, min=0, max=max(len(images) - 1, 0), description="image #",
                                        layout=widgets.Layout(width="12em")),
        "layer": widgets.Dropdown(options=layers or ["-"], description="layer", layout=widgets.Layout(width="20em")),
        "target": widgets.Dropdown(options=["predicted", *names], value="predicted", description="Grad-CAM of",
                                   style={"description_width": "initial"}, layout=widgets.Layout(width="18em")),
    }
    explorer, info, output = _control_explorer("dlcourse-cnn-explorer", controls)
    if problem is not None:
        _show_problem(explorer, info, output, f"Cannot explore this model: {problem}.", width=13)
        for control in controls.values():
            control.disabled = True
        return explorer
    if not 0 <= int(index) < len(images):
        raise ValueError(f"index must be between 0 and {len(images) - 1}, not {index}")
    controls["image"].value = int(index)
    if layer is not None:
        if layer not in layers:
            raise ValueError(f"layer must be one of {layers}, not {layer!r}")
        controls["layer"].value = layer
    else:
        controls["layer"].value = layers[-1]
    probes = {}

    def redraw(_=None):
        i, layer_name, target_name = controls["image"].value, controls["layer"].value, controls["target"].value
        if layer_name not in probes:
            probes[layer_name] = _probe(model, layer_name)
        probe, last = probes[layer_name]
        x = images[i:i + 1].astype(np.float32)
        _, probabilities, _ = _maps_and_cam(probe, last, x, 0)
        predicted = int(np.argmax(probabilities))
        target = predicted if target_name == "predicted" else names.index(target_name)
        maps, probabilities, cam = _maps_and_cam(probe, last, x, target)
        shown = [int(c) for c in np.argsort(-maps.mean(axis=(0, 1)), kind="stable")[:16]]
        label = int(labels[i])
        message = (f"image {i}: true {names[label]}, predicted {names[predicted]} "
                   f"({probabilities[predicted]:.1%}); Grad-CAM of {names[target]} at {layer_name}, "
                   f"{maps.shape[0]}x{maps.shape[1]}x{maps.shape[2]} feature maps")
        if not cam.max() > 0:
            message += "; the Grad-CAM map is zero here (no region raises this class's score)"
        explorer.state.clear()
        explorer.state.update(valid=True, message=message, index=i, layer=layer_name, target=target,
                              predicted=predicted, label=label, probabilities=probabilities, cam=cam,
                              maps_shape=maps.shape, shown=shown)
        info.value = message
        picture = images[i, :, :, 0] if images.shape[-1] == 1 else images[i].mean(axis=-1)
        explorer.figure = _draw_cnn(picture.astype(float), maps, probabilities, cam, names, label, predicted, target,
                                    layer_name, shown)
        _show(output, explorer.figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return explorer
