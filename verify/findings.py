"""From a learner's failing values to one diagnosis: the candidates each matches, per net.

:func:`match_failure` finds the candidate mistakes one failing value matches on one net
(the entry's and the structural ones, :mod:`verify.diagnose`); :func:`combine` keeps
the mistake that matches on every net; :func:`diagnosis_of` says, for a result with
several outputs, which are wrong and which are right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from verify.compare import Target
from verify.diagnose import (
    LOCAL_STEPS,
    Candidate,
    Diagnosis,
    candidates,
    generic_candidates,
    matches,
    matching_mistakes,
    pieces,
    shape_message,
    structural_account,
    worst_elements_message,
)
from verify.precision import float32_account
from verify.references import REFERENCES, JaxResults
from verify.sampling import Sample
from verify.structure import regrouped


@dataclass(frozen=True)
class Failure:
    """One quantity failing on one net: the candidates it matches, and what was compared."""

    net: str
    found: list[Candidate]
    hand: np.ndarray
    reference: np.ndarray
    sample: Sample | None
    account: str = ""
    """When no candidate matches: which factor of the chain rule is off, and how."""


def reference_target(equation_id: str, component: str, jr: JaxResults) -> Target:
    """The first reference (reverse mode, or value) of one component: whole, and its sample."""
    reference = REFERENCES[equation_id]
    return reference.targets(jr)[reference.methods[0]][component]


def match_failure(
    equation_id: str,
    component: str,
    hand: np.ndarray,
    jr: JaxResults,
    extra: Sequence[Candidate] = (),
) -> Failure:
    target = reference_target(equation_id, component, jr)
    dtype = "float64" if REFERENCES[equation_id].float64_only else jr.setup.dtype.name
    value = np.asarray(target.value, dtype=np.float64)
    magnitude = float(np.max(target.magnitude)) if target.magnitude.size else 0.0
    found = [*_precision(hand, value, target.sample, dtype), *extra]
    found += candidates(equation_id, component, value, jr, hand)
    matched = matching_mistakes(hand, found, magnitude, dtype, target.sample)
    account = "" if matched else structural_account(equation_id, component, hand, jr)
    return Failure(jr.setup.name, matched, hand, value, target.sample, account)


def _precision(
    hand: np.ndarray, value: np.ndarray, sample: Sample | None, dtype: str
) -> list[Candidate]:
    """In a float64 check, a value right only to float32 rounding (at the sampled entries)."""
    if dtype != "float64" or hand.shape != value.shape:
        return []
    if sample is not None and hand.shape == sample.shape:
        words = float32_account(sample.take(hand), sample.take(value))
    else:
        words = float32_account(hand, value)
    return [] if words is None else [Candidate("lost_precision", words, hand)]


def combine(quantity: str, per_net: list[Failure]) -> Diagnosis:
    """One diagnosis from the failing nets: a mistake that matches on all of them, if any."""
    common = None
    for failure in per_net:
        found = failure.found
        labels = [c.mistake for c in found]
        common = labels if common is None else [m for m in common if m in labels]
    if common:
        chosen = next(c for c in per_net[0].found if c.mistake == common[0])
        return Diagnosis(chosen.mistake, f"{quantity}: {chosen.message}")
    bad = [_not_finite(f) for f in per_net]
    if all(bad):
        return Diagnosis("not_finite", f"{quantity}: {bad[0]}")
    messages = []
    for f in per_net:
        if f.found:
            text = f.found[0].message
        elif f.hand.shape != f.reference.shape:
            same = f.hand.size == f.reference.size and matches(
                f.hand.reshape(f.reference.shape), f.reference, _magnitude(f.reference), "float32"
            )
            text = (
                regrouped(f.hand.shape, f.reference.shape)
                if same
                else shape_message(f.hand.shape, f.reference.shape)
            )
        else:
            text = worst_elements_message(f.hand, f.reference, f.sample)
            text += f"; {f.account}" if f.account else ""
        messages.append(f"on {f.net}: {text}")
    matched = [f.found[0].mistake for f in per_net if f.found]
    shapes = all(f.hand.shape != f.reference.shape for f in per_net)
    mistake = matched[0] if matched else ("shape_mismatch" if shapes else "unknown")
    return Diagnosis(mistake, f"{quantity}: " + "; ".join(messages))


def _not_finite(f: Failure) -> str:
    """Where a value of the reference's shape has NaN or inf (at the checked entries), or ""."""
    if f.hand.shape != f.reference.shape:
        return ""
    hand = f.hand if f.sample is None else f.sample.fill(f.sample.take(f.hand))
    checked = np.isfinite(f.reference) if f.sample is not None else np.ones(hand.shape, bool)
    bad = np.argwhere(checked & ~np.isfinite(hand))
    if not len(bad):
        return ""
    first = [int(i) for i in bad[0]]
    return (
        f"{len(bad)} entries are not finite (NaN or inf), the first at {first}: "
        f"{hand[tuple(first)]}; an overflow (exp of a large number), a division by zero or "
        "a NaN carried from an input"
    )


def diagnosis_of(label: str, failing: dict[str, list[Failure]], names: Sequence[str]) -> Diagnosis:
    """One diagnosis per failing component, saying which components are right."""
    if len(names) == 1:
        return combine(label, next(iter(failing.values())))
    parts = [combine(component, f) for component, f in failing.items()]
    right = [c for c in names if c not in failing]
    message = f"{label}: " + "; ".join(d.message for d in parts)
    if right:
        message += f"; {', '.join(right)} {'is' if len(right) == 1 else 'are'} right"
    return Diagnosis(parts[0].mistake, message)


def swapped(
    component: str, targets: dict[str, np.ndarray], arrays: dict[str, np.ndarray], dtype: str
) -> list[Candidate]:
    """Two outputs each holding the other's reference: a returned pair in the wrong order."""
    out = []
    for other, value in targets.items():
        mine = arrays.get(other)
        if other == component or mine is None:
            continue
        if matches(mine, targets[component], _magnitude(targets[component]), dtype):
            message = f"your {component} and {other} are swapped: each holds the other's value"
            out.append(Candidate("swapped", message, value))
    return out


def _magnitude(value: np.ndarray) -> float:
    return float(np.max(np.abs(value))) if value.size else 0.0


def upstream_candidates(
    quantity: str, arrays: dict[str, np.ndarray], failed: set[str], jr: JaxResults
) -> list[Candidate]:
    """If the quantity this one is computed from is wrong: this step applied to it, right or not."""
    if quantity not in LOCAL_STEPS:
        return []
    upstream, step = LOCAL_STEPS[quantity]
    if upstream not in failed:
        return []
    p = pieces(jr)
    try:
        local = step(arrays[upstream], p)
    except ValueError:  # the upstream value has a shape this step cannot take
        return []
    right = Candidate(
        "upstream",
        f"follows from the mistake in {upstream}: this step is right given your {upstream}",
        local,
    )
    of = f"(applied to your {upstream})"
    return [right, *generic_candidates(local, p.N, p.E, of)]


def mutated_candidates(
    quantity: str, arrays: dict[str, np.ndarray], changed: dict[str, np.ndarray], jr: JaxResults
) -> list[Candidate]:
    """This step computed with an input (``changed``: by symbol, e.g. ``H_out``) that the
    learner's code changed in place, from the learner's own upstream value."""
    if quantity not in LOCAL_STEPS or not changed:
        return []
    upstream, step = LOCAL_STEPS[quantity]
    p = pieces(jr)
    known = {f.name for f in fields(p)}
    out = []
    for name, after in changed.items():
        # weights changed in place before the error goes back: the update, said with its
        # constant by the structural candidates (updated_weights_used)
        if name in ("W1", "W2") or name not in known:
            continue
        if np.shape(after) != np.shape(getattr(p, name)):
            continue
        try:
            value = step(arrays[upstream], replace(p, **{name: np.asarray(after, np.float64)}))
        except ValueError:  # the upstream value has a shape this step cannot take
            continue
        message = (
            f"computed with {name} after your code changed it in place (e.g. {name} *= ...): "
            f"{quantity} needs {name} as it was given; change a copy, or use it first"
        )
        out.append(Candidate("mutated_in_place", message, value))
    return out
