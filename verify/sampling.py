"""Which entries of a large quantity are checked one at a time: seeded samples.

NumPy only. Some checks cost one computation per entry: the scalar forms of parts 2 and
9-12 (``dmse_dw1_scalar`` sums over every example and output node for each weight of
``W1``), and JAX's forward mode and finite differences with respect to the weights (one
pass of the net per weight). On a small net every entry is checked. On a large one a
:class:`Sample` is: in this order,

* the corners (the first and last index along every axis), where an off-by-one shows;
* the :data:`LARGEST` entries where handbp's value of the quantity is largest in
  magnitude, where a wrong factor is largest;
* entries drawn at random without repetition, from a generator seeded by the sample's
  name, so that a run is reproducible.

A prefix of a sample is a sample too (corners and largest entries first), so that a check
that is dearer per entry takes fewer of the same entries.
"""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

SAMPLE_SIZE = 256
"""A quantity with at most this many entries is checked at every entry (the series' net
and the default random 5-4-6 net always are); of a larger one, JAX differentiates this
many entries one at a time (forward mode and differences with respect to the weights)."""

GRID_SIDE = 16
"""``layer_outputs`` (part 3) computes a whole layer in one call: on a large net it is
called on this many examples and this many nodes (:func:`grid_sample`)."""

LARGEST = 8
"""Entries of largest magnitude that every sample holds."""

TERM_BUDGET = 2**16
"""Python terms a scalar form may take on one net: a form that sums ``t`` terms per entry
is checked at ``TERM_BUDGET // t`` entries of its sample (between :data:`MIN_ENTRIES` and
:data:`SAMPLE_SIZE`)."""

MIN_ENTRIES = 32
"""The fewest entries a sampled scalar form is checked at."""


@dataclass(frozen=True)
class Sample:
    """Entries of an array of ``shape``, as flat indices, most telling first."""

    name: str
    shape: tuple[int, ...]
    flat: np.ndarray

    @property
    def total(self) -> int:
        """The number of entries of the whole array."""
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def size(self) -> int:
        """The number of entries in the sample."""
        return int(self.flat.size)

    @property
    def complete(self) -> bool:
        """Whether every entry is in the sample."""
        return self.size == self.total

    def first(self, count: int) -> Sample:
        """The sample's first ``count`` entries (still corners and largest first)."""
        return Sample(self.name, self.shape, self.flat[: max(0, count)])

    def indices(self) -> list[tuple[int, ...]]:
        """The sampled entries as index tuples, in the sample's order."""
        columns = np.unravel_index(self.flat, self.shape)
        return [tuple(int(c[n]) for c in columns) for n in range(self.size)]

    def take(self, array: Any) -> np.ndarray:
        """The sampled entries of ``array`` (of shape ``shape``), as a 1-D array."""
        return np.asarray(array).reshape(-1)[self.flat]

    def fill(self, values: Any, dtype: Any = np.float64) -> np.ndarray:
        """An array of ``shape``: ``values`` at the sampled entries, NaN (not computed) elsewhere."""
        out = np.full(self.total, np.nan, dtype=dtype)
        out[self.flat] = np.asarray(values, dtype=dtype).reshape(-1)
        return out.reshape(self.shape)

    def describe(self) -> str:
        """``"all 20 entries"`` or ``"32 of 4096 entries"``."""
        if self.complete:
            return f"all {self.total} entries"
        return f"{self.size} of {self.total} entries"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: how many entries of how many, and which (as index lists)."""
        return {
            "name": self.name,
            "checked": self.size,
            "of": self.total,
            "indices": [list(i) for i in self.indices()],
        }


def corners(shape: tuple[int, ...]) -> list[int]:
    """The flat indices of the corners of an array of ``shape`` (each distinct once)."""
    ends = [sorted({0, n - 1}) for n in shape]
    out = []
    for index in itertools.product(*ends):
        flat = int(np.ravel_multi_index(index, shape))
        if flat not in out:
            out.append(flat)
    return out


def sample_entries(name: str, magnitude: Any, size: int = SAMPLE_SIZE) -> Sample:
    """A seeded sample of ``size`` entries of an array shaped like ``magnitude``.

    Every entry if there are at most ``size``; else the corners, the :data:`LARGEST` entries of largest ``|magnitude|`` (handbp's
    value of the quantity), then entries drawn at random, from a generator seeded by
    ``name``.
    """
    values = np.abs(np.asarray(magnitude, dtype=np.float64))
    shape = tuple(int(n) for n in values.shape)
    total = values.size
    if total <= size:
        return Sample(name, shape, np.arange(total, dtype=np.int64))
    chosen = corners(shape)
    flat = np.nan_to_num(values.reshape(-1), nan=np.inf)
    for index in np.argsort(-flat, kind="stable")[: LARGEST + len(chosen)]:
        if len(chosen) >= len(corners(shape)) + LARGEST:
            break
        if int(index) not in chosen:
            chosen.append(int(index))
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    rest = np.setdiff1d(np.arange(total), chosen, assume_unique=False)
    drawn = rng.choice(rest, size=max(0, size - len(chosen)), replace=False)
    return Sample(name, shape, np.array([*chosen, *drawn.tolist()], dtype=np.int64)[:size])


def entries_for(terms: int) -> int:
    """How many entries of its sample a scalar form summing ``terms`` terms per entry takes."""
    return int(min(SAMPLE_SIZE, max(MIN_ENTRIES, TERM_BUDGET // max(1, terms))))


def grid_sample(name: str, magnitude: Any, side: int = GRID_SIDE) -> Sample:
    """A sample of a matrix made of whole rows and columns: ``side`` of each, or every entry.

    For a function that computes a block of a matrix in one call (``layer_outputs`` on
    some examples and some nodes). Rows and columns are each sampled like entries
    (:func:`sample_entries`), by their largest ``|magnitude|``; the sample is their
    product, row by row.
    """
    values = np.abs(np.asarray(magnitude, dtype=np.float64))
    rows, columns = values.shape
    if values.size <= SAMPLE_SIZE:
        return Sample(name, (rows, columns), np.arange(values.size, dtype=np.int64))
    r = sample_entries(f"{name} rows", values.max(axis=1), side).flat
    c = sample_entries(f"{name} columns", values.max(axis=0), side).flat
    return Sample(name, (rows, columns), (r[:, None] * columns + c[None, :]).reshape(-1))
