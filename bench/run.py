"""``python -m bench``: every comparison of issue 6 in one run, checked, timed and reported.

Prints the machine and library versions, checks that every implementation of the series'
training run ends on the same weights (and stops with an error if one does not), times
everything with interleaved repetitions, and writes ``bench/results/RESULTS.md``,
``results.json`` and ``bench.png``. ``--quick`` is a smoke run: fewer epochs,
repetitions and sizes; its numbers are not the ones to quote.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import torch
from threadpoolctl import threadpool_limits

from bench import (
    digits,
    general,
    jax_series,
    layer_check,
    machine,
    part5,
    scaling,
    series,
    startup,
    torch_net,
    torch_series,
)
from bench.report import write_report
from bench.targets import (
    GENERAL_NET,
    HANDBP,
    SERIES_FUNCTIONS,
    STEP_HANDBP,
    STEP_TORCH,
    STEP_TORCH_ONE,
    STEP_TUNED,
    STEP_UNCHECKED,
    USER_LOOP,
    USER_LOOP_UNCHECKED,
    targets,
)
from bench.timing import Timing, calls_for, interleaved

REPOSITORY = Path(__file__).resolve().parents[1]
RESULTS = REPOSITORY / "bench" / "results"

BASELINE = "NumPy, the series' notebook loop"

TRAINERS: dict[str, Callable[[series.SeriesRun], series.Trained]] = {
    BASELINE: series.notebook_train,
    "NumPy, tuned (buffers, in place)": series.tuned_numpy_train,
    HANDBP: series.handbp_train,
    USER_LOOP: series.handbp_functions_train,
    USER_LOOP_UNCHECKED: series.handbp_functions_unchecked_train,
    "JAX, jitted step per epoch": jax_series.jax_step_train,
    "JAX, whole loop jitted (lax.scan)": jax_series.jax_scan_train,
    "PyTorch eager, autograd": torch_series.torch_train,
    "PyTorch eager, autograd, 1 thread": torch_series.torch_train_one_thread,
}


@dataclass(frozen=True)
class Settings:
    """How much to run: the full benchmark or a smoke run."""

    quick: bool
    epochs: int
    repeats: int
    process_repeats: int
    seconds_per_repeat: float
    part5_sizes: tuple[int, ...]
    part5_repeats: int

    @classmethod
    def for_mode(cls, quick: bool, repeats: int | None) -> Settings:
        if quick:
            return cls(True, 1000, repeats or 3, repeats or 2, 0.05, part5.QUICK_SIZES, 2)
        return cls(False, series.EPOCHS, repeats or 7, repeats or 5, 0.3, part5.SIZES, 3)


def _timing_row(name: str, timing: Timing, baseline: Timing, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "median_s": timing.median,
        "low_s": timing.low,
        "high_s": timing.high,
        "ratio": timing.median / baseline.median,
        **extra,
    }


def _say(text: str) -> None:
    print(text, flush=True)


def run_training(settings: Settings) -> dict[str, Any]:
    """The series' run by every implementation: agreement first, then interleaved timings."""
    run = series.series_run(settings.epochs)
    reference = series.notebook_train(run)
    differences = {}
    for name, train in TRAINERS.items():
        trained = train(run)
        series.assert_same_training(reference, trained, name)  # stops the benchmark if not
        differences[name] = max(
            float(abs(trained.W1 - reference.W1).max()), float(abs(trained.W2 - reference.W2).max())
        )
        _say(
            f"  {name}: same weights as the notebook loop (max |difference| {differences[name]:.1e})"
        )
    timings = interleaved(
        {name: partial(train, run) for name, train in TRAINERS.items()},
        settings.repeats,
        warmup=False,  # every trainer ran once above
    )
    rows = [
        _timing_row(
            name,
            timing,
            timings[BASELINE],
            per_epoch_us=timing.median / run.epochs * 1e6,
            max_weight_difference=differences[name],
        )
        for name, timing in timings.items()
    ]
    return {
        "epochs": run.epochs,
        "repeats": settings.repeats,
        "final_mse": float(reference.mse[-1]),
        "final_training_accuracy": float(reference.accuracy[-1]),
        "rows": rows,
        "compile": jax_series.jax_compile_seconds(run),
    }


def run_gradients(settings: Settings) -> dict[str, Any]:
    """One gradient (feedforward + backward pass) on the 130 training flowers."""
    run = series.series_run(1)
    arrays = (run.X, run.Y, run.W1, run.W2)
    with jax.enable_x64(True):
        on_device = tuple(jnp.asarray(a) for a in arrays)
    functions: dict[str, Callable[[], series.Gradients]] = {
        "NumPy, the series' notebook": lambda: series.notebook_gradients(*arrays),
        SERIES_FUNCTIONS: lambda: series.handbp_gradients(*arrays),
        GENERAL_NET: lambda: general.net_gradients(*arrays),
        "handbp, inside unchecked()": lambda: series.handbp_unchecked_gradients(*arrays),
        "JAX jit(grad)": lambda: jax_series.jax_gradients(*on_device),
        "PyTorch autograd": lambda: torch_series.torch_gradients(*arrays),
        "PyTorch autograd, 1 thread": lambda: torch_series.torch_gradients_one_thread(*arrays),
    }
    reference = functions["NumPy, the series' notebook"]()
    for name, function in functions.items():
        series.assert_same_gradients(reference, function(), name)
    calls = {name: calls_for(f, settings.seconds_per_repeat) for name, f in functions.items()}
    timings = interleaved(functions, settings.repeats, calls)
    baseline = timings["NumPy, the series' notebook"]
    rows = [
        _timing_row(name, t, baseline, per_call_us=t.median * 1e6) for name, t in timings.items()
    ]
    return {"repeats": settings.repeats, "rows": rows}


def run_scaling(settings: Settings) -> dict[str, Any]:
    """handbp's step at batch 256 on three nets, against its five matrix products alone.

    Each net is timed in a fresh process (``python -m bench.scaling``): how often large
    temporaries are re-faulted depends on what the process allocated before.
    """
    rows = []
    for size in scaling.SIZES:
        command = [sys.executable, "-m", "bench.scaling", *(str(n) for n in size)]
        command += ["--repeats", str(settings.repeats)]
        command += ["--seconds", str(settings.seconds_per_repeat)]
        completed = subprocess.run(
            command, cwd=REPOSITORY, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr}")
        row = json.loads(completed.stdout)
        rows.append(row)
        _say(
            f"  {row['net']}: handbp step {row['handbp step ms']:.2f} ms, "
            f"five matmuls {row['five matmuls ms']:.2f} ms"
        )
    return {"repeats": settings.repeats, "rows": rows}


def run_net_step(settings: Settings) -> dict[str, Any]:
    """One step of the 64-128-10 ReLU/softmax/cross-entropy net at each batch size: handbp's
    ``Net.step``, a tuned NumPy step and PyTorch eager, interleaved."""
    rows = []
    for batch in general.STEP_BATCHES:
        p = general.step_problem(batch)
        makers: dict[str, Callable[[general.StepProblem], Callable[[], Any]]] = {
            STEP_HANDBP: lambda p: partial(general.handbp_step, p),
            STEP_UNCHECKED: lambda p: partial(general.handbp_unchecked_step, p),
            STEP_TUNED: general.tuned_step,
            STEP_TORCH: torch_net.torch_step,
            STEP_TORCH_ONE: torch_net.torch_step_one_thread,
        }
        reference = general.handbp_step(p)
        for name, make in makers.items():  # a fresh copy of the parameters for the check
            general.assert_same_params(reference, make(p)(), name)  # stops the benchmark if not
        functions = {name: make(p) for name, make in makers.items()}
        calls = {name: calls_for(f, settings.seconds_per_repeat) for name, f in functions.items()}
        timings = interleaved(functions, settings.repeats, calls)
        row: dict[str, Any] = {"net": "-".join(map(str, p.net.widths)), "batch": batch}
        row.update({f"{name} us": t.median * 1e6 for name, t in timings.items()})
        rows.append(row)
        _say(
            f"  batch {batch}: "
            + ", ".join(f"{name} {t.median * 1e6:.0f} us" for name, t in timings.items())
        )
    return {"repeats": settings.repeats, "rows": rows}


def run_startup(settings: Settings) -> dict[str, Any]:
    """Import times, and ``handbp verify`` (both chapters; compiled code cached and not)
    against a bare ``import jax``, in fresh processes."""
    imports = startup.interleaved_commands(startup.import_commands(), settings.process_repeats)
    verify = startup.interleaved_commands(startup.verify_commands(), settings.process_repeats)
    warm, cold = verify[startup.VERIFY], verify[startup.VERIFY_COLD]
    jax_s = verify[startup.IMPORT_JAX].median
    return {
        "repeats": settings.process_repeats,
        "imports": {name: t.median for name, t in imports.items()},
        "verify_s": warm.median,
        "import_jax_s": jax_s,
        "ratio": warm.median / jax_s,
        "verify_range_s": (warm.low, warm.high),
        "verify_cold_s": cold.median,
        "cold_ratio": cold.median / jax_s,
        "verify_cold_range_s": (cold.low, cold.high),
    }


def run_verify_sizes(settings: Settings) -> dict[str, Any]:
    """``handbp verify`` on random nets of growing size, compiled code cached and not."""
    sizes = startup.VERIFY_SIZES[:1] if settings.quick else startup.VERIFY_SIZES
    rows = []
    for size, examples in sizes:
        timings = startup.interleaved_commands(
            startup.verify_size_commands(size, examples), settings.process_repeats
        )
        cached, compiling = timings["cached"], timings["compiling"]
        rows.append(
            {
                "size": size,
                "examples": examples,
                "cached_s": cached.median,
                "cached_range_s": (cached.low, cached.high),
                "compiling_s": compiling.median,
                "compile_s": compiling.median - cached.median,
                "target_s": startup.VERIFY_TARGETS.get(size),
            }
        )
        _say(
            f"  {size}, {examples} examples: {cached.median:.2f} s ({compiling.median:.2f} s compiling)"
        )
    return {"repeats": settings.process_repeats, "rows": rows}


def run_part5(settings: Settings) -> dict[str, Any]:
    """handbp.pure.layer_outputs, the notebook's plain loop and np.dot, by matrix size."""
    rows = []
    for size in settings.part5_sizes:
        functions = part5.contenders(size)
        # calls_for runs each once, which warms up as well: a pure-Python layer of 400 x 400
        # takes most of a minute, so it is not run once more untimed
        calls = {name: calls_for(f, settings.seconds_per_repeat) for name, f in functions.items()}
        timings = interleaved(functions, settings.part5_repeats, calls, warmup=False)
        rows.append({"size": size, **{name: t.median for name, t in timings.items()}})
        _say(
            f"  {size} x {size}: " + ", ".join(f"{n} {t.median:.2e} s" for n, t in timings.items())
        )
    return {"repeats": settings.part5_repeats, "rows": rows}


def run_digits(settings: Settings) -> dict[str, Any]:
    """The digits by mini-batches (bench/digits.py): test accuracy per seed, time per epoch."""
    seeds = digits.QUICK_SEEDS if settings.quick else digits.SEEDS
    epochs = 5 if settings.quick else digits.EPOCHS
    split = digits.digits_split()
    # NumPy's BLAS on one thread, like PyTorch here: on these small products a second
    # thread only spins, and on a shared machine it can cost several times the epoch
    with threadpool_limits(1):
        accuracy = {
            name: [run(split, seed, epochs) for seed in seeds]
            for name, run in digits.CONTENDERS.items()
        }
        for name, values in accuracy.items():
            _say(f"  {name}: test accuracy {sum(values) / len(values):.4f} over {len(seeds)} seeds")
        timings = interleaved(
            {name: partial(run, split, 0, epochs) for name, run in digits.CONTENDERS.items()},
            settings.repeats,
            warmup=False,  # every contender ran above (JAX compiled its epoch there)
        )
    baseline = timings[digits.SKLEARN]
    rows = [
        _timing_row(
            name,
            timing,
            baseline,
            per_epoch_ms=timing.median / epochs * 1e3,
            accuracy=accuracy[name],
            mean_accuracy=sum(accuracy[name]) / len(seeds),
        )
        for name, timing in timings.items()
    ]
    paired = digits.paired_difference(
        accuracy[digits.HANDBP], accuracy[digits.SKLEARN], split.X_test.shape[0]
    )
    difference = {
        "mean": paired.mean,
        "standard_error": paired.standard_error,
        "more_same_fewer": list(paired.images),
    }
    return {
        "epochs": epochs,
        "seeds": list(seeds),
        "repeats": settings.repeats,
        "rows": rows,
        "handbp_minus_sklearn": difference,
    }


def run_layer_check(settings: Settings) -> dict[str, Any]:
    """Issue 11: ``verify.check_layer`` on the affine layer over 20 shapes, after compiling."""
    timing = layer_check.time_affine_check(settings.repeats)
    _say(f"  check_layer, affine, {layer_check.TRIALS} shapes: {timing.median:.3f} s")
    return {
        "repeats": settings.repeats,
        "median_s": timing.median,
        "range_s": (timing.low, timing.high),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 0 (a disagreement between implementations raises)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run (numbers not to quote)")
    parser.add_argument(
        "--repeats", type=int, help="repetitions of each timing (default 7, quick 3)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="folder for RESULTS.md, results.json and bench.png "
        "(default: bench/results; quick runs: bench/results/quick)",
    )
    args = parser.parse_args(argv)
    settings = Settings.for_mode(args.quick, args.repeats)
    output = args.output or (RESULTS / "quick" if args.quick else RESULTS)
    described = machine.describe()
    _say(f"machine: {described['cpu']}, {described['cores']} cores; {described['platform']}")
    _say("versions: " + ", ".join(f"{k} {v}" for k, v in described["versions"].items()))
    described["torch_threads"] = torch.get_num_threads()
    _say(f"BLAS: {described['blas']}; PyTorch intra-op threads: {described['torch_threads']}")
    _say(f"load average before: {described['load_average']}")
    results: dict[str, Any] = {
        "mode": "quick" if settings.quick else "full",
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        "machine": described,
    }
    sections: dict[str, Callable[[Settings], dict[str, Any]]] = {
        "training": run_training,
        "gradients": run_gradients,
        "scaling": run_scaling,
        "net_step": run_net_step,
        "startup": run_startup,
        "verify_sizes": run_verify_sizes,
        "layer_check": run_layer_check,
        "part5": run_part5,
        "digits": run_digits,
    }
    for name, section in sections.items():
        _say(f"{name} ...")
        results[name] = section(settings)
    results["load_average_after"] = machine.load_average()
    results["targets"] = targets(results)
    output.mkdir(parents=True, exist_ok=True)
    (output / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    markdown = write_report(results, output)
    _say("")
    _say(markdown)
    return 0
