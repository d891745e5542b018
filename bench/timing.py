"""Interleaved repetitions and their medians.

Every comparison runs its contenders in turns - A, B, C, A, B, C, ... - so that a burst of
load from another process on the machine hits all of them alike, and reports the median
of each contender's repetitions. Ratios are taken between medians of the same run.
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """The seconds of each repetition of one contender, and their summary."""

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median seconds over the repetitions."""
        return statistics.median(self.seconds)

    @property
    def low(self) -> float:
        """Fastest repetition."""
        return min(self.seconds)

    @property
    def high(self) -> float:
        """Slowest repetition."""
        return max(self.seconds)


def time_once(function: Callable[[], object], calls: int = 1) -> float:
    """Seconds per call of ``function``, from one timed run of ``calls`` calls."""
    if calls < 1:
        raise ValueError(f"calls must be at least 1, got {calls}")
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def interleaved(
    contenders: Mapping[str, Callable[[], object]],
    repeats: int,
    calls: Mapping[str, int] | int = 1,
    warmup: bool = True,
) -> dict[str, Timing]:
    """Time each contender ``repeats`` times, in turns, and return seconds per call.

    ``calls`` is how many calls make one repetition (one number for all, or one per
    contender): a short function is called many times so that one repetition lasts long
    enough for the clock. With ``warmup`` every contender runs once, untimed, before the
    first repetition (caches, lazy imports, first-call allocations).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    per_call = {name: calls if isinstance(calls, int) else calls[name] for name in contenders}
    if warmup:
        for function in contenders.values():
            function()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, function in contenders.items():
            samples[name].append(time_once(function, per_call[name]))
    return {name: Timing(tuple(seconds)) for name, seconds in samples.items()}


def calls_for(function: Callable[[], object], target_seconds: float) -> int:
    """How many calls of ``function`` last about ``target_seconds`` (at least one)."""
    once = time_once(function)
    return max(1, round(target_seconds / max(once, 1e-9)))


def page_faults_per_call(function: Callable[[], object], calls: int) -> float:
    """Minor page faults per call: fresh memory the kernel had to map and zero (Unix).

    Large temporary arrays that the allocator hands back to the kernel and asks for again
    on the next call cost a fault per 4 KiB page; this counts them.
    """
    function()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        function()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls
