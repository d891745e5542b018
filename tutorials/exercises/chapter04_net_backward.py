"""Chapter 4 exercise: the backward pass of a ReLU net with a softmax cross-entropy output.

Check it: run the exercise cell at the end of chapter04_training_digits.md, which calls
``verify.check_net(backward, NET)``: every error, delta and gradient of your pass, layer
by layer, against JAX, and the first one that is wrong given your own upstream values.
"""

import numpy as np

from handbp.nn import Net, NetBackward, NetForward, Params

NET = Net((8, 6, 5, 3), ("relu", "relu", "softmax"), "cross_entropy")
"""The net the check runs on: two ReLU layers, a softmax output, biases (any depth works)."""


def backward(net: Net, X: np.ndarray, Y: np.ndarray, params: Params, forward: NetForward):
    r"""The errors, deltas and gradients of one backward pass, in chapter 1's conventions.

    ``forward.layer_l_outputs[l - 1]`` is :math:`A_l`; ``params.weights[l - 1]`` is
    :math:`W_l`. Return a :class:`handbp.nn.NetBackward`, one entry per layer 1..L:
    :math:`E_l = D_{l+1} W_{l+1}^T` (None for the output layer: the fused delta needs none),
    :math:`D_L = A_L - Y`, :math:`D_l = E_l \odot f'(A_l)`,
    :math:`\partial C/\partial W_l = A_{l-1}^T D_l / N` and
    :math:`\partial C/\partial b_l = \sum_e D_l^{(e)} / N`.
    """
    N = X.shape[0]
    As = (X, *forward.layer_l_outputs)
    L = net.depth
    errors, deltas, dWs, dbs = [None] * L, [None] * L, [None] * L, [None] * L
    D = As[L] - Y  # softmax + cross-entropy: the fused output delta
    for layer in range(L, 0, -1):
        deltas[layer - 1] = D
        dWs[layer - 1] = As[layer - 1].T @ D / N
        dbs[layer - 1] = D.sum(axis=0) / N
        if layer > 1:
            E = D @ params.weights[layer - 1].T
            errors[layer - 2] = E
            # Start: a ReLU passes its output on where it is positive, so its output
            # stands in for its derivative here.
            # Complete it: what is the slope of max(0, z), as a function of the output A?
            D = E * As[layer - 1]
    return NetBackward(tuple(errors), tuple(deltas), tuple(dWs), tuple(dbs))
