"""verify.pytest_plugin: a user's own test suite gets ``handbp_check`` from the entry point."""

import importlib.metadata
import textwrap

# pytester runs a user's suite inside this one. Declared here, not in a conftest of this
# folder: pytest refuses pytest_plugins in a conftest below the rootdir.
pytest_plugins = ["pytester"]

USER_TESTS = """
import numpy as np
from hypothesis import given
from handbp.nn import Net
from verify import strategies


def my_backprop(X, Y, W2, forward):
    O_out, H_out = forward.output_layer_outputs, forward.hidden_layer_outputs
    O_error = O_out - Y
    O_delta = O_error * O_out * (1 - O_out)
    H_error = O_delta @ W2.T
    H_delta = H_error * H_out * (1 - H_out)
    N = Y.size
    return [O_error, O_delta, H_out.T @ O_delta / N, H_error, H_delta, X.T @ H_delta / N]


def my_wrong_delta(H_error, H_out):
    return H_error * (1 - H_out**2)


def relu_forward(x):
    return x.__array_namespace__().maximum(x, 0)


def relu_backward(dout, x):
    return dout * (x > 0)


def relu_backward_wrong(dout, x):
    return dout * np.maximum(x, 0)


def my_net_backward(net, X, Y, params, forward):
    backward = net.backward(X, Y, params, forward)
    return backward


def my_wrong_net_backward(net, X, Y, params, forward):
    backward = net.backward(X, Y, params, forward)
    biases = tuple(db / len(X) for db in backward.bias_l_update)  # averaged twice
    return {**vars(backward), "bias_l_update": biases}


def test_my_net(handbp_check):
    handbp_check.net(my_net_backward, Net((3, 5, 2), ("relu", "sigmoid"), "mse"))


def test_my_wrong_net(handbp_check):
    handbp_check.net(my_wrong_net_backward, Net((3, 5, 2), ("relu", "sigmoid"), "mse"))


def test_my_relu(handbp_check):
    handbp_check.layer(relu_forward, relu_backward, {"x": ("N", "D")})


def test_my_wrong_relu(handbp_check):
    handbp_check.layer(relu_forward, relu_backward_wrong, {"x": ("N", "D")})


def test_right(handbp_check):
    assert handbp_check.backprop(my_backprop).passed


def test_wrong(handbp_check):
    handbp_check.function("hidden_layer_delta", my_wrong_delta)


@strategies.CI
@given(strategies.networks())
def test_right_on_drawn_nets(handbp_check, setup):
    handbp_check.backprop(my_backprop, nets=[setup])
"""


def test_the_plugin_is_registered_for_pytest():
    entry = [e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "handbp"]
    assert [e.value for e in entry] == ["verify.pytest_plugin"]


def test_a_users_suite_gets_the_fixture_and_a_wrong_function_fails_with_the_diagnosis(pytester):
    pytester.makepyfile(test_mine=textwrap.dedent(USER_TESTS))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*handbp check failed:*",
            "*first wrong quantity: db_2 (bias_l_update?1?), draw 1*",
            "  db_2: divided by the number of examples (8) once too often: averaged*",
            "*handbp check failed:*",
            "*diagnosis: dx: the layer's output is used as its local derivative*",
            "*handbp check failed:*",
            "hidden_layer_delta: FAIL",
            "*diagnosis: hidden_layer_delta: the hidden layer's activation-derivative factor is "
            "1 - s^2, with the layer output s = H_out*",
        ]
    )
    assert "verify/checker.py" not in result.stdout.str()  # the table, not verify's traceback


def test_the_plugin_loads_no_jax_until_a_check_runs(pytester):
    pytester.makepyfile(
        test_lazy="import sys\n\ndef test_lazy(handbp_check):\n    assert 'jax' not in sys.modules\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_fixture_is_listed_with_its_docstring(pytester):
    result = pytester.runpytest_inprocess("--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["handbp_check *verify/pytest_plugin.py*", "*Checks of your own*"])
