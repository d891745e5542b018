"""verify.setups: the series' net and random nets that every check runs on."""

import numpy as np
import pytest

from verify import setups


def test_series_setup_is_part_13s_net():
    """Three flowers (rows 1, 51, 101), np.random.seed(10) weights drawn W1 then W2, eta 0.1."""
    s = setups.series_setup()
    np.testing.assert_array_equal(
        s.X, [[4.9, 3.0, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [5.8, 2.7, 5.1, 1.9]]
    )
    np.testing.assert_array_equal(s.Y, np.eye(3))
    legacy = np.random.RandomState(10)  # what the series' np.random.seed(10) gives
    np.testing.assert_array_equal(s.W1, legacy.normal(scale=0.5, size=(4, 2)))
    np.testing.assert_array_equal(s.W2, legacy.normal(scale=0.5, size=(2, 3)))
    assert s.eta == 0.1
    assert (s.N, s.examples, s.sizes, s.shape_key) == (9, 3, (4, 2, 3), (3, 4, 2, 3))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_setup_has_the_asked_shapes_and_dtype_and_one_hot_labels(dtype):
    s = setups.random_setup((5, 4, 6), examples=7, seed=3, dtype=dtype)
    assert s.X.shape == (7, 5) and s.W1.shape == (5, 4) and s.W2.shape == (4, 6)
    assert s.Y.shape == (7, 6)
    assert {a.dtype for a in (s.X, s.Y, s.W1, s.W2)} == {np.dtype(dtype)}
    np.testing.assert_array_equal(s.Y.sum(axis=1), 1)
    assert set(np.unique(s.Y)) <= {0, 1}
    assert s.name == "random 5-4-6, 7 examples, seed 3"


def test_random_setup_is_reproducible_and_seed_dependent():
    a, b = setups.random_setup(seed=1), setups.random_setup(seed=1)
    c = setups.random_setup(seed=2)
    np.testing.assert_array_equal(a.W1, b.W1)
    assert not np.array_equal(a.W1, c.W1)


def test_float32_random_setup_is_the_float64_one_rounded_once():
    s64 = setups.random_setup(seed=5, dtype="float64")
    s32 = setups.random_setup(seed=5, dtype="float32")
    np.testing.assert_array_equal(s32.X, s64.X.astype(np.float32))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4-2-3", [(4, 2, 3)]), ("4-2-3,8-16-5", [(4, 2, 3), (8, 16, 5)]), (" 1-1-1 ", [(1, 1, 1)])],
)
def test_parse_sizes(text, expected):
    assert setups.parse_sizes(text) == expected


@pytest.mark.parametrize("text", ["4-2", "4-0-3", "a-b-c", "4-2-3,", "4x2x3"])
def test_parse_sizes_names_the_bad_item(text):
    with pytest.raises(ValueError, match="inputs-hidden-outputs"):
        setups.parse_sizes(text)


def test_setup_refuses_arrays_that_do_not_fit_one_net():
    s = setups.series_setup()
    with pytest.raises(ValueError, match=r"W2.shape\[0\] is 3 but W1.shape\[1\] is 2"):
        setups.Setup("bad", s.X, s.Y, s.W1, s.W2.T)
    with pytest.raises(TypeError, match="NumPy array"):
        setups.Setup("bad", s.X.tolist(), s.Y, s.W1, s.W2)


def test_random_setup_refuses_bad_sizes_and_scales():
    with pytest.raises(ValueError, match="three layer widths"):
        setups.random_setup((4, 2))
    with pytest.raises(ValueError, match="weight_scale"):
        setups.random_setup(weight_scale=0.0)
