"""Diagnoses: each deliberately wrong implementation is caught and its mistake named.

The wrong backpropagations below make one mistake each, the way a learner might; the
checker must fail them, name the mistake at the first wrong quantity, and say that the
quantities after it are wrong only because of it. A correct implementation is never
diagnosed. Then the pieces of a diagnosis, one by one (what mutation testing asked for,
docs/mutation.md): over 400 lines, kept in the one module that mirrors verify/diagnose.py.
"""

import dataclasses
from functools import partial

import numpy as np
import pytest

from handbp import activations, network
from verify import check_backprop, check_function
from verify.diagnose import (
    MISTAKES,
    Candidate,
    candidates,
    generic_candidates,
    matches,
    matching_mistakes,
    pieces,
    shape_message,
    structural_account,
    worst_elements_message,
)
from verify.findings import reference_target
from verify.references import REFERENCES, hand_pass, jax_results
from verify.sampling import Sample
from verify.setups import Setup, series_setup

IDS = (
    "output_layer_error",
    "output_layer_delta",
    "weights_2_update",
    "hidden_layer_error",
    "hidden_layer_delta",
    "weights_1_update",
)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def learner_backprop(X, Y, W2, forward, mistake=None):
    """A learner's backpropagation in plain NumPy, with one mistake switched on."""
    H_in, H_out = forward.hidden_layer_inputs, forward.hidden_layer_outputs
    O_in, O_out = forward.output_layer_inputs, forward.output_layer_outputs
    N, E = Y.size, Y.shape[0]
    O_error = Y - O_out if mistake == "sign" else O_out - Y
    if mistake == "error_over_N":
        O_error = O_error / N
    out_derivative = {
        "output_input_derivative": O_in * (1 - O_in),
        "output_missing_derivative": 1.0,
    }.get(mistake, O_out * (1 - O_out))
    O_delta = O_error * out_derivative
    W2_left = {"H_in_for_H_out": H_in, "X_for_H_out": X}.get(mistake, H_out)
    W2_update = {
        "factor_2": 2 * W2_left.T @ O_delta / N,
        "by_examples": W2_left.T @ O_delta / E,
        "no_1/N": W2_left.T @ O_delta,
        "transposed": O_delta.T @ W2_left / N,
    }.get(mistake, W2_left.T @ O_delta / N)
    H_error = (O_error if mistake == "O_error_for_O_delta" else O_delta) @ W2.T
    hidden_derivative = {
        "hidden_input_derivative": H_in * (1 - H_in),
        "hidden_missing_derivative": 1.0,
        "hidden_sigmoid_of_output": _sig(H_out) * (1 - _sig(H_out)),
    }.get(mistake, H_out * (1 - H_out))
    H_delta = H_error * hidden_derivative
    W1_left = H_out if mistake == "H_out_for_X" else X
    W1_update = {
        "factor_2": 2 * W1_left.T @ H_delta / N,
        "by_examples": W1_left.T @ H_delta / E,
        "no_1/N": W1_left.T @ H_delta,
    }.get(mistake, W1_left.T @ H_delta / N)
    return {
        "output_layer_error": O_error,
        "output_layer_delta": O_delta,
        "weights_2_update": W2_update,
        "hidden_layer_error": H_error,
        "hidden_layer_delta": H_delta,
        "weights_1_update": W1_update,
    }


CASES = [
    # (mistake switched on, first wrong quantity, diagnosed mistake)
    ("sign", "output_layer_error", "sign_flip"),
    ("error_over_N", "output_layer_error", "factor_1/N"),
    ("output_input_derivative", "output_layer_delta", "derivative_of_input"),
    ("output_missing_derivative", "output_layer_delta", "missing_derivative"),
    ("factor_2", "weights_2_update", "factor_2"),
    ("by_examples", "weights_2_update", "examples_instead_of_N"),
    ("no_1/N", "weights_2_update", "factor_N"),
    ("transposed", "weights_2_update", "transposed"),
    ("H_in_for_H_out", "weights_2_update", "wrong_layer"),
    ("X_for_H_out", "weights_2_update", "wrong_layer"),
    ("O_error_for_O_delta", "hidden_layer_error", "error_instead_of_delta"),
    ("hidden_input_derivative", "hidden_layer_delta", "derivative_of_input"),
    ("hidden_missing_derivative", "hidden_layer_delta", "missing_derivative"),
    ("hidden_sigmoid_of_output", "hidden_layer_delta", "sigmoid_of_output"),
    ("H_out_for_X", "weights_1_update", "wrong_layer"),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("mistake", "first", "diagnosis"), CASES)
def test_a_wrong_backpropagation_fails_with_the_right_diagnosis(mistake, first, diagnosis, dtype):
    report = check_backprop(partial(learner_backprop, mistake=mistake), dtype)
    assert not report.passed
    assert report.first_failure.id == first
    assert report.first_failure.mistake == diagnosis, str(report)
    assert diagnosis in MISTAKES
    for quantity in IDS[: IDS.index(first)]:
        assert report.quantities[quantity].passed, str(report)
        assert report.quantities[quantity].diagnosis is None
    for later in IDS[IDS.index(first) + 1 :]:
        q = report.quantities[later]
        assert q.passed or q.mistake in ("upstream", diagnosis), str(report)
    assert first in str(report) and report.first_failure.diagnosis in str(report)


def test_quantities_after_an_upstream_mistake_are_traced_back_to_it():
    report = check_backprop(partial(learner_backprop, mistake="output_input_derivative"))
    for later in ("weights_2_update", "hidden_layer_error"):
        assert report.quantities[later].mistake == "upstream"
        assert "output_layer_delta" in report.quantities[later].diagnosis
    assert report.quantities["hidden_layer_delta"].mistake == "upstream"
    assert "hidden_layer_error" in report.quantities["hidden_layer_delta"].diagnosis


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_correct_backpropagations_pass_and_are_never_diagnosed(dtype):
    for correct in (learner_backprop, network.backpropagation):
        report = check_backprop(correct, dtype)
        assert report.passed, str(report)
        assert all(q.diagnosis is None and q.mistake is None for q in report.quantities.values())
        assert "every quantity agrees" in str(report)


def _plus_update(W1, W2, W1_update, W2_update, eta):
    return W1 + eta * W1_update, W2 + eta * W2_update


def _plus_step(x, gradient, eta):
    return x + eta * gradient


def _step_without_eta(x, gradient, eta):
    return x - gradient


def _sigmoid_derivative_of_output(s):
    return _sig(s) * (1 - _sig(s))


def _chain_sum(*factors):
    return sum(factors)


def _mse_without_half(O_out, Y):
    return np.sum((O_out - Y) ** 2) / Y.size


def _square_derivative_as_square(x):
    return x * x


def _outputs_without_activation(H_in):
    return H_in


def _dmse_dw2_by_examples(H_out, O_out, Y, j, k):
    return (
        sum(
            (O_out[e, k] - Y[e, k]) * O_out[e, k] * (1 - O_out[e, k]) * H_out[e, j]
            for e in range(Y.shape[0])
        )
        / Y.shape[0]
    )


def _correct_rows(O_out, Y):
    return float(np.sum(np.argmax(O_out, axis=1) == np.argmax(Y, axis=1)))


def _hidden_delta_of_sigmoid_again(H_error, H_out):
    return H_error * activations.sigmoid(H_out) * (1 - activations.sigmoid(H_out))


FUNCTION_CASES = [
    ("weights_update", _plus_update, "plus_instead_of_minus"),
    ("gradient_descent_step", _plus_step, "plus_instead_of_minus"),
    ("gradient_descent_step", _step_without_eta, "missing_eta"),
    ("sigmoid_derivative", _sigmoid_derivative_of_output, "sigmoid_of_output"),
    ("do_out_do_in", lambda O_out, e, k: O_out[e, k], "missing_factor"),
    ("chain_rule", _chain_sum, "sum_instead_of_product"),
    ("mse", _mse_without_half, "factor_2"),
    ("mse", lambda O_out, Y: np.sum((O_out - Y) ** 2) / (4 * Y.size), "factor_1/2"),
    ("chain_rule", lambda *factors: factors[0], "missing_link"),
    ("square_derivative", _square_derivative_as_square, "function_instead_of_derivative"),
    ("hidden_layer_outputs", _outputs_without_activation, "missing_activation"),
    ("dmse_dw2_scalar", _dmse_dw2_by_examples, "examples_instead_of_N"),
    ("hidden_layer_delta", _hidden_delta_of_sigmoid_again, "sigmoid_of_output"),
    ("hidden_layer_inputs", lambda X, W1: -(X @ W1), "sign_flip"),
    ("output_node_input", lambda H_out, W2, e, k: H_out[e, 0] * W2[0, k], "missing_terms"),
    ("dmse_do_out", lambda O_out, Y, e, k: O_out[e, k] - Y[e, k], "factor_N"),
    ("accuracy", _correct_rows, "count_instead_of_share"),
    (
        "hidden_layer_delta",
        lambda H_error, H_out: H_error * H_out * (1 - H_out) / H_out.shape[0],
        "factor_1/examples",
    ),
    (
        "accuracy",
        lambda O_out, Y: 100 * _correct_rows(O_out, Y) / Y.shape[0],
        "count_instead_of_share",
    ),
]


@pytest.mark.parametrize(("equation_id", "function", "diagnosis"), FUNCTION_CASES)
def test_a_wrong_function_fails_with_the_right_diagnosis(equation_id, function, diagnosis):
    result = check_function(equation_id, function)
    assert not result.passed
    assert result.mistake == diagnosis, str(result)
    assert result.diagnosis.startswith(f"{equation_id}: ")


def test_an_unnamed_constant_factor_is_fitted_and_said():
    def off_by_a_bit(H_error, H_out):
        return network.hidden_layer_delta(H_error, H_out) * 1.37

    result = check_function("hidden_layer_delta", off_by_a_bit)
    assert not result.passed and result.mistake == "constant_factor"
    assert "1.37 times the right value: a constant factor is wrong" in result.diagnosis


def test_worst_elements_name_no_constant_factor_when_the_ratios_differ():
    def off_in_one_place(H_error, H_out):
        delta = network.hidden_layer_delta(H_error, H_out).copy()
        delta[0, 0] *= 2
        return delta

    result = check_function("hidden_layer_delta", off_in_one_place)
    assert not result.passed and result.mistake == "unknown"
    assert "constant factor" not in result.diagnosis


def test_a_shape_no_candidate_explains_is_named():
    def one_row_too_many(H_error, H_out):
        return np.vstack([H_error, H_error[:1]])

    result = check_function("hidden_layer_delta", one_row_too_many)
    assert result.mistake == "shape_mismatch"
    assert "expected (3, 2)" in result.diagnosis


# --- the pieces of a diagnosis, on small arrays --------------------------------------------


def test_generic_candidates_are_the_reference_under_each_factor_sign_and_transpose():
    value = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    found = {c.mistake: c for c in generic_candidates(value, 6, 3, "in W1", ": a hint")}
    assert list(found) == [
        "sign_flip",
        "examples_instead_of_N",
        "factor_2",
        "factor_1/2",
        "factor_1/N",
        "factor_N",
        "factor_1/examples",
        "transposed",
        "reshaped",
    ]
    for mistake, expected in [
        ("sign_flip", -value),
        ("examples_instead_of_N", value * 6 / 3),
        ("factor_2", 2 * value),
        ("factor_1/2", value / 2),
        ("factor_1/N", value / 6),
        ("factor_N", 6 * value),
        ("factor_1/examples", value / 3),
        ("transposed", value.T),
        ("reshaped", value.T.reshape(2, 3)),  # [[1, 4, 2], [5, 3, 6]]
    ]:
        np.testing.assert_allclose(found[mistake].value, expected, rtol=1e-15)
    assert found["sign_flip"].message == "the sign is flipped in W1: a hint"
    assert found["examples_instead_of_N"].message == (
        "divided by the number of examples (3) instead of N = Y.size = 6 in W1"
    )
    assert (
        found["factor_N"].message
        == "N = Y.size = 6 times the right value in W1 (the 1/N is missing)"
    )
    assert found["transposed"].message == "transposed in W1"
    # one output node (N equals the number of examples): the two are one candidate each;
    # a vector has no transpose
    assert [c.mistake for c in generic_candidates(value[0], 3, 3)] == [
        "sign_flip",
        "factor_2",
        "factor_1/2",
        "factor_1/N",
        "factor_N",
    ]
    assert generic_candidates(value[0], 3, 3)[1].message.startswith("twice the right value:")


def test_a_reversed_shape_is_called_a_transpose_for_matrices_only():
    assert shape_message((3, 2), (2, 3)) == (
        "shape (3, 2) is the transpose of the expected (2, 3), and the values differ too"
    )
    assert shape_message((4, 3, 2), (2, 3, 4)) == "shape (4, 3, 2), expected (2, 3, 4)"
    assert shape_message((3,), (2, 3)) == "shape (3,), expected (2, 3)"


def test_the_worst_elements_message_says_a_constant_factor_only_when_every_ratio_is_one():
    reference = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert worst_elements_message(2 * reference, reference) == (
        "no single known mistake matches; the worst elements: [1, 2]: yours 12, reference 6, "
        "ratio 2; [1, 1]: yours 10, reference 5, ratio 2; [1, 0]: yours 8, reference 4, "
        "ratio 2; every element is 2 times the reference: a constant factor is wrong"
    )
    one_off = reference.copy()
    one_off[0, 0] = 0.0
    assert "constant factor" not in worst_elements_message(one_off, reference)
    # no ratio against a zero reference, and one non-zero element is no evidence of a factor
    assert worst_elements_message(np.array([1.0, 2.0]), np.array([0.0, 1.0])) == (
        "no single known mistake matches; the worst elements: [0]: yours 1, reference 0; "
        "[1]: yours 2, reference 1, ratio 2"
    )


def test_the_worst_elements_of_a_sample_are_among_its_entries():
    reference = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    sample = Sample("s", (2, 3), np.array([5, 0]))
    hand = np.full((2, 3), 7.0)
    hand[0, 1] = 1e6  # not computed: not sampled
    assert worst_elements_message(hand, reference, sample) == (
        "no single known mistake matches; the worst elements: [0, 0]: yours 7, reference 1, "
        "ratio 7; [1, 2]: yours 7, reference 6, ratio 1.167"
    )


def test_a_hand_value_matches_a_candidate_to_the_diagnosis_tolerance_or_its_rounding():
    candidate = np.array([1.0, 2.0])
    assert matches(candidate * (1 + 5e-7), candidate, 0.0, "float64")
    assert not matches(candidate * (1 + 2e-6), candidate, 0.0, "float64")
    assert matches(candidate * (1 + 5e-3), candidate, 0.0, "float32")
    assert not matches(candidate * (1 + 2e-2), candidate, 0.0, "float32")
    zero = np.zeros(2)  # all below rounding: 64 eps x magnitude = 1.4e-14
    assert matches(zero + 1e-14, zero, 1.0, "float64")
    assert not matches(zero + 2e-14, zero, 1.0, "float64")
    assert not matches(zero + 1e-14, zero, 0.0, "float64")
    assert not matches(np.array([1.0, np.nan]), candidate, 1.0, "float64")
    assert not matches(candidate[:1], candidate, 1.0, "float64")
    sample = Sample("s", (2,), np.array([0]))
    assert matches(np.array([1.0, np.nan]), candidate, 0.0, "float64", sample)
    assert not matches(np.array([1.0, 9.0]), candidate, 0.0, "float64")
    named = [Candidate("factor_2", "", 2 * candidate), Candidate("sign_flip", "", -candidate)]
    assert matching_mistakes(-candidate, named, 0.0, "float64") == [named[1]]


def test_a_constant_factor_is_said_from_two_elements_on():
    assert worst_elements_message(np.array([2.0, 4.0]), np.array([1.0, 2.0])).endswith(
        "; every element is 2 times the reference: a constant factor is wrong"
    )


def test_ratios_that_spread_by_exactly_a_millionth_are_one_constant_factor():
    """The ratios 976.5625 - 2**-10 and 976.5625 spread by exactly 1e-6 times the larger."""
    hand = np.array([976.5625 - 2.0**-10, 976.5625])
    assert worst_elements_message(hand, np.ones(2)).endswith(
        "; every element is 976.562 times the reference: a constant factor is wrong"
    )
    wider = np.array([976.5625 - 2.0**-9, 976.5625])
    assert "constant factor" not in worst_elements_message(wider, np.ones(2))


def test_the_constant_factor_said_is_the_first_elements_ratio():
    """Within the spread of a millionth, 6 digits may still differ: the first one is said."""
    hand, reference = np.array([1.2345645, 2 * 1.2345655]), np.array([1.0, 2.0])
    assert worst_elements_message(hand, reference).endswith(
        "; every element is 1.23456 times the reference: a constant factor is wrong"
    )


@pytest.fixture(scope="module")
def series():
    """JAX's results on the series' net (3 examples, 2 hidden nodes, 3 outputs), float64."""
    return jax_results(hand_pass(series_setup()))


def test_a_delta_no_candidate_explains_is_accounted_for_by_its_activation_factor(series):
    """A hidden delta with the factor s^2, an output delta with 1 - s: the account names the
    layer and the shape its factor has, for a delta checked alone or as part of a pass."""
    p = pieces(series)
    hidden = p.reference["hidden_layer_error"] * p.H_out**2
    start = "your hidden layer's activation-derivative factor (delta / error) at s = "
    end = "; it behaves like 1 x s^2 (within 0% of its largest value)"
    for equation_id in ("hidden_layer_delta", "backpropagation"):
        account = structural_account(equation_id, "hidden_layer_delta", hidden, series)
        assert account.startswith(start) and account.endswith(end)
    output = p.reference["output_layer_error"] * (1 - p.O_out)
    account = structural_account("output_layer_delta", "output_layer_delta", output, series)
    assert account.startswith("your output layer's activation-derivative factor")
    assert account.endswith("; it behaves like 1 x 1 - s (within 0% of its largest value)")


def test_no_entry_computes_a_delta_divided_by_n():
    """structural_account reads a hand delta as the delta itself: no chain.per_n to undo."""
    chains = [r.chain for r in REFERENCES.values() if r.chain is not None]
    assert [c.quantity for c in chains if c.per_n] == ["output_layer_error"]


def test_only_a_delta_of_the_right_shape_is_accounted_for(series):
    hidden = pieces(series).reference["hidden_layer_error"] ** 2
    for equation_id, component, hand in [
        ("hidden_layer_error", "hidden_layer_error", hidden),  # a chain, not a delta
        ("backpropagation", "hidden_layer_error", hidden),
        ("dmse_do_out", "", hidden),
        ("mse", "", hidden),  # no chain
        ("hidden_layer_delta", "hidden_layer_delta", hidden.T),
    ]:
        assert structural_account(equation_id, component, hand, series) == ""


def _pass_with(p, out_d=None, hid_d=None, w2_left=None, w1_left=None, error_for_delta=False):
    """The six backprop quantities from the references' output error, one piece swapped."""
    O_error = p.reference["output_layer_error"]
    O_delta = O_error * (p.O_out * (1 - p.O_out) if out_d is None else out_d)
    W2_update = (p.H_out if w2_left is None else w2_left).T @ O_delta / p.N
    H_error = (O_error if error_for_delta else O_delta) @ p.W2.T
    H_delta = H_error * (p.H_out * (1 - p.H_out) if hid_d is None else hid_d)
    W1_update = (p.X if w1_left is None else w1_left).T @ H_delta / p.N
    return dict(zip(IDS, (O_error, O_delta, W2_update, H_error, H_delta, W1_update), strict=True))


def _structural_mistakes(p):
    """Each structural mistake: (name, message, the pass it gives), as diagnose should build them."""
    out = []
    for layer, z, s, z_value, s_value, swap in (
        ("output", "O_in", "O_out", p.O_in, p.O_out, "out_d"),
        ("hidden", "H_in", "H_out", p.H_in, p.H_out, "hid_d"),
    ):
        sig = _sig(s_value)
        out += [
            (
                "derivative_of_input",
                f"the {layer} layer's sigmoid derivative is taken of its input: "
                f"{z} (1 - {z}) instead of {s} (1 - {s})",
                _pass_with(p, **{swap: z_value * (1 - z_value)}),
            ),
            (
                "sigmoid_of_output",
                f"the {layer} layer's sigmoid derivative is applied to its output as if it "
                f"were the input: sigma({s}) (1 - sigma({s})) instead of {s} (1 - {s})",
                _pass_with(p, **{swap: sig * (1 - sig)}),
            ),
            (
                "missing_derivative",
                f"the {layer} layer's activation derivative {s} (1 - {s}) is missing",
                _pass_with(p, **{swap: 1.0}),
            ),
        ]
    out.append(
        (
            "error_instead_of_delta",
            "H_error uses O_error instead of O_delta: H_error = O_delta W2^T",
            _pass_with(p, error_for_delta=True),
        )
    )
    w2, w1 = "W2_update = (1/N) H_out^T O_delta", "W1_update = (1/N) X^T H_delta"
    out += [
        (
            "wrong_layer",
            f"W2_update uses H_in instead of H_out: {w2}",
            _pass_with(p, w2_left=p.H_in),
        ),
        ("wrong_layer", f"W2_update uses X instead of H_out: {w2}", _pass_with(p, w2_left=p.X)),
        ("wrong_layer", f"W1_update uses H_in instead of X: {w1}", _pass_with(p, w1_left=p.H_in)),
        ("wrong_layer", f"W1_update uses H_out instead of X: {w1}", _pass_with(p, w1_left=p.H_out)),
    ]
    return out


STRUCTURAL = {"derivative_of_input", "sigmoid_of_output", "missing_derivative"}
STRUCTURAL |= {"error_instead_of_delta", "wrong_layer"}


@pytest.mark.parametrize(
    ("equation_id", "quantity", "whole"),
    [(q, q, False) for q in IDS]
    + [
        ("backpropagation", "hidden_layer_delta", False),  # one component of a whole pass
        ("dmse_do_out", "output_layer_error", True),  # none: no mistake changes O_error
        ("dmse_dw2_scalar", "weights_2_update", True),
        ("dmse_dw1_scalar", "weights_1_update", True),
    ],
)
def test_the_structural_candidates_are_the_pass_with_one_piece_swapped(
    series, equation_id, quantity, whole
):
    """A quantity's structural candidates: each mistake that changes it, with its message and
    value; for a quantity computed from a given upstream value, only the mistakes that leave
    that upstream value right; for a scalar form (computing the whole chain), every one."""
    p = pieces(series)
    right = _pass_with(p)
    before = IDS[: IDS.index(quantity)]

    def changes(values, q):
        return values[q].shape != right[q].shape or not np.allclose(values[q], right[q])

    expected = [
        (mistake, message, values[quantity])
        for mistake, message, values in _structural_mistakes(p)
        if changes(values, quantity) and (whole or not any(changes(values, b) for b in before))
    ]
    value = np.asarray(reference_target(equation_id, "" if whole else quantity, series).value)
    found = [c for c in candidates(equation_id, "" if whole else quantity, value, series)]
    found = [c for c in found if c.mistake in STRUCTURAL]
    assert [(c.mistake, c.message) for c in found] == [(m, text) for m, text, _ in expected]
    for c, (_, _, values) in zip(found, expected, strict=True):
        np.testing.assert_allclose(c.value, values, rtol=1e-12, atol=1e-15)


def test_only_the_output_error_has_the_sign_hint_and_the_factors_know_n_and_the_examples(
    series,
):
    """The series' net: N = Y.size = 9, 3 examples."""
    for equation_id, component, hint in [
        ("output_layer_error", "output_layer_error", ": Y - O_out instead of O_out - Y"),
        ("dmse_do_out", "", ": Y - O_out instead of O_out - Y"),
        ("hidden_layer_delta", "hidden_layer_delta", ""),
    ]:
        value = np.asarray(reference_target(equation_id, component, series).value)
        found = {c.mistake: c for c in candidates(equation_id, component, value, series)}
        assert found["sign_flip"].message == f"the sign is flipped{hint}"
        np.testing.assert_array_equal(found["sign_flip"].value, -value)
        assert found["examples_instead_of_N"].message == (
            "divided by the number of examples (3) instead of N = Y.size = 9"
        )
        np.testing.assert_allclose(found["factor_N"].value, 9 * value, rtol=1e-15)


def test_the_fitted_structural_candidates_are_on_the_scale_of_the_entry(series):
    """dmse_do_out is O_error / N: a learner's (O_in - Y) / N is fitted on O_error's scale and
    the candidate said on the entry's; a delta is its own scale."""
    p = pieces(series)
    hand = (p.O_in - p.Y) / p.N
    value = np.asarray(reference_target("dmse_do_out", "", series).value)
    found = candidates("dmse_do_out", "", value, series, hand)
    wrong_layer = [c for c in found if c.mistake == "wrong_layer"]
    assert [c.message for c in wrong_layer] == ["uses O_in instead of O_out: O_out - Y"]
    np.testing.assert_allclose(wrong_layer[0].value, hand, rtol=1e-12)
    delta = p.reference["hidden_layer_error"] * p.H_in * (1 - p.H_in)
    value = p.reference["hidden_layer_delta"]
    found = candidates("hidden_layer_delta", "hidden_layer_delta", value, series, delta)
    fitted = [c for c in found if c.mistake == "derivative_of_input" and "z - z^2" in c.message]
    assert fitted and all(np.allclose(c.value, delta, rtol=1e-12, atol=0) for c in fitted)


def test_matching_is_to_the_tolerance_inclusive_and_the_rounding_grows_with_the_magnitude():
    """An error of exactly 1e-6 times the candidate's scale matches in float64; the rounding
    allowance is 64 eps x magnitude, so twice the magnitude allows twice the difference."""
    assert matches(np.array([1e-6, 1.0]), np.array([0.0, 1.0]), 0.0, "float64")
    zero = np.zeros(2)
    assert matches(zero + 2e-14, zero, 2.0, "float64")
    assert not matches(zero + 3e-14, zero, 2.0, "float64")


def test_matching_mistakes_look_at_the_sampled_entries_only():
    candidate = np.array([1.0, 2.0])
    named = [Candidate("factor_2", "", 2 * candidate), Candidate("sign_flip", "", -candidate)]
    sample = Sample("s", (2,), np.array([1]))
    hand = np.array([np.nan, -2.0])  # the first entry was not computed
    assert matching_mistakes(hand, named, 0.0, "float64", sample) == [named[1]]
    assert matching_mistakes(hand, named, 0.0, "float64") == []


def test_no_mistake_is_a_candidate_where_no_error_reaches():
    """With W2 = 0 no error reaches the hidden layer: its error and delta are exactly 0 under
    every structural mistake too, so none is a candidate for them."""
    setup = series_setup()
    setup = dataclasses.replace(setup, W2=np.zeros_like(setup.W2), name="series, W2 = 0")
    jr = jax_results(hand_pass(setup))
    p = pieces(jr)
    for quantity in ("hidden_layer_error", "hidden_layer_delta"):
        assert not np.any(p.reference[quantity])
        found = candidates(quantity, quantity, p.reference[quantity], jr)
        assert [c.mistake for c in found if c.mistake in STRUCTURAL] == []


def _flat_net(s):
    """A net whose every output is ``s``: identical examples, W2 all one number."""
    X, W1 = np.tile([[0.5, -0.3]], (3, 1)), np.array([[0.2, -0.4], [0.7, 0.1]])
    logit = np.log(s / (1 - s))
    W2 = np.full((2, 3), logit / _sig(X @ W1)[0].sum())
    return jax_results(hand_pass(Setup(f"every output {s}", X, np.eye(3), W1, W2)))


def test_a_mistake_is_a_candidate_unless_it_changes_the_quantity_by_rounding_only():
    """sigma(s) (1 - sigma(s)) equals s (1 - s) at s = 0.4010581...: at every output there, the
    sigmoid_of_output mistake changes nothing beyond rounding and is no candidate; a ten-
    millionth away it changes the output delta by about 1e-7 relative, and is one."""
    lo, hi = 0.2, 0.5  # s (1 - s) - sigma(s) (1 - sigma(s)) goes from - to + in between
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mid * (1 - mid) < _sig(mid) * (1 - _sig(mid)) else (lo, mid)
    for s, expected in [(lo, False), (lo + 1e-7, True)]:
        jr = _flat_net(s)
        reference = pieces(jr).reference["output_layer_delta"]
        found = candidates("output_layer_delta", "output_layer_delta", reference, jr)
        assert ("sigmoid_of_output" in [c.mistake for c in found]) is expected, s


def test_the_pieces_are_the_setups_arrays_in_float64():
    setup = series_setup(np.float32)
    p = pieces(jax_results(hand_pass(setup)))
    for name in ("X", "W1", "W2", "Y"):
        np.testing.assert_array_equal(getattr(p, name), getattr(setup, name))
    arrays = [p.X, p.W1, p.W2, p.Y, p.H_in, p.H_out, p.O_in, p.O_out, p.d_H, p.d_O]
    assert all(a.dtype == np.float64 for a in [*arrays, *p.reference.values()])
    assert (p.N, p.E, p.eta) == (9, 3, setup.eta)


def test_float32_matching_allows_float32s_rounding():
    """64 eps x magnitude with float32's eps (1.2e-7): 7.6e-6 for a magnitude of 1."""
    zero = np.zeros(2)
    assert matches(zero + 7e-6, zero, 1.0, "float32")
    assert not matches(zero + 8e-6, zero, 1.0, "float32")


def test_a_sign_flip_without_a_hint_says_only_that():
    value = np.array([[1.0, 2.0], [3.0, 4.0]])
    sign = generic_candidates(value, 4, 2)[0]
    assert (sign.mistake, sign.message) == ("sign_flip", "the sign is flipped")


def test_each_constant_factor_candidate_says_where_the_factor_belongs():
    found = {c.mistake: c.message for c in generic_candidates(np.ones((2, 3)), 6, 2, "in W1")}
    assert found["factor_2"] == (
        "twice the right value in W1: the 2 from differentiating the square stays, but the "
        "1/2 of the MSE cancels it"
    )
    assert found["factor_1/2"] == "half the right value in W1"
    assert found["factor_1/N"] == (
        "divided by N = Y.size = 6 once too often in W1 (the 1/N belongs in the weight "
        "updates only)"
    )
    assert found["factor_1/examples"] == (
        "divided by the number of examples (2) once too often in W1 (the only division in "
        "backpropagation is the 1/N of the weight updates, N = Y.size)"
    )


def test_on_a_handful_of_points_only_a_simple_polynomial_accounts_for_a_derivative():
    """Six points (the series' hidden layer): a cubic nearly always fits; 0.5339 - 0.3144 z
    - 0.2496 z^2 + 0.02792 z^3 is no account of a learner's mistake, z (1 - z) is."""
    from verify.polynomial_fits import derivative_fits, simple_coefficients

    rng = np.random.default_rng(0)
    z = rng.normal(size=(3, 2))
    s = 1 / (1 + np.exp(-z))
    error = rng.normal(size=(3, 2))
    variables = {
        "s": (s, "the layer output s", "wrong_derivative"),
        "z": (z, "the layer input z", "derivative_of_input"),
    }
    # a mistake that is no polynomial: s (1 - z), rounded to float32 as a float32 check sees it
    mixed = (error * s * (1 - z)).astype(np.float32).astype(np.float64)
    found = [
        c for c in derivative_fits(mixed, error, variables, "the factor") if "z^2" in c.message
    ]
    assert found == []
    # the input where the output belongs: z (1 - z), exactly a simple quadratic
    (best, *_) = derivative_fits(error * z * (1 - z), error, variables, "the factor")
    assert best.mistake == "derivative_of_input" and "z - z^2" in best.message
    assert simple_coefficients(np.array([0.0, 2.0, -2.0]))  # 2 (z - z^2)
    assert simple_coefficients(np.array([0.0, 0.0, 0.0]))
    assert not simple_coefficients(np.array([0.5339, -0.3144, -0.2496, 0.02792]))
