"""handbp.layers: layer l's equations, and the forward/backward pairs built from them."""

from __future__ import annotations

import numpy as np
import pytest

from handbp import activations as f
from handbp.layers import (
    ACTIVATIONS,
    activation,
    activation_backward,
    activation_forward,
    bias_l_update,
    dense_backward,
    dense_forward,
    layer_l_delta,
    layer_l_error,
    layer_l_inputs,
    layer_l_outputs,
    weights_l_update,
)

A_PREV = np.array([[1.0, 2.0], [3.0, -1.0]])
W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
B = np.array([0.5, -1.0, 0.0])


def test_hand_worked_layer():
    np.testing.assert_allclose(layer_l_inputs(A_PREV, W, B), [[1.5, 1.0, 0.0], [3.5, -2.0, 7.0]])
    np.testing.assert_array_equal(layer_l_inputs(A_PREV, W), A_PREV @ W)
    np.testing.assert_array_equal(layer_l_outputs(A_PREV, f.relu), [[1.0, 2.0], [3.0, 0.0]])
    D = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    np.testing.assert_allclose(layer_l_error(D, W), [[-1.0, 1.0], [2.0, 1.0]])
    np.testing.assert_allclose(bias_l_update(D, 4), [0.75, 0.25, -0.25])  # column sums / N
    np.testing.assert_allclose(weights_l_update(A_PREV, D, 4), A_PREV.T @ D / 4)
    E = np.array([[2.0, -2.0]])
    np.testing.assert_allclose(
        layer_l_delta(E, np.array([[0.5, 0.0]]), f.relu_derivative), [[2.0, 0.0]]
    )


def test_the_pairs_are_the_equations():
    Z, cache = dense_forward(A_PREV, W, B)
    A, a_cache = activation_forward(Z, "tanh")
    np.testing.assert_array_equal(A, np.tanh(A_PREV @ W + B))
    E = np.ones_like(A)
    D = activation_backward(E, a_cache)
    np.testing.assert_array_equal(D, E * (1 - A * A))
    before, dW, db = dense_backward(D, cache, N=6)
    np.testing.assert_array_equal(dW, A_PREV.T @ D / 6)
    np.testing.assert_array_equal(db, D.sum(axis=0) / 6)
    np.testing.assert_array_equal(before, D @ W.T)
    assert dense_backward(D, dense_forward(A_PREV, W, None)[1], N=6, error_before=False)[::2] == (
        None,
        None,
    )


def test_softmax_backward_is_its_jvp():
    P, cache = activation_forward(np.array([[0.0, 1.0, 2.0]]), "softmax")
    V = np.array([[1.0, -1.0, 0.5]])
    np.testing.assert_array_equal(activation_backward(V, cache), f.softmax_jvp(P, V))


def test_activation_names():
    assert list(ACTIVATIONS) == ["sigmoid", "tanh", "relu", "leaky_relu", "softmax"]
    with pytest.raises(ValueError, match="activation must be one of sigmoid, tanh"):
        activation("gelu")
