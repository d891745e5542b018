"""verify.jaxnet: the independent JAX side, checked against hand algebra and handbp."""

import math

import numpy as np
import pytest

from handbp import network
from handbp.equations import CATALOGUE
from verify import executables, jaxnet, rounding
from verify._jax import jax
from verify.hand import hand_pass
from verify.jaxnet import GRADIENT_WRT
from verify.report import run_reference
from verify.rounding import jax_results
from verify.setups import Setup, random_setup, series_setup

METHODS = ("reverse", "forward", "finite_differences")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("make", [series_setup, lambda dtype: random_setup(dtype=dtype)])
def test_the_jax_forward_pass_equals_handbps_feedforward(make, dtype):
    setup = make(dtype)
    jr = jax_results(hand_pass(setup))
    ours = network.feedforward(setup.X, setup.W1, setup.W2)
    rtol = 1e-14 if dtype == "float64" else 1e-6
    for name, value in zip(
        ("H_in", "H_out", "O_in", "O_out"), ours.as_dict().values(), strict=True
    ):
        assert jr[f"forward.{name}"].dtype == np.dtype(dtype)
        np.testing.assert_allclose(jr[f"forward.{name}"], value, rtol=rtol, atol=rtol)


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_gradients_of_a_one_weight_net_match_the_chain_rule_by_hand():
    """1-1-1 net, one example: MSE = (o - y)^2 / 2 with o = s(h w2), h = s(x w1), N = 1.

    By hand: dMSE/do = o - y, dMSE/d(o_in) = (o - y) o (1 - o), dMSE/dw2 = that times h,
    dMSE/dh = that times w2, dMSE/d(h_in) = dMSE/dh h (1 - h), dMSE/dw1 = that times x.
    """
    x, y, w1, w2 = 0.7, 1.0, -1.3, 0.9
    h = _sigmoid(x * w1)
    o = _sigmoid(h * w2)
    d_o = o - y
    d_o_in = d_o * o * (1 - o)
    d_h = d_o_in * w2
    d_h_in = d_h * h * (1 - h)
    expected = {"O_out": d_o, "O_in": d_o_in, "W2": d_o_in * h, "H_out": d_h, "H_in": d_h_in}
    expected["W1"] = d_h_in * x
    setup = Setup("1-1-1", np.array([[x]]), np.array([[y]]), np.array([[w1]]), np.array([[w2]]))
    jr = jax_results(hand_pass(setup))
    for method in METHODS:
        rtol = 1e-13 if method != "finite_differences" else 1e-8
        for name in GRADIENT_WRT:
            np.testing.assert_allclose(
                jr.gradient(name, method), [[expected[name]]], rtol=rtol, err_msg=method
            )


def test_one_variable_derivatives_match_their_formulas():
    setup = random_setup(seed=4)
    hand = hand_pass(setup)
    jr = jax_results(hand)
    x = hand.x
    s = 1 / (1 + np.exp(-x))
    q = 1 / (1 + np.exp(-x * x))
    for key, rtol, atol in (("rev", 1e-14, 1e-15), ("fwd", 1e-14, 1e-15), ("fd", 1e-7, 1e-9)):
        np.testing.assert_allclose(jr[f"{key}.dsigmoid"], s * (1 - s), rtol=rtol, atol=atol)
        np.testing.assert_allclose(jr[f"{key}.dsquare"], 2 * x, rtol=rtol, atol=atol)
        np.testing.assert_allclose(jr[f"{key}.dchain"], q * (1 - q) * 2 * x, rtol=rtol, atol=atol)


def test_do_in_dw2_is_the_corresponding_hidden_output_for_every_k():
    setup = random_setup(seed=2)
    hand = hand_pass(setup)
    jr = jax_results(hand)
    H_out = hand.forward.hidden_layer_outputs
    expected = np.repeat(H_out[:, :, None], setup.sizes[2], axis=2)
    for key in ("rev", "fwd"):
        np.testing.assert_array_equal(jr[f"{key}.do_in_dw2"], expected)
    np.testing.assert_allclose(jr["fd.do_in_dw2"], expected, rtol=1e-9)


def test_jax_traces_and_compiles_once_per_shape_and_dtype(monkeypatch):
    """Three nets of one shape, then one of another: two traces (verify.executables keeps
    each compiled program under its shapes and dtypes)."""
    traces = []

    def counted(a):
        traces.append(a["X"].shape)
        return jaxnet.reference_arrays.__wrapped__(a)

    monkeypatch.setattr(rounding, "reference_arrays", jax.jit(counted))
    executables.forget()
    for seed in (11, 12, 13):
        jax_results(hand_pass(random_setup((2, 3, 2), examples=5, seed=seed)))
    jax_results(hand_pass(random_setup((2, 3, 2), examples=6, seed=14)))
    executables.forget()  # the counted programs are this test's own
    assert traces == [(5, 2), (6, 2)]


@pytest.fixture
def retraced():
    """A test that changes how the references are computed: compile afresh, before and after."""
    jaxnet.reference_arrays.clear_cache()  # jit's traces, which .trace() reuses too
    executables.forget()
    yield
    jaxnet.reference_arrays.clear_cache()
    executables.forget()


def test_a_wrong_finite_difference_reference_is_caught_on_a_large_net(monkeypatch, retraced):
    right = jaxnet.quotients

    def twice(values, taken):
        difference, error = right(values, taken)
        return 2 * difference, error

    monkeypatch.setattr(jaxnet, "quotients", twice)
    setup = random_setup((21, 24, 12), examples=24, seed=5)
    hand = hand_pass(setup)
    jr = jax_results(hand)
    for equation_id in ("weights_1_update", "dmse_dw1_scalar", "hidden_layer_delta"):
        check = run_reference(equation_id, CATALOGUE[equation_id].function, hand, jr)
        methods = check.methods
        assert not methods["finite_differences"].passed, equation_id
        assert methods["reverse"].passed and methods["forward"].passed, equation_id
    assert hand.weight_sample("W1").size < setup.W1.size  # the weights were sampled


def test_forward_mode_and_differences_of_the_weights_are_computed_at_the_sample_only():
    setup = random_setup((21, 24, 12), examples=24, seed=6)
    hand = hand_pass(setup)
    jr = jax_results(hand)
    sample = hand.weight_sample("W1")
    for key, atol in (("fwd", 1e-15), ("fd", 1e-10)):
        computed = ~np.isnan(jr[f"{key}.W1"])
        assert np.count_nonzero(computed) == sample.size
        np.testing.assert_allclose(
            sample.take(jr[f"{key}.W1"]), sample.take(jr["rev.W1"]), rtol=1e-6, atol=atol
        )
    assert not np.any(np.isnan(jr["rev.W1"]))
