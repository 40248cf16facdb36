"""Lesson 02's neuron explorer, driven through its controls."""

import inspect

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from widget_tools import artists, rendered


def set_neuron(explorer, w1=None, w2=None, b=None, activation=None):
    for name, value in (("w1", w1), ("w2", w2), ("b", b), ("activation", activation)):
        if value is not None:
            explorer.controls[name].value = value


def test_neuron_explorer_is_exported_from_its_module():
    from dlcourse.widgets import neuron

    assert W.neuron_explorer is neuron.neuron_explorer and "neuron_explorer" in W.__all__
    assert inspect.getmodule(W.neuron_explorer) is W.neuron
    assert W.neuron._show is W.linear_algebra._show
    # exercise 02 asks for the activations: they stay private here
    assert not {"activation", "sigmoid", "relu", "bce_with_logits", "kl_divergence"} & set(dir(neuron)) - {"_activate"}


def test_neuron_activations_match_their_formulas_and_are_stable():
    z = np.array([-1000.0, -2.0, 0.0, 0.5, 1000.0])
    from dlcourse.widgets.neuron import _activate

    with np.errstate(over="raise", invalid="raise"):  # no overflow, no inf - inf
        sig = _activate(z, "sigmoid")
    np.testing.assert_allclose(sig[1:4], 1 / (1 + np.exp(-z[1:4])))
    assert sig[0] == 0.0 and sig[-1] == 1.0
    np.testing.assert_allclose(_activate(z, "relu"), [0, 0, 0, 0.5, 1000])
    np.testing.assert_allclose(_activate(z, "leaky_relu"), [-100, -0.2, 0, 0.5, 1000])
    np.testing.assert_allclose(_activate(z[1:4], "elu"), [np.expm1(-2.0), 0, 0.5])
    with pytest.raises(ValueError, match="unknown activation"):
        _activate(z, "softsign")


def test_neuron_explorer_structure_and_initial_state():
    ex = W.neuron_explorer()
    assert isinstance(ex, ipywidgets.VBox)
    assert "dlcourse-neuron-explorer" in ex._dom_classes
    assert set(ex.controls) == {"w1", "w2", "b", "activation"}
    for name in ("w1", "w2", "b", "activation"):
        assert f"dlcourse-{name}" in ex.controls[name]._dom_classes
    np.testing.assert_allclose(ex.state["w"], [1.0, 1.0])
    assert ex.state["b"] == 0.0 and ex.state["activation"] == "sigmoid" and ex.state["valid"]
    assert ex.state["distance"] == pytest.approx(0.0)
    assert ex.state["accuracy"] > 0.9  # the blobs sit on either side of x1 + x2 = 0
    assert len(artists(ex.figure, "boundary")) == 1


def test_neuron_explorer_boundary_follows_w_and_b():
    ex = W.neuron_explorer()
    pixels = rendered(ex.figure)
    set_neuron(ex, w1=3.0, w2=4.0, b=-10.0)
    np.testing.assert_allclose(ex.state["w"], [3.0, 4.0])
    assert ex.state["distance"] == pytest.approx(2.0)  # |b| / |w| = 10 / 5
    line = artists(ex.figure, "boundary")[0]
    xs, ys = line.get_xdata(), line.get_ydata()
    np.testing.assert_allclose(3.0 * xs + 4.0 * ys - 10.0, 0.0, atol=1e-9)  # on w.x + b = 0
    assert rendered(ex.figure) != pixels
    # the surface is the activation of w.x + b: at the top right corner (3, 3), z = 11
    surface = [im for im in ex.figure.axes[0].images if im.get_gid() == "surface"][0]
    assert surface.get_array()[-1, -1] == pytest.approx(1 / (1 + np.exp(-11.0)))
    # the opposite weights flip the prediction of every point
    accuracy = ex.state["accuracy"]
    set_neuron(ex, w1=-3.0, w2=-4.0, b=10.0)
    assert ex.state["accuracy"] == pytest.approx(1 - accuracy)


def test_neuron_explorer_activation_changes_surface():
    ex = W.neuron_explorer(w=(1.0, 0.0), b=0.0)
    pixels = rendered(ex.figure)
    set_neuron(ex, activation="relu")
    assert ex.state["activation"] == "relu"
    surface = [im for im in ex.figure.axes[0].images if im.get_gid() == "surface"][0].get_array()
    assert surface.min() == 0.0 and surface.max() == pytest.approx(3.0)  # max(0, x1) on [-3, 3]
    assert rendered(ex.figure) != pixels
    curve = [line for ax in ex.figure.axes for line in ax.lines if line.get_gid() == "activation"][0]
    assert curve.get_ydata().min() == 0.0


def test_neuron_explorer_survives_silly_input():
    ex = W.neuron_explorer()
    set_neuron(ex, w1=0.0, w2=0.0, b=2.0)  # no boundary: z = b everywhere
    assert ex.state["valid"] and not ex.state["has_boundary"] and ex.state["distance"] is None
    assert "no boundary" in ex.state["message"]
    assert artists(ex.figure, "boundary") == []
    for silly in (1e12, float("nan"), float("inf")):
        before = ex.figure
        set_neuron(ex, w1=1.0, w2=silly, b=0.0)
        assert ex.state["valid"] is False and "between" in ex.state["message"]
        assert ex.figure is not before  # a message, not the stale plot
        assert artists(ex.figure, "boundary") == []
    set_neuron(ex, w1=1.0, w2=1.0, b=0.0)
    assert ex.state["valid"] and len(artists(ex.figure, "boundary")) == 1
    with pytest.raises(ValueError):
        W.neuron_explorer(activation="softsign")
    with pytest.raises(ValueError):
        W.neuron_explorer(w=(1.0, 2.0, 3.0))
