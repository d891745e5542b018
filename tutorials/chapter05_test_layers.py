"""Chapter 5: the layers of chapter05_layers.py checked from pytest, with handbp's plugin.

Run it from the repository root:  .venv/bin/python -m pytest tutorials/chapter05_test_layers.py
"""

from chapter05_layers import (
    AFFINE,
    CONSTANTS,
    RELU,
    SOFTMAX,
    TWO_LAYER,
    affine_backward,
    affine_forward,
    relu_backward,
    relu_forward,
    softmax_loss_backward,
    softmax_loss_forward,
    two_layer_backward,
    two_layer_forward,
)
from hypothesis import given

from verify import strategies


def test_affine(handbp_check):
    handbp_check.layer(affine_forward, affine_backward, AFFINE)


def test_relu(handbp_check):
    handbp_check.layer(relu_forward, relu_backward, RELU)


def test_softmax_loss(handbp_check):
    handbp_check.layer(softmax_loss_forward, softmax_loss_backward, SOFTMAX, constants=CONSTANTS)


def test_two_layer_net(handbp_check):
    handbp_check.layer(
        two_layer_forward, two_layer_backward, TWO_LAYER, constants=CONSTANTS, trials=8
    )


@strategies.CI
@given(strategies.axis_sizes("N", "D", "M"))
def test_affine_on_shapes_hypothesis_draws(handbp_check, dims):
    handbp_check.layer(affine_forward, affine_backward, AFFINE, dims=dims, trials=1)
