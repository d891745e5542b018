"""Properties over many nets (hypothesis): hand and JAX agree; wrong code is always caught.

Nets: 1-64 examples, layer widths 1-16, weight scales from 1e-3 (tiny) to 30
(saturating), float64 and float32. The default run draws its shapes from
``verify.strategies.CI_SHAPES`` (JAX compiles once per shape) and a few examples per test;
the tests marked slow draw any shape, many times.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handbp import network
from handbp.equations import CATALOGUE
from verify import check_backprop, strategies
from verify.references import REFERENCES
from verify.report import prepare, run_reference

# OpenBLAS's float32 matrix-vector kernels now and then raise the FPU's "invalid" flag on
# finite inputs (a rare, memory-dependent false alarm; the results are finite), which NumPy
# reports as this warning from handbp's matmuls. A real NaN would still fail these tests:
# every comparison fails on a value that is not finite.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in matmul:RuntimeWarning")


def _every_equation_agrees(setup):
    """Every catalogue entry's hand value is within the documented tolerances of JAX's."""
    hand, results = prepare(setup)
    for equation_id in REFERENCES:
        check = run_reference(equation_id, CATALOGUE[equation_id].function, hand, results)
        assert check.passed, check.table()


def _twice_the_w1_update(X, Y, W2, forward):
    backward = network.backpropagation(X, Y, W2, forward).as_dict()
    backward["weights_1_update"] = 2 * backward["weights_1_update"]
    return backward


def _correct_is_never_diagnosed_and_a_factor_2_always_caught(setup):
    report = check_backprop(network.backpropagation, nets=[setup])
    assert report.passed and all(q.diagnosis is None for q in report.quantities.values())
    wrong = check_backprop(_twice_the_w1_update, nets=[setup])
    assert wrong.first_failure.id == "weights_1_update"
    assert wrong.first_failure.mistake in ("factor_2", "examples_instead_of_N")


# Weights that do not saturate every sigmoid: there a factor 2 on a gradient below its own
# rounding noise cannot be seen, in any dtype (docs/verify.md).
UNSATURATED = strategies.scales(1e-3, 3.0)


@strategies.CI
@given(strategies.networks())
def test_hand_and_jax_agree_on_every_equation(setup):
    """On drawn nets (tiny to saturating weights); the fixed nets' claim is test_report's."""
    _every_equation_agrees(setup)


@strategies.CI
@given(strategies.networks(weight_scale=UNSATURATED))
def test_correct_backprop_passes_and_a_wrong_one_is_caught(setup):
    _correct_is_never_diagnosed_and_a_factor_2_always_caught(setup)


@strategies.CI
@given(strategies.networks(weight_scale=st.just(30.0), dtype="float32"))
def test_saturated_float32_nets_neither_fail_a_correct_backprop_by_accident(setup):
    report = check_backprop(network.backpropagation, nets=[setup])
    assert report.passed, str(report)


@pytest.mark.slow
@strategies.SLOW
@given(strategies.networks(shapes=strategies.shapes()))
def test_hand_and_jax_agree_on_every_equation_of_any_net(setup):
    _every_equation_agrees(setup)


@pytest.mark.slow
@strategies.SLOW
@given(strategies.networks(shapes=strategies.shapes(), weight_scale=UNSATURATED))
def test_correct_backprop_passes_and_a_wrong_one_is_caught_on_any_net(setup):
    _correct_is_never_diagnosed_and_a_factor_2_always_caught(setup)
