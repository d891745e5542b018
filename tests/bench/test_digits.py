"""bench.digits: the four trainers run the same setting and learn the digits."""

import pytest

from bench import digits
from bench.run import digits_targets


@pytest.fixture(scope="module")
def split():
    return digits.digits_split()


def test_the_split_is_the_stratified_one(split):
    assert split.X_train.shape == (1438, 64) and split.X_test.shape == (359, 64)
    assert split.Y_train.shape == (1438, 10)


@pytest.mark.parametrize("name", list(digits.CONTENDERS))
def test_every_trainer_learns_in_three_epochs(split, name):
    assert digits.CONTENDERS[name](split, 0, 3) > 0.6


def test_jax_trains_handbps_run(split):
    # same initial weights, same batches, same Adam: the same test accuracy
    assert digits.jax_run(split, 1, 4) == digits.handbp_run(split, 1, 4)


def test_sklearn_is_made_to_run_every_epoch(split):
    digits.sklearn_run(split, 0, 2)  # raises unless n_iter_ == 2


def test_the_targets_are_computed_from_the_rows():
    def row(name, seconds, accuracy):
        return {
            "name": name,
            "median_s": seconds,
            "ratio": seconds / 2.0,
            "mean_accuracy": accuracy,
        }

    results = {
        "digits": {
            "seeds": [0, 1, 2],
            "rows": [
                row(digits.HANDBP, 0.8, 0.965),
                row(digits.SKLEARN, 2.0, 0.960),
                row(digits.TORCH, 4.0, 0.955),
            ],
        }
    }
    accuracy, sklearn, torch = digits_targets(results)
    assert accuracy["met"] and accuracy["measured"] == pytest.approx(0.005)
    assert "3 seeds" in accuracy["target"]
    assert sklearn["met"] and sklearn["measured"] == pytest.approx(0.4)
    assert torch["met"] and torch["measured"] == pytest.approx(0.2)
