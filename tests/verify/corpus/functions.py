"""Wrong implementations of the series' functions, one mistake each, as a learner writes them.

One table in one file, though long: each row is a function of a few lines, and a reader
sees the mistakes side by side; the rows are data, not logic.
"""

import sys

import numpy as np

from tests.verify.corpus import Case


def _sig(x):
    return 1 / (1 + np.exp(-x))


# -- the update steps ---------------------------------------------------------------------


def update_uphill(W1, W2, W1_update, W2_update, eta):
    return W1 + eta * W1_update, W2 + eta * W2_update


def update_uphill_w2(W1, W2, W1_update, W2_update, eta):
    return W1 - eta * W1_update, W2 + eta * W2_update


def step_uphill(x, gradient, eta):
    return x + eta * gradient


def update_no_eta(W1, W2, W1_update, W2_update, eta):
    return W1 - W1_update, W2 - W2_update


def update_no_eta_w1(W1, W2, W1_update, W2_update, eta):
    return W1 - W1_update, W2 - eta * W2_update


def step_no_eta(x, gradient, eta):
    return x - gradient


def update_divided_by_eta(W1, W2, W1_update, W2_update, eta):
    return W1 - W1_update / eta, W2 - W2_update / eta


def update_divided_by_eta_w1(W1, W2, W1_update, W2_update, eta):
    return W1 - W1_update / eta, W2 - eta * W2_update


def step_divided_by_eta(x, gradient, eta):
    return x - gradient / eta


def update_returns_steps(W1, W2, W1_update, W2_update, eta):
    return eta * W1_update, eta * W2_update


def step_returns_step(x, gradient, eta):
    return eta * gradient


def step_returns_minus_step(x, gradient, eta):
    return -eta * gradient


def update_swapped(W1, W2, W1_update, W2_update, eta):
    return W2 - eta * W2_update, W1 - eta * W1_update


def update_swapped_dict(W1, W2, W1_update, W2_update, eta):
    return {"W1": W2 - eta * W2_update, "W2": W1 - eta * W1_update}


def update_swapped_updates(W1, W2, W1_update, W2_update, eta):
    new = [W2 - eta * W2_update, W1 - eta * W1_update]
    return new[0], new[1]


# -- derivatives ----------------------------------------------------------------------------


def sigmoid_derivative_tanh_style(s):
    return 1 - s**2


def output_delta_squared(O_error, O_out):
    return O_error * O_out**2


def hidden_delta_tanh_style(H_error, H_out):
    return H_error * (1 - H_out**2)


def hidden_delta_one_minus_s(H_error, H_out):
    return H_error * (1 - H_out)


def sigmoid_derivative_of_sigmoid(s):
    return _sig(s) * (1 - _sig(s))


def hidden_delta_of_sigmoid(H_error, H_out):
    return H_error * _sig(H_out) * (1 - _sig(H_out))


def do_out_do_in_of_sigmoid(O_out, e, k):
    return _sig(O_out[e, k]) * (1 - _sig(O_out[e, k]))


def hidden_delta_no_derivative(H_error, H_out):
    return H_error


def output_delta_no_derivative(O_error, O_out):
    return O_error.copy()


def output_delta_times_one(O_error, O_out):
    return O_error * np.ones_like(O_out)


def output_delta_of_error(O_error, O_out):
    return O_error * O_error * (1 - O_error)


def hidden_delta_of_error(H_error, H_out):
    return H_error * (H_error - H_error**2)


def output_delta_half_of_error(O_error, O_out):
    return O_error * O_out * (1 - O_error)  # one factor of s (1 - s) from the error


def hidden_delta_half_of_input(H_error, H_out):
    H_in = np.log(H_out / (1 - H_out))  # the layer input, recovered from its output
    return H_error * H_out * (1 - H_in)  # one factor of s (1 - s) from the input


def hidden_delta_times_sigmoid(H_error, H_out):
    return H_error * _sig(H_out)


def dmse_do_out_with_derivative(O_out, Y, e, k):
    return (O_out[e, k] - Y[e, k]) * O_out[e, k] * (1 - O_out[e, k]) / Y.size


def hidden_delta_plus_bias(H_error, H_out):
    return H_error * H_out * (1 - H_out) + 0.01


def w2_update_plus_constant(H_out, O_delta, N):
    return H_out.T @ O_delta / N - 1e-3


def error_minus_constant(O_out, Y):
    return O_out - Y - 0.5


# -- constant factors, signs, transposes ----------------------------------------------------


def error_flipped(O_out, Y):
    return Y - O_out


def inputs_flipped(X, W1):
    return -(X @ W1)


def dmse_do_out_flipped(O_out, Y, e, k):
    return (Y[e, k] - O_out[e, k]) / Y.size


def mse_without_half(O_out, Y):
    return np.sum((O_out - Y) ** 2) / Y.size


def w2_update_twice(H_out, O_delta, N):
    return 2 * H_out.T @ O_delta / N


def w1_update_twice(X, H_delta, N):
    return 2 * (X.T @ H_delta) / N


def w2_update_no_n(H_out, O_delta, N):
    return H_out.T @ O_delta


def w1_update_no_n(X, H_delta, N):
    return X.T @ H_delta


def dmse_do_out_no_n(O_out, Y, e, k):
    return O_out[e, k] - Y[e, k]


def error_over_n(O_out, Y):
    return (O_out - Y) / Y.size


def dmse_do_out_over_n_twice(O_out, Y, e, k):
    return (O_out[e, k] - Y[e, k]) / Y.size / Y.size


def output_delta_over_n(O_error, O_out):
    return O_error * O_out * (1 - O_out) / O_out.size


def w2_update_by_examples(H_out, O_delta, N):
    return H_out.T @ O_delta / H_out.shape[0]


def w1_update_by_examples(X, H_delta, N):
    return X.T @ H_delta / len(X)


def dmse_dw2_by_examples(H_out, O_out, Y, j, k):
    rows = range(Y.shape[0])
    total = sum(
        (O_out[e, k] - Y[e, k]) * O_out[e, k] * (1 - O_out[e, k]) * H_out[e, j] for e in rows
    )
    return total / Y.shape[0]


def w2_update_transposed(H_out, O_delta, N):
    return O_delta.T @ H_out / N


def w1_update_transposed(X, H_delta, N):
    return (X.T @ H_delta).T / N


def hidden_error_transposed(O_delta, W2):
    return (O_delta @ W2.T).T


def hidden_delta_times_1_37(H_error, H_out):
    return 1.37 * H_error * H_out * (1 - H_out)


def w1_update_times_0_9(X, H_delta, N):
    return 0.9 * X.T @ H_delta / N


def error_times_3(O_out, Y):
    return 3 * (O_out - Y)


# -- results the check cannot compare ------------------------------------------------------


def raises(H_error, H_out):
    return H_error @ H_out  # shapes (e, j) @ (e, j): ValueError


def exits(O_error, O_out):
    sys.exit(0)


def wrong_arguments(O_out):
    return O_out


def returns_none(X, H_delta, N):
    X.T @ H_delta / N  # the learner forgot the return


def returns_text(O_out, Y):
    return "0.25"


def returns_names(H_out, W2):
    return [["a", "b"], ["c", "d"]]


def node_input_vector(H_out, W2, e, k):
    return H_out[e] @ W2


def node_input_row(H_out, W2, e, k):
    return H_out[e, :] * W2[:, k]


def delta_extra_row(H_error, H_out):
    return np.vstack([H_error * H_out * (1 - H_out), H_error[:1]])


def delta_nan(H_error, H_out):
    return H_error * H_out * (1 - H_out) * np.nan


def w1_update_divided_by_zero(X, H_delta, N):
    with np.errstate(divide="ignore", invalid="ignore"):
        return X.T @ H_delta / (N - N)


def sigmoid_overflow(x):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(1000 * x) / (1 + np.exp(1000 * x))


# -- the forward maps and the series' other functions ---------------------------------------


def hidden_outputs_linear(H_in, activation=None):
    return H_in


def output_outputs_linear(O_in, activation=None):
    return np.asarray(O_in) * 1.0


def sigmoid_linear(x):
    return x


def node_input_first_term(H_out, W2, e, k):
    return H_out[e, 0] * W2[0, k]


def node_input_last_term(H_out, W2, e, k):
    return H_out[e, -1] * W2[-1, k]


def weighted_sum_first_term(inputs, weights):
    return inputs[0] * weights[0]


def accuracy_count(O_out, Y):
    return float(np.sum(np.argmax(O_out, axis=1) == np.argmax(Y, axis=1)))


def accuracy_percent(O_out, Y):
    return 100 * float(np.mean(np.argmax(O_out, axis=1) == np.argmax(Y, axis=1)))


def accuracy_count_loop(O_out, Y):
    return sum(1.0 for o, y in zip(O_out, Y, strict=True) if np.argmax(o) == np.argmax(y))


def square_derivative_as_square(x):
    return x * x


def error_squared(O_out, Y):
    return (O_out - Y) ** 2


def square_derivative_as_power(x):
    return x**2


def square_derivative_as_numpy_square(x):
    return np.square(x)


def chain_sum(*factors):
    return sum(factors)


def chain_first(*factors):
    return factors[0]


def chain_last(*factors):
    return factors[-1]


def chain_sum_explicit(outer, inner):
    return outer + inner


def chain_numpy_add(*factors):
    return np.add(*factors)


def chain_first_times_ones(*factors):
    return factors[0] * np.ones_like(factors[1])


# -- float32 inside a float64 function (a mistake in a float64 check only) -----------------


def hidden_delta_float32_output(H_error, H_out):
    h = H_out.astype(np.float32)
    return H_error * h * (1 - h)


def w2_update_cast_float32(H_out, O_delta, N):
    return (H_out.T @ O_delta / N).astype(np.float32)


def step_float32_scalar_type(x, gradient, eta):
    return np.float32(x - eta * gradient)


FLOAT64_ONLY = ("float64",)


def w2_update_reshaped(H_out, O_delta, N):
    return (O_delta.T @ H_out).reshape(H_out.shape[1], O_delta.shape[1]) / N


def w1_update_first_example(X, H_delta, N):
    return np.outer(X[0], H_delta[0]) / N


def w1_update_reshaped(X, H_delta, N):
    return np.reshape(H_delta.T @ X / N, (X.shape[1], H_delta.shape[1]))


CASES = [
    Case("plus_instead_of_minus", "weights_update", update_uphill),
    Case("plus_instead_of_minus", "weights_update", update_uphill_w2),
    Case("plus_instead_of_minus", "gradient_descent_step", step_uphill),
    Case("missing_eta", "weights_update", update_no_eta),
    Case("missing_eta", "weights_update", update_no_eta_w1),
    Case("missing_eta", "gradient_descent_step", step_no_eta),
    Case("divided_by_eta", "weights_update", update_divided_by_eta),
    Case("divided_by_eta", "weights_update", update_divided_by_eta_w1),
    Case("divided_by_eta", "gradient_descent_step", step_divided_by_eta),
    Case("step_instead_of_weights", "weights_update", update_returns_steps),
    Case("step_instead_of_weights", "gradient_descent_step", step_returns_step),
    Case("step_instead_of_weights", "gradient_descent_step", step_returns_minus_step),
    Case("swapped", "weights_update", update_swapped),
    Case("swapped", "weights_update", update_swapped_dict),
    Case("swapped", "weights_update", update_swapped_updates),
    Case("wrong_derivative", "sigmoid_derivative", sigmoid_derivative_tanh_style),
    Case("wrong_derivative", "output_layer_delta", output_delta_squared),
    Case("wrong_derivative", "hidden_layer_delta", hidden_delta_tanh_style),
    Case("wrong_derivative", "hidden_layer_delta", hidden_delta_one_minus_s),
    Case("derivative_of_error", "output_layer_delta", output_delta_of_error),
    Case("derivative_of_error", "hidden_layer_delta", hidden_delta_of_error),
    Case("derivative_of_error", "output_layer_delta", output_delta_half_of_error),
    Case("derivative_of_input", "hidden_layer_delta", hidden_delta_half_of_input),
    Case("sigmoid_of_output", "sigmoid_derivative", sigmoid_derivative_of_sigmoid),
    Case("sigmoid_of_output", "hidden_layer_delta", hidden_delta_of_sigmoid),
    Case("sigmoid_of_output", "do_out_do_in", do_out_do_in_of_sigmoid),
    Case("sigmoid_of_output", "hidden_layer_delta", hidden_delta_times_sigmoid),
    Case("wrong_quantity", "dmse_do_out", dmse_do_out_with_derivative),
    Case("constant_offset", "hidden_layer_delta", hidden_delta_plus_bias),
    Case("constant_offset", "weights_2_update", w2_update_plus_constant),
    Case("constant_offset", "output_layer_error", error_minus_constant),
    Case("missing_derivative", "hidden_layer_delta", hidden_delta_no_derivative),
    Case("missing_derivative", "output_layer_delta", output_delta_no_derivative),
    Case("missing_derivative", "output_layer_delta", output_delta_times_one),
    Case("sign_flip", "output_layer_error", error_flipped),
    Case("sign_flip", "hidden_layer_inputs", inputs_flipped),
    Case("sign_flip", "dmse_do_out", dmse_do_out_flipped),
    Case("factor_2", "mse", mse_without_half),
    Case("factor_2", "weights_2_update", w2_update_twice),
    Case("factor_2", "weights_1_update", w1_update_twice),
    Case("factor_N", "weights_2_update", w2_update_no_n),
    Case("factor_N", "weights_1_update", w1_update_no_n),
    Case("factor_N", "dmse_do_out", dmse_do_out_no_n),
    Case("factor_1/N", "output_layer_error", error_over_n),
    Case("factor_1/N", "dmse_do_out", dmse_do_out_over_n_twice),
    Case("factor_1/N", "output_layer_delta", output_delta_over_n),
    Case("examples_instead_of_N", "weights_2_update", w2_update_by_examples),
    Case("examples_instead_of_N", "weights_1_update", w1_update_by_examples),
    Case("examples_instead_of_N", "dmse_dw2_scalar", dmse_dw2_by_examples),
    Case("transposed", "weights_2_update", w2_update_transposed),
    Case("transposed", "weights_1_update", w1_update_transposed),
    Case("transposed", "hidden_layer_error", hidden_error_transposed),
    Case("constant_factor", "hidden_layer_delta", hidden_delta_times_1_37),
    Case("constant_factor", "weights_1_update", w1_update_times_0_9),
    Case("constant_factor", "output_layer_error", error_times_3),
    Case("raised", "hidden_layer_delta", raises),
    Case("raised", "output_layer_delta", exits),
    Case("raised", "output_layer_error", wrong_arguments),
    Case("not_numeric", "weights_1_update", returns_none),
    Case("not_numeric", "mse", returns_text),
    Case("not_numeric", "output_layer_inputs", returns_names),
    Case("not_finite", "hidden_layer_delta", delta_nan),
    Case("not_finite", "weights_1_update", w1_update_divided_by_zero),
    Case("not_finite", "sigmoid", sigmoid_overflow),
    Case("not_numeric", "weights_update", lambda *arguments: 3),
    Case("shape_mismatch", "output_node_input", node_input_vector),
    Case("shape_mismatch", "output_node_input", node_input_row),
    Case("shape_mismatch", "hidden_layer_delta", delta_extra_row),
    Case("missing_activation", "hidden_layer_outputs", hidden_outputs_linear),
    Case("missing_activation", "output_layer_outputs", output_outputs_linear),
    Case("missing_activation", "sigmoid", sigmoid_linear),
    Case("missing_terms", "output_node_input", node_input_first_term),
    Case("missing_terms", "output_node_input", node_input_last_term),
    Case("missing_terms", "weighted_sum", weighted_sum_first_term),
    Case("count_instead_of_share", "accuracy", accuracy_count),
    Case("count_instead_of_share", "accuracy", accuracy_percent),
    Case("count_instead_of_share", "accuracy", accuracy_count_loop),
    Case("function_instead_of_derivative", "square_derivative", square_derivative_as_square),
    Case("function_instead_of_derivative", "square_derivative", square_derivative_as_power),
    Case("function_instead_of_derivative", "output_layer_error", error_squared),
    Case("function_instead_of_derivative", "square_derivative", square_derivative_as_numpy_square),
    Case("sum_instead_of_product", "chain_rule", chain_sum),
    Case("sum_instead_of_product", "chain_rule", chain_sum_explicit),
    Case("missing_link", "chain_rule", chain_first),
    Case("missing_link", "chain_rule", chain_last),
    Case("sum_instead_of_product", "chain_rule", chain_numpy_add),
    Case("missing_link", "chain_rule", chain_first_times_ones),
    Case("missing_terms", "weights_1_update", w1_update_first_example),
    Case("reshaped", "weights_2_update", w2_update_reshaped),
    Case("reshaped", "weights_1_update", w1_update_reshaped),
    Case("lost_precision", "hidden_layer_delta", hidden_delta_float32_output, dtypes=FLOAT64_ONLY),
    Case("lost_precision", "weights_2_update", w2_update_cast_float32, dtypes=FLOAT64_ONLY),
    Case("lost_precision", "gradient_descent_step", step_float32_scalar_type, dtypes=FLOAT64_ONLY),
]
"""The function cases (backpropagations are in :mod:`tests.verify.corpus.backprop`)."""
