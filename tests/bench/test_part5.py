"""bench.part5: the pure-Python layers compute what np.dot computes."""

import numpy as np
import pytest

from bench import part5


@pytest.mark.parametrize("size", [1, 4, 13])
def test_contenders_agree(size):
    results = {name: np.array(f()) for name, f in part5.contenders(size).items()}
    assert set(results) == {"handbp.pure.layer_outputs", "plain Python loop (notebook)", "np.dot"}
    for name, result in results.items():
        np.testing.assert_allclose(result, results["np.dot"], rtol=1e-12, atol=1e-12, err_msg=name)


def test_notebook_layer_by_hand():
    """Two examples, two nodes: [1, 2] . [3, 4] = 11, [1, 2] . [5, 6] = 17, ..."""
    outputs = part5.notebook_layer_outputs([[1.0, 2.0], [0.5, -1.0]], [[3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_allclose(outputs, [[11.0, 17.0], [-2.5, -3.5]])


def test_sizes_are_the_series_range():
    assert min(part5.SIZES) == 10 and max(part5.SIZES) == 400
    assert set(part5.QUICK_SIZES) <= set(part5.SIZES)
