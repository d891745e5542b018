"""Chapter 4 solution: a ReLU's derivative is the indicator of a positive output, not the output."""

import numpy as np

from handbp.nn import Net, NetBackward, NetForward, Params


def backward(net: Net, X: np.ndarray, Y: np.ndarray, params: Params, forward: NetForward):
    r""":math:`D_L = A_L - Y,\ D_l = (D_{l+1} W_{l+1}^T) \odot [A_l > 0],\ \partial C/\partial W_l = A_{l-1}^T D_l / N`."""
    N = X.shape[0]
    As = (X, *forward.layer_l_outputs)
    L = net.depth
    errors, deltas, dWs, dbs = [None] * L, [None] * L, [None] * L, [None] * L
    D = As[L] - Y
    for layer in range(L, 0, -1):
        deltas[layer - 1] = D
        dWs[layer - 1] = As[layer - 1].T @ D / N
        dbs[layer - 1] = D.sum(axis=0) / N
        if layer > 1:
            E = errors[layer - 2] = D @ params.weights[layer - 1].T
            D = E * (As[layer - 1] > 0)
    return NetBackward(tuple(errors), tuple(deltas), tuple(dWs), tuple(dbs))
