"""handbp.training.files: weights saved to .npz and read back, checked, never unpickled."""

import numpy as np
import pytest

from handbp import network, training


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_saved_weights_load_back_exactly(tmp_path, dtype):
    weights = network.initial_weights(3, n_hidden=6, dtype=dtype)
    path = tmp_path / "weights.npz"
    training.save_weights(path, weights, {"split_seed": 7, "eta": 0.1, "variant": "uci"})
    loaded = training.load_weights(path)
    np.testing.assert_array_equal(loaded.weights.W1, weights.W1)
    np.testing.assert_array_equal(loaded.weights.W2, weights.W2)
    assert loaded.weights.W1.dtype == dtype
    assert loaded.metadata == {"split_seed": 7, "eta": 0.1, "variant": "uci"}


def write_npz(path, **arrays):
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    return path


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"W1": np.zeros((4, 2))}, "lacks W2"),
        ({"W1": np.zeros(4), "W2": np.zeros((2, 3))}, "weights file .*: W1 must be a matrix"),
        (
            {"W1": np.zeros((4, 2)), "W2": np.zeros((3, 3))},
            r"W2.shape\[0\] is 3 but W1.shape\[1\] is 2",
        ),
        ({"W1": np.full((4, 2), np.nan), "W2": np.zeros((2, 3))}, "must be finite"),
        ({"W1": np.zeros((4, 2), int), "W2": np.zeros((2, 3), int)}, "float32 or float64"),
        ({"W1": np.zeros((4, 2), np.float32), "W2": np.zeros((2, 3))}, "share one float dtype"),
        ({"W1": np.zeros((4, 2)), "W2": np.zeros((2, 3)), "note": np.zeros(3)}, "must be a scalar"),
    ],
)
def test_bad_weight_files_are_refused_clearly(tmp_path, arrays, message):
    path = write_npz(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=message):
        training.load_weights(path)


def test_weight_files_needing_pickle_or_not_npz_are_refused(tmp_path):
    pickled = tmp_path / "pickled.npz"
    with open(pickled, "wb") as file:
        np.savez(file, W1=np.array([{"a": 1}], dtype=object), W2=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="only pickle can read"):
        training.load_weights(pickled)
    text = tmp_path / "weights.npz"
    text.write_text("not an archive")
    with pytest.raises(ValueError, match="cannot read weights file"):
        training.load_weights(text)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"single \.npy array"):
        training.load_weights(single)
    with pytest.raises(ValueError, match="cannot read"):
        training.load_weights(tmp_path / "missing.npz")
