"""Wrong backwards of general layers (affine, ReLU, softmax, losses), one mistake each.

Each forward is written once against the array API and differentiated by JAX
(:func:`verify.check_layer`); each backward below gets one thing wrong.
"""

import numpy as np

from tests.verify.corpus import Case

AFFINE = {"x": ("N", "D"), "w": ("D", "M"), "b": ("M",)}
ROWS = {"x": ("N", "C")}
LABELS = {"y": lambda rng, dims: rng.integers(0, dims["C"], size=dims["N"])}


def affine(x, w, b):
    return x @ w + b


def relu(x):
    return x.__array_namespace__().maximum(x, 0)


def leaky_relu(x, xp):
    return xp.where(x > 0, x, 0.1 * x)


def tanh(x, xp):
    return xp.tanh(x)


def softmax(x, xp):
    e = xp.exp(x - xp.max(x, axis=1, keepdims=True))
    return e / xp.sum(e, axis=1, keepdims=True)


def sigmoid(x, xp):
    return 1 / (1 + xp.exp(-x))


def softmax_loss(x, y, xp):
    logp = x - xp.log(xp.sum(xp.exp(x), axis=1, keepdims=True))
    return -xp.mean(xp.take_along_axis(logp, y[:, None], axis=1))


def squared_loss(x, xp):
    return xp.mean(x**2) / 2


def bce_with_logits(x, y, xp):
    s = sigmoid(x, xp)
    return -xp.mean(y * xp.log(s) + (1 - y) * xp.log(1 - s))


def bce_terms(x, y, xp):
    s = sigmoid(x, xp)
    return -(y * xp.log(s) + (1 - y) * xp.log(1 - s))


def bce_sum(x, y, xp):
    return xp.sum(bce_terms(x, y, xp))


BINARY = {"y": lambda rng, dims: rng.integers(0, 2, size=(dims["N"], dims["C"])).astype(float)}


def _sig_np(x):
    return sigmoid(x, np)


def _softmax_np(x):
    return softmax(x, np)


def _loss_grad(x, y):
    p = _softmax_np(x)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def _case(kind, forward, shapes, backward, dtypes=("float64", "float32"), **options):
    return Case(kind, "layer", backward, layer=(forward, shapes, options), dtypes=dtypes)


CASES = [
    _case(
        "wrong_axis",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w.T, x.T @ d, d.sum(axis=1)),
        dims={"N": 5, "M": 3},
    ),
    _case(
        "wrong_axis",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w.T, x.T @ d, np.sum(d, 1)),
        dims={"N": 4, "M": 2},
    ),
    _case(
        "wrong_axis",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w.T, x.T @ d, d.sum(-1)),
        dims={"N": 6, "M": 4},
    ),
    _case("not_summed", affine, AFFINE, lambda d, x, w, b: (d @ w.T, x.T @ d, d), dims={"N": 5}),
    _case(
        "not_summed", affine, AFFINE, lambda d, x, w, b: (d @ w.T, x.T @ d, d.copy()), dims={"N": 3}
    ),
    _case(
        "not_summed",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w.T, x.T @ d, 1.0 * d),
        dims={"N": 2, "M": 3},
    ),
    _case(
        "factor_1/batch",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w.T, x.T @ d, d.mean(axis=0)),
        dims={"N": 5},
    ),
    _case(
        "factor_1/batch",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w.T, x.T @ d / len(x), d.sum(0)),
        dims={"N": 4},
    ),
    _case(
        "factor_1/batch",
        softmax_loss,
        ROWS,
        lambda d, x, y: d * _loss_grad(x, y) / len(y),
        constants=LABELS,
        dims={"N": 4},
    ),
    _case(
        "factor_batch",
        softmax_loss,
        ROWS,
        lambda d, x, y: d * _loss_grad(x, y) * len(y),
        constants=LABELS,
        dims={"N": 4},
    ),
    _case("factor_batch", squared_loss, ROWS, lambda d, x: d * x / x.size * len(x), dims={"N": 5}),
    _case(
        "factor_batch",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w.T * len(x), x.T @ d, d.sum(0)),
        dims={"N": 3},
    ),
    _case(
        "transposed",
        affine,
        AFFINE,
        lambda d, x, w, b: ((d @ w.T).T, x.T @ d, d.sum(0)),
        dims={"N": 5, "D": 3},
    ),
    _case(
        "transposed",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w.T, d.T @ x, d.sum(0)),
        dims={"D": 2, "M": 4},
    ),
    _case(
        "transposed",
        affine,
        AFFINE,
        lambda d, x, w, b: (w @ d.T, x.T @ d, d.sum(0)),
        dims={"N": 4, "D": 2},
    ),
    _case(
        "transposed",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w, x.T @ d, d.sum(0)),
        dims={"D": 3, "M": 3},
    ),
    _case(
        "swapped",
        affine,
        AFFINE,
        lambda d, x, w, b: (x.T @ d, d @ w.T, d.sum(0)),
        dims={"N": 3, "D": 3, "M": 3},
    ),
    _case(
        "swapped", affine, AFFINE, lambda d, x, w, b: (d @ w.T, d.sum(0), x.T @ d), dims={"D": 1}
    ),
    _case(
        "swapped",
        affine,
        AFFINE,
        lambda d, x, w, b: {"x": d @ w.T, "w": d.sum(0), "b": x.T @ d},
        dims={"D": 1},
    ),
    _case("output_instead_of_derivative", relu, ROWS, lambda d, x: d * np.maximum(x, 0)),
    _case("output_instead_of_derivative", sigmoid, ROWS, lambda d, x: d * sigmoid(x, np)),
    _case("output_instead_of_derivative", leaky_relu, ROWS, lambda d, x: d * leaky_relu(x, np)),
    _case(
        "diagonal_only",
        softmax,
        ROWS,
        lambda d, x: d * _softmax_np(x) * (1 - _softmax_np(x)),
        dims={"C": 3},
    ),
    _case(
        "diagonal_only",
        softmax,
        ROWS,
        lambda d, x: d * (_softmax_np(x) - _softmax_np(x) ** 2),
        dims={"C": 4},
    ),
    _case(
        "diagonal_only",
        softmax,
        ROWS,
        lambda d, x: d * _softmax_np(x) - d * _softmax_np(x) ** 2,
        dims={"C": 5},
    ),
    _case("missing_derivative", relu, ROWS, lambda d, x: d),
    _case("missing_derivative", sigmoid, ROWS, lambda d, x: d.copy()),
    _case("missing_derivative", leaky_relu, ROWS, lambda d, x: 1.0 * d),
    _case(
        "derivative_kept",
        bce_with_logits,
        ROWS,
        lambda d, x, y: d * (_sig_np(x) - y) * _sig_np(x) * (1 - _sig_np(x)) / x.size,
        constants=BINARY,
    ),
    _case(
        "derivative_kept",
        bce_terms,
        ROWS,
        lambda d, x, y: d * (_sig_np(x) - y) * _sig_np(x) * (1 - _sig_np(x)),
        constants=BINARY,
    ),
    _case(
        "derivative_kept",
        bce_sum,
        ROWS,
        lambda d, x, y: d * (_sig_np(x) - y) * (_sig_np(x) - _sig_np(x) ** 2),
        constants=BINARY,
    ),
    _case("sign_flip", relu, ROWS, lambda d, x: -d * (x > 0)),
    _case("sign_flip", affine, AFFINE, lambda d, x, w, b: (d @ w.T, -(x.T @ d), d.sum(0))),
    _case("sign_flip", softmax_loss, ROWS, lambda d, x, y: -d * _loss_grad(x, y), constants=LABELS),
    _case(
        "reshaped",
        affine,
        AFFINE,
        lambda d, x, w, b: (d @ w.T, (d.T @ x).reshape(x.shape[1], d.shape[1]), d.sum(0)),
        dims={"D": 3, "M": 2},
    ),
    # the local derivative alone, without the upstream gradient
    _case("missing_factor", relu, ROWS, lambda d, x: (x > 0).astype(x.dtype)),
    _case("missing_factor", sigmoid, ROWS, lambda d, x: _sig_np(x) * (1 - _sig_np(x))),
    _case("missing_factor", softmax_loss, ROWS, lambda d, x, y: _loss_grad(x, y), constants=LABELS),
    # another derivative: slopes swapped, tanh's 1 - s, the leaky slope in a ReLU
    _case("wrong_derivative", leaky_relu, ROWS, lambda d, x: d * np.where(x > 0, 0.1, 1.0)),
    _case("wrong_derivative", tanh, ROWS, lambda d, x: d * (1 - np.tanh(x))),
    _case("wrong_derivative", relu, ROWS, lambda d, x: d * np.where(x > 0, 1.0, 0.01)),
    # the derivative's formula in the output applied to the input
    _case("derivative_of_input", tanh, ROWS, lambda d, x: d * (1 - x**2)),
    _case("derivative_of_input", sigmoid, ROWS, lambda d, x: d * x * (1 - x)),
    _case("derivative_of_input", sigmoid, ROWS, lambda d, x: d * (x - x**2), dims={"C": 3}),
    # float32 inside a float64 backward
    _case(
        "lost_precision",
        affine,
        AFFINE,
        lambda d, x, w, b: ((d @ w.T).astype(np.float32), x.T @ d, d.sum(0)),
        dtypes=("float64",),
    ),
    _case(
        "lost_precision",
        sigmoid,
        ROWS,
        lambda d, x: d * _sig_np(x.astype(np.float32)) * (1 - _sig_np(x.astype(np.float32))),
        dtypes=("float64",),
    ),
    _case(
        "lost_precision",
        relu,
        ROWS,
        lambda d, x: np.float32(d) * (x > 0),
        dtypes=("float64",),
    ),
]
"""The general layers' cases (:func:`verify.check_layer`)."""
