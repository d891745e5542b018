"""verify.check_layer: a learner's layer, forward written once (array API), backward in NumPy."""

import numpy as np
import pytest
from hypothesis import given

from verify import check_layer, strategies

AFFINE = {"x": ("N", "D"), "w": ("D", "M"), "b": ("M",)}
LABELS = {"y": lambda rng, dims: rng.integers(0, dims["C"], size=dims["N"])}


def affine_forward(x, w, b):
    return x @ w + b


def affine_backward(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def relu_forward(x):
    xp = x.__array_namespace__()
    return xp.maximum(x, 0)


def relu_backward(dout, x):
    return dout * (x > 0)


def softmax_loss(x, y, xp):
    shifted = x - xp.max(x, axis=1, keepdims=True)
    logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
    return -xp.mean(xp.take_along_axis(logp, y[:, None], axis=1))


def softmax_loss_backward(dout, x, y):
    p = np.exp(x - x.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return dout * p / len(y)


def softmax_forward(x, xp):
    e = xp.exp(x - xp.max(x, axis=1, keepdims=True))
    return e / xp.sum(e, axis=1, keepdims=True)


def softmax_backward(dout, x):
    s = softmax_forward(x, np)
    return s * (dout - np.sum(dout * s, axis=1, keepdims=True))


def bce_with_logits(x, y, xp):
    s = 1 / (1 + xp.exp(-x))
    return -xp.mean(y * xp.log(s) + (1 - y) * xp.log(1 - s))


def bce_with_logits_backward(dout, x, y):
    return dout * (1 / (1 + np.exp(-x)) - y) / x.size


def relu_backward_in_place(dout, x):
    dout *= x > 0
    return dout


BINARY = {"y": lambda rng, dims: rng.integers(0, 2, size=(dims["N"], dims["C"])).astype(float)}

CORRECT = [
    ("affine", affine_forward, affine_backward, AFFINE, {}),
    ("relu", relu_forward, relu_backward, {"x": ("N", "D")}, {}),
    ("softmax loss", softmax_loss, softmax_loss_backward, {"x": ("N", "C")}, {"constants": LABELS}),
    ("softmax", softmax_forward, softmax_backward, {"x": ("N", "C")}, {}),
    ("bce", bce_with_logits, bce_with_logits_backward, {"x": ("N", "C")}, {"constants": BINARY}),
    ("relu in place", relu_forward, relu_backward_in_place, {"x": ("N", "D")}, {}),
    (
        "affine einsum",
        affine_forward,
        lambda d, x, w, b: (np.einsum("nm,dm->nd", d, w), np.dot(x.T, d), d.sum(0)),
        AFFINE,
        {},
    ),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("name", "forward", "backward", "shapes", "options"), CORRECT)
def test_correct_layers_pass_on_drawn_shapes(name, forward, backward, shapes, options, dtype):
    result = check_layer(forward, backward, shapes, dtype=dtype, trials=6, **options)
    assert result.passed, str(result)
    assert len(result.trials) == 6 and result.mistake is None


def _b_over_wrong_axis(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout.sum(axis=1)


def _b_averaged(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout.mean(axis=0)


def _b_not_summed(dout, x, w, b):
    return dout @ w.T, x.T @ dout, dout


def _dx_transposed(dout, x, w, b):
    return (dout @ w.T).T, x.T @ dout, dout.sum(axis=0)


def _w_and_b_swapped(dout, x, w, b):
    return dout @ w.T, dout.sum(axis=0), x.T @ dout


def _relu_output_as_derivative(dout, x):
    return dout * np.maximum(x, 0)


def _loss_averaged_twice(dout, x, y):
    return softmax_loss_backward(dout, x, y) / len(y)


def _softmax_diagonal(dout, x):
    s = softmax_forward(x, np)
    return dout * s * (1 - s)


def _relu_sign(dout, x):
    return -dout * (x > 0)


WRONG = [
    (affine_forward, _b_over_wrong_axis, AFFINE, {"dims": {"N": 5, "M": 3}}, "wrong_axis"),
    (affine_forward, _b_averaged, AFFINE, {"dims": {"N": 5}}, "factor_1/batch"),
    (affine_forward, _b_not_summed, AFFINE, {"dims": {"N": 5}}, "not_summed"),
    (affine_forward, _dx_transposed, AFFINE, {"dims": {"N": 5, "D": 3}}, "transposed"),
    (affine_forward, _w_and_b_swapped, AFFINE, {"dims": {"D": 1}}, "swapped"),
    (
        relu_forward,
        _relu_output_as_derivative,
        {"x": ("N", "D")},
        {},
        "output_instead_of_derivative",
    ),
    (relu_forward, _relu_sign, {"x": ("N", "D")}, {}, "sign_flip"),
    (
        softmax_loss,
        _loss_averaged_twice,
        {"x": ("N", "C")},
        {"constants": LABELS, "dims": {"N": 4}},
        "factor_1/batch",
    ),
    (softmax_forward, _softmax_diagonal, {"x": ("N", "C")}, {"dims": {"C": 3}}, "diagonal_only"),
]


@pytest.mark.parametrize(("forward", "backward", "shapes", "options", "mistake"), WRONG)
def test_a_wrong_backward_fails_with_the_right_diagnosis(
    forward, backward, shapes, options, mistake
):
    result = check_layer(forward, backward, shapes, trials=4, **options)
    assert not result.passed
    assert result.mistake == mistake, str(result)
    assert f"diagnosis: d{result.first_failure.name}: " in str(result)


def test_an_upstream_gradient_changed_in_place_is_noted_not_failed():
    def in_place(dout, x):
        dout[x <= 0] = 0
        return dout

    result = check_layer(relu_forward, in_place, {"x": ("N", "D")}, trials=3)
    assert result.passed and "changed its input dout in place" in result.notes[0]


def test_a_backward_that_raises_or_returns_too_few_gradients_is_reported():
    def raises(dout, x, w, b):
        raise SystemExit(3)

    result = check_layer(affine_forward, raises, AFFINE, trials=2)
    assert not result.passed and "sys.exit(3)" in result.error and result.mistake == "raised"
    result = check_layer(affine_forward, lambda dout, x, w, b: (dout,), AFFINE, trials=2)
    assert "gradients of x, w, b" in result.error


def test_points_near_a_kink_are_drawn_again():
    def relu_backward_at_zero(dout, x):
        return dout * (x >= 0)  # differs from JAX only at x == 0, never drawn

    result = check_layer(relu_forward, relu_backward_at_zero, {"x": (3, 4)}, trials=5, seed=1)
    assert result.passed, str(result)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least one argument"):
        check_layer(affine_forward, affine_backward, {})
    with pytest.raises(ValueError, match="trials must be at least 1"):
        check_layer(affine_forward, affine_backward, AFFINE, trials=0)


@strategies.CI
@given(strategies.axis_sizes("N", "D", "M", high=5))
def test_hypothesis_draws_the_shapes_and_a_wrong_bias_gradient_is_caught_on_each(dims):
    assert check_layer(affine_forward, affine_backward, AFFINE, dims=dims, trials=1).passed
    wrong = check_layer(affine_forward, _b_averaged, AFFINE, dims=dims, trials=1)
    assert wrong.passed == (dims["N"] == 1)  # averaging over one row changes nothing
    assert [dict(d) for d in wrong.dims] == [dims]


def test_axis_sizes_refuses_nothing_to_draw():
    with pytest.raises(ValueError, match="at least one axis"):
        strategies.axis_sizes()
    with pytest.raises(ValueError, match="low <= high"):
        strategies.axis_sizes("N", low=3, high=2)


def test_a_forward_that_jax_cannot_run_and_a_result_that_is_not_numbers_are_said():
    def numpy_only(x):
        return np.maximum(np.asarray(x), 0)

    result = check_layer(numpy_only, relu_backward, {"x": (2, 3)}, trials=1)
    assert not result.passed and "your forward cannot run on JAX arrays" in result.error
    assert "__array_namespace__" in result.error
    result = check_layer(relu_forward, lambda dout, x: "dx", {"x": (2, 3)}, trials=1)
    assert not result.passed and result.error.startswith("your backward's result: dx must be")


def _squared_loss(x, xp):
    return xp.mean(x**2) / 2


def test_a_constant_that_is_an_axis_size_is_named_by_its_axis():
    result = check_layer(
        _squared_loss, lambda d, x: d * x / len(x), {"x": ("N", "C")}, trials=2, dims={"C": 4}
    )
    assert result.mistake == "constant_factor"
    assert "4 is the size of axis C" in result.first_failure.diagnosis


@pytest.mark.parametrize(
    ("backward", "mistake", "words"),
    [
        (lambda d, x: 1 / np.cosh(x) ** 2, "missing_factor", "lacks the upstream gradient dout"),
        (lambda d, x: d * (1 - np.tanh(x)), "wrong_derivative", "is 1 - s of the output s"),
        (lambda d, x: d * (1 - x**2), "derivative_of_input", "1 - x^2 instead of 1 - s^2"),
        (lambda d, x: (d / np.cosh(x) ** 2).astype(np.float32), "lost_precision", "float32"),
    ],
)
def test_an_elementwise_layers_local_derivative_is_named(backward, mistake, words):
    result = check_layer(lambda x, xp: xp.tanh(x), backward, {"x": ("N", "D")}, trials=2)
    assert result.mistake == mistake, str(result)
    assert words in result.first_failure.diagnosis
