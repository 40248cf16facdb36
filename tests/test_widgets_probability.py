"""Lesson 01's softmax explorer; softmax itself stays private (exercise 01 asks for it)."""

import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import probability


def test_softmax_known_values_and_properties():
    p = probability._softmax([0.0, np.log(3.0)])
    np.testing.assert_allclose(p, [0.25, 0.75])
    z = np.array([[2.0, 1.0, 0.1], [1.0, 1.0, 1.0]])
    p = probability._softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[1], 1 / 3)
    np.testing.assert_allclose(probability._softmax(z + 100.0), p)  # shift invariance
    sharp, flat = probability._softmax(z[0], temperature=0.2), probability._softmax(z[0], temperature=5.0)
    assert sharp.max() > p[0].max() > flat.max()
    with pytest.raises(ValueError):
        probability._softmax(z, temperature=0)


def test_stable_softmax_survives_large_logits_where_naive_fails():
    z = np.array([1000.0, 999.0, 0.0])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = probability._naive_softmax(z)
    assert not np.all(np.isfinite(naive))
    p = probability._softmax(z)
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0)
    assert p[0] == pytest.approx(1 / (1 + np.exp(-1.0)))


def test_entropy():
    assert W.entropy([1.0, 0.0, 0.0]) == pytest.approx(0.0)
    assert W.entropy(np.full(4, 0.25)) == pytest.approx(np.log(4))


def prob_bars(fig):
    return np.array([p.get_height() for p in fig.axes[1].patches if p.get_gid() == "probabilities"])


def test_softmax_explorer_shift_changes_nothing():
    ex = W.softmax_explorer((2.0, 1.0, 0.1))
    assert "dlcourse-softmax-explorer" in ex._dom_classes
    p0 = ex.state["probabilities"].copy()
    np.testing.assert_allclose(p0, probability._softmax([2.0, 1.0, 0.1]))
    np.testing.assert_allclose(prob_bars(ex.figure), p0)
    ex.controls["shift"].value = 7.5
    np.testing.assert_allclose(ex.state["logits"], [9.5, 8.5, 7.6])
    np.testing.assert_allclose(ex.state["probabilities"], p0, atol=1e-12)
    np.testing.assert_allclose(prob_bars(ex.figure), p0, atol=1e-12)


def test_softmax_explorer_temperature_and_logits():
    ex = W.softmax_explorer((2.0, 1.0, 0.1, -1.0))
    assert len(ex.state["probabilities"]) == 4
    p1 = ex.state["probabilities"].copy()
    ex.controls["temperature"].value = 0.2
    assert ex.state["probabilities"].max() > p1.max()
    assert ex.state["entropy"] < W.entropy(p1)
    ex.controls["temperature"].value = 10.0
    assert ex.state["probabilities"].max() < p1.max()
    assert ex.state["entropy"] > W.entropy(p1)
    np.testing.assert_allclose(prob_bars(ex.figure), ex.state["probabilities"])
    ex.controls["temperature"].value = 1.0
    ex.controls["z4"].value = 3.0
    assert np.argmax(ex.state["probabilities"]) == 3
    assert ex.state["probabilities"].sum() == pytest.approx(1.0)
