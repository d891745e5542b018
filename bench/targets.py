"""The targets of the issues: each a row computed from one run's results, with its goal.

:func:`targets` reads the rows that the sections of :mod:`bench.run` measured, by the
names below (the sections name their rows with them), and :mod:`bench.report` prints the
table. A target is never a number typed by hand.
"""

from __future__ import annotations

from typing import Any

from bench import digits, layer_check

HANDBP = "handbp.training.train"
USER_LOOP = "handbp's equation functions in a user loop"
USER_LOOP_UNCHECKED = "the same loop inside handbp.unchecked()"
SERIES_FUNCTIONS = "handbp feedforward + backpropagation"
GENERAL_NET = "handbp.nn.Net.gradients (the series' net)"
STEP_HANDBP = "handbp Net.step"
STEP_UNCHECKED = "handbp Net.step, unchecked()"
STEP_TUNED = "NumPy, tuned (buffers, in place)"
STEP_TORCH = "PyTorch eager, autograd, SGD"
STEP_TORCH_ONE = "PyTorch eager, autograd, SGD, 1 thread"


def digits_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 10's targets: accuracy at least scikit-learn's, time per epoch at most half of
    scikit-learn's and of PyTorch eager's."""
    rows = {row["name"]: row for row in results["digits"]["rows"]}
    handbp, sklearn, torch_eager = rows[digits.HANDBP], rows[digits.SKLEARN], rows[digits.TORCH]
    gain = handbp["mean_accuracy"] - sklearn["mean_accuracy"]
    seeds = len(results["digits"]["seeds"])
    error = results["digits"]["handbp_minus_sklearn"]["standard_error"]
    return [
        {
            "target": (
                f"digits test accuracy, handbp - scikit-learn (mean of {seeds} seeds, "
                f"same initial weights; standard error {error:.2g})"
            ),
            "goal": ">= 0",
            "measured": gain,
            "met": gain >= 0,
        },
        {
            "target": "digits time per epoch, handbp / scikit-learn",
            "goal": "<= 0.5",
            "measured": handbp["ratio"],
            "met": handbp["ratio"] <= 0.5,
        },
        {
            "target": "digits time per epoch, handbp / PyTorch eager",
            "goal": "<= 0.5",
            "measured": handbp["median_s"] / torch_eager["median_s"],
            "met": handbp["median_s"] / torch_eager["median_s"] <= 0.5,
        },
    ]


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 6's three targets, each a ratio from this run, issue 13's user loop over the
    catalogue, issue 9's general net against the series' functions, PyTorch and tuned
    NumPy, and issue 14's verify times."""
    training = {row["name"]: row for row in results["training"]["rows"]}
    gradients = {row["name"]: row for row in results["gradients"]["rows"]}
    general_ratio = gradients[GENERAL_NET]["median_s"] / gradients[SERIES_FUNCTIONS]["median_s"]
    step_targets = [
        {
            "target": f"handbp Net.step / {name}, {row['net']} batch {row['batch']}",
            "goal": f"<= {goal:g}",
            "measured": row[f"{STEP_HANDBP} us"] / row[f"{name} us"],
            "met": row[f"{STEP_HANDBP} us"] / row[f"{name} us"] <= goal,
        }
        for row in results["net_step"]["rows"]
        for name, goal in ((STEP_TORCH, 0.5), (STEP_TORCH_ONE, 0.5), (STEP_TUNED, 1.5))
    ]
    big = results["scaling"]["rows"][-1]
    handbp_training = training[HANDBP]["ratio"]
    user_loop = training[USER_LOOP]["ratio"]
    verify_sizes = [
        {
            "target": f"handbp verify --chapter 1 --sizes {row['size']} --examples {row['examples']}, s",
            "goal": f"<= {row['target_s']:g}",
            "measured": row["cached_s"],
            "met": row["cached_s"] <= row["target_s"],
        }
        for row in results["verify_sizes"]["rows"]
        if row["target_s"] is not None
    ]
    return [
        {
            "target": "handbp training / notebook loop",
            "goal": "<= 0.60",
            "measured": handbp_training,
            "met": handbp_training <= 0.60,
        },
        {
            "target": "a user's loop over the catalogue's functions / notebook loop",
            "goal": "<= 1.5",
            "measured": user_loop,
            "met": user_loop <= 1.5,
        },
        {
            "target": f"five-matmul floor / handbp step at {big['net']}",
            "goal": ">= 0.85",
            "measured": big["floor share"],
            "met": big["floor share"] >= 0.85,
        },
        {
            "target": "handbp verify (both chapters, compiled code cached) / bare import jax",
            "goal": "<= 3",
            "measured": results["startup"]["ratio"],
            "met": results["startup"]["ratio"] <= 3,
        },
        {
            "target": "Net.gradients / feedforward + backpropagation, the series' net",
            "goal": "<= 1.3",
            "measured": general_ratio,
            "met": general_ratio <= 1.3,
        },
        *step_targets,
        {
            "target": f"verify.check_layer, affine layer, {layer_check.TRIALS} shapes (compiled), s",
            "goal": f"<= {layer_check.TARGET_S:g}",
            "measured": results["layer_check"]["median_s"],
            "met": results["layer_check"]["median_s"] <= layer_check.TARGET_S,
        },
        *verify_sizes,
        *digits_targets(results),
    ]
