"""bench.timing: contenders take turns, and each gets its repetitions."""

import pytest

from bench.timing import Timing, calls_for, interleaved, page_faults_per_call, time_once


def test_interleaved_runs_contenders_in_turns():
    calls = []
    contenders = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    timings = interleaved(contenders, repeats=3, calls={"a": 1, "b": 2, "c": 1})
    assert calls == ["a", "b", "c"] + ["a", "b", "b", "c"] * 3
    assert {name: len(t.seconds) for name, t in timings.items()} == {"a": 3, "b": 3, "c": 3}
    assert all(s >= 0 for t in timings.values() for s in t.seconds)


def test_interleaved_without_warmup_runs_only_the_repetitions():
    calls = []
    interleaved({"a": lambda: calls.append("a")}, repeats=2, warmup=False)
    assert calls == ["a", "a"]


def test_timing_summaries():
    timing = Timing((3.0, 1.0, 2.0, 10.0))
    assert timing.median == pytest.approx(2.5)
    assert timing.low == 1.0 and timing.high == 10.0


@pytest.mark.parametrize("bad", [0, -1])
def test_counts_must_be_positive(bad):
    with pytest.raises(ValueError, match="repeats"):
        interleaved({"a": lambda: None}, repeats=bad)
    with pytest.raises(ValueError, match="calls"):
        time_once(lambda: None, calls=bad)


def test_calls_for_is_at_least_one():
    assert calls_for(lambda: sum(range(1000)), 0.0) == 1


def test_page_faults_per_call_counts_fresh_memory():
    """An array above glibc's largest mmap threshold (32 MiB) is mapped anew on every call.

    NumPy asks for transparent huge pages on large arrays, so a fault may map 2 MiB.
    """
    import numpy as np

    size = 64 * 2**20

    def fresh() -> None:
        np.ones(size // 8)  # written to, so every page is faulted in

    assert page_faults_per_call(fresh, 2) >= size / 2**21
    assert page_faults_per_call(lambda: None, 2) < 1
