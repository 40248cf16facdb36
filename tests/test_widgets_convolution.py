"""Unit tests for dlcourse.widgets.convolution (lesson 08): the kernel explorer and the CNN explorer
driven through their controls, their answers to inputs that do not fit, and that exercise 08's answers
stay private."""

import inspect

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import convolution
from widget_tools import rendered

EXERCISE = {"conv2d_forward", "conv2d_backward", "max_pool_forward", "max_pool_backward", "cnn_geometry",
            "build_cnn", "grad_cam"}


def correlate_by_hand(image, kernel, stride, pad_before, pad_after):
    padded = np.pad(image, ((pad_before, pad_after), (pad_before, pad_after)))
    k = kernel.shape[0]
    rows = (padded.shape[0] - k) // stride + 1
    cols = (padded.shape[1] - k) // stride + 1
    return np.array([[np.sum(padded[i * stride:i * stride + k, j * stride:j * stride + k] * kernel)
                      for j in range(cols)] for i in range(rows)])


def gid(fig, name):
    return [a for ax in fig.axes for a in [*ax.patches, *ax.images] if a.get_gid() == name]


def test_explorers_are_exported_and_answers_stay_private():
    assert W.kernel_explorer is convolution.kernel_explorer and W.cnn_explorer is convolution.cnn_explorer
    assert {"kernel_explorer", "cnn_explorer", "KERNEL_PRESETS"} <= set(W.__all__)
    assert inspect.getmodule(W.kernel_explorer) is convolution
    import dlcourse
    from dlcourse import fashion_cnn
    for module in (convolution, W, dlcourse, fashion_cnn):
        assert not EXERCISE & {n for n in dir(module) if not n.startswith("_")}


def test_kernel_explorer_structure_and_the_feature_map_is_the_sliding_dot_product():
    ex = W.kernel_explorer()
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-kernel-explorer" in ex._dom_classes
    assert set(ex.controls) == {"preset", "kernel", "stride", "padding", "position"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    state = ex.state
    image = convolution._default_image()
    kernel = np.array(W.KERNEL_PRESETS["vertical edges"], dtype=float)
    assert state["valid"] and np.allclose(state["kernel"], kernel)
    assert np.allclose(state["feature_map"], correlate_by_hand(image, kernel, 1, 0, 0))   # not flipped
    assert state["position"] == (0, 0) and state["value"] == pytest.approx(np.sum(image[:3, :3] * kernel))
    assert ex.controls["position"].max == 18 * 18 - 1
    window = gid(ex.figure, "window")
    assert len(window) == 1 and window[0].get_xy() == (-0.5, -0.5)


def test_each_control_redraws_and_moves_the_window():
    ex = W.kernel_explorer()
    for name, value in (("position", 40), ("stride", 2), ("padding", "same"), ("preset", "blur"),
                        ("kernel", "0 1 0; 1 -4 1; 0 1 0"), ("position", 3)):
        pixels, state = rendered(ex.figure), dict(ex.state)
        ex.controls[name].value = value
        assert rendered(ex.figure) != pixels, name
        assert ex.state["valid"], (name, ex.state.get("message"))
        assert any(not np.array_equal(np.asarray(state.get(k)), np.asarray(v)) for k, v in ex.state.items()), name
    # stride 2 with same padding on a 20x20 image: a 10x10 map; position 3 is the 4th pixel of row 0
    assert ex.state["feature_map"].shape == (10, 10) and ex.controls["position"].max == 99
    assert ex.state["position"] == (0, 3) and ex.state["top_left"] == (0, 6)
    assert ex.controls["preset"].value == "custom"
    image = convolution._default_image()
    laplace = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)
    assert np.allclose(ex.state["feature_map"], correlate_by_hand(image, laplace, 2, 1, 1))
    assert gid(ex.figure, "output-pixel")[0].get_xy() == (2.5, -0.5)


def test_presets_and_typed_kernels_stay_in_step():
    ex = W.kernel_explorer()
    ex.controls["kernel"].value = "0 0 0; 0 1 0; 0 0 0"
    assert ex.controls["preset"].value == "identity"
    assert np.allclose(ex.state["feature_map"], convolution._default_image()[1:-1, 1:-1])
    ex.controls["preset"].value = "horizontal edges"
    assert ex.controls["kernel"].value == "1 2 1; 0 0 0; -1 -2 -1"
    # a vertical-edge kernel answers to the left and right sides of the bright square, not its top
    ex.controls["preset"].value = "vertical edges"
    fmap = ex.state["feature_map"]
    assert abs(fmap[4, 1]) > 2 and abs(fmap[4, 8]) > 2 and abs(fmap[1, 4]) < 1e-12


def test_a_5x5_kernel_and_a_given_image():
    rng = np.random.default_rng(0)
    image = rng.random((12, 9))
    kernel = rng.normal(size=(5, 5))
    ex = W.kernel_explorer(image, kernel=kernel, stride=3, padding="same")
    assert ex.state["valid"] and ex.controls["preset"].value == "custom"
    assert np.allclose(ex.state["feature_map"], correlate_by_hand(image, np.round(kernel, 2), 3, 2, 2), atol=0.05)


@pytest.mark.parametrize("text, words", [
    ("1 0 -1; 2 0", "square"),
    ("a b c; 1 2 3; 4 5 6", "numbers only"),
    ("1e9 0 0; 0 0 0; 0 0 0", "between -1000 and 1000"),
    ("nan 0 0; 0 0 0; 0 0 0", "between -1000 and 1000"),
    ("", "square"),
    ("; ".join(" ".join("1" for _ in range(9)) for _ in range(9)), "at most 7x7"),
])
def test_silly_kernels_give_a_message_not_a_stale_plot(text, words):
    ex = W.kernel_explorer()
    ex.controls["kernel"].value = text
    assert ex.state["valid"] is False and words in ex.state["message"]
    assert ex.figure.axes[0].texts and not gid(ex.figure, "feature-map")
    ex.controls["preset"].value = "sharpen"                 # and it recovers
    assert ex.state["valid"] and gid(ex.figure, "feature-map")


def test_a_kernel_larger_than_the_image_needs_padding():
    ex = W.kernel_explorer(np.ones((4, 4)))
    ex.controls["kernel"].value = "; ".join(["1 1 1 1 1"] * 5)
    assert ex.state["valid"] is False and "does not fit" in ex.state["message"]
    ex.controls["padding"].value = "same"
    assert ex.state["valid"] and ex.state["feature_map"].shape == (4, 4)


@pytest.mark.parametrize("image", [np.zeros((2, 2)), np.zeros((80, 80)), np.zeros((3, 5, 5)), np.full((6, 6), np.inf)])
def test_images_that_do_not_fit_are_refused(image):
    with pytest.raises(ValueError, match="image"):
        W.kernel_explorer(image)


@pytest.fixture(scope="module")
def tiny_model():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(1)
    inputs = keras.Input((12, 12, 1))
    x = keras.layers.RandomFlip("horizontal", name="flip")(inputs)
    x = keras.layers.Conv2D(6, 3, padding="same", activation="relu", name="conv_a")(x)
    x = keras.layers.MaxPooling2D(2, name="pool_a")(x)
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_b")(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(x)
    return keras.Model(inputs, outputs)


def tiny_data():
    rng = np.random.default_rng(2)
    return rng.random((5, 12, 12)).astype(np.float32), np.array([0, 1, 2, 1, 0])


def test_cnn_explorer_shows_maps_and_grad_cam_and_each_control_redraws(tiny_model):
    images, labels = tiny_data()
    ex = W.cnn_explorer(tiny_model, images, labels, ["a", "b", "c"])
    assert "dlcourse-cnn-explorer" in ex._dom_classes and set(ex.controls) == {"image", "layer", "target"}
    assert list(ex.controls["layer"].options) == ["conv_a", "pool_a", "conv_b"]   # no augmentation layer
    state = ex.state
    assert state["valid"] and state["layer"] == "conv_b" and state["maps_shape"] == (6, 6, 4)
    probabilities = np.asarray(tiny_model(images[:1, ..., None], training=False))[0]
    assert np.allclose(state["probabilities"], probabilities, atol=1e-5)
    assert state["predicted"] == int(np.argmax(probabilities)) == state["target"]
    cam = state["cam"]
    assert cam.shape == (6, 6) and cam.min() >= 0 and (cam.max() == pytest.approx(1.0) or cam.max() == 0)
    assert len(gid(ex.figure, "feature-map")) == 4 and gid(ex.figure, "grad-cam")
    for name, value in (("image", 3), ("layer", "conv_a"), ("target", "c"), ("image", 1)):
        pixels, before = rendered(ex.figure), dict(ex.state)
        ex.controls[name].value = value
        assert rendered(ex.figure) != pixels, name
        assert ex.state[{"image": "index", "layer": "layer", "target": "target"}[name]] != before[
            {"image": "index", "layer": "layer", "target": "target"}[name]]
    assert ex.state["maps_shape"] == (12, 12, 6) and ex.state["target"] == 2 and ex.state["label"] == 1
    assert len(gid(ex.figure, "feature-map")) == 6


def test_grad_cam_follows_the_definition(tiny_model):
    """Grad-CAM of the explorer = ReLU of the activations weighted by their spatially averaged gradients of
    the class score before the softmax, scaled to maximum 1 (checked with TensorFlow directly)."""
    tf = pytest.importorskip("tensorflow")
    import keras
    images, labels = tiny_data()
    ex = W.cnn_explorer(tiny_model, images, labels, ["a", "b", "c"], index=2, layer="conv_a")
    ex.controls["target"].value = "b"
    probe = keras.Model(tiny_model.inputs, [tiny_model.get_layer("conv_a").output, tiny_model.layers[-1].input])
    dense = tiny_model.layers[-1]
    with tf.GradientTape() as tape:
        maps, features = probe(images[2:3, ..., None], training=False)   # no flip
        score = (tf.matmul(features, dense.kernel) + dense.bias)[:, 1]
    grads = tape.gradient(score, maps)[0].numpy()
    cam = np.maximum((maps[0].numpy() * grads.mean(axis=(0, 1))).sum(axis=-1), 0)
    cam = cam / cam.max() if cam.max() > 0 else cam
    assert np.allclose(ex.state["cam"], cam, atol=1e-5)


def test_cnn_explorer_inputs_that_do_not_fit_give_a_message(tiny_model):
    images, labels = tiny_data()
    for args, words in [((tiny_model, images, labels[:3], ["a", "b", "c"]), "do not fit"),
                        ((tiny_model, images, labels, ["a", "b"]), "class names"),
                        (("not a model", images, labels, ["a", "b", "c"]), "Keras model"),
                        ((tiny_model, np.full_like(images, np.nan), labels, ["a", "b", "c"]), "finite")]:
        ex = W.cnn_explorer(*args)
        assert ex.state["valid"] is False and words in ex.state["message"], words
        assert all(control.disabled for control in ex.controls.values())
    with pytest.raises(ValueError, match="layer"):
        W.cnn_explorer(tiny_model, images, labels, ["a", "b", "c"], layer="flip")
