"""The references of the catalogue's entries, one module per kind.

:mod:`verify.table.forward` (forward maps, checked by value), :mod:`verify.table.derivatives`
(one-variable derivatives and the scalar forms of parts 6-12) and
:mod:`verify.table.backprop` (the backward pass and the update, parts 11-13). Each entry
carries its hand computation, its JAX targets and its known mistakes: adding an equation
is adding one entry. :data:`verify.references.REFERENCES` puts them in catalogue order.
"""
