"""verify.net_diagnose (with net_context, net_factors): naming a wrong quantity of a general
net's backward, and the structural account when no named mistake matches. The corpus
(tests/verify/corpus/nets.py) holds three or more cases per named kind; these are the
accounts and the pieces."""

import numpy as np
import pytest

from handbp.nn import Net, NetBackward
from tests.verify.corpus.nets import BCE, MSE, STEPS, backward
from verify.net_check import check_net
from verify.net_context import constant_words


def _report(hook_or_function, spec=MSE, dtype="float64", **hooks):
    def wrong(net, X, Y, params, forward):
        return backward(net, X, Y, params, forward, **hooks)

    return check_net(hook_or_function or wrong, Net(*spec), dtype)


@pytest.mark.parametrize(
    ("c", "mistake"),
    [
        (1.0, None),
        (-1.0, "sign_flip"),
        (2.0, "factor_2"),
        (12.0, "factor_N"),
        (1 / 12, "factor_1/N"),
        (1 / 4, "averaged_instead_of_summed"),
        (3.0, "examples_instead_of_N"),
        (0.37, "constant_factor"),
    ],
)
def test_constants_are_named_by_what_they_are_on_the_net(c, mistake):
    named = constant_words(c, N=12, e=4)
    assert (named[0] if named else None) == mistake


def test_when_n_counts_examples_a_mean_and_a_second_1_over_n_are_one_account():
    mistake, words = constant_words(1 / 5, N=5, e=5)
    assert mistake == "factor_1/N" and "averaged over the examples" in words


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_an_unknown_activation_factor_is_compared_with_the_right_one_at_the_worst_points(dtype):
    def delta(s):
        return s.E * (s.A > 0.3) if s.name == "sigmoid" else STEPS["delta"](s)

    report = _report(None, MSE, dtype, delta=delta)
    assert report.mistake == "unknown" and report.first_failure.name == "D2"
    assert "activation-derivative factor (delta / error) at s = " in report.diagnosis
    assert "s (1 - s) = " in report.diagnosis


def test_a_factor_that_depends_only_on_the_node_is_said_as_such():
    def weights(s):
        right = s.A_prev.T @ s.D / s.N
        return right * np.arange(1, right.shape[1] + 1) if s.l == 2 else right

    report = _report(None, MSE, weights=weights)
    assert report.mistake == "unknown" and report.first_failure.name == "dW2"
    assert "depends only on the column (node): 1, 2, 3, 4" in report.diagnosis


def test_an_error_that_is_no_product_with_the_delta_says_so():
    def error_back(s):
        return s.D @ s.W.T + np.sin(np.arange(s.W.shape[0]) + s.D[:, :1])

    report = _report(None, MSE, error_back=error_back)
    assert report.first_failure.name == "E1" and report.mistake == "unknown"
    assert "E_1 is not D_2 times any weights W^T" in report.diagnosis


def test_bias_gradients_with_an_extra_axis_are_right_values_in_the_wrong_shape():
    def keepdims(net, X, Y, params, forward):
        b = backward(net, X, Y, params, forward)
        biases = tuple(db[None, :] for db in b.bias_l_update)
        return NetBackward(b.layer_l_error, b.layer_l_delta, b.weights_l_update, biases)

    report = _report(keepdims)
    assert (
        report.mistake == "shape_mismatch"
        and "the right values in shape (1, 4)" in report.diagnosis
    )


def test_a_staged_output_error_that_is_the_fused_delta_keeps_the_derivative():
    def staged(net, X, Y, params, forward):
        b = backward(
            net, X, Y, params, forward, fused_delta=lambda s: (s.A - s.Y) * s.A * (1 - s.A)
        )
        errors = (*b.layer_l_error[:-1], forward.layer_l_outputs[-1] - Y)
        return NetBackward(errors, b.layer_l_delta, b.weights_l_update, b.bias_l_update)

    report = _report(staged, BCE)
    assert report.first_failure.name == "E3" and report.mistake == "derivative_kept"


def test_a_changed_forward_output_used_in_a_gradient_is_said_as_changed_in_place():
    def early(net, X, Y, params, forward):
        forward.layer_l_outputs[0][...] *= 3.0  # changed before the pass: dW_2 uses it
        return backward(net, X, Y, params, forward)

    report = _report(early)
    assert report.first_failure.name == "dW2"
    assert (
        report.mistake == "mutated_in_place"
        and "after your code changed it in place" in report.diagnosis
    )
    assert any("forward.layer_l_outputs[0] in place" in n for n in report.notes)


SQUARE = ((3, 4, 4, 4), ("tanh", "tanh", "sigmoid"), "mse", True)


def test_a_leaky_relu_with_another_slope_is_fitted_on_each_side_of_the_kink():
    def delta(s):
        return s.E * np.where(s.A > 0, 1, 0.1) if s.name == "leaky_relu" else STEPS["delta"](s)

    report = _report(None, MSE, "float32", delta=delta)
    assert report.mistake == "wrong_derivative"
    assert "is 1 where s > 0 and 0.1 elsewhere" in report.diagnosis


def test_a_gradient_from_another_layers_delta_is_the_wrong_layer():
    def wrong(net, X, Y, params, forward):
        b = backward(net, X, Y, params, forward)
        dW2 = forward.layer_l_outputs[0].T @ b.layer_l_delta[2] / Y.size
        dWs = (b.weights_l_update[0], dW2, b.weights_l_update[2])
        return NetBackward(b.layer_l_error, b.layer_l_delta, dWs, b.bias_l_update)

    report = _report(wrong, SQUARE)
    assert report.mistake == "wrong_layer" and "uses D_3 instead of D_2" in report.diagnosis


def test_one_buffer_for_every_delta_is_a_change_in_place():
    def wrong(net, X, Y, params, forward):
        b = backward(net, X, Y, params, forward)
        buffer = b.layer_l_delta[0].copy()
        return NetBackward(b.layer_l_error, (buffer,) * 3, b.weights_l_update, b.bias_l_update)

    report = _report(wrong, SQUARE)
    assert report.first_failure.name == "D3" and report.mistake == "mutated_in_place"
    assert "the same array as your D_1, D_2" in report.diagnosis
