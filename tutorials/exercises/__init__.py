"""Exercises of parts 9-14: one function per file for the learner to complete.

Each file starts out plausible but wrong; its comment says what to complete. Check a file
from its tutorial's last cell, or from a terminal, e.g.

    handbp check tutorials/exercises/part12_hidden_layer_delta.py:hidden_layer_delta

The check runs the function on the series' net and on random nets, compares it with JAX
autodiff, and if it disagrees names the likely mistake. Solutions: ``tutorials/solutions``.
"""
