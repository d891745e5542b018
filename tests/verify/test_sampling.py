"""verify.sampling: which entries of a large quantity are checked one at a time."""

import numpy as np
import pytest

from verify import sampling
from verify.sampling import Sample, corners, entries_for, grid_sample, sample_entries


def _magnitude(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def test_a_small_array_keeps_every_entry_in_order():
    sample = sample_entries("W1", _magnitude((5, 4)))
    assert sample.complete and sample.size == sample.total == 20
    np.testing.assert_array_equal(sample.flat, np.arange(20))
    assert sample.describe() == "all 20 entries"


@pytest.mark.parametrize("shape", [(64, 64), (300,), (9, 10, 11)])
def test_a_large_sample_holds_the_corners_then_the_largest_entries(shape):
    magnitude = _magnitude(shape)
    sample = sample_entries("W1", magnitude)
    assert sample.size == sampling.SAMPLE_SIZE < sample.total
    assert len(set(sample.flat.tolist())) == sample.size  # no entry twice
    ends = corners(shape)
    assert sample.flat[: len(ends)].tolist() == ends
    largest = np.argsort(-np.abs(magnitude), axis=None)[: sampling.LARGEST]
    assert set(largest.tolist()) <= set(sample.flat[: len(ends) + sampling.LARGEST].tolist())
    assert sample.describe() == f"{sampling.SAMPLE_SIZE} of {sample.total} entries"


def test_corners_are_the_ends_of_every_axis_once():
    assert corners((3, 4)) == [0, 3, 8, 11]
    assert corners((1, 5)) == [0, 4]
    assert corners((1, 1)) == [0]
    assert len(corners((2, 3, 4))) == 8


def test_a_sample_is_reproducible_and_seeded_by_its_name():
    magnitude = _magnitude((40, 40))
    first, again = sample_entries("W1", magnitude), sample_entries("W1", magnitude)
    np.testing.assert_array_equal(first.flat, again.flat)
    other = sample_entries("W2", magnitude)
    assert first.flat.tolist() != other.flat.tolist()
    head = len(corners((40, 40))) + sampling.LARGEST
    assert first.flat[:head].tolist() == other.flat[:head].tolist()  # same corners, largest


def test_a_prefix_of_a_sample_still_holds_its_corners_and_largest():
    magnitude = _magnitude((50, 50))
    sample = sample_entries("W1", magnitude)
    head = sample.first(sampling.MIN_ENTRIES)
    assert head.size == sampling.MIN_ENTRIES and not head.complete
    assert set(corners((50, 50))) <= set(head.flat.tolist())
    assert int(np.argmax(np.abs(magnitude))) in head.flat.tolist()


def test_take_fill_and_indices_agree():
    array = np.arange(300.0).reshape(20, 15)
    sample = Sample("x", (20, 15), np.array([0, 14, 299, 42]))
    np.testing.assert_array_equal(sample.take(array), [0.0, 14.0, 299.0, 42.0])
    assert sample.indices() == [(0, 0), (0, 14), (19, 14), (2, 12)]
    filled = sample.fill(sample.take(array))
    assert filled.shape == (20, 15) and np.count_nonzero(np.isnan(filled)) == 300 - 4
    assert filled[2, 12] == pytest.approx(42.0)
    document = sample.as_dict()
    assert document["checked"] == 4 and document["of"] == 300
    assert document["indices"][2] == [19, 14]


def test_a_grid_sample_is_whole_rows_and_columns_with_the_largest_entry():
    magnitude = _magnitude((100, 40))
    sample = grid_sample("layer", magnitude)
    rows = {i for i, _ in sample.indices()}
    columns = {j for _, j in sample.indices()}
    assert len(rows) == len(columns) == sampling.GRID_SIDE
    assert sample.size == sampling.GRID_SIDE**2
    assert {0, 99} <= rows and {0, 39} <= columns
    assert int(np.argmax(np.abs(magnitude))) in sample.flat.tolist()
    assert grid_sample("layer", _magnitude((7, 4))).complete


def test_dearer_forms_take_fewer_entries_within_bounds():
    assert entries_for(1) == sampling.SAMPLE_SIZE
    assert entries_for(64 * 64) == sampling.MIN_ENTRIES
    assert entries_for(1000) == sampling.TERM_BUDGET // 1000
