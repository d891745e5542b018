"""The benchmark's results as Markdown tables (RESULTS.md) and one PNG figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, ScalarFormatter

FIGURE = "bench.png"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; the first column left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _load(values: Any) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def machine_section(results: dict[str, Any]) -> str:
    m = results["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in m["versions"].items())
    return "\n".join(
        [
            f"- CPU: {m['cpu']}, {m['cores']} cores ({m['platform']})",
            f"- versions: {versions}",
            f"- NumPy's BLAS: {m['blas']}; PyTorch intra-op threads: {m['torch_threads']}",
            f"- load average (1, 5, 15 min) before: {_load(m['load_average'])}; "
            f"after: {_load(results['load_average_after'])}",
            f"- run: `{results['command']}` ({results['mode']}), started {results['started']}",
        ]
    )


def measured_text(value: float) -> str:
    """Two decimals, or two significant digits below 0.1 (a difference of -0.0028 is not -0.00)."""
    return f"{value:.2f}" if value == 0 or abs(value) >= 0.1 else f"{value:.2g}"


def targets_section(results: dict[str, Any]) -> str:
    rows = [
        [t["target"], t["goal"], measured_text(t["measured"]), "met" if t["met"] else "not met"]
        for t in results["targets"]
    ]
    return table(["target", "goal", "measured", ""], rows)


def training_section(results: dict[str, Any]) -> str:
    training = results["training"]
    rows = [
        [
            row["name"],
            f"{row['median_s']:.3f}",
            f"{row['low_s']:.3f} - {row['high_s']:.3f}",
            f"{row['per_epoch_us']:.1f}",
            f"{row['ratio']:.2f}",
            f"{row['max_weight_difference']:.0e}",
        ]
        for row in training["rows"]
    ]
    header = [
        "implementation",
        "median s",
        "range s",
        "us / epoch",
        "x notebook",
        "max abs W diff",
    ]
    compile_rows = [[name, f"{seconds * 1e3:.0f}"] for name, seconds in training["compile"].items()]
    return "\n\n".join(
        [
            f"{training['epochs']} epochs, median of {training['repeats']} interleaved runs; "
            f"every implementation ends on the notebook loop's weights (last column) and MSE "
            f"and accuracy curves (final training MSE {training['final_mse']:.6f}, accuracy "
            f"{training['final_training_accuracy']:.4f}). Compile and import times are not "
            "in these numbers; they follow.",
            table(header, rows),
            "JAX compilation (once per process, caches cleared before each):",
            table(["function", "ms"], compile_rows),
        ]
    )


def gradients_section(results: dict[str, Any]) -> str:
    rows = [
        [row["name"], f"{row['per_call_us']:.1f}", f"{row['ratio']:.2f}"]
        for row in results["gradients"]["rows"]
    ]
    return (
        f"One feedforward and backward pass on the 130 training flowers, initial weights; "
        f"median of {results['gradients']['repeats']} interleaved repetitions.\n\n"
        + table(["implementation", "us / call", "x notebook"], rows)
    )


def scaling_section(results: dict[str, Any]) -> str:
    rows = [
        [
            row["net"],
            f"{row['flops'] / 1e6:.1f}",
            f"{row['handbp step ms']:.3f}",
            f"{row['handbp step GFLOP/s']:.1f}",
            f"{row['handbp step, unchecked ms']:.3f}",
            f"{row['notebook step ms']:.3f}",
            f"{row['tuned NumPy step ms']:.3f}",
            f"{row['five matmuls ms']:.3f}",
            f"{row['five matmuls GFLOP/s']:.1f}",
            f"{row['floor share']:.2f}",
            f"{row['five matmuls ms'] / row['tuned NumPy step ms']:.2f}",
            f"{row['handbp step faults']:.0f} / {row['notebook step faults']:.0f} / "
            f"{row['five matmuls faults']:.0f}",
        ]
        for row in results["scaling"]["rows"]
    ]
    header = [
        "net (batch 256)",
        "MFLOP / step",
        "handbp step ms",
        "handbp GFLOP/s",
        "handbp unchecked ms",
        "notebook step ms",
        "tuned NumPy step ms",
        "five matmuls ms",
        "matmuls GFLOP/s",
        "floor / handbp",
        "floor / tuned",
        "page faults / call (handbp / notebook / matmuls)",
    ]
    return (
        "Synthetic data. A step is handbp's `feedforward`, `backpropagation` and "
        '`weights_update` with their input checks ("unchecked": inside '
        "`handbp.unchecked()`); the tuned NumPy step is the same maths with "
        "buffers allocated once and every ufunc in place; the floor is the step's five matrix "
        f"products alone, same shapes, same run. Median of {results['scaling']['repeats']} "
        "interleaved repetitions. Page faults: fresh memory the kernel maps and zeroes "
        "on each call, when large temporaries are handed back to it and asked for again.\n\n"
        + table(header, rows)
    )


def net_step_section(results: dict[str, Any]) -> str:
    rows = results["net_step"]["rows"]
    names = [key[: -len(" us")] for key in rows[0] if key.endswith(" us")]
    body = [
        [f"{row['net']}, batch {row['batch']}", *(f"{row[f'{name} us']:.1f}" for name in names)]
        for row in rows
    ]
    return (
        "One gradient-descent step of a ReLU/softmax/cross-entropy net with biases, float64, "
        "from the same parameters (every contender ends on handbp's); microseconds, median of "
        f"{results['net_step']['repeats']} interleaved repetitions.\n\n"
        + table(["net", *(f"{name} us" for name in names)], body)
    )


def startup_section(results: dict[str, Any]) -> str:
    s = results["startup"]
    rows = [[name, f"{seconds:.3f}"] for name, seconds in s["imports"].items()]
    low, high = s["verify_range_s"]
    cold_low, cold_high = s["verify_cold_range_s"]
    return "\n\n".join(
        [
            f"Fresh processes, median of {s['repeats']} interleaved runs (wall time, start to exit). "
            "`handbp verify` checks both chapters of the catalogue; without its store of "
            "compiled programs (`HANDBP_JAX_CACHE=off`) every run traces and compiles, as the "
            "first one on a machine does.",
            table(["command", "s"], rows),
            table(
                ["command", "s", "/ import jax"],
                [
                    [
                        "handbp verify",
                        f"{s['verify_s']:.3f} (range {low:.3f} - {high:.3f})",
                        f"{s['ratio']:.2f}",
                    ],
                    [
                        "handbp verify, no compilation cache",
                        f"{s['verify_cold_s']:.3f} (range {cold_low:.3f} - {cold_high:.3f})",
                        f"{s['cold_ratio']:.2f}",
                    ],
                    ['python -c "import jax"', f"{s['import_jax_s']:.3f}", "1"],
                ],
            ),
        ]
    )


def verify_sizes_section(results: dict[str, Any]) -> str:
    v = results["verify_sizes"]
    rows = [
        [
            f"`handbp verify --chapter 1 --sizes {row['size']} --examples {row['examples']}`",
            f"{row['cached_s']:.2f} (range {row['cached_range_s'][0]:.2f} - "
            f"{row['cached_range_s'][1]:.2f})",
            f"{row['compiling_s']:.2f}",
            f"{row['compile_s']:.2f}",
            "-" if row["target_s"] is None else f"<= {row['target_s']:g}",
        ]
        for row in v["rows"]
    ]
    return (
        f"Fresh processes, median of {v['repeats']} interleaved runs. Each checks the "
        "series' net and one random net; a quantity of more than 256 entries computed one "
        'entry at a time is checked on a seeded sample (docs/verify.md). "cached": the '
        "compiled programs loaded from handbp's store (verify/executables.py), as on every "
        "run after the first; "
        '"compiling": with the cache off (`HANDBP_JAX_CACHE=off`), as on the first run.\n\n'
        + table(["command", "cached s", "compiling s", "compile s", "target s"], rows)
    )


def part5_section(results: dict[str, Any]) -> str:
    part5 = results["part5"]
    pure, plain, dot = "handbp.pure.layer_outputs", "plain Python loop (notebook)", "np.dot"
    rows = [
        [
            f"{row['size']} x {row['size']}",
            *(f"{row[name]:.2e}" for name in (pure, plain, dot)),
            f"{row[pure] / row[dot]:.0f}",
            f"{row[plain] / row[dot]:.0f}",
            f"{row[pure] / row[plain]:.1f}",
        ]
        for row in part5["rows"]
    ]
    header = ["size", f"{pure} s", f"{plain} s", f"{dot} s", "handbp / np.dot"]
    header += ["plain / np.dot", "handbp / plain"]
    return f"Seconds per call, median of {part5['repeats']} interleaved repetitions.\n\n" + table(
        header, rows
    )


def digits_section(results: dict[str, Any]) -> str:
    d = results["digits"]
    rows = [
        [
            row["name"],
            f"{row['mean_accuracy']:.4f}",
            f"{min(row['accuracy']):.4f} - {max(row['accuracy']):.4f}",
            f"{row['per_epoch_ms']:.2f}",
            f"{row['low_s'] / d['epochs'] * 1e3:.2f} - {row['high_s'] / d['epochs'] * 1e3:.2f}",
            f"{row['ratio']:.2f}",
        ]
        for row in d["rows"]
    ]
    header = [
        "trainer",
        "test accuracy (mean)",
        "min - max",
        "ms per epoch (median)",
        "fastest - slowest",
        "/ scikit-learn",
    ]
    seeds = d["seeds"]
    consecutive = seeds == list(range(seeds[0], seeds[-1] + 1))
    listed = f"{seeds[0]} to {seeds[-1]}" if consecutive else ", ".join(map(str, seeds))
    paired = d["handbp_minus_sklearn"]
    more, same, fewer = paired["more_same_fewer"]
    error = paired["standard_error"]
    size = f" ({paired['mean'] / error:+.1f} standard errors)" if error > 0 else ""
    return (
        f"{len(seeds)} seeds ({listed}), {d['epochs']} epochs, each seed's four runs from the "
        f"same initial parameters; {d['repeats']} interleaved timed runs each (seed 0).\n\n"
        + table(header, rows)
        + f"\n\nhandbp - scikit-learn, seed by seed: mean {paired['mean']:+.4f}, standard error "
        f"{error:.4f}{size}; handbp got more test images right on {more} seeds, as many on "
        f"{same}, fewer on {fewer}."
    )


def markdown(results: dict[str, Any]) -> str:
    """The whole report."""
    sections = [
        ("Machine", machine_section),
        ("Targets", targets_section),
        ("Training: the series' run (Iris, 4-2-3, eta 0.1, float64)", training_section),
        ("Gradients only", gradients_section),
        ("Scaling: the hand step against its five matrix products", scaling_section),
        ("Chapter 2: one step of a 64-128-10 net", net_step_section),
        ("Start-up: imports and `handbp verify`", startup_section),
        ("`handbp verify` by net size", verify_sizes_section),
        ("Part 5: pure-Python layer against np.dot", part5_section),
        (
            "Digits: 64-32-10 ReLU, softmax cross-entropy, Adam, batch 32 (bench/digits.py)",
            digits_section,
        ),
    ]
    parts = [
        "# handbp benchmark results",
        f"Written by `python -m bench`; do not edit by hand. Figure: [{FIGURE}]({FIGURE}).",
    ]
    for title, render in sections:
        parts += [f"## {title}", render(results)]
    return "\n\n".join(parts) + "\n"


def figure(results: dict[str, Any], path: Path) -> None:
    """Four panels: training ratios, scaling GFLOP/s, start-up, and part 5 by size."""
    fig = Figure(figsize=(13, 9))
    axes = fig.subplots(2, 2)
    training = results["training"]["rows"]
    ax = axes[0][0]
    ax.barh([r["name"] for r in training], [r["ratio"] for r in training], color="tab:blue")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.axvline(0.60, color="tab:red", linestyle="--", linewidth=0.8, label="target 0.60")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ScalarFormatter())  # 0.5, 1, 2 instead of 5 x 10^-1
    ax.xaxis.set_minor_formatter(NullFormatter())  # the minor ticks' labels overlapped
    ax.invert_yaxis()
    ax.set_xlabel("time / notebook loop (log scale)")
    ax.set_title(f"Training, {results['training']['epochs']} epochs")
    ax.legend(loc="lower right")

    ax = axes[0][1]
    scaling = results["scaling"]["rows"]
    nets = [r["net"] for r in scaling]
    width = 0.2
    names = ("handbp step", "notebook step", "tuned NumPy step", "five matmuls")
    for offset, name in zip(
        (-1.5 * width, -0.5 * width, 0.5 * width, 1.5 * width), names, strict=True
    ):
        ax.bar(
            [i + offset for i in range(len(nets))],
            [r[f"{name} GFLOP/s"] for r in scaling],
            width,
            label=name,
        )
    ax.set_xticks(range(len(nets)), nets)
    ax.set_ylabel("GFLOP/s (five matmuls' FLOPs / time)")
    ax.set_title("Scaling, batch 256, float64")
    ax.legend()

    ax = axes[1][0]
    s = results["startup"]
    labels = [*s["imports"], "handbp verify"]
    values = [*s["imports"].values(), s["verify_s"]]
    ax.barh(labels, values, color="tab:green")
    ax.axvline(
        3 * s["import_jax_s"],
        color="tab:red",
        linestyle="--",
        linewidth=0.8,
        label="target: 3 x import jax",
    )
    ax.invert_yaxis()
    ax.set_xlabel("seconds, fresh process")
    ax.set_title("Start-up")
    ax.legend(loc="lower right")

    ax = axes[1][1]
    part5 = results["part5"]["rows"]
    sizes = [r["size"] for r in part5]
    for name in (key for key in part5[0] if key != "size"):
        ax.plot(sizes, [r[name] for r in part5], marker="o", label=name)
    ax.set_yscale("log")
    ax.set_xlabel("matrix size n (n x n)")
    ax.set_ylabel("seconds per layer")
    ax.set_title("Part 5: pure Python against np.dot")
    ax.legend()

    fig.suptitle(f"handbp benchmark ({results['mode']} run), {results['machine']['cpu']}")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def write_report(results: dict[str, Any], folder: Path) -> str:
    """Write RESULTS.md and the figure into ``folder``; return the Markdown."""
    text = markdown(results)
    (folder / "RESULTS.md").write_text(text)
    figure(results, folder / FIGURE)
    return text
