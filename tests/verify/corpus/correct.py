"""Equivalent correct forms a learner may write: each must pass, in float64 and float32.

Another order of products, ``np.dot`` / ``@`` / ``einsum``, ``*=`` in place on the
function's own arguments, a tuple / list / dict result: none of them may raise an alarm.
"""

from functools import partial

import numpy as np

from tests.verify.corpus.backprop import RIGHT, backprop


def delta_reordered(H_error, H_out):
    return H_out * (1 - H_out) * H_error


def delta_expanded(H_error, H_out):
    return H_error * (H_out - H_out**2)


def delta_in_place(H_error, H_out):
    H_error *= H_out * (1 - H_out)
    return H_error


def output_delta_multiply(O_error, O_out):
    return np.multiply(O_error, np.multiply(O_out, 1 - O_out))


def output_delta_in_place(O_error, O_out):
    O_error *= O_out
    O_error *= 1 - O_out
    return O_error


def w2_dot(H_out, O_delta, N):
    return np.dot(H_out.T, O_delta) / N


def w2_einsum(H_out, O_delta, N):
    return np.einsum("ej,ek->jk", H_out, O_delta) / N


def w2_transposed_twice(H_out, O_delta, N):
    return (O_delta.T @ H_out).T / N


def w2_outer_products(H_out, O_delta, N):
    return sum(np.outer(h, d) for h, d in zip(H_out, O_delta, strict=True)) / N


def w1_scaled_first(X, H_delta, N):
    return X.T @ (H_delta / N)


def w1_einsum(X, H_delta, N):
    return np.einsum("ei,ej->ij", X, H_delta) / N


def hidden_error_einsum(O_delta, W2):
    return np.einsum("ek,jk->ej", O_delta, W2)


def hidden_error_transposed_twice(O_delta, W2):
    return (W2 @ O_delta.T).T


def update_in_place(W1, W2, W1_update, W2_update, eta):
    W1 -= eta * W1_update
    W2 -= eta * W2_update
    return W1, W2


def update_as_dict(W1, W2, W1_update, W2_update, eta):
    return {"W1": W1 - eta * W1_update, "W2": W2 - eta * W2_update}


def update_as_list(W1, W2, W1_update, W2_update, eta):
    return [W1 - W1_update * eta, W2 + (-eta) * W2_update]


def step_in_place(x, gradient, eta):
    x -= eta * gradient
    return x


def sigmoid_derivative_expanded(s):
    return s - s * s


def mse_mean(O_out, Y):
    return np.mean((O_out - Y) ** 2) / 2


def mse_half_sum(O_out, Y):
    return 0.5 * np.sum(np.square(O_out - Y)) / Y.size


def accuracy_mean(O_out, Y):
    return float(np.mean(np.argmax(O_out, axis=1) == np.argmax(Y, axis=1)))


def node_input_dot(H_out, W2, e, k):
    return float(H_out[e] @ W2[:, k])


def node_input_loop(H_out, W2, e, k):
    return sum(H_out[e, j] * W2[j, k] for j in range(W2.shape[0]))


def dmse_do_out_scalar(O_out, Y, e, k):
    return (O_out[e, k] - Y[e, k]) / Y.size


def _in_place_backprop(X, Y, W2, forward):
    O_error = forward.output_layer_outputs - Y
    O_delta = O_error.copy()
    O_delta *= forward.output_layer_outputs * (1 - forward.output_layer_outputs)
    H_error = O_delta @ W2.T
    H_delta = H_error.copy()
    H_delta *= forward.hidden_layer_outputs
    H_delta *= 1 - forward.hidden_layer_outputs
    return (
        O_error,
        O_delta,
        np.dot(forward.hidden_layer_outputs.T, O_delta) / Y.size,
        H_error,
        H_delta,
        np.einsum("ei,ej->ij", X, H_delta) / Y.size,
    )


ACCEPTED = [
    ("hidden_layer_delta", delta_reordered),
    ("hidden_layer_delta", delta_expanded),
    ("hidden_layer_delta", delta_in_place),
    ("output_layer_delta", output_delta_multiply),
    ("output_layer_delta", output_delta_in_place),
    ("weights_2_update", w2_dot),
    ("weights_2_update", w2_einsum),
    ("weights_2_update", w2_transposed_twice),
    ("weights_2_update", w2_outer_products),
    ("weights_1_update", w1_scaled_first),
    ("weights_1_update", w1_einsum),
    ("hidden_layer_error", hidden_error_einsum),
    ("hidden_layer_error", hidden_error_transposed_twice),
    ("weights_update", update_in_place),
    ("weights_update", update_as_dict),
    ("weights_update", update_as_list),
    ("gradient_descent_step", step_in_place),
    ("sigmoid_derivative", sigmoid_derivative_expanded),
    ("mse", mse_mean),
    ("mse", mse_half_sum),
    ("accuracy", accuracy_mean),
    ("output_node_input", node_input_dot),
    ("output_node_input", node_input_loop),
    ("dmse_do_out", dmse_do_out_scalar),
    ("backpropagation", backprop),
    ("backpropagation", _in_place_backprop),
    (
        "backpropagation",
        partial(backprop, W2_update=lambda v: np.einsum("ej,ek->jk", v.H_out, v.O_delta) / v.N),
    ),
    ("backpropagation", partial(backprop, H_error=lambda v: (v.W2 @ v.O_delta.T).T)),
]
"""(equation id, a correct form of its function): every one must pass."""

assert set(RIGHT) == {"O_error", "O_delta", "W2_update", "H_error", "H_delta", "W1_update"}
