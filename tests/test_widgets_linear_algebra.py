"""Lesson 01's matrix explorer and the linear-algebra helpers beside it."""

import ipywidgets
import numpy as np
import pytest

from dlcourse import widgets as W
from dlcourse.widgets import linear_algebra
from widget_tools import artists, rendered


def set_matrix(explorer, m):
    for name, value in zip(["m11", "m12", "m21", "m22"], np.ravel(m)):
        explorer.controls[name].value = float(value)



def test_transform_points_applies_matrix_to_each_row():
    A = np.array([[2.0, 1.0], [0.0, 3.0]])
    pts = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(W.transform_points(A, pts), [[2, 0], [1, 3], [3, 3]])


def test_determinant_known_values():
    assert W.determinant([[2, 0], [0, 3]]) == pytest.approx(6.0)
    assert W.determinant([[0, 1], [1, 0]]) == pytest.approx(-1.0)
    assert W.determinant([[1, 2], [2, 4]]) == pytest.approx(0.0)


def test_eigen_directions_diagonal_rotation_shear():
    values, dirs = W.eigen_directions([[2, 0], [0, 3]])
    assert sorted(np.real(values)) == pytest.approx([2, 3])
    assert len(dirs) == 2
    for value, v in dirs:
        np.testing.assert_allclose(np.array([[2, 0], [0, 3]]) @ v, value * v, atol=1e-12)
        assert np.linalg.norm(v) == pytest.approx(1.0)

    values, dirs = W.eigen_directions([[0, -1], [1, 0]])
    assert np.iscomplexobj(values) and np.abs(values.imag).max() == pytest.approx(1.0)
    assert dirs == []

    values, dirs = W.eigen_directions([[1, 1], [0, 1]])
    assert len(dirs) == 1
    assert abs(dirs[0][1][1]) < 1e-9  # the x axis is the only invariant line of this shear


def test_describe_matrix_mentions_flip_singular_and_rotation():
    assert "flips" in W.describe_matrix([[-1, 0], [0, 1]])
    assert "det = 0" in W.describe_matrix([[1, 2], [2, 4]])
    assert "complex: rotation-like" in W.describe_matrix([[0, -1], [1, 0]])
    assert "only one eigen-direction" in W.describe_matrix([[1, 1], [0, 1]])


def test_matrix_explorer_structure():
    ex = W.matrix_explorer()
    assert isinstance(ex, ipywidgets.VBox)
    assert "dlcourse-matrix-explorer" in ex._dom_classes
    assert set(ex.controls) == {"m11", "m12", "m21", "m22"}
    for name, box in ex.controls.items():
        assert isinstance(box, ipywidgets.FloatText)
        assert f"dlcourse-{name}" in box._dom_classes
    np.testing.assert_allclose(ex.state["matrix"], [[1.0, 0.5], [0.0, 1.0]])
    assert ex.figure is not None  # drawn at construction


def test_matrix_explorer_determinant_and_redraw():
    ex = W.matrix_explorer()
    before_fig, before_pixels = ex.figure, rendered(ex.figure)
    set_matrix(ex, [[2, 0], [0, 3]])
    assert ex.state["determinant"] == pytest.approx(6.0)
    np.testing.assert_allclose(ex.state["matrix"], [[2, 0], [0, 3]])
    assert sorted(np.real(ex.state["eigenvalues"])) == pytest.approx([2, 3])
    assert ex.state["real_eigenvectors"] is True
    assert ex.figure is not before_fig
    assert rendered(ex.figure) != before_pixels
    # the transformed unit square is the 2 x 3 rectangle: area = det
    square = artists(ex.figure, "unit-square-after")[0].get_xy()
    assert square[:, 0].max() == pytest.approx(2.0) and square[:, 1].max() == pytest.approx(3.0)
    assert len(artists(ex.figure, "eigenvector")) == 2


def test_rotation_has_no_real_eigenvectors_and_none_are_drawn():
    ex = W.matrix_explorer(((2.0, 1.0), (1.0, 2.0)))
    assert len(artists(ex.figure, "eigenvector")) == 2
    set_matrix(ex, [[0, -1], [1, 0]])
    assert ex.state["real_eigenvectors"] is False
    assert np.iscomplexobj(ex.state["eigenvalues"])
    assert ex.state["determinant"] == pytest.approx(1.0)
    assert artists(ex.figure, "eigenvector") == []


def test_shear_has_one_eigen_direction():
    ex = W.matrix_explorer(((1.0, 1.0), (0.0, 1.0)))
    assert ex.state["real_eigenvectors"] is True
    assert len(artists(ex.figure, "eigenvector")) == 1


def test_reflection_flips_the_letter():
    ex = W.matrix_explorer(((1.0, 0.0), (0.0, 1.0)))
    set_matrix(ex, [[-1, 0], [0, 1]])
    assert ex.state["determinant"] == pytest.approx(-1.0)
    letter = artists(ex.figure, "letter-after")[0].get_xy()
    np.testing.assert_allclose(letter[: len(W.LETTER_F)], W.LETTER_F * [-1, 1])


def test_preset_sets_all_four_entries_and_redraws_once(monkeypatch):
    ex = W.matrix_explorer()
    drawn = []
    original = linear_algebra._draw_matrix
    monkeypatch.setattr(linear_algebra, "_draw_matrix", lambda *a: drawn.append(a) or original(*a))
    ex.preset.value = "rotation by 90 degrees"
    np.testing.assert_allclose(ex.state["matrix"], [[0, -1], [1, 0]])
    assert [ex.controls[n].value for n in ("m11", "m12", "m21", "m22")] == [0, -1, 1, 0]
    assert len(drawn) == 1  # not once per entry


def test_matrix_explorer_rejects_wrong_shape():
    with pytest.raises(ValueError):
        W.matrix_explorer(((1.0, 2.0, 3.0),))


def test_matrix_explorer_says_why_huge_or_missing_entries_cannot_be_drawn():
    ex = W.matrix_explorer()
    for silly in (1e6, -11.0, float("nan"), float("inf")):
        before = ex.figure
        ex.controls["m12"].value = silly
        assert ex.state["valid"] is False and "between -10 and 10" in ex.state["message"]
        assert ex.figure is not before and ex.figure.axes[0].texts  # a message, not the stale plot
    set_matrix(ex, [[10, -10], [-10, 10]])
    assert ex.state["valid"] and ex.state["determinant"] == 0.0


def test_matrix_explorer_labels_read_as_a_student_expects():
    # an eigenvalue that is 0 up to rounding reads 0, complex ones read a + bi, and nothing reads -0
    assert W.describe_matrix([[1, 2], [0.5, 1]]).endswith("eigenvalues 2, 0")
    assert "eigenvalues 0 + 1i, 0 - 1i" in W.describe_matrix([[0, -1], [1, 0]])
    values, _ = W.eigen_directions([[1, 2], [0.5, 1]])
    assert 0.0 in values
    ex = W.matrix_explorer([[-0.0, 0.0], [0.0, -0.0]])
    assert "-0" not in ex.figure.axes[0].get_title() and "-0" not in W.describe_matrix(ex.state["matrix"])


def test_editing_an_entry_by_hand_resets_the_preset_menu():
    ex = W.matrix_explorer()
    ex.preset.value = "shear"
    assert ex.preset.value == "shear"  # the menu names the matrix shown
    ex.controls["m12"].value = 2.0
    assert ex.preset.value == "choose a preset..."
    ex.preset.value = "shear"  # choosing the same preset again works
    np.testing.assert_allclose(ex.state["matrix"], [[1, 1], [0, 1]])
    assert ex.preset.style.description_width == "initial"  # preset names are not cut off
