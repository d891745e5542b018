"""handbp never imports JAX: every module of it, and `handbp step`, run with NumPy alone.

(The `handbp` command loads the subcommands that other packages register, such as
verify's `handbp verify`; those must not import JAX until they run.)
"""

import pkgutil

import handbp
from tests.no_jax import assert_runs_without_jax

MODULES = sorted(module.name for module in pkgutil.walk_packages(handbp.__path__, prefix="handbp."))


def test_the_module_list_is_the_whole_package():
    assert {"handbp.network", "handbp.checks", "handbp.cli.step", "handbp.training.loop"} <= set(
        MODULES
    )


def test_importing_all_of_handbp_loads_no_jax():
    assert_runs_without_jax(
        "import importlib\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "import handbp.cli; handbp.cli.main(['step', '--json'])\n"
    )
