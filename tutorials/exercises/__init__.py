"""Exercises of parts 9-14 and of the chapters: one function per file for the learner to complete.

Each file starts out plausible but wrong; its comment says what to complete. Check a file
from its tutorial's last cell, or from a terminal, e.g.

    handbp check tutorials/exercises/part12_hidden_layer_delta.py:hidden_layer_delta

The check runs the function on the series' net and on random nets, compares it with JAX
autodiff, and if it disagrees names the likely mistake. A chapter's exercise is checked
by the last cell of its chapter (``verify.check_layer`` for a layer's backward,
``verify.optimizers.check_case`` for Adam). Solutions: ``tutorials/solutions``.
"""
