"""Unit tests for dlcourse.plots: each figure holds the data it was given."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dlcourse import plots  # noqa: E402


def test_image_grid_panels_titles_and_layout():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    fig = plots.image_grid(images, labels=[0, 2, 1, 0, 2], class_names=["a", "b", "c"], ncols=3)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 6  # 2 rows x 3 columns, one left empty
    shown = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in shown] == ["a", "c", "b", "a", "c"]
    np.testing.assert_array_equal(shown[3].images[0].get_array(), images[3])


def test_image_grid_accepts_flat_vectors_and_titles():
    flat = np.arange(3 * 16, dtype=float).reshape(3, 16)
    fig = plots.image_grid(flat, titles=["x", "y", "z"])
    assert [ax.get_title() for ax in fig.axes] == ["x", "y", "z"]
    assert fig.axes[0].images[0].get_array().shape == (4, 4)
    with pytest.raises(ValueError):
        plots.image_grid(np.zeros((2, 15)))


def test_vector_arrows_draws_one_labelled_arrow_per_vector():
    fig = Figure()
    ax = fig.subplots()
    arrows = plots.vector_arrows(ax, [[1, 0], [0, 2], [-3, 1]], labels=["a", "b", None],
                                 colors=["red", "green", "blue"], gid="v")
    assert len(arrows) == 3
    assert all(a.get_gid() == "v" for a in arrows)
    assert [t.get_text() for t in ax.texts] == ["a", "b"]
    # the labels sit just beyond the tips
    assert ax.texts[1].get_position()[1] > 2.0
    # the data limits cover every tip
    lim = ax.dataLim
    assert lim.x0 <= -3 and lim.y1 >= 2


def test_similarity_heatmap_shows_the_matrix():
    m = np.array([[1.0, 0.2], [0.2, 1.0]])
    fig = plots.similarity_heatmap(m, ["shirt", "shoe"])
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), m)
    assert sorted(t.get_text() for t in ax.texts) == ["0.20", "0.20", "1.00", "1.00"]
    with pytest.raises(ValueError):
        plots.similarity_heatmap(m, ["only one"])


def test_function_and_derivative_numeric_points_sit_on_analytic_curve():
    fig = plots.function_and_derivative(np.sin, np.cos, x=np.linspace(-2, 2, 51), h=1e-4)
    ax_d = fig.axes[1]
    analytic, numeric = ax_d.lines[0], ax_d.lines[1]
    np.testing.assert_allclose(analytic.get_ydata(), np.cos(analytic.get_xdata()))
    np.testing.assert_allclose(numeric.get_ydata(), np.cos(numeric.get_xdata()), atol=1e-7)


def test_step_size_error_shows_truncation_and_roundoff():
    fig = plots.step_size_error(np.exp, np.exp, 1.0)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    forward, central = ax.lines[0], ax.lines[1]
    h, err = central.get_xdata(), central.get_ydata()
    best = h[np.argmin(err)]
    assert 1e-8 < best < 1e-3  # round-off wins below, truncation above
    assert err[-1] > err.min() * 100 and err[0] > err.min() * 100
    # central differences beat forward differences at moderate h
    moderate = (h > 1e-4) & (h < 1e-2)
    assert np.all(central.get_ydata()[moderate] < forward.get_ydata()[moderate])


def test_probability_bars_heights_and_target():
    p = np.array([0.1, 0.7, 0.2])
    fig = plots.probability_bars(p, ["a", "b", "c"], target=1)
    bars = fig.axes[0].patches
    np.testing.assert_allclose([b.get_height() for b in bars], p)
    colours = [b.get_facecolor() for b in bars]
    assert colours[1] != colours[0] and colours[0] == colours[2]
