"""handbp.inplace: the passes in place are the catalogue's equations, bit for bit."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings

from handbp import inplace
from handbp.layers import ACTIVATIONS
from handbp.nn import Net, Params, parameters_update
from tests.handbp.beyond_strategies import cases

FEW = settings(max_examples=25, deadline=None)
MANY = settings(max_examples=300, deadline=None)


def _arrays(params: Params) -> list[np.ndarray]:
    return [*params.weights, *(params.biases or ())]


def _catalogue_step(net: Net, X, Y, params: Params, eta: float) -> Params:
    return parameters_update(net, params, net.gradients(X, Y, params).gradients, eta)


def _assert_bit_for_bit(got: Params, expected: Params) -> None:
    assert (got.biases is None) == (expected.biases is None)
    for a, b in zip(_arrays(got), _arrays(expected), strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert np.array_equal(a, b), np.max(np.abs(a - b))


def _step_equals_the_catalogue(case) -> None:
    eta = 0.3
    _assert_bit_for_bit(
        case.net.step(case.X, case.Y, case.params, eta),
        _catalogue_step(case.net, case.X, case.Y, case.params, eta),
    )


@FEW
@given(cases())
def test_net_step_is_the_catalogue_step_bit_for_bit(case):
    """Any depth, activation, loss, biases on or off, batch of 1 to 64, both dtypes."""
    _step_equals_the_catalogue(case)


@pytest.mark.slow
@MANY
@given(cases())
def test_net_step_is_the_catalogue_step_bit_for_bit_many(case):
    _step_equals_the_catalogue(case)


def test_every_activation_has_an_in_place_form():
    assert set(inplace.IN_PLACE) == set(ACTIVATIONS)


def test_an_activation_without_an_in_place_form_is_refused():
    class Odd:
        activations = ("relu", "swish")
        widths, biases, fused = (2, 3, 1), True, False

    with pytest.raises(ValueError, match="sigmoid, tanh, relu, leaky_relu, softmax, not 'swish'"):
        inplace.InPlacePass(Odd(), 4, np.dtype(np.float64), backward=True)


def _problem(seed: int, examples: int = 8):
    net = Net((5, 7, 3), ("relu", "softmax"), loss="cross_entropy")
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(examples, 5))
    Y = np.eye(3)[rng.integers(0, 3, examples)]
    return net, X, Y, net.init(seed)


def test_a_step_returns_new_arrays_that_later_steps_leave_alone():
    """The buffers are reused; what a step returns is the caller's."""
    net, X, Y, params = _problem(0)
    first = net.step(X, Y, params, 0.1)
    kept = [a.copy() for a in _arrays(first)]
    second = net.step(X, Y, first, 0.1)
    net.step(*_problem(1)[1:3], second, 0.1)
    for a, b in zip(_arrays(first), kept, strict=True):
        assert np.array_equal(a, b)
    assert all(a is not p for a, p in zip(_arrays(first), _arrays(params), strict=True))
    for before in _arrays(params):  # the inputs are not written to
        assert before.flags.writeable


def test_steps_of_two_batch_sizes_and_dtypes_in_turn_keep_their_own_buffers():
    net, X, Y, params = _problem(2, examples=9)
    single = Params(
        tuple(W.astype(np.float32) for W in params.weights),
        tuple(b.astype(np.float32) for b in params.biases),
    )
    calls = [
        (X, Y, params),
        (X[:4], Y[:4], params),
        (X.astype(np.float32), Y.astype(np.float32), single),
    ]
    for _ in range(2):
        for X_, Y_, p in calls:
            _assert_bit_for_bit(net.step(X_, Y_, p, 0.2), _catalogue_step(net, X_, Y_, p, 0.2))


def test_threads_stepping_at_once_each_get_the_catalogue_step():
    problems = [_problem(seed) for seed in range(4)]
    expected = [_catalogue_step(net, X, Y, p, 0.1) for net, X, Y, p in problems]
    results: dict[int, list[Params]] = {}

    def work(index: int) -> None:
        net, X, Y, p = problems[index]
        results[index] = [net.step(X, Y, p, 0.1) for _ in range(200)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(problems))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, steps in results.items():
        for got in steps:
            _assert_bit_for_bit(got, expected[index])


# --- The buffers ------------------------------------------------------------------------------


def test_buffers_are_of_the_dtype_asked_and_a_forward_pass_has_no_backward_ones():
    net = Net((3, 4, 5, 2), ("tanh", "relu", "sigmoid"), loss="mse")
    both = inplace.InPlacePass(net, 6, np.dtype(np.float32), backward=True)
    arrays = [(n, a) for layer in both.layers for n, a in vars(layer).items()]
    assert {n for n, _ in arrays} == {"Z", "A", "mask", "column", "E", "D", "work"}
    assert all(a.dtype == (bool if n == "mask" else np.float32) for n, a in arrays)
    forward_only = inplace.InPlacePass(net, 6, np.dtype(np.float32), backward=False)
    assert all(set(vars(layer)) == {"Z", "A", "mask", "column"} for layer in forward_only.layers)


def _in_a_new_thread(function) -> None:
    """Run ``function`` in a thread of its own (its own buffers); raise what it raised."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            function()
        except BaseException as error:  # handed to the test's thread
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def test_step_buffers_are_reused_and_the_oldest_go_first(monkeypatch):
    monkeypatch.setattr(inplace, "KEPT", 2)
    net, float64 = Net((3, 4, 2), "sigmoid"), np.dtype(np.float64)

    def body() -> None:
        first = inplace.step_buffers(net, 5, float64)
        assert inplace.step_buffers(net, 5, float64) is first
        second = inplace.step_buffers(net, 6, float64)
        assert inplace.step_buffers(net, 6, float64) is second
        inplace.step_buffers(net, 7, float64)  # a third: the first goes
        assert inplace.step_buffers(net, 6, float64) is second
        assert inplace.step_buffers(net, 5, float64) is not first

    _in_a_new_thread(body)
    assert inplace.step_buffers(net, 5, float64) is inplace.step_buffers(net, 5, float64)


def test_a_forward_pass_needs_one_weight_matrix_per_layer():
    net = Net((3, 4, 2), ("relu", "softmax"), loss="cross_entropy")
    passes = inplace.InPlacePass(net, 5, np.dtype(np.float64), backward=False)
    params = net.init(0)
    with pytest.raises(ValueError, match="zip"):
        passes.forward(np.ones((5, 3)), params.weights[:1], params.biases)


def test_a_sigmoid_far_below_zero_is_zero_without_a_warning():
    """exp(-z) overflows for z < -709 (float64): 1 / (1 + inf) = 0, as the catalogue's."""
    net = Net((1, 1), "sigmoid", biases=False)
    passes = inplace.InPlacePass(net, 2, np.dtype(np.float64), backward=False)
    passes.forward(np.array([[-800.0], [800.0]]), [np.ones((1, 1))], None)  # warnings: errors
    assert passes.layers[0].A.ravel().tolist() == [0.0, 1.0]


@pytest.mark.parametrize("dtype, warns", [(np.float32, False), (np.float64, True)])
def test_only_float32_products_silence_the_invalid_flag(dtype, warns):
    """OpenBLAS's float32 kernels can set it on finite inputs (numpy/numpy#24067), so the
    float32 products ignore it, as the catalogue's checked products do; float64 ones do
    not. (An infinite input, which a checked call never passes, sets it for sure.)"""
    net = Net((2, 1), "relu", biases=False)
    passes = inplace.InPlacePass(net, 1, np.dtype(dtype), backward=False)
    X, W = np.array([[np.inf, 1.0]], dtype), np.array([[0.0], [1.0]], dtype)
    if warns:
        with pytest.warns(RuntimeWarning, match="invalid value"):
            passes.forward(X, [W], None)
    else:
        passes.forward(X, [W], None)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dividing_by_a_power_of_two_is_multiplying_by_its_reciprocal_bit_for_bit(dtype):
    """What backward relies on to scale by 1/N with a product when N = 2^k."""
    info = np.finfo(dtype)
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.normal(size=2000) * 10.0 ** rng.integers(-30, 30, 2000),
            [info.tiny, info.tiny * 3, info.smallest_subnormal * 7, info.max, -info.max, 0.0],
            rng.uniform(-1, 1, 200) * info.tiny,  # products that round to subnormals
        ]
    ).astype(dtype)
    for k in range(0, 64):
        N = 2**k
        assert np.array_equal(np.divide(x, N), np.multiply(x, 1.0 / N)), k


@pytest.mark.parametrize("examples", [16, 32, 33, 48, 64])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_net_step_equals_the_catalogue_for_batches_of_powers_of_two_and_others(examples, loss):
    net = Net((5, 7, 3), ("tanh", "softmax" if loss == "cross_entropy" else "sigmoid"), loss=loss)
    _, X, Y, _ = _problem(3, examples)
    params = net.init(3)
    _assert_bit_for_bit(net.step(X, Y, params, 0.2), _catalogue_step(net, X, Y, params, 0.2))
