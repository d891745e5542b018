"""Solutions of the exercises in ``tutorials/exercises``, one file each, under the same names.

The test suite checks every one of them with ``verify`` (``tests/tutorials/test_exercises.py``).
"""
