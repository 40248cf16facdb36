"""Unit tests for dlcourse.widgets.gans (lesson 12): the 1-D GAN (its gradients, the behaviour the lesson
claims: balance at equal learning rates, mode collapse with a slow discriminator), the 1-D GAN explorer and
the latent-space explorer driven through their controls, their answers to silly input, and that exercise
12's answers stay private."""

import inspect
import math

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import gans as G
from widget_tools import rendered, set_controls

EXERCISE = {"discriminator_loss", "generator_loss", "smoothed_discriminator_loss", "build_generator",
            "build_discriminator", "train_step", "coverage_and_confidence"}


def test_explorers_are_exported_and_answers_stay_private():
    for name in ("gan_1d_explorer", "latent_explorer", "train_gan_1d"):
        assert getattr(W, name) is getattr(G, name) and name in W.__all__
        assert inspect.getmodule(getattr(W, name)) is G
    import dlcourse
    from dlcourse import dcgan
    for module in (G, W, dlcourse, dcgan):
        public = {n for n in dir(module) if not n.startswith("_")} | set(getattr(module, "__all__", []))
        assert not {n for n in EXERCISE & public if callable(getattr(module, n))}, module


def test_hand_written_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    d = [rng.normal(size=G._HIDDEN), rng.normal(size=G._HIDDEN), rng.normal(size=G._HIDDEN), np.array(0.2)]
    x = rng.normal(size=7)

    def loss(params, inputs):
        logits, _ = G._d_forward(params, inputs)
        return G._softplus(logits).mean()

    logits, h = G._d_forward(d, x)
    grads, dx = G._d_backward(d, x, h, G._sigmoid(logits) / len(x))
    eps = 1e-6
    for p, g in zip(d, grads):
        for index in np.ndindex(*p.shape):
            old = p[index]
            p[index] = old + eps
            up = loss(d, x)
            p[index] = old - eps
            down = loss(d, x)
            p[index] = old
            assert g[index] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = eps
        assert dx[i] == pytest.approx((loss(d, x + e) - loss(d, x - e)) / (2 * eps), rel=1e-5, abs=1e-8)


def test_1d_gan_is_seeded_and_records_its_run():
    a, b = G.train_gan_1d(200, 1.0, seed=4), G.train_gan_1d(200, 1.0, seed=4)
    assert np.array_equal(a["samples"], b["samples"]) and np.array_equal(a["d_loss"], b["d_loss"])
    assert a["step"].tolist() == list(range(25, 201, 25))
    assert a["near"].shape == (8, 2) and a["belief"].shape == a["grid"].shape
    assert np.all((a["belief"] > 0) & (a["belief"] < 1))
    assert not np.array_equal(a["samples"], G.train_gan_1d(200, 1.0, seed=5)["samples"])


def test_the_lessons_claims_about_the_1d_gan():
    """Lesson 12, section 3: equal learning rates balance the two bumps; a discriminator 100 times slower
    lets the generator collapse onto one; the discriminator's loss of the balanced run is near 2 log 2."""
    balanced, collapsed = G.train_gan_1d(2000, 1.0, seed=0), G.train_gan_1d(2000, 0.01, seed=0)
    assert balanced["final_near"].min() > 0.4
    assert abs(balanced["d_loss"][-1] - 2 * math.log(2)) < 0.1
    assert sorted(collapsed["final_near"].round(2).tolist()) == [0.0, 1.0]


def test_1d_explorer_controls_state_and_redraw():
    ex = W.gan_1d_explorer(ratio="1", steps="300")
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-gan-1d-explorer" in ex._dom_classes
    assert set(ex.controls) == {"ratio", "steps"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    assert ex.state["valid"] and ex.state["steps"] == 300 and ex.state["ratio"] == 1.0
    assert not ex.state["collapsed"]
    before = rendered(ex.figure)
    set_controls(ex, ratio="0.01", steps="2000")
    assert ex.state["collapsed"] and "mode collapse" in ex.state["message"]
    assert rendered(ex.figure) != before
    set_controls(ex, steps="0")
    assert ex.state["valid"] and ex.state["run"]["step"].size == 0


@pytest.mark.parametrize("control, value, words", [
    ("ratio", "", "Type a value"), ("ratio", "abc", "must be a number"), ("ratio", "0", "from 0.001"),
    ("ratio", "nan", "from 0.001"), ("ratio", "1e400", "from 0.001"), ("ratio", "9" * 300, "too long"),
    ("ratio", "é✓", "must be a number"), ("ratio", "-1", "from 0.001"),
])
def test_1d_explorer_survives_silly_input(control, value, words):
    ex = W.gan_1d_explorer(steps="50")
    before = rendered(ex.figure)
    set_controls(ex, **{control: value})
    assert ex.state["valid"] is False and words in ex.state["message"]
    assert rendered(ex.figure) != before                         # a message, not a stale plot
    set_controls(ex, ratio="1")
    assert ex.state["valid"]


def test_1d_explorer_offers_only_valid_run_lengths():
    ex = W.gan_1d_explorer(steps="12345")                       # not a choice: the default run length
    assert ex.controls["steps"].value == "1000" and ex.state["steps"] == 1000
    assert max(int(s) for s in G.STEP_CHOICES) == G.MAX_STEPS


def fake_generator(z):
    """A stand-in generator: the image is a bar whose position follows z[0] (no Keras needed)."""
    z = np.asarray(z)
    images = -np.ones((len(z), 28, 28, 1), np.float32)
    for i, row in enumerate(z):
        column = int(np.clip(14 + 4 * row[0], 0, 27))
        images[i, :, column] = 1.0
    return images


def fake_classifier(images):
    """Class 0 for bars on the left half, class 1 on the right."""
    columns = np.argmax(images[:, 0, :, 0], axis=1)
    p = np.where(columns < 14, 0.9, 0.2)
    return np.stack([p, 1 - p], axis=1)


def test_latent_explorer_walks_between_seeds():
    ex = W.latent_explorer(fake_generator, fake_classifier, latent_dim=4, class_names=["left", "right"],
                           start="1", end="2", frames="6")
    assert "dlcourse-latent-explorer" in ex._dom_classes and set(ex.controls) == {"start", "end", "frames", "path"}
    z = ex.state["z"]
    z0, z1 = (np.random.default_rng(s).normal(size=4) for s in (1, 2))
    assert z.shape == (6, 4) and np.allclose(z[0], z0, atol=1e-6) and np.allclose(z[-1], z1, atol=1e-6)
    assert np.allclose(z[2] - z[1], z[1] - z[0], atol=1e-6)              # a straight line, equal steps
    assert ex.state["images"].shape == (6, 28, 28) and 0 <= ex.state["images"].min()
    assert len(ex.state["labels"]) == 6 and set(ex.state["labels"]) <= {"left", "right"}
    before = rendered(ex.figure)
    set_controls(ex, path="spherical")
    norms = np.linalg.norm(ex.state["z"], axis=1)
    assert np.allclose(norms, np.linspace(np.linalg.norm(z0), np.linalg.norm(z1), 6), atol=1e-5)
    assert rendered(ex.figure) != before
    set_controls(ex, start="7", end="7")
    assert np.allclose(ex.state["z"], ex.state["z"][0], atol=1e-6)        # same seed: one point, no NaN


@pytest.mark.parametrize("control, value, words", [
    ("start", "", "Type a value"), ("end", "x" * 50, "too long"), ("start", "-3", "from 0"),
    ("frames", "1", "from 2"), ("frames", "40", "from 2"), ("frames", "3.5", "whole number"),
    ("end", "🙂", "must be a number"),
])
def test_latent_explorer_survives_silly_input(control, value, words):
    ex = W.latent_explorer(fake_generator, latent_dim=3)
    assert "labels" not in ex.state
    set_controls(ex, **{control: value})
    assert ex.state["valid"] is False and words in ex.state["message"]
