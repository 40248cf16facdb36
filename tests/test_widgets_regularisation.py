"""Unit tests for the lesson-06 explorer (dlcourse.widgets.regularisation), driven through its controls."""

import inspect
import time

import ipywidgets
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import regularisation
from widget_tools import artists, rendered, set_controls


def lines(fig, gid, ax=0):
    return [a for a in artists(fig, gid, ax) if a in fig.axes[ax].lines]


def test_explorer_is_exported_and_the_exercise_maths_stays_private():
    assert W.regularisation_explorer is regularisation.regularisation_explorer
    assert {"regularisation_explorer", "PENALTIES"} <= set(W.__all__)
    assert inspect.getmodule(W.regularisation_explorer) is W.regularisation
    assert W.regularisation._show is W.hidden_layers._show
    public = {n for n in dir(regularisation) if not n.startswith("_")}
    # exercise 06's parts
    assert not {"fit_scaler", "apply_scaler", "one_hot_encode", "penalty", "dropout", "scores",
                "posterior"} & public


def test_training_without_penalty_overfits_and_l2_closes_the_gap():
    """The lesson's claims: no penalty memorises the 40 points (training loss near 0, validation loss
    rising well above its minimum); a moderate L2 penalty closes the gap; a huge one under-fits."""
    X, t, X_val, t_val = regularisation._data(0)
    assert X.shape == (40, 2) and X_val.shape == (400, 2)
    params, steps, train, val = regularisation._train(X, t, X_val, t_val, 32, "none", 0.0, 0)
    assert steps[0] == 0 and steps[-1] == regularisation._STEPS and len(train) == len(val) == len(steps)
    assert train[-1] < 0.02 and val[-1] > 2 * val.min() and val[-1] - train[-1] > 0.4
    assert regularisation._accuracy(params, X, t) == 1.0
    _, _, train2, val2 = regularisation._train(X, t, X_val, t_val, 32, "l2", 0.01, 0)
    assert abs(val2[-1] - train2[-1]) < 0.05 and val2[-1] < val[-1] / 2
    assert 0.15 < train2[-1] < 0.3 and 0.15 < val2[-1] < 0.3  # the lesson: "both close to 0.2"
    _, _, train3, val3 = regularisation._train(X, t, X_val, t_val, 32, "l2", 1.0, 0)
    assert train3[-1] > 0.6 and val3[-1] > 0.6  # about log 2: the model says 50% everywhere


def test_explorer_structure_and_initial_state():
    started = time.perf_counter()
    ex = W.regularisation_explorer()
    assert time.perf_counter() - started < 3  # well under a second on an idle machine
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-regularisation-explorer" in ex._dom_classes
    assert set(ex.controls) == {"penalty", "strength", "units", "seed"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    assert isinstance(ex.controls["strength"], ipywidgets.FloatText)  # a box the browser can type into
    assert ex.state["valid"] and ex.state["penalty"] == "none" and ex.state["units"] == 32
    assert ex.state["train_accuracy"] == 1.0 and ex.state["val_loss"] - ex.state["train_loss"] > 0.4
    assert ex.state["best_step"] < 500  # early stopping would stop early
    assert len(lines(ex.figure, "train-loss")) == len(lines(ex.figure, "val-loss")) == 1
    assert lines(ex.figure, "best-step")[0].get_xdata()[0] == ex.state["best_step"]
    assert "decision boundary" in ex.figure.axes[1].get_title()
    assert ex.figure.axes[1].collections  # the boundary contour and the points


def test_every_control_redraws_and_strength_shrinks_the_weights():
    ex = W.regularisation_explorer()
    norm_none = ex.state["weight_norm"]
    for change in ({"penalty": "l2"}, {"strength": 0.01}, {"penalty": "l1"}, {"penalty": "dropout"},
                   {"strength": 0.3}, {"units": 8}, {"seed": 3}):
        pixels, state = rendered(ex.figure), dict(ex.state)
        set_controls(ex, **change)
        assert ex.state["valid"], (change, ex.state)
        assert ex.state != state and rendered(ex.figure) != pixels, change
    set_controls(ex, units=32, seed=0, penalty="l2", strength=0.01)
    assert ex.state["weight_norm"] < norm_none / 2
    assert abs(ex.state["val_loss"] - ex.state["train_loss"]) < 0.05
    set_controls(ex, strength=0.1)
    norm_01 = ex.state["weight_norm"]
    set_controls(ex, strength=1.0)
    assert ex.state["weight_norm"] < norm_01 and ex.state["train_loss"] > 0.6
    val_line = lines(ex.figure, "val-loss")[0]
    assert val_line.get_ydata()[-1] == pytest.approx(ex.state["val_loss"])
    # with no penalty the strength is ignored
    set_controls(ex, penalty="none")
    none_state = dict(ex.state)
    set_controls(ex, strength=0.5)
    assert ex.state["val_loss"] == none_state["val_loss"]
    # the lesson starts at L2 with strength 0: "that is no penalty"
    assert W.regularisation_explorer(penalty="l2", strength=0.0).state["val_loss"] == none_state["val_loss"]


def test_explorer_survives_silly_input():
    ex = W.regularisation_explorer(penalty="l2", strength=0.01)
    for name, silly in (("strength", -1.0), ("strength", float("nan")), ("strength", float("inf")),
                        ("strength", 1e6), ("units", 0), ("units", 10_000), ("seed", -2)):
        before, valid = ex.figure, ex.controls[name].value
        set_controls(ex, **{name: silly})
        assert ex.state["valid"] is False, (name, silly)
        assert ex.figure is not before and ex.figure.axes[0].texts  # a message, not the stale plot
        set_controls(ex, **{name: valid})
        assert ex.state["valid"]
    set_controls(ex, penalty="dropout", strength=1.0)
    assert ex.state["valid"] is False and "below 1" in ex.state["message"]
    set_controls(ex, strength=0.99)
    assert ex.state["valid"] is False
    set_controls(ex, strength=0.0)
    assert ex.state["valid"]
    with pytest.raises(ValueError):
        W.regularisation_explorer(penalty="l3")
