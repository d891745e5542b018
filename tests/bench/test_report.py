"""bench.report: RESULTS.md and the figure, from a results document of the run's shape."""

import pytest

from bench import report


def timing_row(name, ratio, **extra):
    return {
        "name": name,
        "median_s": ratio,
        "low_s": ratio,
        "high_s": ratio,
        "ratio": ratio,
        **extra,
    }


@pytest.fixture
def results():
    scaling_row = {"net": "784-1024-10", "batch": 256, "flops": 2_000_000, "floor share": 0.5}
    contenders = ("handbp step", "handbp step, unchecked", "notebook step", "tuned NumPy step")
    for name in (*contenders, "five matmuls"):
        scaling_row[f"{name} ms"] = 1.0
        scaling_row[f"{name} GFLOP/s"] = 2.0
        scaling_row[f"{name} faults"] = 3.0
    return {
        "mode": "quick",
        "started": "2026-01-01T00:00:00+00:00",
        "command": "python -m bench --quick",
        "machine": {
            "cpu": "Test CPU",
            "cores": 2,
            "platform": "Linux",
            "python": "3.11",
            "versions": {"numpy": "2"},
            "blas": "openblas",
            "load_average": (0.5, 0.25, 0.125),
            "torch_threads": 2,
        },
        "load_average_after": (1.0, 0.5, 0.25),
        "training": {
            "epochs": 10,
            "repeats": 3,
            "final_mse": 0.1,
            "final_training_accuracy": 0.9,
            "rows": [
                timing_row("notebook", 1.0, per_epoch_us=25.0, max_weight_difference=0.0),
                timing_row("other", 0.5, per_epoch_us=12.5, max_weight_difference=1e-16),
            ],
            "compile": {"JAX step: compile": 0.1},
        },
        "gradients": {"repeats": 3, "rows": [timing_row("notebook", 1.0, per_call_us=9.0)]},
        "scaling": {"repeats": 3, "rows": [scaling_row]},
        "net_step": {
            "repeats": 3,
            "rows": [
                {"net": "64-128-10", "batch": 32, "handbp Net.step us": 80.0, "torch us": 200.0}
            ],
        },
        "startup": {
            "repeats": 2,
            "imports": {"import jax": 1.0},
            "verify_s": 2.0,
            "import_jax_s": 1.0,
            "ratio": 2.0,
            "verify_range_s": (1.9, 2.1),
            "verify_cold_s": 6.0,
            "cold_ratio": 6.0,
            "verify_cold_range_s": (5.5, 6.5),
        },
        "verify_sizes": {
            "repeats": 2,
            "rows": [
                {
                    "size": "64-64-64",
                    "examples": 64,
                    "cached_s": 3.25,
                    "cached_range_s": (3.0, 3.5),
                    "compiling_s": 5.5,
                    "compile_s": 2.25,
                    "target_s": 5.0,
                }
            ],
        },
        "part5": {
            "repeats": 2,
            "rows": [
                {
                    "size": 10,
                    "handbp.pure.layer_outputs": 1e-3,
                    "plain Python loop (notebook)": 1e-4,
                    "np.dot": 1e-5,
                }
            ],
        },
        "digits": {
            "epochs": 50,
            "seeds": [0, 1],
            "repeats": 3,
            "handbp_minus_sklearn": {
                "mean": -0.002,
                "standard_error": 0.001,
                "more_same_fewer": [0, 1, 1],
            },
            "rows": [
                timing_row(
                    "handbp.training.fit",
                    0.4,
                    per_epoch_ms=4.0,
                    accuracy=[0.95, 0.97],
                    mean_accuracy=0.96,
                )
            ],
        },
        "targets": [
            {"target": "a", "goal": "<= 0.60", "measured": 0.5, "met": True},
            {"target": "b", "goal": ">= 0.85", "measured": 0.5, "met": False},
        ],
    }


def test_table_has_a_row_per_entry_and_aligned_columns():
    text = report.table(["a", "b"], [["x", "1"], ["y", "2"]])
    assert text.splitlines() == ["| a | b |", "|:---|---:|", "| x | 1 |", "| y | 2 |"]


def test_markdown_has_every_section_and_the_targets_verdicts(results):
    text = report.markdown(results)
    for heading in ("Machine", "Targets", "Training", "Gradients", "Scaling", "Start-up", "Part 5"):
        assert f"\n## {heading}" in text
    assert "\n## Chapter 2: one step of a 64-128-10 net" in text
    assert "| net | handbp Net.step us | torch us |" in text
    assert "| 64-128-10, batch 32 | 80.0 | 200.0 |" in text
    assert "\n## `handbp verify` by net size" in text
    assert (
        "| `handbp verify --chapter 1 --sizes 64-64-64 --examples 64` | 3.25 (range 3.00 - 3.50) | 5.50 "
        "| 2.25 | <= 5 |"
    ) in text
    assert "| handbp verify | 2.000 (range 1.900 - 2.100) | 2.00 |" in text
    assert "| handbp verify, no compilation cache | 6.000 (range 5.500 - 6.500) | 6.00 |" in text
    assert "| a | <= 0.60 | 0.50 | met |" in text
    assert "| b | >= 0.85 | 0.50 | not met |" in text
    assert "| other | 0.500 | 0.500 - 0.500 | 12.5 | 0.50 | 1e-16 |" in text
    assert "Test CPU, 2 cores" in text and "before: 0.50, 0.25, 0.12" in text
    assert "\n## Digits: 64-32-10 ReLU" in text
    assert "2 seeds (0 to 1), 50 epochs" in text
    assert "mean -0.0020, standard error 0.0010 (-2.0 standard errors)" in text
    assert "more test images right on 0 seeds, as many on 1, fewer on 1." in text
    assert "| handbp.training.fit | 0.9600 | 0.9500 - 0.9700 | 4.00 | 8.00 - 8.00 | 0.40 |" in text
    assert "| 10 x 10 | 1.00e-03 | 1.00e-04 | 1.00e-05 | 100 | 10 | 10.0 |" in text


def test_write_report_writes_markdown_and_a_png(results, tmp_path):
    text = report.write_report(results, tmp_path)
    assert (tmp_path / "RESULTS.md").read_text() == text
    assert (tmp_path / report.FIGURE).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_small_measured_value_keeps_its_sign_and_digits():
    """A target's difference of -0.0028 reads -0.0028, not -0.00; ratios keep two decimals."""
    from bench.report import measured_text

    assert measured_text(-0.0028) == "-0.0028"
    assert measured_text(0.0213) == "0.021"
    assert measured_text(2.468) == "2.47"
    assert measured_text(0.0) == "0.00"
