"""Lesson 03's hidden-layer explorer, driven through its controls."""

import inspect

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from widget_tools import artists, rendered, set_controls


def test_hidden_layer_explorer_is_exported_from_its_module():
    from dlcourse.widgets import hidden_layers

    assert W.hidden_layer_explorer is hidden_layers.hidden_layer_explorer
    assert {"hidden_layer_explorer", "HIDDEN_ACTIVATIONS"} <= set(W.__all__)
    assert inspect.getmodule(W.hidden_layer_explorer) is W.hidden_layers
    assert W.hidden_layers._show is W.linear_algebra._show
    # exercise 03 asks for the forward and backward passes and the training loop: private here
    public = {n for n in dir(hidden_layers) if not n.startswith("_")}
    assert not {"forward", "loss_and_grads", "train", "parity_network", "relu_interpolant"} & public


def test_hidden_layer_training_lowers_the_loss_and_separates_xor():
    from dlcourse.widgets.hidden_layers import _hidden, _train, _xor_points

    X, t = _xor_points()
    params, losses = _train(X, t, 3, "tanh", 1000, 0)
    assert losses.shape == (1001,) and losses[-1] < 0.1 < losses[0]
    W1, b1, W2, b2 = params
    assert np.all((_hidden(X @ W1 + b1, "tanh")[0] @ W2 + b2 > 0) == (t == 1))
    # a network without hidden units' nonlinearity could not: the data are XOR
    z = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), 2 * t - 1, rcond=None)[0]
    assert np.mean((np.column_stack([X, np.ones(len(X))]) @ z > 0) == (t == 1)) < 0.8


def test_hidden_layer_explorer_structure_and_initial_state():
    ex = W.hidden_layer_explorer()
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-hidden-layer-explorer" in ex._dom_classes
    assert set(ex.controls) == {"units", "activation", "steps", "seed"}
    for name in ex.controls:
        assert f"dlcourse-{name}" in ex.controls[name]._dom_classes
    assert ex.state["valid"] and ex.state["units"] == 2 and ex.state["activation"] == "tanh"
    # the lesson's claim: seed 0 with two tanh units gets stuck, three units solve it
    assert ex.state["accuracy"] < 1 and "stuck" in ex.state["message"]
    titles = [ax.get_title() for ax in ex.figure.axes]
    assert any("input space" in t for t in titles) and any("hidden space" in t for t in titles)
    assert len(artists(ex.figure, "output-boundary", ax=1)) == 1  # h = 2: a line in the hidden space
    set_controls(ex, units=3)
    assert ex.state["accuracy"] == 1.0 and ex.state["loss"] < 0.1
    assert artists(ex.figure, "output-boundary", ax=1) == []  # only drawn for exactly 2 units


def test_hidden_layer_explorer_redraws_for_each_control():
    ex = W.hidden_layer_explorer(seed=2, steps=0)
    assert ex.state["accuracy"] <= 0.75
    for change in ({"steps": 300}, {"activation": "relu"}, {"seed": 1}, {"units": 5}):
        pixels, state = rendered(ex.figure), dict(ex.state)
        set_controls(ex, **change)
        assert ex.state != state and rendered(ex.figure) != pixels, change
    loss_line = [line for line in ex.figure.axes[2].lines if line.get_gid() == "loss"][0]
    assert len(loss_line.get_ydata()) == 301 and loss_line.get_ydata()[-1] == pytest.approx(ex.state["loss"])


def test_hidden_layer_explorer_survives_silly_input():
    ex = W.hidden_layer_explorer(steps=100)
    for name, silly in (("units", 0), ("units", -3), ("units", 10_000), ("steps", -1), ("steps", 10**9), ("seed", -5)):
        before, valid = ex.figure, ex.controls[name].value
        set_controls(ex, **{name: silly})
        assert ex.state["valid"] is False and ("between" in ex.state["message"] or "seed" in ex.state["message"])
        assert ex.figure is not before and ex.figure.axes[0].texts  # a message, not the stale plot
        set_controls(ex, **{name: valid})
        assert ex.state["valid"]
    set_controls(ex, units=1)
    assert ex.state["valid"] and ex.state["accuracy"] <= 0.75  # one unit draws one line
    with pytest.raises(ValueError):
        W.hidden_layer_explorer(activation="softsign")
