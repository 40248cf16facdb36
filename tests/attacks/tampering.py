"""Editing test cells and nbgrader metadata in the submitted notebook."""

from . import ALL_PARTS, RIGHT_AFFINE, WRONG_AFFINE, Attack, Context, cell_of, notebook_file, with_cell

AFFINE_0 = frozenset({"test_affine"})


def edited(change, affine: str = WRONG_AFFINE):
    """A builder: the reference with a wrong (or right) affine, then ``change(nb)`` applied."""
    def build(ctx: Context) -> dict[str, bytes]:
        nb = with_cell(ctx, "affine", affine)
        change(nb)
        return notebook_file(nb)
    return build


def set_source(grade_id, source):
    def change(nb):
        cell_of(nb, grade_id).source = source
    return change


def delete_cell(nb):
    nb.cells.remove(cell_of(nb, "test_affine"))


def strip_metadata(nb):
    cell = cell_of(nb, "test_affine")
    cell.metadata.pop("nbgrader")
    cell.source = "pass"


def meta(cell_id, **values):
    def change(nb):
        cell_of(nb, cell_id).metadata.nbgrader.update(values)
    return change


def duplicate_test(nb):
    """A second copy of test_numeric_gradient with test_affine's id (a test that affine never meets)."""
    import copy

    twin = copy.deepcopy(cell_of(nb, "test_numeric_gradient"))
    index = nb.cells.index(cell_of(nb, "test_affine"))
    nb.cells.remove(cell_of(nb, "test_affine"))
    twin.metadata.nbgrader["grade_id"] = "test_affine"
    twin.metadata.nbgrader["points"] = 2
    twin.pop("id", None)
    nb.cells.insert(index, twin)


ATTACKS = [
    Attack("test-cell-pass", "replaces test_affine's source with `pass`",
           "nbgrader restores locked cells from the gradebook (overwrite_cells)",
           edited(set_source("test_affine", "pass")), zero=AFFINE_0),
    Attack("test-cell-replaced", "replaces test_affine with a different passing test (a copy of another test "
           "cell, under test_affine's id)", "nbgrader restores locked cells by grade id",
           edited(duplicate_test), zero=AFFINE_0),
    Attack("test-cell-deleted", "deletes the graded cell test_affine", "nbgrader scores a missing graded cell 0",
           edited(delete_cell), zero=AFFINE_0),
    Attack("test-metadata-stripped", "removes test_affine's nbgrader metadata (and empties it)",
           "nbgrader scores a graded cell it cannot find 0", edited(strip_metadata), zero=AFFINE_0),
    Attack("points-100", "raises test_affine's points to 100 (correct affine)",
           "nbgrader takes points from the gradebook; max_score stays 2",
           edited(meta("test_affine", points=100), RIGHT_AFFINE)),
    Attack("grade-id-changed", "renames test_affine's grade_id to test_bonus",
           "nbgrader rejects the notebook (cell checksums/metadata); status failed with the reason",
           edited(meta("test_affine", grade_id="test_bonus")), zero=ALL_PARTS, status="failed",
           reason="metadata may be corrupted"),
    Attack("solution-marked-graded", "marks the affine solution cell as graded with 10 points (correct affine)",
           "nbgrader rejects the notebook; status failed (no extra points)",
           edited(meta("affine", grade=True, points=10), RIGHT_AFFINE), zero=ALL_PARTS, status="failed",
           reason="nbgrader could not grade"),
    Attack("test-unlocked", "unlocks test_affine and turns it into a solution cell that passes",
           "nbgrader detects the changed locked cell; status failed with the reason",
           edited(lambda nb: (meta("test_affine", locked=False, solution=True)(nb),
                              set_source("test_affine", "pass")(nb))), zero=ALL_PARTS, status="failed",
           reason="Inconsistent checksums for cell test_affine"),
]
