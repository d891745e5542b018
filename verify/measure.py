"""Measure the errors behind verify's tolerances: ``python -m verify.measure``.

Runs every catalogue entry's check on many random nets - shapes from the smallest (1
example, 1-1-1) to the largest of the tests (64 examples, 16-16-16), weight scales from
tiny (1e-3) to saturating (30), input scales from 0.1 to 10 - in float64 and float32, and
prints per dtype and method:

* the largest relative error of the correct (handbp) implementation where the quantity's
  scale is above its noise floor (elsewhere the quantity is smaller than its own rounding
  or finite-difference error, and a relative error says nothing), with the equation id
  and net where it occurred;
* the largest tolerance a comparison needed
  (:attr:`verify.compare.MethodError.needed_tolerance`: the relative error that rounding
  and the reference's own error do not explain);
* the largest ``max_abs_error / (eps max M)``, the multiple of the rounding bound that the
  noise floor must allow (value, reverse, forward);
* how many comparisons passed on the noise floor alone, and how many failed.

docs/verify.md records its output; :data:`verify.compare.TOLERANCES` and
:data:`verify.compare.ROUNDING_FACTOR` are set from it with a margin.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from handbp.equations import CATALOGUE
from verify.compare import DERIVATIVE_METHODS, METHODS, ROUNDING_FACTOR, TOLERANCES
from verify.references import REFERENCES
from verify.report import EquationCheck, prepare, run_reference
from verify.setups import Setup, random_setup
from verify.strategies import CI_SHAPES


@dataclass
class Worst:
    """The largest errors seen for one dtype and method."""

    relative: float = 0.0
    relative_where: str = ""
    needed: float = 0.0
    needed_where: str = ""
    rounding: float = 0.0
    rounding_where: str = ""
    on_floor: int = 0
    failed: int = 0
    compared: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, check: EquationCheck, method: str) -> None:
        where = f"{check.id} on {check.setup}"
        for errors in check.components.values():
            if method not in errors:
                continue
            e = errors[method]
            self.compared += 1
            if not e.passed:
                self.failed += 1
                self.failures.append(f"{where}: {e.summary()}")
            if e.below_noise:
                self.on_floor += 1
            if e.scale > e.noise_floor and e.relative_error > self.relative:
                self.relative, self.relative_where = e.relative_error, where
            if e.needed_tolerance > self.needed:
                self.needed, self.needed_where = e.needed_tolerance, where
            if method != "finite_differences" and e.noise_floor > 0:
                rounding = e.max_abs_error * ROUNDING_FACTOR / e.noise_floor
                if rounding > self.rounding:
                    self.rounding, self.rounding_where = rounding, where


def random_setups(count: int, seed: int, dtype: str) -> list[Setup]:
    """``count`` random nets: each shape of CI_SHAPES in turn, random scales, from ``seed``."""
    rng = np.random.default_rng(seed)
    setups = []
    for i in range(count):
        examples, *sizes = CI_SHAPES[i % len(CI_SHAPES)]
        setups.append(
            random_setup(
                (sizes[0], sizes[1], sizes[2]),
                examples,
                seed=int(rng.integers(2**31)),
                dtype=dtype,
                weight_scale=float(10 ** rng.uniform(-3, np.log10(30))),
                input_scale=float(10 ** rng.uniform(-1, 1)),
                eta=float(rng.choice([0.1, 0.5, 2.0])),
            )
        )
    return setups


def measure(count: int, seed: int, dtypes: Sequence[str]) -> dict[tuple[str, str], Worst]:
    """Run every check on ``count`` random nets per dtype; the worst errors per (dtype, method)."""
    worst = {(d, m): Worst() for d in dtypes for m in METHODS}
    for dtype in dtypes:
        for setup in random_setups(count, seed, dtype):
            hand, results = prepare(setup)
            for equation_id in REFERENCES:
                check = run_reference(equation_id, CATALOGUE[equation_id].function, hand, results)
                compared_in = "float64" if REFERENCES[equation_id].float64_only else dtype
                for method in check.methods:
                    worst[(compared_in, method)].add(check, method)
    return worst


def main(argv: Sequence[str] | None = None) -> int:
    """Print the measured errors as a Markdown table."""
    parser = argparse.ArgumentParser(prog="python -m verify.measure", description=__doc__)
    parser.add_argument("--nets", type=int, default=60, help="random nets per dtype")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    worst = measure(args.nets, args.seed, ["float64", "float32"])
    print(
        f"{args.nets} random nets per dtype (seed {args.seed}), every catalogue entry, "
        f"{time.perf_counter() - start:.0f} s\n"
    )
    print(
        "| dtype | method | comparisons | largest relative error above the noise floor "
        "(where) | largest needed tolerance | tolerance | largest error / (eps max M) | "
        "passed on the noise floor | failed |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for (dtype, method), w in worst.items():
        if not w.compared:
            continue
        rounding = f"{w.rounding:.2g}" if method not in DERIVATIVE_METHODS[2:] else "-"
        print(
            f"| {dtype} | {method} | {w.compared} | {w.relative:.2g} ({w.relative_where}) | "
            f"{w.needed:.2g} | {TOLERANCES[dtype][method]:.0e} | {rounding} | "
            f"{w.on_floor} | {w.failed} |"
        )
    for w in worst.values():
        for failure in w.failures[:5]:
            print("FAILED:", failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
