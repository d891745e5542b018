"""verify.rounding: JAX's results on a net, and the magnitudes that bound rounding."""

import numpy as np

from handbp.equations import CATALOGUE
from verify.hand import hand_pass
from verify.quantities import BACKPROP_IDS
from verify.rounding import jax_results
from verify.setups import random_setup, series_setup


def test_gradients_of_errors_and_deltas_are_n_times_the_hand_quantities():
    """SERIES.md: O_error / N = dMSE/dO_out, ..., H_delta / N = dMSE/dH_in."""
    setup = series_setup()
    hand = hand_pass(setup)
    jr = jax_results(hand)
    backward = hand.backward.as_dict()
    for eq_id in BACKPROP_IDS:
        target = jr.gradient_target(eq_id, "reverse")
        np.testing.assert_allclose(target.value, backward[eq_id], rtol=1e-13, atol=1e-17)


def test_magnitudes_bound_every_quantity():
    """M (the rounding bound / eps) is at least the quantity itself, elementwise."""
    setup = random_setup(seed=7, weight_scale=3.0)
    hand = hand_pass(setup)
    m = jax_results(hand).magnitudes
    values = {**hand.forward.as_dict(), **hand.backward.as_dict()}
    for eq_id, value in values.items():
        symbol = CATALOGUE[eq_id].symbol
        assert np.all(m[symbol] >= np.abs(value) * (1 - 1e-12)), eq_id
