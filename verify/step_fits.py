"""An update step ``W - eta G`` done wrong: the step's factor fitted and named, or no ``W``.

The same fitting as :mod:`verify.structure` (a constant in front of one factor, fitted by
least squares, then named), applied to the weights update of part 14.
"""

from __future__ import annotations

import numpy as np

from verify.entries import Candidate
from verify.structure import close, constant_name, fit


def update_fits(
    W: np.ndarray,
    G: np.ndarray,
    hand: np.ndarray,
    eta: float,
    N: int,
    E: int,
    what: str,
    gradient: str,
) -> list[Candidate]:
    """An update ``W - eta G`` done wrong: the step's factor fitted and named, or no ``W``.

    ``what`` and ``gradient`` name ``W`` and ``G`` in the messages (``"W1"``,
    ``"W1_update"``).

    Where ``W`` and ``G`` are parallel (``x`` and ``2x``) both accounts fit; a step of
    eta or 1 without ``W`` is what a learner returns, so it is named first then.
    """
    steps: list[Candidate] = []
    c = fit(hand, np.zeros_like(G), G)
    natural = c is not None and any(close(abs(c), v) for v in (eta, 1.0))
    if c is not None and c != 0:
        words = (
            f"returns the step ({c:.4g} {gradient}), not the new {what} = {what} - eta {gradient}"
        )
        steps.append(Candidate("step_instead_of_weights", words, c * G))
    out = steps if natural else []
    c = fit(hand, W, G)
    if c is not None:
        k = -c / eta
        for value, mistake, words in (
            (
                -1.0,
                "plus_instead_of_minus",
                f"the update goes uphill: {what} + eta {gradient} instead of {what} - eta {gradient}",
            ),
            (1 / eta, "missing_eta", f"the learning rate is missing: {what} - {gradient}"),
            (
                1 / eta**2,
                "divided_by_eta",
                f"the step is divided by eta: {what} - {gradient} / eta",
            ),
            (0.0, "no_update", f"returns {what} unchanged"),
        ):
            if close(k, value) or (value == 0 and abs(k) < 1e-6):
                out.append(Candidate(mistake, words, W + c * G))
                break
        else:
            named = constant_name(k, N, E, eta)
            if named is not None:
                words = f"the step eta {gradient} is wrong: {named[1]}"
                out.append(Candidate(named[0], words, W + c * G))
    return out if natural else out + steps
