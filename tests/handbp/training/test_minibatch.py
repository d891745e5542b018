"""The in-place epoch computes what the catalogue's functions compute, bit for bit."""

import numpy as np
import pytest

from handbp.digits import load_digits
from handbp.nn import Net
from handbp.optimizers import Optimizer
from handbp.training.minibatch import EPOCHS, CatalogueEpoch, FastEpoch

NETS = {
    "relu-softmax-ce": Net((64, 16, 10), ("relu", "softmax"), "cross_entropy"),
    "sigmoid-mse": Net((64, 12, 10), "sigmoid", "mse"),
    "tanh-leaky-softmax": Net((64, 8, 8, 10), ("tanh", "leaky_relu", "softmax"), "cross_entropy"),
    "sigmoid-bce": Net((64, 8, 10), ("relu", "sigmoid"), "binary_cross_entropy"),
    "no-biases-staged": Net((64, 8, 10), ("sigmoid", "softmax"), "mse", biases=False),
}
OPTIMIZERS = {
    "sgd": Optimizer("sgd", 0.1),
    "sgd-decay": Optimizer("sgd", 0.05, decay=0.01),
    "momentum": Optimizer("momentum", 0.05, mu=0.8, decay=0.001),
    "adam": Optimizer("adam", 0.01),
    "adam-decay": Optimizer("adam", 0.003, beta1=0.8, beta2=0.99, decay=0.01),
}


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return np.array(data.X[:150]), np.array(data.Y[:150])  # batches of 32: the last has 22


def arrays(params):
    return [*params.weights, *(params.biases or ())]


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS), ids=list(OPTIMIZERS))
@pytest.mark.parametrize("net", list(NETS), ids=list(NETS))
def test_the_fast_epoch_equals_the_catalogues_bit_for_bit(digits, net, optimizer):
    net, optimizer = NETS[net], OPTIMIZERS[optimizer]
    X, Y = digits
    params = net.init(3)
    runs = [kind(net, X, Y, params, optimizer, 32, 7) for kind in (FastEpoch, CatalogueEpoch)]
    for epoch in range(3):
        for run in runs:
            run.run(epoch)
        fast, catalogue = (arrays(run.params) for run in runs)
        for a, b in zip(fast, catalogue, strict=True):
            assert np.array_equal(a, b), f"epoch {epoch}"
        np.testing.assert_allclose(runs[0].gradient_squares, runs[1].gradient_squares, rtol=1e-12)
    assert runs[0].batches_run == runs[1].batches_run == 15


def test_float32_stays_float32_and_equal(digits):
    X, Y = (a.astype(np.float32) for a in digits)
    net = NETS["relu-softmax-ce"]
    params = net.init(0, dtype=np.float32)
    runs = [kind(net, X, Y, params, OPTIMIZERS["adam"], 50, 1) for kind in EPOCHS.values()]
    for run in runs:
        run.run(0)
    for a, b in zip(*(arrays(run.params) for run in runs), strict=True):
        assert a.dtype == np.float32 and np.array_equal(a, b)


def test_params_are_copies(digits):
    X, Y = digits
    run = FastEpoch(
        NETS["sigmoid-mse"], X, Y, NETS["sigmoid-mse"].init(0), OPTIMIZERS["sgd"], 32, 0
    )
    before = run.params
    run.run(0)
    assert not np.array_equal(before.weights[0], run.params.weights[0])


@pytest.mark.parametrize("kind", list(EPOCHS))
def test_measure_counts_the_examples_whose_largest_output_is_their_class(kind):
    """On a net of three layers (so that the output layer is not the only one): the
    accuracy is the share of rows whose output argmax is the labelled class, counted here
    from the loss's own forward pass."""
    net = Net((4, 6, 5, 3), ("tanh", "relu", "softmax"), "cross_entropy")
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 4))
    Y = np.eye(3)[rng.integers(0, 3, 40)]
    params = net.init(2)
    run = EPOCHS[kind](net, X, Y, params, OPTIMIZERS["sgd"], 8, 0)
    loss, accuracy, outputs = run.measure(X, Y)
    forward = net.forward(X, params)
    predicted = forward.layer_l_outputs[-1].argmax(axis=1)
    right = sum(int(p == int(np.flatnonzero(y)[0])) for p, y in zip(predicted, Y, strict=True))
    assert accuracy == right / 40 and 0 < right < 40
    assert loss == pytest.approx(float(net.loss_value(Y, forward)), rel=1e-12)
    assert [o.shape for o in outputs] == [(40, 6), (40, 5), (40, 3)]


@pytest.mark.parametrize(
    "net",
    [
        Net((4, 6, 3), ("relu", "softmax"), "cross_entropy"),
        Net((4, 6, 3), "sigmoid", "binary_cross_entropy"),
        Net((4, 6, 3), ("tanh", "sigmoid"), "mse"),
        Net((4, 3), "relu", "mse"),
    ],
    ids=["softmax-ce", "sigmoid-bce", "sigmoid-mse", "relu-mse"],
)
def test_measuring_a_run_gone_wrong_is_warning_free_and_the_same_on_both_engines(net):
    """Weights of +-1e200 overflow the products (inf), then inf - inf gives nan; a ReLU
    output of 1e200 overflows the MSE's square: the loss and accuracy of a diverged run
    are reported, not warned about (pytest turns warnings into errors), and both engines
    report the same. (No loss divides by zero: the cross-entropies are taken from the
    logits, where every logarithm is of at least 1.)"""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10, 4))
    Y = np.eye(3)[rng.integers(0, 3, 10)] if net.loss == "cross_entropy" else np.eye(3)[[0, 1] * 5]
    params = net.init(0)
    signs = [np.where(np.arange(W.size).reshape(W.shape) % 2, 1.0, -1.0) for W in params.weights]
    huge = type(params)(tuple(1e200 * s for s in signs), params.biases)
    measured = [
        kind(net, X, Y, huge, OPTIMIZERS["sgd"], 5, 0).measure(X, Y)[:2] for kind in EPOCHS.values()
    ]
    np.testing.assert_equal(measured[0], measured[1])
    assert 0 <= measured[0][1] <= 1
