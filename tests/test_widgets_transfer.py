"""Unit tests for dlcourse.widgets.transfer (lesson 10): the data-efficiency explorer driven through its
controls, its answers to inputs that do not fit, and that exercise 10's answers stay private."""

import inspect
import math

import ipywidgets
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import transfer
from widget_tools import rendered

EXERCISE = {"few_shot_indices", "digits_to_28", "freeze", "add_head", "extract_features"}

RESULTS = {
    "clothes 5-9": {"from scratch": {10: 0.55, 100: 0.78, 6000: 0.95},
                    "feature extraction": {10: 0.74, 100: 0.83, 6000: 0.88},
                    "fine-tuning": {10: 0.76, 100: 0.86, 6000: math.nan}},
    "digits": {"from scratch": {10: 0.62, 30: 0.85}, "fine-tuning": {10: 0.58, 30: 0.88}},
}


def test_explorer_is_exported_and_answers_stay_private():
    assert W.transfer_explorer is transfer.transfer_explorer and "transfer_explorer" in W.__all__
    assert inspect.getmodule(W.transfer_explorer) is transfer
    import dlcourse
    from dlcourse import base_cnn
    for module in (transfer, W, dlcourse, base_cnn):
        assert not EXERCISE & {n for n in dir(module) if not n.startswith("_")}


def test_structure_and_state_of_the_first_view():
    ex = W.transfer_explorer(RESULTS, chance=0.2)
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-transfer-explorer" in ex._dom_classes
    assert set(ex.controls) == {"target", "strategy", "examples"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    s = ex.state
    assert s["valid"] and (s["target"], s["strategy"], s["examples"]) == ("clothes 5-9", "fine-tuning", 10)
    assert s["accuracy"] == 0.76 and s["best"] == "fine-tuning" and s["gain"] == pytest.approx(0.21)
    lines = {line.get_gid(): line for line in ex.figure.axes[0].lines}
    assert list(lines["curve-fine-tuning"].get_xdata()) == [10, 100]        # the nan point is not drawn
    assert lines["curve-fine-tuning"].get_linewidth() > lines["curve-from scratch"].get_linewidth()
    assert list(lines["chosen-point"].get_ydata()) == [pytest.approx(76.0)]


def test_each_control_redraws_and_the_state_follows():
    ex = W.transfer_explorer(RESULTS)
    for name, value in (("examples", 100), ("strategy", "from scratch"), ("target", "digits"),
                        ("examples", 10), ("examples", 30)):
        pixels = rendered(ex.figure)
        ex.controls[name].value = value
        assert rendered(ex.figure) != pixels, name
        assert ex.state["valid"], (name, ex.state.get("message"))
        if name == "target":   # 100 examples per class do not exist for digits: the nearest size, 30
            assert ex.state["examples"] == 30 and ex.state["strategy"] == "from scratch"
    s = ex.state
    assert (s["target"], s["strategy"], s["examples"]) == ("digits", "from scratch", 30)
    assert s["accuracies"] == {"from scratch": 0.85, "fine-tuning": 0.88} and s["best"] == "fine-tuning"
    assert s["gain"] == 0.0
    # switching target keeps the strategy where it exists and offers that target's sizes only
    assert [v for _, v in ex.controls["examples"].options] == [10, 30]
    ex.controls["target"].value = "clothes 5-9"
    assert ex.state["examples"] == 10 and ex.state["strategy"] == "from scratch"   # 30 -> nearest size, 10


def test_a_point_that_was_not_run_gives_a_message_not_a_stale_plot():
    ex = W.transfer_explorer(RESULTS, strategy="fine-tuning")
    before = rendered(ex.figure)
    ex.controls["examples"].value = 6000
    assert not ex.state["valid"] and "not run" in ex.state["message"]
    assert rendered(ex.figure) != before
    ex.controls["strategy"].value = "from scratch"
    assert ex.state["valid"] and ex.state["accuracy"] == 0.95 and ex.state["best"] == "from scratch"
    assert math.isnan(ex.state["accuracies"]["fine-tuning"])


@pytest.mark.parametrize("bad", [{}, [], {"t": {}}, {"t": {"s": {0: 0.5}}}, {"t": {"s": {10: 1.5}}},
                                 {"t": {"s": {2.5: 0.5}}}, {"t": {"s": [0.5]}}])
def test_results_that_do_not_fit_are_refused_with_a_reason(bad):
    with pytest.raises(ValueError, match="must"):
        W.transfer_explorer(bad)


def test_a_target_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="target must be one of"):
        W.transfer_explorer(RESULTS, target="shoes")


def test_one_target_needs_no_target_control():
    ex = W.transfer_explorer({"digits": RESULTS["digits"]})
    assert set(ex.controls) == {"strategy", "examples"}
    ex.controls["examples"].value = 30
    assert ex.state["valid"] and ex.state["target"] == "digits" and ex.state["accuracy"] == 0.88
