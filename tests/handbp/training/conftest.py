"""Fixtures of the training tests: the series' split, and the engine a test runs on.

A test that takes ``engine`` runs once on each of :data:`handbp.training.ENGINES` (the
simple loop over the catalogue's functions and the fast in-place one), as MiniTorch runs
one suite over its simple and fast tensor backends. Only tests whose outcome depends on
what runs the epochs take it: the simple engine is about six times slower.
"""

import pytest

from handbp import data, training
from handbp.training import loop


@pytest.fixture(params=list(training.ENGINES.values()), ids=list(training.ENGINES))
def engine(request):
    return request.param


@pytest.fixture(scope="session")
def split():
    """Part 14's run 1 split: S = 4, 130 training and 20 test flowers of the UCI data."""
    return data.train_test_split(data.load_iris("uci"), 20, seed=4)


@pytest.fixture
def block_epochs(monkeypatch):
    """Set the epochs per block of :func:`handbp.training.train` for one test."""

    def set_to(epochs):
        monkeypatch.setattr(loop, "BLOCK_EPOCHS", epochs)

    return set_to
