"""bench.layer_check: issue 11's timed check of the affine layer."""

from bench import layer_check


def test_the_timed_check_is_a_passing_check_of_twenty_shapes():
    result = layer_check.check_affine()
    assert result.passed and len(result.trials) == layer_check.TRIALS == 20


def test_the_timing_has_one_sample_per_repeat():
    timing = layer_check.time_affine_check(2)
    assert len(timing.seconds) == 2 and timing.low > 0
