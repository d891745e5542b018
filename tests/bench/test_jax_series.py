"""bench.jax_series: float64 only inside its calls, compile times per jitted function.

(That its training and gradients equal the NumPy ones is tested in test_series.py.)
"""

import dataclasses

import jax
import numpy as np

from bench import jax_series, series


def test_float64_without_touching_the_global_setting():
    run = series.series_run(epochs=2)
    before = jax.config.jax_enable_x64
    trained = jax_series.jax_scan_train(run)
    assert jax.config.jax_enable_x64 == before
    assert trained.W1.dtype == trained.mse.dtype == np.float64


def test_compile_seconds_name_each_jitted_function():
    run = dataclasses.replace(series.series_run(), epochs=3)
    seconds = jax_series.jax_compile_seconds(run)
    for name in ("JAX jitted step", "JAX whole loop (lax.scan)", "JAX jit(grad)"):
        assert seconds[f"{name}: trace + lower"] > 0
        assert seconds[f"{name}: compile"] > 0
    assert len(seconds) == 6
