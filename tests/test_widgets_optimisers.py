"""Unit tests for the lesson-05 explorer (dlcourse.widgets.optimisers): the race's maths, the
explorer driven through its controls, the claims lesson 05 makes about it, and that the update
rules exercise 05 asks for stay private."""

import inspect

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import optimisers
from dlcourse.widgets.optimisers import _gradient, _loss, _race, _step
from widget_tools import rendered, set_controls


def lines(fig, gid, ax=0):
    return [line for line in fig.axes[ax].lines if line.get_gid() == gid]


def test_optimiser_race_explorer_is_exported_from_its_module():
    assert W.optimiser_race_explorer is optimisers.optimiser_race_explorer
    assert {"optimiser_race_explorer", "SURFACES", "OPTIMISERS"} <= set(W.__all__)
    assert inspect.getmodule(W.optimiser_race_explorer) is W.optimisers
    assert W.optimisers._show is W.linear_algebra._show
    # exercise 05 asks for these: nothing public here may provide them
    public = {n for n in dir(optimisers) if not n.startswith("_")}
    assert not {"clip_by_global_norm", "warmup_cosine", "init_weights", "adam_update", "batchnorm_forward",
                "batchnorm_backward", "adam", "rmsprop", "momentum"} & public
    assert public <= {"optimiser_race_explorer", "SURFACES", "OPTIMISERS", "annotations", "math", "np",
                      "widgets", "Figure", "LogNorm"}


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock"])
def test_gradients_match_central_differences(surface):
    rng = np.random.default_rng(5)
    for p in rng.uniform(-1.5, 1.5, size=(5, 2)):
        h = 1e-6
        numeric = [(_loss(surface, *(p + h * e)) - _loss(surface, *(p - h * e))) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(_gradient(surface, p), numeric, rtol=1e-6, atol=1e-5)


def test_adam_step_in_the_race_is_bias_corrected():
    # the first Adam step moves every coordinate by lr, whatever the gradient's scale
    p = _step("Adam", np.array([1.0, 1.0]), np.array([1e-3, 1e3]), {}, 0.1, 1)
    np.testing.assert_allclose(p, [0.9, 0.9], rtol=1e-4)
    state = {}
    p = _step("momentum", np.zeros(2), np.ones(2), state, 0.1, 1)
    p = _step("momentum", p, np.ones(2), state, 0.1, 2)
    np.testing.assert_allclose(p, [-0.29, -0.29])  # v = 1, then 1.9


def test_lesson_claims_about_the_race():
    """What lesson 05's 'what to try' says the explorer shows."""
    _, losses, diverged = _race("quadratic", 0.05, 100)
    final = {name: curve[-1] for name, curve in losses.items()}
    assert not any(diverged.values())
    assert all(final[name] < 1e-3 for name in ("gradient descent", "momentum", "RMSProp"))
    assert final["Adam"] > 10 * max(final[name] for name in ("gradient descent", "momentum", "RMSProp"))
    _, _, diverged = _race("quadratic", 0.11, 100)
    assert diverged["gradient descent"] and not any(diverged[n] for n in ("momentum", "RMSProp", "Adam"))
    _, losses, diverged = _race("quadratic", 0.5, 100)
    assert diverged["gradient descent"] and diverged["momentum"] and not diverged["Adam"]
    assert losses["Adam"][-1] < losses["RMSProp"][-1]
    _, losses, diverged = _race("rosenbrock", 0.002, 100)
    assert not any(diverged.values()) and losses["gradient descent"][-1] < 0.01 and losses["momentum"][-1] < 0.01
    _, losses, diverged = _race("rosenbrock", 0.005, 100)
    assert diverged["gradient descent"] <= 4 and diverged["momentum"] <= 4
    assert not diverged["RMSProp"] and not diverged["Adam"]
    for lr in (0.001, 0.01, 0.1, 0.5, 1.0):
        _, _, diverged = _race("rosenbrock", lr, 200)
        assert not diverged["RMSProp"] and not diverged["Adam"], lr
    _, losses, _ = _race("rosenbrock", 0.1, 500)
    assert losses["Adam"][-1] < 0.05 < losses["Adam"][100]


def test_explorer_structure_and_initial_state():
    ex = W.optimiser_race_explorer()
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-optimiser-race-explorer" in ex._dom_classes
    assert set(ex.controls) == {"surface", "lr", "steps"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    # the browser test types into the learning rate's box and picks a surface from a list
    assert isinstance(ex.controls["lr"], ipywidgets.FloatText)
    assert isinstance(ex.controls["surface"], ipywidgets.Dropdown)
    assert ex.state["valid"] and ex.state["surface"] == "quadratic" and ex.state["lr"] == 0.05
    assert set(ex.state["final_loss"]) == set(W.OPTIMISERS)
    for name in W.OPTIMISERS:
        path = lines(ex.figure, f"path-{name}")
        assert len(path) == 1 and len(path[0].get_xdata()) == 101
        curve = lines(ex.figure, f"loss-{name}", ax=1)[0]
        assert curve.get_ydata()[-1] == pytest.approx(ex.state["final_loss"][name], rel=1e-6, abs=1e-15)
    assert "quadratic" in ex.figure.axes[0].get_title()


def test_explorer_redraws_for_each_control():
    ex = W.optimiser_race_explorer()
    for change in ({"lr": 0.01}, {"lr": 0.002}, {"surface": "rosenbrock"}, {"steps": 300}, {"surface": "quadratic"}):
        pixels, state = rendered(ex.figure), dict(ex.state)
        set_controls(ex, **change)
        assert ex.state["valid"] and ex.state != state and rendered(ex.figure) != pixels, change
    assert len(lines(ex.figure, "path-Adam")[0].get_xdata()) == 301


def test_diverging_paths_are_cut_and_reported_not_crashing():
    ex = W.optimiser_race_explorer(surface="rosenbrock", lr=0.002)
    before = ex.figure
    set_controls(ex, lr=0.5)
    assert ex.state["valid"] and ex.figure is not before
    assert ex.state["diverged"]["gradient descent"] and "diverged" in ex.state["message"]
    path = lines(ex.figure, "path-gradient descent")[0]
    assert len(path.get_xdata()) <= 10  # stopped where it left, not 101 points of inf
    assert "diverged" in path.get_label()
    xlim = ex.figure.axes[0].get_xlim()
    assert xlim == pytest.approx((-2.0, 2.0))  # the view stays on the surface
    rendered(ex.figure)
    set_controls(ex, surface="quadratic", lr=100.0, steps=5000)  # the largest allowed: GD blows up at once
    assert ex.state["valid"] and ex.state["diverged"]["momentum"]
    rendered(ex.figure)


def test_explorer_survives_silly_input():
    ex = W.optimiser_race_explorer(steps=50)
    for name, silly in (("lr", 0.0), ("lr", -1.0), ("lr", 1e9), ("lr", float("nan")), ("lr", float("inf")),
                        ("steps", 0), ("steps", -5), ("steps", 10 ** 9)):
        before, valid = ex.figure, ex.controls[name].value
        set_controls(ex, **{name: silly})
        assert ex.state["valid"] is False and ("between" in ex.state["message"] or "learning rate" in ex.state["message"])
        assert ex.figure is not before and ex.figure.axes[0].texts  # a message, not the stale plot
        set_controls(ex, **{name: valid})
        assert ex.state["valid"]
    with pytest.raises(ValueError):
        W.optimiser_race_explorer(surface="beale")
