"""How one catalogue entry is checked: a :class:`Reference`, and the pieces entries share.

A reference computes the entry's hand value with a function of the catalogue's signature
(handbp's own, or a learner's) from handbp's upstream values, gives JAX's reference of
each of its components per method, and names the entry's known mistakes for the
diagnosis. The entries themselves are in :mod:`verify.table` (one module per kind);
:data:`verify.references.REFERENCES` holds them in the catalogue's order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from verify.compare import Target
from verify.hand import HandPass
from verify.jaxnet import METHOD_KEYS
from verify.rounding import JaxResults
from verify.sampling import Sample, entries_for, sample_entries
from verify.setups import Setup

Components = dict[str, np.ndarray]
Targets = dict[str, dict[str, Target]]  # method -> component -> Target
Hand = Callable[[Callable[..., Any], HandPass], Components]


@dataclass(frozen=True)
class Candidate:
    """What a hand value would be after one mistake (one of :data:`verify.mistakes.MISTAKES`)."""

    mistake: str
    message: str
    value: np.ndarray


class ResultError(TypeError, ValueError):
    """A learner's function returned something the check cannot compare (said from its side).

    ``mistake``: ``"shape_mismatch"`` or ``"not_numeric"`` (:data:`verify.mistakes.MISTAKES`).
    """

    def __init__(self, message: str, mistake: str = "not_numeric") -> None:
        super().__init__(message)
        self.mistake = mistake


Mistakes = Callable[[JaxResults, str, np.ndarray], list[Candidate]]
"""An entry's own mistakes: ``(jax_results, component, reference value) -> candidates``."""


def no_mistakes(jr: JaxResults, component: str, value: np.ndarray) -> list[Candidate]:
    """For an entry whose mistakes are all structural or constant factors."""
    return []


Fits = Callable[[JaxResults, str, np.ndarray], list[Candidate]]
"""An entry's mistakes fitted to the learner's value: ``(jax_results, component, hand) ->
candidates`` (e.g. an update's step factor, found by least squares and then named)."""


def no_fits(jr: JaxResults, component: str, hand: np.ndarray) -> list[Candidate]:
    """For an entry without fitted mistakes."""
    return []


@dataclass(frozen=True)
class Chain:
    """The backprop quantity an entry computes, whose structural mistakes apply to it.

    ``per_n``: the entry is the quantity divided by N (``dmse_do_out``); ``whole``: the
    entry computes every factor of the chain itself (a scalar form), so a mistake in an
    earlier quantity counts too.
    """

    quantity: str
    per_n: bool = False
    whole: bool = False


@dataclass(frozen=True)
class Reference:
    """How one catalogue entry is checked.

    ``hand(fn, hand_pass)`` computes the entry's value with ``fn`` (the catalogue's
    function, or a learner's with the same signature) from handbp's upstream values;
    ``targets(jax_results)`` gives, per method, the reference of each component.
    ``quantity`` says in words what the reference is. ``float64_only``: the hand function
    computes in Python floats (parts 2-4), whatever the setup's dtype. ``mistakes``: the
    entry's own known mistakes; ``fits``: its mistakes fitted to the learner's value; ``chain``: the backprop quantity whose structural mistakes
    apply; ``factors``: whether the MSE's constant factors, a sign flip and a transpose
    are candidates (not for a share like the accuracy).
    """

    id: str
    quantity: str
    hand: Hand
    targets: Callable[[JaxResults], Targets]
    float64_only: bool = False
    kind: str = "derivative"
    mistakes: Mistakes = no_mistakes
    fits: Fits = no_fits
    chain: Chain | None = None
    factors: bool = True

    @property
    def methods(self) -> tuple[str, ...]:
        """``("value",)`` for forward maps, the three derivative methods for derivatives."""
        return ("value",) if self.kind == "value" else tuple(METHOD_KEYS)


@dataclass(frozen=True)
class Entrywise:
    """A catalogue function called once per entry (the scalar forms): where, and at what cost.

    ``sample`` names the net's sample of entries (forms that share a name share their
    entries: ``dmse_dw1_scalar`` is checked where JAX differentiates ``W1`` one entry at
    a time); ``largest(hand_pass)`` is handbp's value of the quantity, whose largest
    entries are always checked; ``terms(setup)`` how many terms one call sums (its cost);
    ``at(fn, hand_pass, index)`` the function's value at one entry.
    """

    sample: str
    largest: Callable[[HandPass], Any]
    terms: Callable[[Setup], int]
    at: Callable[[Callable[..., Any], HandPass, tuple[int, ...]], Any]

    def entries(self, hp: HandPass) -> Sample:
        """The entries checked on this net: every one on a small net, else a prefix of the sample."""
        whole = hp.sample(self.sample, lambda: sample_entries(self.sample, self.largest(hp)))
        return whole if whole.complete else whole.first(entries_for(self.terms(hp.setup)))

    def hand(self, fn: Callable[..., Any], hp: HandPass) -> Components:
        """``fn`` at the checked entries, NaN (not computed) at the others."""
        sample = self.entries(hp)
        values = [self.at(fn, hp, i) for i in sample.indices()]
        for value in values:
            if np.ndim(value) != 0:
                raise ResultError(
                    f"your function returned shape {np.shape(value)}, expected a number",
                    "shape_mismatch",
                )
        return {"": at_entries(sample, values)}


def at_entries(sample: Sample, values: Sequence[Any]) -> np.ndarray:
    """Values at a sample's entries as an array of the whole shape (NaN where not computed).

    What is not one number per entry is returned as it came, for the comparison to say so.
    """
    array = np.array(values)
    if sample.complete:
        return array.reshape(sample.shape) if array.size == sample.total else array
    if array.dtype.kind in "biuf" and array.shape == (sample.size,):
        return sample.fill(array)
    return array


def sampled(
    targets: Callable[[JaxResults], Targets], entries: Callable[[HandPass], Sample]
) -> Callable[[JaxResults], Targets]:
    """``targets`` compared at the ``entries`` of the net only (unchanged if that is every entry)."""

    def at_sample(jr: JaxResults) -> Targets:
        sample = entries(jr.hand)
        out = targets(jr)
        if sample.complete:
            return out
        return {m: {c: replace(t, sample=sample) for c, t in ts.items()} for m, ts in out.items()}

    return at_sample


def entrywise_reference(
    id: str,
    quantity: str,
    entrywise: Entrywise,
    targets: Callable[[JaxResults], Targets],
    **options: Any,
) -> Reference:
    """The reference of a scalar form: its hand values and targets at the same entries."""
    return Reference(id, quantity, entrywise.hand, sampled(targets, entrywise.entries), **options)


def value_reference(id: str, quantity: str, hand: Hand, targets: Any, **options: Any) -> Reference:
    """The reference of a forward map: one independent JAX value (``kind="value"``)."""
    return Reference(id, quantity, hand, targets, kind="value", **options)


def one(fn: Callable[..., Any], *args: Any) -> Components:
    """The single component of ``fn(*args)``."""
    return {"": fn(*args)}


def value_targets(jr: JaxResults, **components_: tuple[np.ndarray, Any]) -> Targets:
    """``value`` targets: each component's JAX value and its rounding magnitude."""
    return {
        "value": {
            name: Target(value, np.broadcast_to(np.asarray(m, dtype=np.float64), np.shape(value)))
            for name, (value, m) in components_.items()
        }
    }


def per_method(make: Callable[[str], dict[str, Target]]) -> Targets:
    """The targets of each derivative method, from ``make(method)``."""
    return {method: make(method) for method in METHOD_KEYS}


def abs64(array: Any) -> np.ndarray:
    """``|array|`` in float64."""
    return np.abs(np.asarray(array, dtype=np.float64))


def as64(array: Any) -> np.ndarray:
    """``array`` in float64."""
    return np.asarray(array, dtype=np.float64)


def sigmoid64(x: np.ndarray) -> np.ndarray:
    """The sigmoid in float64 without overflow, for building candidate mistakes."""
    return 0.5 * (1 + np.tanh(0.5 * x))


def components(result: Any, names: Sequence[str], what: str) -> Components:
    """A whole pass's result as ``{name: array}``: from attributes, a mapping, or a sequence."""
    if isinstance(result, Mapping):
        missing = [n for n in names if n not in result]
        if missing:
            keys = ", ".join(repr(k) for k in list(result)[:10])
            raise ResultError(
                f"{what} must have the entries {', '.join(names)}; missing {missing} "
                f"(its keys: {keys or 'none'})"
            )
        return {n: result[n] for n in names}
    if all(hasattr(result, n) for n in names):
        return {n: getattr(result, n) for n in names}
    if isinstance(result, Sequence) and not isinstance(result, str) and len(result) == len(names):
        return dict(zip(names, result, strict=True))
    got = type(result).__name__
    if isinstance(result, Sequence) and not isinstance(result, str):
        got = f"a {got} of {len(result)} item{'' if len(result) == 1 else 's'}"
    raise ResultError(
        f"{what} must be an object with the attributes {', '.join(names)}, a mapping with "
        f"those keys, or a sequence of {len(names)} arrays; got {got}"
    )
