"""Tests of bench/: the implementations it times agree, so the benchmark cannot silently rot."""
