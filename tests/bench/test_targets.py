"""bench.targets: the issues' targets are computed from a run's rows."""

import pytest

from bench import digits
from bench.targets import digits_targets


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
            "handbp_minus_sklearn": {"mean": 0.005, "standard_error": 0.0021},
            "rows": [
                row(digits.HANDBP, 0.8, 0.965),
                row(digits.SKLEARN, 2.0, 0.960),
                row(digits.TORCH, 4.0, 0.955),
            ],
        }
    }
    accuracy, sklearn, torch = digits_targets(results)
    assert accuracy["met"] and accuracy["measured"] == pytest.approx(0.005)
    assert "3 seeds" in accuracy["target"] and "standard error 0.0021" in accuracy["target"]
    assert sklearn["met"] and sklearn["measured"] == pytest.approx(0.4)
    assert torch["met"] and torch["measured"] == pytest.approx(0.2)
