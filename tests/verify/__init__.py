"""Tests of the JAX verification package verify."""
