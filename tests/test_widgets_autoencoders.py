"""Unit tests for dlcourse.widgets.autoencoders (lesson 11): the latent-space explorer driven through its
controls, its answers to decoders and inputs that do not fit, and that exercise 11's answers stay private."""

import inspect

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import autoencoders
from widget_tools import rendered

EXERCISE = {"roc_auc", "reconstruction_error", "Sampling", "gaussian_kl", "vae_loss", "conv_autoencoder"}


def blob_decoder(points):
    """A decoder without training: a Gaussian blob on a 12 x 12 canvas whose centre follows z."""
    points = np.asarray(points, dtype=np.float64)
    grid = np.arange(12.0)
    rows = 5.5 + 1.5 * points[:, 1]
    cols = 5.5 + 1.5 * points[:, 0]
    return np.exp(-((grid[None, :, None] - rows[:, None, None]) ** 2
                    + (grid[None, None, :] - cols[:, None, None]) ** 2) / 4.0)


RNG = np.random.default_rng(0)
LATENTS = RNG.normal(size=(60, 2))
LABELS = np.repeat(np.arange(3), 20)
EXAMPLES = {"left": [-2.0, 0.0], "right": [2.0, 0.0], "top": [0.0, 2.5]}


def make(**kwargs):
    return W.latent_space_explorer(blob_decoder, latents=LATENTS, labels=LABELS, examples=EXAMPLES,
                             class_names=["a", "b", "c"], **kwargs)


def test_explorer_is_exported_and_answers_stay_private():
    assert W.latent_space_explorer is autoencoders.latent_space_explorer and "latent_space_explorer" in W.__all__
    assert inspect.getmodule(W.latent_space_explorer) is autoencoders
    import dlcourse
    for module in (autoencoders, W, dlcourse):
        assert not EXERCISE & {n for n in dir(module) if not n.startswith("_")}


def test_structure_and_state_of_the_first_view():
    ex = make()
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-latent-space-explorer" in ex._dom_classes
    assert set(ex.controls) == {"z1", "z2", "start", "end", "t"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    s = ex.state
    assert s["valid"] and (s["start"], s["end"]) == ("left", "right")
    assert s["t"] == pytest.approx(4 / 7)          # 0.5 snaps to the nearest of the strip's 8 steps
    np.testing.assert_allclose(s["z"], [0.0, 0.0])
    np.testing.assert_allclose(s["path_point"], [2 / 7, 0.0])
    np.testing.assert_allclose(s["strip"][4], blob_decoder([[2 / 7, 0.0]])[0], atol=1e-12)
    assert s["image"].shape == (12, 12) and s["strip"].shape == (8, 12, 12)
    np.testing.assert_allclose(s["image"], blob_decoder([[0.0, 0.0]])[0])
    # the strip runs from the start's decode to the end's
    np.testing.assert_allclose(s["strip"][0], blob_decoder([[-2.0, 0.0]])[0])
    np.testing.assert_allclose(s["strip"][-1], blob_decoder([[2.0, 0.0]])[0])
    nearest = LABELS[np.argmin(np.sum(LATENTS ** 2, axis=1))]
    assert s["nearest"] == nearest


def test_sliders_move_the_decoded_image_and_the_marker():
    ex = make()
    before = rendered(ex.figure)
    ex.controls["z1"].value = 1.5
    assert ex.state["valid"] and rendered(ex.figure) != before
    np.testing.assert_allclose(ex.state["image"], blob_decoder([[1.5, 0.0]])[0])
    marker = [line for line in ex.figure.axes[0].lines if line.get_gid() == "slider-point"][0]
    assert list(marker.get_xdata()) == [pytest.approx(1.5)]
    before = rendered(ex.figure)
    ex.controls["z2"].value = -2.0
    assert rendered(ex.figure) != before
    np.testing.assert_allclose(ex.state["image"], blob_decoder([[1.5, -2.0]])[0])


def test_interpolation_controls_follow_the_chosen_images():
    ex = make()
    for name, value in (("start", "top"), ("end", "left"), ("t", 1.0)):
        before = rendered(ex.figure)
        ex.controls[name].value = value
        assert ex.state["valid"] and rendered(ex.figure) != before, name
    s = ex.state
    assert (s["start"], s["end"], s["t"]) == ("top", "left", 1.0)
    np.testing.assert_allclose(s["path_point"], [-2.0, 0.0])
    np.testing.assert_allclose(s["strip"][0], blob_decoder([[0.0, 2.5]])[0])
    ex.controls["end"].value = "top"          # the same image twice: a path of one point, still drawn
    assert ex.state["valid"] and np.allclose(ex.state["strip"], ex.state["strip"][0])


def test_keras_like_outputs_are_accepted():
    flat = W.latent_space_explorer(lambda z: blob_decoder(z).reshape(len(z), -1), examples=EXAMPLES)
    channels = W.latent_space_explorer(lambda z: blob_decoder(z)[..., None].astype(np.float32), examples=EXAMPLES)
    for ex in (flat, channels):
        assert ex.state["valid"] and ex.state["image"].shape == (12, 12) and ex.state["nearest"] is None


@pytest.mark.parametrize("decoder, words", [
    (lambda z: np.full((len(z), 5, 5), np.nan), "NaN"),
    (lambda z: np.zeros((len(z), 7)), "not square"),
    (lambda z: np.zeros((3, 4, 4)), "expected"),
    (lambda z: "an image", "not an array"),
    (lambda z: 1 / 0, "ZeroDivisionError"),
])
def test_a_decoder_that_fails_gives_a_message_not_a_stale_plot(decoder, words):
    calls = {"n": 0}

    def flaky(z):
        calls["n"] += 1
        return blob_decoder(z) if calls["n"] == 1 else decoder(z)

    ex = W.latent_space_explorer(flaky, examples=EXAMPLES)
    before = rendered(ex.figure)
    ex.controls["z1"].value = 1.0
    assert not ex.state["valid"] and words in ex.state["message"]
    assert rendered(ex.figure) != before


@pytest.mark.parametrize("kwargs", [
    {"examples": {}}, {"examples": {"one": [0, 0]}}, {"examples": {"a": [0, 0], "b": [1, 2, 3]}},
    {"examples": {"a": [0, np.nan], "b": [1, 2]}}, {"examples": {"  ": [0, 0], "b": [1, 2]}},
    {"examples": EXAMPLES, "limit": 0}, {"examples": EXAMPLES, "limit": "lots"}, {"examples": EXAMPLES, "limit": np.inf},
    {"examples": EXAMPLES, "latents": np.zeros((5, 3))}, {"examples": EXAMPLES, "latents": np.zeros((0, 2))},
    {"examples": EXAMPLES, "latents": np.full((4, 2), np.inf)},
    {"examples": EXAMPLES, "latents": np.zeros((4, 2)), "labels": [1, 2]},
    {"examples": EXAMPLES, "labels": [1, 2]},
])
def test_inputs_that_do_not_fit_are_refused_with_a_reason(kwargs):
    with pytest.raises(ValueError, match="must|need"):
        W.latent_space_explorer(blob_decoder, **kwargs)


def test_odd_and_long_names_and_out_of_range_values_are_handled():
    names = {"<b>&\"'é😀" * 10: [1.0, 1.0], "x" * 500: [-1.0, 0.5]}
    ex = W.latent_space_explorer(blob_decoder, examples=names, z=(1e9, -1e9), t=7, limit=2)
    assert ex.state["valid"] and all(len(n) <= 40 for n in ex.controls["start"].options)
    np.testing.assert_allclose(ex.state["z"], [2.0, -2.0])
    assert ex.state["t"] == 1.0
    assert "&lt;b&gt;&amp;" in ex.children[1].value       # names are shown as text, never as HTML
    with pytest.raises(ValueError, match="decode must be a function"):
        W.latent_space_explorer(None, examples=EXAMPLES)
