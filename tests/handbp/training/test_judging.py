"""handbp.training.judging: the confusion matrix and the figures of one set of weights."""

import numpy as np
import pytest

from handbp import network, training
from tests.handbp import reference


def test_confusion_matrix_counts_true_against_predicted_species():
    Y = np.eye(3)[[0, 0, 1, 1, 2, 2, 2]]
    O_out = np.eye(3)[[0, 1, 1, 1, 2, 0, 2]] * 0.8 + 0.1
    expected = [[0] * 3 for _ in range(3)]
    for true, predicted in [(0, 0), (0, 1), (1, 1), (1, 1), (2, 2), (2, 0), (2, 2)]:
        expected[true][predicted] += 1
    np.testing.assert_array_equal(training.confusion_matrix(O_out, Y), expected)
    with pytest.raises(ValueError, match="one shape"):
        training.confusion_matrix(O_out[:, :2], Y)


def test_evaluate_reports_the_plain_python_mse_and_the_accuracy(split):
    W1, W2 = network.initial_weights(10)
    figures = training.evaluate(split.test.X, split.test.Y, W1, W2)
    lists = reference.forward(
        reference.to_lists(split.test.X), reference.to_lists(W1), reference.to_lists(W2)
    )
    assert figures.mse == pytest.approx(
        reference.mse(lists["O_out"], reference.to_lists(split.test.Y)), rel=1e-12
    )
    predicted = [max(range(3), key=row.__getitem__) for row in lists["O_out"]]
    truth = split.test.Y.argmax(axis=1).tolist()
    assert figures.accuracy == pytest.approx(
        sum(p == t for p, t in zip(predicted, truth, strict=True)) / 20
    )
    assert figures.confusion.sum() == figures.examples == 20
