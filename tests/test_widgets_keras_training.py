"""Unit tests for dlcourse.widgets.keras_training (lesson 07): the confusion explorer driven through its
controls, its answers to inputs that do not fit, and that exercise 07's answers stay private."""

import inspect

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import keras_training
from widget_tools import rendered

NAMES = ["zero", "one", "two", "three"]


def toy_data():
    """40 8x8 images of 4 classes; class 1 is often taken for class 3, class 2 never predicted as 0."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 10)
    predictions = labels.copy()
    predictions[10:16] = 3          # six 'one' predicted 'three': the most frequent confusion
    predictions[30:32] = 1          # two 'three' predicted 'one'
    images = rng.integers(0, 256, size=(40, 8, 8)).astype(np.uint8)
    return images, labels, predictions


def gid_artists(fig, gid):
    return [a for ax in fig.axes for a in [*ax.patches, *ax.images, *ax.texts] if a.get_gid() == gid]


def test_confusion_explorer_is_exported_and_answers_stay_private():
    assert W.confusion_explorer is keras_training.confusion_explorer
    assert {"confusion_explorer", "CONFUSION_SCALES"} <= set(W.__all__)
    assert inspect.getmodule(W.confusion_explorer) is keras_training
    assert keras_training._show is W.linear_algebra._show
    # exercise 07 asks for these: nothing of the kind is public in dlcourse
    exercise = {"build_mlp", "build_two_input_model", "build_skip_mlp", "preprocess", "confusion_matrix",
                "fit_with_early_stopping", "save_and_reload"}
    import dlcourse
    for module in (keras_training, W, dlcourse):
        assert not exercise & {n for n in dir(module) if not n.startswith("_")}


def test_structure_and_initial_cell_is_the_most_frequent_confusion():
    images, labels, predictions = toy_data()
    ex = W.confusion_explorer(images, labels, predictions, NAMES)
    assert isinstance(ex, ipywidgets.VBox) and "dlcourse-confusion-explorer" in ex._dom_classes
    assert set(ex.controls) == {"true", "predicted", "normalise"}
    for name, control in ex.controls.items():
        assert f"dlcourse-{name}" in control._dom_classes
    state = ex.state
    assert state["valid"] and (state["true_class"], state["predicted_class"]) == (1, 3)
    assert state["count"] == 6 and state["shown"] == [10, 11, 12, 13, 14, 15]
    expected = np.zeros((4, 4), int)
    for t, p in zip(labels, predictions):
        expected[t, p] += 1
    assert np.array_equal(state["matrix"], expected) and state["accuracy"] == pytest.approx(32 / 40)
    assert "6 images of class one predicted as three" in state["message"] and "60.0%" in state["message"]
    highlight = gid_artists(ex.figure, "highlight")
    assert len(highlight) == 1 and highlight[0].get_xy() == (2.5, 0.5)   # column 3, row 1
    assert len(gid_artists(ex.figure, "cell-image")) == 6


def test_each_control_redraws():
    images, labels, predictions = toy_data()
    ex = W.confusion_explorer(images, labels, predictions, NAMES)
    for name, value in (("true", "three"), ("predicted", "one"), ("normalise", "fraction of true class"),
                        ("true", "zero")):
        pixels, state = rendered(ex.figure), {k: v for k, v in ex.state.items() if k != "matrix"}
        ex.controls[name].value = value
        assert rendered(ex.figure) != pixels, name
        assert {k: v for k, v in ex.state.items() if k != "matrix"} != state, name
    ex.controls["true"].value, ex.controls["predicted"].value = "two", "two"
    assert ex.state["count"] == 10 and len(gid_artists(ex.figure, "cell-image")) == 10
    shown = ex.figure.axes[0].images[0].get_array()
    assert np.allclose(shown.sum(axis=1), 1.0)  # rows normalised by the true class's size


def test_many_images_in_a_cell_show_only_the_first_twelve():
    rng = np.random.default_rng(1)
    labels = np.repeat([0, 1], 50)
    ex = W.confusion_explorer(rng.random((100, 784)), labels, labels, ["a", "b"], true_class=1, predicted_class=1)
    assert ex.state["count"] == 50 and ex.state["shown"] == list(range(50, 62))
    assert len(gid_artists(ex.figure, "cell-image")) == 12


def test_an_empty_cell_says_so():
    images, labels, predictions = toy_data()
    ex = W.confusion_explorer(images, labels, predictions, NAMES)
    ex.controls["true"].value, ex.controls["predicted"].value = "two", "zero"
    assert ex.state["valid"] and ex.state["count"] == 0 and ex.state["shown"] == []
    assert "no image of class two was predicted as zero" in ex.state["message"]
    assert gid_artists(ex.figure, "empty-cell") and not gid_artists(ex.figure, "cell-image")


def test_scores_are_turned_into_classes_and_rgb_images_work():
    images, labels, predictions = toy_data()
    scores = np.eye(4)[predictions] * 0.7 + 0.1
    rgb = np.repeat(images[..., None], 3, axis=-1)
    a = W.confusion_explorer(images, labels, predictions, NAMES)
    b = W.confusion_explorer(rgb, labels, scores, NAMES)
    assert b.state["valid"] and np.array_equal(a.state["matrix"], b.state["matrix"])
    c = W.confusion_explorer(images[..., None], labels, predictions)  # default names 0..3
    assert c.state["valid"] and c.controls["true"].options == ("0", "1", "2", "3")


@pytest.mark.parametrize("change, words", [
    ({"labels": np.arange(39) % 4}, "labels"),
    ({"predictions": np.zeros((40, 4)) + np.nan}, "NaN"),
    ({"predictions": np.full(40, 7)}, "only 4 class names"),
    ({"labels": np.full(40, -1)}, "whole numbers"),
    ({"labels": np.linspace(0, 3, 40)}, "whole numbers"),
    ({"images": np.zeros((40, 5))}, "images of shape"),
    ({"images": np.zeros((3, 8, 8))}, "images of shape"),
    ({"labels": np.array([], dtype=int)}, "non-empty"),
    ({"names": ["a"]}, "between 2"),
    ({"names": ["a", "a", "b", "c"]}, "different"),
    ({"images": np.full((40, 8, 8), np.inf)}, "finite"),
    ({"labels": np.array(["x"] * 40)}, "integer"),
])
def test_inputs_that_do_not_fit_give_a_message_not_a_stale_plot(change, words):
    images, labels, predictions = toy_data()
    args = {"images": images, "labels": labels, "predictions": predictions, "names": NAMES, **change}
    ex = W.confusion_explorer(args["images"], args["labels"], args["predictions"], args["names"])
    assert ex.state["valid"] is False and words in ex.state["message"]
    assert ex.figure is not None and ex.figure.axes[0].texts
    assert all(control.disabled for control in ex.controls.values())


def test_a_start_cell_out_of_range_is_refused():
    images, labels, predictions = toy_data()
    with pytest.raises(ValueError, match="class index"):
        W.confusion_explorer(images, labels, predictions, NAMES, true_class=4)
