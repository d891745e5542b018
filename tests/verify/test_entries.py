"""verify.entries: what a reference is, and the pieces the table's entries share."""

import numpy as np
import pytest

from verify import entries
from verify.sampling import Sample


def test_components_accepts_objects_mappings_and_sequences():
    arrays = [np.zeros(1), np.ones(1)]
    names = ("a", "b")
    assert entries.components(dict(zip(names, arrays, strict=True)), names, "r")["b"] is arrays[1]
    assert entries.components(arrays, names, "r")["a"] is arrays[0]
    with pytest.raises(TypeError, match=r"missing \['b'\] \(its keys: 'a', 'B'\)"):
        entries.components({"a": 1, "B": 2}, names, "r")
    with pytest.raises(TypeError, match="sequence of 2 arrays; got int"):
        entries.components(42, names, "r")
    with pytest.raises(TypeError, match="sequence of 2 arrays; got a tuple of 3 items"):
        entries.components((1, 2, 3), names, "r")


def test_values_at_a_samples_entries_fill_the_whole_shape():
    sample = Sample("x", (20, 15), np.array([0, 299, 42]))
    filled = entries.at_entries(sample, [1.0, 2.0, 3.0])
    assert filled.shape == (20, 15) and np.count_nonzero(~np.isnan(filled)) == 3
    np.testing.assert_allclose(filled[19, 14], 2.0)
    complete = Sample("x", (2, 2), np.arange(4))
    np.testing.assert_array_equal(entries.at_entries(complete, [1, 2, 3, 4]), [[1, 2], [3, 4]])


def test_values_that_are_not_one_number_per_entry_come_back_as_they_came():
    sample = Sample("x", (20, 15), np.array([0, 299]))
    odd = entries.at_entries(sample, [None, None])
    assert odd.dtype == object and odd.shape == (2,)
    pair = entries.at_entries(sample, [[1.0, 2.0], [3.0, 4.0]])
    assert pair.shape == (2, 2)
