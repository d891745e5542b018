"""Chapter 5: the two wrong backwards of chapter05_layers.py, whose tests fail with a diagnosis.

Run it from the repository root:  .venv/bin/python -m pytest tutorials/chapter05_test_wrong_layers.py
"""

from chapter05_layers import (
    AFFINE,
    RELU,
    affine_forward,
    relu_forward,
    wrong_affine_backward,
    wrong_relu_backward,
)


def test_affine_with_the_bias_gradient_averaged(handbp_check):
    handbp_check.layer(affine_forward, wrong_affine_backward, AFFINE)


def test_relu_with_its_output_as_its_derivative(handbp_check):
    handbp_check.layer(relu_forward, wrong_relu_backward, RELU)
