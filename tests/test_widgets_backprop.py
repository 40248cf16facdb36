"""Unit tests for the lesson 04 explorer (dlcourse.widgets.backprop): its maths, its controls, the
claims the lesson makes about its plots, and that exercise 04's answers stay private to the module."""

import inspect

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import backprop
from widget_tools import rendered, set_controls


def test_gradient_flow_explorer_is_exported_from_its_module():
    assert W.gradient_flow_explorer is backprop.gradient_flow_explorer
    assert {"gradient_flow_explorer", "FLOW_ACTIVATIONS"} <= set(W.__all__)
    assert inspect.getmodule(W.gradient_flow_explorer) is W.backprop
    assert W.backprop._show is W.hidden_layers._show
    # exercise 04 asks for these: private here
    public = {n for n in dir(backprop) if not n.startswith("_")}
    assert not {"activation_backward", "softmax_cross_entropy", "directional_gradient_check", "stack_backward",
                "train_stack"} & public


def test_gradient_flow_matches_finite_differences():
    """What the explorer draws is the gradient of its loss: dL/dZ of layer 1, along random directions."""
    rng = np.random.default_rng(0)
    for name in backprop.FLOW_ACTIVATIONS:
        depth, scale, seed = 3, 1.3, 4
        signals, spreads = backprop._signals(depth, name, scale, seed)
        norms, _ = backprop._gradient_flow(depth, name, scale, seed)
        assert norms.shape == (depth,) and spreads.shape == (depth,) and np.all(norms > 0)
        np.testing.assert_allclose(norms, [np.linalg.norm(g) for g in signals])
        # rebuild the same network and differentiate its loss with respect to Z of layer 1
        r = np.random.default_rng(seed)
        X = r.normal(size=(backprop._BATCH, backprop._WIDTH))
        labels = r.integers(0, backprop._CLASSES, size=backprop._BATCH)
        sizes = [backprop._WIDTH] * (depth + 1) + [backprop._CLASSES]
        weights = [r.normal(0.0, scale / np.sqrt(m), size=(m, k)) for m, k in zip(sizes[:-1], sizes[1:])]

        def loss_from_z1(z1):
            a = backprop._act(z1, name)[0]
            for W_ in weights[1:-1]:
                a = backprop._act(a @ W_, name)[0]
            z = a @ weights[-1]
            z = z - z.max(axis=1, keepdims=True)
            return np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(labels)), labels])

        z1 = X @ weights[0]
        if name == "relu":
            assert np.min(np.abs(z1)) > 1e-4  # no kink within the step
        for _ in range(3):
            v = rng.normal(size=z1.shape)
            h = 1e-5
            slope = (loss_from_z1(z1 + h * v) - loss_from_z1(z1 - h * v)) / (2 * h)
            assert slope == pytest.approx(np.sum(signals[0] * v), rel=1e-6)


def test_lesson_claims_about_the_explorer():
    ex = W.gradient_flow_explorer()
    assert ex.state["valid"] and ex.state["depth"] == 8 and ex.state["activation"] == "sigmoid"
    # 8 sigmoid layers at scale 1: layer 1 gets about 3e-5 of layer 8's gradient, ~4x less per layer
    assert 1e-5 < ex.state["ratio"] < 1e-4 and ex.state["verdict"] == "vanishing"
    per_layer = np.exp(np.mean(np.diff(np.log(ex.state["norms"]))))
    assert 3 < per_layer < 6
    # tanh: layer 1 still receives about a third
    set_controls(ex, activation="tanh")
    assert 0.15 < ex.state["ratio"] < 0.6
    # ReLU: shrinks at scale 1, flat at sqrt(2), grows at 2, explodes (over 1000x) at 4
    set_controls(ex, activation="relu")
    assert ex.state["ratio"] < 0.2
    set_controls(ex, scale=1.41)
    assert 0.7 < ex.state["ratio"] < 1.4 and ex.state["verdict"] == "roughly balanced"
    set_controls(ex, scale=2.0)
    assert 5 < ex.state["ratio"] < 30
    set_controls(ex, scale=4.0)
    assert ex.state["ratio"] > 1000 and ex.state["verdict"] == "exploding"
    # the plot: log scale, one point per hidden layer, the norms of the state
    ax = ex.figure.axes[0]
    assert ax.get_yscale() == "log"
    line = [l for l in ax.lines if l.get_gid() == "gradient-norms"][0]
    np.testing.assert_allclose(line.get_ydata(), ex.state["norms"])
    assert len(line.get_xdata()) == 8


def test_gradient_flow_explorer_structure_and_redraws():
    ex = W.gradient_flow_explorer(depth=5, activation="tanh", scale=1.0, seed=1)
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-gradient-flow-explorer" in ex._dom_classes
    assert set(ex.controls) == {"depth", "activation", "scale", "seed"}
    for name in ex.controls:
        assert f"dlcourse-{name}" in ex.controls[name]._dom_classes
    assert isinstance(ex.controls["activation"], ipywidgets.Dropdown)
    for change in ({"depth": 12}, {"activation": "relu"}, {"scale": 2.5}, {"seed": 3}):
        pixels, state = rendered(ex.figure), dict(ex.state)
        set_controls(ex, **change)
        assert ex.state["valid"]
        assert rendered(ex.figure) != pixels, change
        assert any(not np.array_equal(np.atleast_1d(ex.state[k]), np.atleast_1d(state[k])) for k in state), change


def test_gradient_flow_explorer_survives_silly_input():
    ex = W.gradient_flow_explorer(depth=4)
    for name, silly in (("depth", 0), ("depth", 10_000), ("scale", -1.0), ("scale", 1e9), ("scale", float("nan")),
                        ("seed", -5)):
        before, valid = ex.figure, ex.controls[name].value
        set_controls(ex, **{name: silly})
        assert ex.state["valid"] is False and ("between" in ex.state["message"] or "seed" in ex.state["message"])
        assert ex.figure is not before and ex.figure.axes[0].texts  # a message, not the stale plot
        set_controls(ex, **{name: valid})
        assert ex.state["valid"]
    # the deepest, largest setting allowed stays finite and says it explodes
    set_controls(ex, depth=backprop._MAX_DEPTH, scale=backprop._MAX_SCALE, activation="relu")
    assert ex.state["valid"] and ex.state["verdict"] == "exploding" and np.all(np.isfinite(ex.state["norms"]))
    # a tiny scale with sigmoids underflows some norms to 0: still a plot, and "vanishing"
    set_controls(ex, scale=0.01, activation="sigmoid")
    assert ex.state["valid"] and ex.state["verdict"] == "vanishing"
    with pytest.raises(ValueError):
        W.gradient_flow_explorer(activation="softsign")
