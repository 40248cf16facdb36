"""Lesson 01's gradient explorer and the calculus helpers beside it."""

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from widget_tools import artists, rendered


@pytest.mark.parametrize("name", list(W.FUNCTIONS))
def test_analytic_gradients_match_central_differences(name):
    rng = np.random.default_rng(1)
    h = 1e-6
    for x, y in rng.uniform(-1.5, 1.5, size=(5, 2)):
        numeric = [(W.evaluate(name, x + h, y) - W.evaluate(name, x - h, y)) / (2 * h),
                   (W.evaluate(name, x, y + h) - W.evaluate(name, x, y - h)) / (2 * h)]
        np.testing.assert_allclose(W.gradient(name, x, y), numeric, rtol=1e-5, atol=1e-6)


def test_bowl_gradient_and_directional_derivative():
    g = W.gradient("bowl", 1.0, 1.0)
    np.testing.assert_allclose(g, [2.0, 6.0])
    angles = np.linspace(-180, 180, 3601)
    d = W.directional_derivative(g, angles)
    best = angles[np.argmax(d)]
    assert best == pytest.approx(np.rad2deg(np.arctan2(6, 2)), abs=0.1)
    assert d.max() == pytest.approx(np.hypot(2, 6), rel=1e-6)
    assert W.directional_derivative(g, 0.0) == pytest.approx(2.0)
    assert W.directional_derivative(g, 90.0) == pytest.approx(6.0)


def test_unknown_function_is_rejected():
    with pytest.raises(ValueError, match="unknown function"):
        W.gradient("nope", 0, 0)


def test_gradient_explorer_state_and_directional_derivative():
    ex = W.gradient_explorer()
    assert isinstance(ex, ipywidgets.VBox)
    assert "dlcourse-gradient-explorer" in ex._dom_classes
    assert ex.state["function"] == "bowl"
    np.testing.assert_allclose(ex.state["point"], [1.0, 1.0])
    np.testing.assert_allclose(ex.state["gradient"], [2.0, 6.0])
    # pointing along the gradient gives the largest slope, |grad|
    ex.controls["angle"].value = round(ex.state["steepest_angle"])
    along = ex.state["directional_derivative"]
    assert along == pytest.approx(np.hypot(2, 6), rel=1e-3)
    for angle in (-170, -90, 0, 45, 120):
        ex.controls["angle"].value = angle
        assert ex.state["directional_derivative"] <= along
    # perpendicular to the gradient (along the contour): zero slope, up to the 1-degree slider step
    ex.controls["angle"].value = round(ex.state["steepest_angle"] + 90)
    assert abs(ex.state["directional_derivative"]) < 0.1


def test_gradient_explorer_follows_point_and_function():
    ex = W.gradient_explorer()
    pixels = rendered(ex.figure)
    ex.controls["x"].value = -0.5
    ex.controls["y"].value = 0.25
    np.testing.assert_allclose(ex.state["gradient"], [-1.0, 1.5])
    ex.controls["function"].value = "saddle"
    np.testing.assert_allclose(ex.state["gradient"], [-1.0, -0.5])
    assert ex.state["function"] == "saddle"
    assert rendered(ex.figure) != pixels
    assert len(artists(ex.figure, "gradient")) == 1


def test_gradient_explorer_draws_no_gradient_arrow_at_a_flat_point():
    ex = W.gradient_explorer("bowl", point=(0.0, 0.0))
    np.testing.assert_allclose(ex.state["gradient"], [0.0, 0.0])
    assert artists(ex.figure, "gradient") == []
    assert len(artists(ex.figure, "direction")) == 1


def test_gradient_explorer_never_shows_minus_zero():
    ex = W.gradient_explorer("saddle", point=(0.0, -0.0))
    info = [c.value for c in ex.children if isinstance(getattr(c, "value", None), str)][0]
    assert "gradient = (0, 0)" in info and "-0" not in info


def test_directional_derivative_panel_marks_current_angle():
    ex = W.gradient_explorer()
    ex.controls["angle"].value = 30
    panel = [ax for ax in ex.figure.axes if ax.get_title() == "Directional derivative"][0]
    marker = [line for line in panel.lines if line.get_gid() == "current-angle"][0]
    assert marker.get_xdata()[0] == pytest.approx(30)
    assert marker.get_ydata()[0] == pytest.approx(ex.state["directional_derivative"])
