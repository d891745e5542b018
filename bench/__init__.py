"""Benchmarks: handbp next to plain NumPy, JAX and PyTorch, measured side by side.

Run everything with ``python -m bench`` (``--quick`` for a smoke run); see bench/README.md.
Each module times one comparison of issue 6; :mod:`bench.run` runs them all and writes
``bench/results/RESULTS.md`` and a plot, with the issues' targets that :mod:`bench.targets`
computes from the results.
"""
