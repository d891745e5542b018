"""A helper for tests: run Python code in a fresh interpreter and check it loaded no JAX."""

import subprocess
import sys


def assert_runs_without_jax(code: str) -> None:
    """Run ``code`` in a new process; fail if it fails or if it imported jax or jaxlib."""
    check = (
        "\nimport sys\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'jaxlib'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code + check], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
