"""Chapter 5's pytest files, run as the page says a learner runs them: pytest in a fresh
process, with handbp's plugin giving the ``handbp_check`` fixture."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from handbp_site.execute import REPO, TUTORIALS, jax_cache_env

PASSING = TUTORIALS / "chapter05_test_layers.py"
FAILING = TUTORIALS / "chapter05_test_wrong_layers.py"


@pytest.fixture(scope="module")
def pytest_run(jax_cache):
    """``pytest_run(file)``: pytest on one file from the repository root, as the page says."""

    def run(file: Path) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pytest", "-q", "--color=no", "-p", "no:cacheprovider"]
        return subprocess.run(
            [*command, str(file.relative_to(REPO))],
            cwd=REPO,
            env={**os.environ, **jax_cache_env(jax_cache)},
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    return run


def test_the_layers_pass_their_tests_with_the_plugins_fixture(pytest_run):
    run = pytest_run(PASSING)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout.splitlines()[-1]


def test_each_wrong_layer_fails_its_test_with_the_diagnosis(pytest_run):
    run = pytest_run(FAILING)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "2 failed" in run.stdout.splitlines()[-1]
    for test, diagnosis in (
        ("test_affine_with_the_bias_gradient_averaged", "averaged instead of summed"),
        ("test_relu_with_its_output_as_its_derivative", "the ReLU's derivative is the indicator"),
    ):
        assert f"FAILED tutorials/chapter05_test_wrong_layers.py::{test}" in run.stdout
        assert diagnosis in run.stdout
    assert "Traceback" not in run.stdout  # the fixture fails with the table, not verify's stack
