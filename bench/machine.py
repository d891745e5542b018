"""What the benchmark ran on: CPU, cores, load, library versions and BLAS threads."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from typing import Any

LIBRARIES: tuple[str, ...] = ("handbp", "numpy", "jax", "jaxlib", "torch", "matplotlib")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what platform reports."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages (other processes compete for the cores)."""
    return os.getloadavg()


def versions() -> dict[str, str]:
    """Installed versions of the libraries compared, by distribution name."""
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def blas() -> str:
    """NumPy's BLAS library and its thread count, as threadpoolctl sees it (if installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl is not installed)"
    import numpy  # noqa: F401  (loads the BLAS that threadpoolctl then finds)

    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    return "; ".join(
        f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
        f"{p.get('num_threads')} threads)"
        for p in pools
    )


def describe() -> dict[str, Any]:
    """Everything above, for the report."""
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "versions": versions(),
        "blas": blas(),
        "load_average": load_average(),
    }
