"""bench.digits: the four trainers run the same setting and learn the digits."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from bench import digits
from handbp.checks import unchecked
from handbp.nn import Params
from handbp.optimizers import Optimizer


@pytest.fixture(scope="module")
def split():
    return digits.digits_split()


def test_the_split_is_the_stratified_one(split):
    assert split.X_train.shape == (1438, 64) and split.X_test.shape == (359, 64)
    assert split.Y_train.shape == (1438, 10)


@pytest.mark.parametrize("name", list(digits.CONTENDERS))
def test_every_trainer_learns_in_three_epochs(split, name):
    assert digits.CONTENDERS[name](split, 0, 3) > 0.6


def test_jax_trains_handbps_run(split):
    # same initial weights, same batches, same Adam: the same test accuracy
    assert digits.jax_run(split, 1, 4) == digits.handbp_run(split, 1, 4)


def test_sklearn_is_made_to_run_every_epoch(split):
    digits.sklearn_run(split, 0, 2)  # raises unless n_iter_ == 2


def _classifier(seed, epochs, **settings):
    return MLPClassifier(
        hidden_layer_sizes=digits.WIDTHS[1:-1],
        solver="adam",
        alpha=0.0,
        batch_size=digits.BATCH,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=seed,
        **settings,
    )


def _fit(model, split):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(split.X_train, split.labels_train)


@pytest.mark.parametrize("seed", [0, 3])
def test_the_initial_params_are_the_ones_mlpclassifier_draws(split, seed):
    # a learning rate of 1e-300 moves no weight: after one epoch the weights are the start
    model = _fit(_classifier(seed, 1, learning_rate_init=1e-300), split)
    start = digits.initial_params(seed)
    for ours, theirs in zip(
        [*start.weights, *start.biases], [*model.coefs_, *model.intercepts_], strict=True
    ):
        assert np.array_equal(ours, theirs)


def test_handbp_from_sklearns_start_over_its_batches_ends_on_its_weights(split):
    """The maths is the same: started from MLPClassifier's parameters and fed its mini-batches
    (its generator: the initial draws, then one ``shuffle`` of the row order per epoch),
    handbp's gradients and Adam end where scikit-learn's do. Epsilon is made negligible on
    both sides, because the two add it in different places (bench/digits.py)."""
    seed, epochs, eps = 2, 3, 1e-300
    model = _fit(_classifier(seed, epochs, epsilon=eps), split)
    generator = np.random.RandomState(seed)
    start = digits.sklearn_initial_params(generator)
    optimizer = Optimizer("adam", digits.ETA, eps=eps)
    arrays = [*start.weights, *start.biases]
    states = [optimizer.init(array) for array in arrays]
    order = np.arange(split.X_train.shape[0])
    with unchecked():
        for _ in range(epochs):
            shuffled = np.arange(order.size)
            generator.shuffle(shuffled)
            order = order[shuffled]
            for start_row in range(0, order.size, digits.BATCH):
                rows = order[start_row : start_row + digits.BATCH]
                params = Params(tuple(arrays[:2]), tuple(arrays[2:]))
                gradients = digits.NET.gradients(split.X_train[rows], split.Y_train[rows], params)
                steps = [
                    optimizer.update(array, gradient, state)
                    for array, gradient, state in zip(
                        arrays,
                        [*gradients.weights_l_update, *gradients.bias_l_update],
                        states,
                        strict=True,
                    )
                ]
                arrays, states = [a for a, _ in steps], [state for _, state in steps]
    for ours, theirs in zip(arrays, [*model.coefs_, *model.intercepts_], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_the_paired_difference_counts_seeds_and_its_standard_error():
    paired = digits.paired_difference([0.96, 0.95, 0.97], [0.95, 0.95, 0.96], 100)
    np.testing.assert_allclose(paired.differences, [0.01, 0.0, 0.01], atol=1e-15)
    assert paired.mean == pytest.approx(0.02 / 3)
    assert paired.standard_error == pytest.approx(np.std([0.01, 0, 0.01], ddof=1) / np.sqrt(3))
    assert paired.images == (2, 1, 0)


@pytest.mark.parametrize(
    ("first", "second"), [([0.9], [0.9]), ([0.9, 0.8], [0.9, 0.8, 0.7])], ids=["one", "unequal"]
)
def test_the_paired_difference_needs_two_equal_lists_of_two_seeds(first, second):
    with pytest.raises(ValueError, match=f"at least 2 seeds' accuracies, got {len(first)} and"):
        digits.paired_difference(first, second, 100)
