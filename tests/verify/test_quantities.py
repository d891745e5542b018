"""verify.quantities: the backprop quantities and the gradients they are."""

from handbp import network
from handbp.equations import CATALOGUE
from verify.quantities import BACKPROP, BACKPROP_IDS, FORWARD_IDS


def test_the_quantities_are_handbps_passes_in_order():
    assert BACKPROP_IDS == tuple(network.Backward.__dataclass_fields__)
    assert FORWARD_IDS == tuple(network.Forward.__dataclass_fields__)
    assert all(i in CATALOGUE for i in (*BACKPROP_IDS, *FORWARD_IDS))


def test_errors_and_deltas_are_n_times_a_gradient_and_updates_a_gradient():
    assert BACKPROP["hidden_layer_delta"].quantity == "N dMSE/dH_in"
    assert BACKPROP["weights_1_update"].quantity == "dMSE/dW1"
    assert [g.times_n for g in BACKPROP.values()] == [True, True, False, True, True, False]
