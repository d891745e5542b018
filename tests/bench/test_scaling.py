"""bench.scaling: the hand step, its five products and their FLOP count."""

import numpy as np
import pytest

from bench import scaling
from tests.handbp import reference


@pytest.fixture(scope="module")
def small():
    return scaling.problem(5, 7, 3, batch=6)


def test_problem_has_the_asked_shapes_and_one_hot_labels(small):
    assert small.X.shape == (6, 5) and small.Y.shape == (6, 3)
    assert small.W1.shape == (5, 7) and small.W2.shape == (7, 3)
    np.testing.assert_array_equal(small.Y.sum(axis=1), np.ones(6))
    assert set(np.unique(small.Y)) <= {0.0, 1.0}
    assert small.label == "5-7-3"


def test_step_flops_counts_the_five_products():
    """2 m k n per (m x k)(k x n) product: X W1, H W2, H^T O_delta, O_delta W2^T, X^T H_delta."""
    batch, inputs, hidden, outputs = 256, 784, 1024, 10
    products = [
        (batch, inputs, hidden),
        (batch, hidden, outputs),
        (hidden, batch, outputs),
        (batch, outputs, hidden),
        (inputs, batch, hidden),
    ]
    expected = sum(2 * m * k * n for m, k, n in products)
    assert scaling.step_flops(inputs, hidden, outputs, batch=batch) == expected


def test_hand_step_and_notebook_step_equal_plain_python(small):
    """Both steps are W - eta dMSE/dW, with the gradients worked out one weight at a time."""
    dW1, dW2 = reference.gradients(
        *(reference.to_lists(a) for a in (small.X, small.Y, small.W1, small.W2))
    )
    expected = (small.W1 - small.eta * np.array(dW1), small.W2 - small.eta * np.array(dW2))
    steps = (
        scaling.hand_step,
        scaling.hand_step_unchecked,
        scaling.notebook_step,
        lambda p: scaling.tuned_step(p)(),
    )
    for step in (compute(small) for compute in steps):
        np.testing.assert_allclose(step[0], expected[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(step[1], expected[1], rtol=1e-12, atol=1e-15)


def test_five_matmuls_runs_on_the_steps_shapes(small):
    assert scaling.five_matmuls(small)() is None
    assert [size[0] for size in scaling.SIZES] == [64, 784, 784]


def test_measure_reports_each_contender_and_the_floor_share(capsys):
    """``python -m bench.scaling 4 3 2`` prints one JSON row with every contender's figures."""
    import json

    assert scaling.main(["4", "3", "2", "--repeats", "1", "--seconds", "0.001"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["net"] == "4-3-2" and row["batch"] == scaling.BATCH
    assert row["flops"] == scaling.step_flops(4, 3, 2)
    contenders = ("handbp step", "handbp step, unchecked", "notebook step", "tuned NumPy step")
    for name in (*contenders, "five matmuls"):
        assert row[f"{name} ms"] > 0
        assert row[f"{name} GFLOP/s"] == pytest.approx(row["flops"] / row[f"{name} ms"] / 1e6)
        assert row[f"{name} faults"] >= 0
    assert row["floor share"] == pytest.approx(row["five matmuls ms"] / row["handbp step ms"])


def test_tuned_step_keeps_stepping_its_own_weights(small):
    """Two calls are two steps, from the problem's weights, which stay untouched."""
    W1, W2 = small.W1.copy(), small.W2.copy()
    tuned = scaling.tuned_step(small)
    tuned()
    twice = tuned()
    once = scaling.hand_step(small)
    expected = scaling.hand_step(scaling.Problem(small.X, small.Y, *once, small.eta))
    np.testing.assert_allclose(twice[0], expected[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(twice[1], expected[1], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(small.W1, W1)
    np.testing.assert_array_equal(small.W2, W2)
