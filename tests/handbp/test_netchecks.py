"""handbp.netchecks: a net that cannot work, and data that does not fit a net, are named."""

from __future__ import annotations

import numpy as np
import pytest

from handbp.layers import layer_l_inputs
from handbp.nn import Net, Params, parameters_update
from handbp.optimizers import minibatches

NET = Net((3, 4, 2), ("relu", "softmax"), loss="cross_entropy")
X = np.ones((5, 3))
Y = np.eye(2)[[0, 1, 0, 1, 1]]
PARAMS = NET.init(0)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"widths": (3, 0, 2)}, ValueError, r"widths\[1\] must be at least 1, got 0"),
        ({"widths": (3,)}, ValueError, "at least one layer"),
        ({"widths": "3-2"}, TypeError, "widths must be a sequence"),
        ({"widths": (3, 2.5)}, TypeError, r"widths\[1\] must be an integer"),
        ({"activations": ("relu",)}, ValueError, "one per layer .2 for widths"),
        (
            {"activations": ("relu", "swish")},
            ValueError,
            r"activations\[1\] \(layer 2\) must be one of",
        ),
        (
            {"activations": ("softmax", "softmax")},
            ValueError,
            "softmax is only allowed in the output layer",
        ),
        (
            {"activations": ("relu", "sigmoid")},
            ValueError,
            "'cross_entropy' needs a softmax output",
        ),
        ({"loss": "hinge"}, ValueError, "loss must be one of mse, binary_cross_entropy"),
        ({"loss": "binary_cross_entropy"}, ValueError, "needs a sigmoid output layer"),
        ({"widths": (3, 4, 1)}, ValueError, "softmax output layer needs at least 2 nodes"),
        ({"biases": 1}, TypeError, "biases must be True or False"),
    ],
)
def test_a_net_that_cannot_work_is_refused(kwargs, error, message):
    spec = {"widths": (3, 4, 2), "activations": ("relu", "softmax"), "loss": "cross_entropy"}
    with pytest.raises(error, match=message):
        Net(**{**spec, **kwargs})


def _replace(params: Params, weights=None, biases=None) -> Params:
    return Params(weights or params.weights, biases if biases is not None else params.biases)


@pytest.mark.parametrize(
    "X_, Y_, params, error, message",
    [
        (np.ones((5, 4)), Y, PARAMS, ValueError, r"X must have 3 columns \(the net's inputs"),
        (X, np.ones((5, 3)) / 3, PARAMS, ValueError, "Y must have 2 columns"),
        (X, Y[:4], PARAMS, ValueError, "Y has 4 rows but X has 5: one row per example"),
        (X, np.array([[1.0, 1.0]] * 5), PARAMS, ValueError, "Y must be one-hot"),
        (np.full((5, 3), np.nan), Y, PARAMS, ValueError, "X must be finite"),
        (X.astype(np.int64), Y, PARAMS, TypeError, "X must be a float32 or float64 array"),
        (X.astype(np.float32), Y, PARAMS, TypeError, "arrays must share one float dtype"),
        (
            X,
            Y,
            _replace(PARAMS, biases=(PARAMS.biases[0][None, :], PARAMS.biases[1])),
            ValueError,
            r"params.biases\[0\] \(b1\) must be a vector of shape \(4,\).*got shape \(1, 4\); "
            "nothing is broadcast",
        ),
        (
            X,
            Y,
            _replace(PARAMS, weights=(PARAMS.weights[0].T, PARAMS.weights[1])),
            ValueError,
            r"params.weights\[0\] \(W1\) must have shape \(3, 4\)",
        ),
        (X, Y, Params(PARAMS.weights[:1], PARAMS.biases), ValueError, "must hold 2 matrices"),
        (X, Y, Params(PARAMS.weights), TypeError, "params.biases must be one vector per layer"),
        (X, Y, (PARAMS.weights, PARAMS.biases), TypeError, "params must be a Params"),
        (
            X,
            Y,
            _replace(PARAMS, weights=(np.full((3, 4), np.inf), PARAMS.weights[1])),
            ValueError,
            r"params.weights\[0\] \(W1\) must be finite",
        ),
    ],
)
def test_data_that_does_not_fit_the_net_is_named(X_, Y_, params, error, message):
    with pytest.raises(error, match=message):
        NET.gradients(X_, Y_, params)


def test_biases_given_to_a_net_without_biases():
    net = Net((3, 2), "sigmoid", biases=False)
    with pytest.raises(ValueError, match=r"params\.biases must be None: the net has no biases"):
        net.forward(X, Params((np.ones((3, 2)),), (np.ones(2),)))


def test_binary_labels_for_the_binary_cross_entropy():
    net = Net((3, 2), "sigmoid", loss="binary_cross_entropy")
    with pytest.raises(ValueError, match=r"Y must hold binary labels \(0 or 1\), Y\[0, 0\] is"):
        net.gradients(X, np.full((5, 2), 0.5), net.init(0))


def test_a_forward_pass_of_another_net():
    other = Net((3, 5, 2), ("relu", "softmax"), loss="cross_entropy")
    forward = other.forward(X, other.init(0))
    with pytest.raises(
        ValueError, match=r"forward.layer_l_outputs\[0\] \(A1\) must have 4 columns"
    ):
        NET.backward(X, Y, PARAMS, forward)


def test_update_arguments():
    with pytest.raises(ValueError, match=r"eta \(learning rate\) must be positive"):
        parameters_update(NET, PARAMS, PARAMS, -0.1)
    with pytest.raises(ValueError, match=r"gradients.weights\[1\] \(W2\) must have shape \(4, 2\)"):
        parameters_update(
            NET, PARAMS, Params((PARAMS.weights[0], np.ones((2, 2))), PARAMS.biases), 0.1
        )


def test_init_and_minibatch_arguments():
    with pytest.raises(ValueError, match="scheme must be one of auto, glorot, he, series"):
        NET.init(0, scheme="xavier")
    with pytest.raises(ValueError, match=r"seed must be in 0\.\.2"):
        NET.init(-1)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        NET.init(0, dtype=np.int32)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        minibatches(10, 0, seed=0)


def test_a_layer_bias_of_the_wrong_shape_is_not_broadcast():
    with pytest.raises(ValueError, match=r"b must be a vector \(1-D\), got shape \(1, 2\)"):
        layer_l_inputs(np.ones((3, 2)), np.ones((2, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"shapes do not fit: b\.shape\[0\] is 3"):
        layer_l_inputs(np.ones((3, 2)), np.ones((2, 2)), np.ones(3))
