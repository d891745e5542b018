"""Tests of the tutorials: each one runs top to bottom, and together they teach the catalogue."""
