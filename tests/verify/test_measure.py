"""verify.measure: the sweep behind the documented tolerances."""

from verify import measure
from verify.compare import METHODS


def test_measure_runs_every_method_and_finds_no_failure_of_the_correct_code(capsys):
    worst = measure.measure(count=2, seed=3, dtypes=["float64"])
    assert {method for (_, method), w in worst.items() if w.compared} == set(METHODS)
    assert all(w.failed == 0 for w in worst.values())
    assert worst[("float64", "reverse")].relative < 1e-12


def test_random_setups_cycle_through_the_ci_shapes():
    nets = measure.random_setups(3, seed=0, dtype="float32")
    assert [n.shape_key for n in nets] == [(3, 4, 2, 3), (1, 1, 1, 1), (64, 16, 16, 16)]
    assert all(n.dtype.name == "float32" for n in nets)
