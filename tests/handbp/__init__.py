"""Tests of the NumPy package handbp, one module per handbp module."""
