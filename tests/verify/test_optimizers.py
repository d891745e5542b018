"""verify.optimizers: handbp's optimizers agree with optax step by step, and mistakes show."""

from dataclasses import replace

import numpy as np
import pytest

from handbp import optimizers
from handbp.optimizers import AdamState, MomentumState, Optimizer
from verify import optimizers as check


@pytest.fixture(scope="module")
def report():
    return check.verify_optimizers()


def test_every_case_agrees_with_optax_in_both_dtypes(report):
    assert report.passed, report.table()
    assert {(c.id, c.dtype) for c in report.checks} == {
        (case.id, dtype) for case in check.CASES for dtype in check.DTYPES
    }
    for result in report.checks:
        assert [step.step for step in result.steps] == list(range(1, check.STEPS + 1))
        assert result.steps[0].passed  # the very first step is compared too


def test_float64_agrees_to_the_last_bit_of_the_weights(report):
    """The same operations in the same order: at most a last-bit difference, no more."""
    for result in report.checks:
        if result.dtype == "float64":
            assert all(step.rounding <= 1 for step in result.steps), result
            assert all(step.relative_error < 1e-13 for step in result.steps), result


def test_every_update_of_handbp_optimizers_is_a_case():
    ids = {case.id for case in check.CASES}
    assert ids == {"sgd_step", "weight_decay", "momentum_update", "adam_update"}
    assert {case.hand.name for case in check.CASES} == set(optimizers.OPTIMIZERS)


def test_the_table_lists_every_check(report):
    table = report.table()
    assert table.count("\n") == len(report.checks) + 1
    assert "| `adam_update` | optax's defaults" in table


class Mistaken:
    """handbp's optimizer with one update replaced by a mistaken one."""

    def __init__(self, optimizer, update):
        self.optimizer, self.mistaken_update = optimizer, update

    def init(self, W):
        return self.optimizer.init(W)

    def update(self, W, gradient, state):
        return self.mistaken_update(self.optimizer, W, gradient, state)


def eps_inside_the_root(o, W, gradient, state):
    t = state.t + 1
    m = o.beta1 * state.m + (1 - o.beta1) * gradient
    v = o.beta2 * state.v + (1 - o.beta2) * gradient**2
    m_hat, v_hat = m / (1 - o.beta1**t), v / (1 - o.beta2**t)
    return W - o.eta * m_hat / np.sqrt(v_hat + o.eps), AdamState(t, m, v)


def no_bias_correction(o, W, gradient, state):
    m = o.beta1 * state.m + (1 - o.beta1) * gradient
    v = o.beta2 * state.v + (1 - o.beta2) * gradient**2
    return W - o.eta * m / (np.sqrt(v) + o.eps), AdamState(state.t + 1, m, v)


def t_counted_from_two(o, W, gradient, state):
    return optimizers.adam_update(
        W, gradient, replace(state, t=state.t + 1), o.eta, o.beta1, o.beta2, o.eps, o.decay
    )


def classical_momentum(o, W, gradient, state):
    # v <- mu v - eta g, W <- W + v: the same path for a constant eta, but the velocity
    # it keeps is -eta times optax's
    velocity = o.mu * state.velocity - o.eta * gradient
    return W + velocity, MomentumState(velocity)


def decay_after_the_step(o, W, gradient, state):
    # AdamW-like decoupled decay instead of L2 in the gradient
    W_new, state = optimizers.adam_update(W, gradient, state, o.eta, o.beta1, o.beta2, o.eps)
    return W_new - o.eta * o.decay * W, state


def sign_flip(o, W, gradient, state):
    return W + o.eta * gradient, None


MISTAKES = [
    (eps_inside_the_root, "adam_update", 5),
    (no_bias_correction, "adam_update", 4),
    (t_counted_from_two, "adam_update", 4),
    (classical_momentum, "momentum_update", 2),
    (decay_after_the_step, "adam_update", 5),
    (sign_flip, "sgd_step", 0),
]


@pytest.mark.parametrize("dtype", check.DTYPES)
@pytest.mark.parametrize(("mistake", "case_id", "case"), MISTAKES)
def test_each_mistake_fails(mistake, case_id, case, dtype):
    chosen = check.CASES[case]
    assert chosen.id == case_id
    result = check.check_case(chosen, dtype, steps=3, hand=Mistaken(chosen.hand, mistake))
    assert not result.passed
    assert result.worst.relative_error > 100 * result.tolerance


def test_a_run_is_seeded_and_checked():
    gradients = check.gradient_sequence((4, 3), 3, seed=1)
    again = check.gradient_sequence((4, 3), 3, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(gradients, again, strict=True))
    np.testing.assert_array_equal(gradients[0].reshape(-1)[::3], 0)
    assert gradients[1].dtype == np.float64
    assert check.gradient_sequence((2,), 1, 0, np.float32)[0].dtype == np.float32
    with pytest.raises(ValueError, match="steps must be at least 1"):
        check.check_case(check.CASES[0], steps=0)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        check.check_case(check.CASES[0], dtype="int32")


def test_a_hand_optimizer_that_leaves_its_dtype_is_caught():
    upcast = Mistaken(
        Optimizer("sgd", 0.1),
        lambda o, W, gradient, state: (W.astype(np.float64) - o.eta * gradient, None),
    )
    with pytest.raises(TypeError, match="left float32"):
        check.check_case(check.CASES[0], "float32", steps=1, hand=upcast)
