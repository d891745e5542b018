"""handbp never imports JAX: it, and `handbp step`, run with NumPy alone.

(The `handbp` command loads the subcommands that other packages register, such as
verify's `handbp verify`; those must not import JAX until they run.)
"""

import subprocess
import sys

import handbp


def test_importing_all_of_handbp_loads_no_jax():
    modules = [
        "handbp." + name
        for name in [
            "activations",
            "cli",
            "data",
            "descent",
            "equations",
            "losses",
            "network",
            "pure",
            "scalar",
        ]
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "import handbp.cli; handbp.cli.main(['step', '--json'])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'jaxlib'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert handbp.__version__
