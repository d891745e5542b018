"""verify.compare: error measures, the noise floor and the dtype-aware tolerances.

Over 400 lines: each measure's edge (what mutation testing asked for, docs/mutation.md), in
the one module that mirrors verify/compare.py.
"""

import dataclasses
import json

import numpy as np
import pytest

from verify import compare
from verify.compare import Target
from verify.compare import compare as compare_arrays
from verify.sampling import Sample


def _target(value, magnitude=None, **kw):
    value = np.asarray(value, dtype=float)
    magnitude = np.abs(value) if magnitude is None else np.asarray(magnitude, dtype=float)
    return Target(value, magnitude, **kw)


def test_errors_are_relative_to_the_quantitys_scale_not_elementwise():
    """max |h - r| = 0.5 at [1, 0]; the scale is max |r| = 4, so the relative error is 1/8."""
    reference = [[1.0, -4.0], [2.0, 0.5]]
    hand = [[1.0, -4.0], [2.5, 0.5]]
    e = compare_arrays(hand, _target(reference), "reverse", "float64")
    assert e.max_abs_error == 0.5 and e.scale == 4.0 and e.relative_error == 0.125
    assert e.worst_index == (1, 0) and (e.hand_value, e.reference_value) == (2.5, 2.0)
    assert e.ratio == 1.25
    assert not e.passed and not e.exact


def test_identical_values_are_exact_and_pass():
    e = compare_arrays([1.0, 2.0], _target([1.0, 2.0]), "value", "float32")
    assert e.exact and e.passed and e.relative_error == 0 and e.summary() == "exact"


def test_a_wrong_factor_on_tiny_gradients_still_fails():
    """A saturated layer: every gradient ~1e-9, magnitudes of order 1e-9 too: factor 2 fails."""
    reference = np.array([1e-9, -2e-9, 3e-9])
    e = compare_arrays(2 * reference, _target(reference), "reverse", "float64")
    assert not e.passed
    assert e.relative_error == pytest.approx(1.0)


def test_rounding_noise_below_the_quantitys_own_rounding_passes():
    """Everything below its rounding (M = 1 while |r| ~ 1e-17): a difference of eps passes."""
    reference = np.array([1e-17, 0.0])
    hand = np.array([0.0, 2.2e-16])
    e = compare_arrays(hand, _target(reference, magnitude=[1.0, 1.0]), "reverse", "float64")
    assert e.passed and e.below_noise
    assert e.summary().endswith("abs*")


def test_a_difference_beyond_rounding_fails_even_when_the_quantity_is_tiny():
    reference = np.array([1e-17, 0.0])
    hand = np.array([0.0, 1e-10])  # far more than 64 eps x M = 1.4e-14
    e = compare_arrays(hand, _target(reference, magnitude=[1.0, 1.0]), "reverse", "float64")
    assert not e.passed


def test_the_reference_methods_own_error_is_allowed_elementwise():
    reference = np.array([1.0, 1.0])
    hand = np.array([1.001, 1.001])
    noise = np.array([0.002, 0.0])  # the first element's reference is that uncertain
    e = compare_arrays(hand, _target(reference, noise=noise), "finite_differences", "float64")
    assert not e.passed and e.worst_index == (0,)  # worst by size; the second fails
    ok = compare_arrays(
        hand, _target(reference, noise=[0.002, 0.002]), "finite_differences", "float64"
    )
    assert ok.passed and ok.needed_tolerance == 0


def test_tolerances_depend_on_dtype_and_method():
    """A relative error of 1e-6: within float32's tolerance, not within float64's."""
    reference = np.array([1.0, 2.0])
    hand = reference * (1 + 1e-6)
    assert compare_arrays(hand, _target(reference), "reverse", "float32").passed
    assert not compare_arrays(hand, _target(reference), "reverse", "float64").passed
    assert compare_arrays(hand, _target(reference), "finite_differences", "float64").passed


def test_scale_of_an_update_is_the_step_not_the_weights():
    """W - eta g with W = 10 and a step of 1e-3: an error of 1e-4 is 10% of the step."""
    W, step = np.array([10.0]), np.array([1e-3])
    target = Target(W - step, np.abs(W), scale_of=step)
    e = compare_arrays(W - step + 1e-4, target, "reverse", "float64")
    assert e.scale == pytest.approx(1e-3) and e.relative_error == pytest.approx(0.1)
    assert not e.passed


def test_a_shape_mismatch_fails_and_says_so():
    e = compare_arrays(np.zeros((2, 3)), _target(np.zeros((3, 2))), "reverse", "float64")
    assert not e.passed and e.shape_mismatch and e.hand_shape == (2, 3) and e.shape == (3, 2)
    assert e.summary() == "shape (2, 3)"


def test_nan_in_the_hand_value_fails_at_its_index():
    e = compare_arrays([1.0, np.nan], _target([1.0, 2.0]), "value", "float64")
    assert not e.passed and e.worst_index == (1,) and e.summary() == "not finite"


def test_non_numeric_hand_values_raise_a_type_error_naming_them():
    with pytest.raises(TypeError, match="my_quantity must be a number"):
        compare.as_compared_array({"a": 1}, "my_quantity")


def test_finite_difference_step_is_the_cube_root_of_eps():
    assert compare.finite_difference_step("float64") == pytest.approx((2.0**-52) ** (1 / 3))
    assert compare.finite_difference_step("float32") == pytest.approx((2.0**-23) ** (1 / 3))


def test_tolerance_lookup_refuses_unknown_methods_and_dtypes():
    with pytest.raises(ValueError, match="method must be one of"):
        compare.tolerance("float64", "backward")
    with pytest.raises(TypeError, match="float32 or float64"):
        compare.tolerance("int32", "reverse")


def test_worst_prefers_failures_then_larger_excess():
    good = compare_arrays([1.0], _target([1.0]), "reverse", "float64")
    bad = compare_arrays([2.0], _target([1.0]), "reverse", "float64")
    assert compare.worst([good, bad]) is bad
    with pytest.raises(ValueError, match="at least one"):
        compare.worst([])


def test_worst_elements_lists_the_largest_differences_first():
    hand = np.array([1.0, 5.0, 3.0])
    reference = np.array([1.0, 1.0, 1.0])
    assert compare.worst_elements(hand, reference, 2) == [((1,), 5.0, 1.0), ((2,), 3.0, 1.0)]


def test_as_dict_is_json_ready():
    e = compare_arrays(np.zeros(2), _target(np.zeros((3,))), "reverse", "float64")
    d = e.as_dict()
    assert d["max_abs_error"] == "inf" and d["passed"] is False and d["hand_shape"] == [2]


def test_an_error_against_an_all_zero_reference_needs_an_infinite_tolerance():
    """A saturated net's gradient can be exactly 0 everywhere (scale 0): an error beyond
    rounding then fails with needed_tolerance inf, and is not a division by zero."""
    e = compare_arrays([0.0, 1e-3], _target([0.0, 0.0]), "reverse", "float32")
    assert not e.passed and e.scale == 0
    assert e.needed_tolerance == float("inf") and e.relative_error == float("inf")
    assert compare_arrays([0.0, 0.0], _target([0.0, 0.0]), "reverse", "float32").passed


def test_a_comparison_as_json_names_every_field_and_spells_inf_and_nan():
    """The `--json` record of one comparison: what a script reading it may rely on."""
    e = compare_arrays([[1.0, 2.0]], _target([[1.0, 2.5]]), "reverse", "float64")
    record = e.as_dict()
    assert record == {
        "method": "reverse",
        "component": e.component,
        "shape": [1, 2],
        "hand_shape": [1, 2],
        "max_abs_error": 0.5,
        "relative_error": 0.2,
        "scale": 2.5,
        "noise_floor": e.noise_floor,
        "tolerance": e.tolerance,
        "needed_tolerance": e.needed_tolerance,
        "worst_index": [0, 1],
        "hand_value": 2.0,
        "reference_value": 2.5,
        "ratio": e.ratio,
        "passed": False,
        "checked": e.checked,
        "sample": None,
    }
    assert json.loads(json.dumps(record)) == record
    wrong_shape = compare_arrays([1.0, 2.0, 3.0], _target([1.0, 2.0]), "reverse", "float64")
    record = wrong_shape.as_dict()
    assert record["hand_shape"] == [3] and record["shape"] == [2]
    assert record["max_abs_error"] == "inf" and record["relative_error"] == "inf"


def test_worst_elements_put_non_finite_differences_first_and_index_the_whole_shape():
    hand = np.array([[1.0, np.nan], [4.0, 2.0]])
    reference = np.ones((2, 2))
    found = compare.worst_elements(hand, reference)  # three by default
    assert [index for index, _, _ in found] == [(0, 1), (1, 0), (1, 1)]
    np.testing.assert_array_equal([h for _, h, _ in found], [np.nan, 4.0, 2.0])
    assert [r for _, _, r in found] == [1.0, 1.0, 1.0]
    everything = compare.worst_elements(hand, reference, count=10)
    assert [index for index, _, _ in everything] == [(0, 1), (1, 0), (1, 1), (0, 0)]


def test_worst_elements_keep_index_order_for_ties_and_take_lists():
    assert compare.worst_elements([3, 3, 1], [0, 0, 0], 2) == [((0,), 3.0, 0.0), ((1,), 3.0, 0.0)]
    listed = compare.worst_elements([[1, 5]], [[2, 2]])
    assert listed == [((0, 1), 5.0, 2.0), ((0, 0), 1.0, 2.0)]
    assert all(type(h) is float and type(r) is float for _, h, r in listed)


def test_worst_elements_of_a_sample_look_only_at_its_entries():
    hand = np.array([[1.0, 9.0], [1.0, 2.0]])  # the largest difference, at (0, 1), is not sampled
    sample = Sample("s", (2, 2), np.array([3, 0]))
    assert compare.worst_elements(hand, np.ones((2, 2)), sample=sample) == [
        ((1, 1), 2.0, 1.0),
        ((0, 0), 1.0, 1.0),
    ]


def test_a_comparison_of_a_sample_points_at_the_worst_sampled_entry():
    hand = np.array([[1.0, 9.0], [1.0, 2.0]])
    sample = Sample("s", (2, 2), np.array([3, 0]))
    e = compare_arrays(hand, _target(np.ones((2, 2)), sample=sample), "reverse", "float64")
    assert e.worst_index == (1, 1) and (e.hand_value, e.reference_value) == (2.0, 1.0)
    assert e.max_abs_error == 1.0 and e.checked == 2 and e.shape == (2, 2)


def test_worst_of_none_says_so():
    with pytest.raises(ValueError, match=r"^worst needs at least one comparison, got none$"):
        compare.worst([])


def test_a_hand_value_that_is_not_numbers_is_named_by_its_component_or_as_the_hand_value():
    with pytest.raises(TypeError, match=r"^the hand value must be a number or an array of numbers"):
        compare_arrays({"a": 1}, _target([1.0]), "value", "float64")
    with pytest.raises(TypeError, match=r"^W1 must be a number .* \(does the function return"):
        compare_arrays(None, _target([1.0]), "value", "float64", component="W1")


def test_a_shape_mismatch_in_json_spells_the_values_it_has_not_as_nan():
    record = compare_arrays([1.0, 2.0, 3.0], _target([1.0, 2.0]), "value", "float64").as_dict()
    assert record["hand_value"] == "nan" and record["reference_value"] == "nan"
    assert record["ratio"] == "nan" and record["worst_index"] == []


def test_worst_elements_rank_by_difference_not_by_size():
    assert compare.worst_elements([3.0, 0.0], [3.0, 1.0], 1) == [((1,), 0.0, 1.0)]


def test_worst_elements_keep_index_order_among_many_ties():
    hand = np.array([1.0, 0.0] * 40)
    found = compare.worst_elements(hand, np.zeros(80), 5)
    assert [index for index, _, _ in found] == [(0,), (2,), (4,), (6,), (8,)]


def test_a_record_without_a_hand_shape_or_with_a_sample_in_json():
    e = compare_arrays([1.0, 2.0], _target([1.0, 2.0]), "value", "float64")
    assert dataclasses.replace(e, hand_shape=None).as_dict()["hand_shape"] is None
    sample = Sample("s", (2,), np.array([1]))
    sampled = compare_arrays([1.0, 2.0], _target([1.0, 2.0], sample=sample), "value", "float64")
    assert sampled.as_dict()["sample"] == sample.as_dict()


def test_an_unknown_method_is_named_with_the_known_ones():
    with pytest.raises(ValueError) as raised:
        compare.tolerance("float64", "backward")
    assert str(raised.value) == (
        "method must be one of value, reverse, forward, finite_differences, got 'backward'"
    )


def test_an_error_one_and_a_half_times_what_is_allowed_fails_and_says_so():
    """No rounding allowance (M = 0): 3e-12 against a scale of 2 allows 2e-12."""
    target = Target(np.array([1.0, 2.0]), np.zeros(2))
    e = compare_arrays([1.0, 2.0 + 3e-12], target, "reverse", "float64")
    assert not e.passed and e.excess == pytest.approx(1.5, rel=1e-3)
    assert e.needed_tolerance == pytest.approx(1.5e-12, rel=1e-3)
    far = compare_arrays([1.0, 2.5], target, "reverse", "float64")
    assert far.needed_tolerance == pytest.approx(0.25) and far.excess == pytest.approx(2.5e11)


def test_a_ragged_hand_value_is_refused_with_numpys_reason():
    with pytest.raises(TypeError) as raised:
        compare.as_compared_array([[1.0, 2.0], [3.0]], "W1")
    assert str(raised.value).startswith(
        "W1 must be a number or an array of numbers: setting an array element with a sequence"
    )


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ({"a": 1}, "dict {'a': 1}"),
        ([1.0, None, 2.0], "NoneType None (does the function return its result?)"),
        (np.array([1, 2.5], dtype=object), "ndarray array([1, 2.5], dtype=object)"),
        (np.array([], dtype=object), "ndarray array([], dtype=object)"),
    ],
    ids=["a dict", "a None among numbers", "an object array of numbers", "an empty object array"],
)
def test_a_hand_value_that_is_not_numbers_is_named_by_its_first_non_number(value, got):
    """The first entry that is not a number is named; if every entry is one (an object
    array), the whole value is."""
    with pytest.raises(TypeError) as raised:
        compare.as_compared_array(value, "W1")
    assert str(raised.value) == f"W1 must be a number or an array of numbers, got {got}"


def test_the_message_for_a_long_value_is_cut_at_200_characters():
    with pytest.raises(TypeError) as raised:
        compare.as_compared_array("x" * 300, "W1")
    message = str(raised.value)
    assert len(message) == 200
    assert message.startswith("W1 must be a number or an array of numbers, got str_ np.str_('xxx")


def test_a_float32_comparison_uses_float32s_tolerance_and_rounding():
    """The tolerance and the noise floor (64 eps x max M) are float32's, not float64's."""
    e = compare_arrays([1.0, 2.0], _target([1.0, 2.0]), "reverse", "float32")
    assert e.tolerance == 1e-4
    assert e.noise_floor == pytest.approx(64 * 2.0**-23 * 2.0)


def test_a_shape_mismatch_record_keeps_what_was_asked():
    """Method, component, tolerance and sample as given; excess inf; the noise floor adds the
    largest noise of the reference method (NaN entries, not computed, left out)."""
    sample = Sample("s", (2,), np.array([0]))
    target = _target([1.0, 2.0], magnitude=[0.0, 0.0], noise=[0.5, np.nan], sample=sample)
    e = compare_arrays([1.0, 2.0, 3.0], target, "finite_differences", "float64", "W1")
    assert (e.method, e.component, e.tolerance) == ("finite_differences", "W1", 1e-6)
    assert e.excess == float("inf") and e.sample is sample
    assert e.noise_floor == 0.5


def test_the_noise_floor_adds_the_reference_methods_own_error_to_rounding():
    target = _target([1.0, 2.0], magnitude=[1.0, 1.0], noise=[0.25, 0.125])
    e = compare_arrays([1.0, 2.0], target, "finite_differences", "float64", "W1")
    assert e.noise_floor == pytest.approx(64 * 2.0**-52 + 0.25, rel=1e-15)
    assert e.component == "W1"


def test_a_nan_is_infinitely_wrong_and_no_tolerance_passes_it():
    """Before, a NaN's error did not count in needed_tolerance: 0, as if it passed."""
    e = compare_arrays([1.0, np.nan], _target([1.0, 2.0]), "reverse", "float64")
    assert e.max_abs_error == float("inf") and e.excess == float("inf")
    assert e.needed_tolerance == float("inf")
    both = compare_arrays([np.nan, 1.5], _target([1.0, 1.0]), "reverse", "float64")
    assert both.needed_tolerance == float("inf") and both.worst_index == (0,)


def test_an_exact_comparison_has_no_error_in_any_measure():
    for reference in ([0.0, 0.0], [1.0, -2.0]):
        e = compare_arrays(reference, _target(reference), "reverse", "float64")
        assert (e.relative_error, e.excess, e.needed_tolerance) == (0.0, 0.0, 0.0)


def test_an_error_of_exactly_one_has_a_relative_error_of_one_over_the_scale():
    e = compare_arrays([3.0, 4.0], _target([2.0, 4.0]), "reverse", "float64")
    assert e.max_abs_error == 1.0 and e.relative_error == 0.25


def test_the_reference_methods_own_error_widens_what_is_allowed_and_is_not_needed():
    """|h - r| = 0.5 with noise 0.25: allowed 1e-12 x 1 + 0.25 (excess about 2), and the
    0.25 beyond the noise is what a tolerance must cover."""
    target = _target([1.0, 0.5], noise=[0.25, 0.0])
    e = compare_arrays([1.5, 0.5], target, "reverse", "float64")
    assert e.excess == pytest.approx(0.5 / (1e-12 + 0.25), rel=1e-12)
    assert e.needed_tolerance == pytest.approx(0.25, rel=1e-12)


def test_an_error_of_exactly_what_is_allowed_passes():
    """No rounding allowance (M = 0), a scale of 1: 1e-12 is exactly the tolerance."""
    target = Target(np.array([0.0]), np.zeros(1), scale_of=np.array([1.0]))
    e = compare_arrays([1e-12], target, "reverse", "float64")
    assert e.excess == 1.0 and e.passed


def test_a_difference_of_exactly_the_rounding_allowance_needs_no_tolerance():
    """64 eps x M with M = 1 is 2**-46: a difference that large is still rounding."""
    e = compare_arrays(
        [2.0**-46, 1.0], _target([0.0, 1.0], magnitude=[1.0, 1.0]), "value", "float64"
    )
    assert e.needed_tolerance == 0.0 and not e.exact
    beyond = compare_arrays(
        [2.0**-45, 1.0], _target([0.0, 1.0], magnitude=[1.0, 1.0]), "value", "float64"
    )
    assert beyond.needed_tolerance == pytest.approx(2.0**-45, rel=1e-12)


def test_nothing_to_compare_is_refused_naming_the_component():
    with pytest.raises(ValueError) as raised:
        compare_arrays(np.zeros((0, 3)), _target(np.zeros((0, 3))), "value", "float64", "W1")
    assert (
        str(raised.value)
        == "target must hold at least one entry of W1, got a reference of shape (0, 3)"
    )
    empty = Sample("s", (2,), np.array([], dtype=np.int64))
    with pytest.raises(ValueError) as raised:
        compare_arrays([1.0, 2.0], _target([1.0, 2.0], sample=empty), "value", "float64")
    assert (
        str(raised.value)
        == "target.sample must hold at least one entry of the hand value, got none"
    )


def test_a_number_compares_as_a_zero_dimensional_quantity():
    e = compare_arrays(2.0, _target(1.5), "value", "float64")
    assert e.worst_index == () and e.shape == () and e.max_abs_error == 0.5 and e.checked == 1


LONG = np.finfo(np.longdouble).eps < np.finfo(np.float64).eps
"""Whether this platform's long double is more precise than float64 (x86: 80 bits)."""


@pytest.mark.skipif(not LONG, reason="long double is float64 here")
def test_the_comparison_is_made_in_float64_whatever_the_targets_dtypes():
    """A long-double reference rounds to float64 first: below float64's precision is exact.
    A float32 noise is read as float64: what is allowed is not rounded to float32."""
    value = np.longdouble(1) + np.longdouble(2) ** -60
    long_target = Target(np.array([value, 2.0], dtype=np.longdouble), np.ones(2))
    assert compare_arrays([1.0, 2.0], long_target, "reverse", "float64").exact
    noise = np.array([0.25, 0.0])
    as_float64 = compare_arrays([1.5, 2.0], _target([1.0, 2.0], noise=noise), "reverse", "float64")
    target = _target([1.0, 2.0], noise=noise.astype(np.float32))
    assert compare_arrays([1.5, 2.0], target, "reverse", "float64") == as_float64


@pytest.mark.skipif(not LONG, reason="long double is float64 here")
def test_worst_elements_are_ranked_in_float64():
    """Differences below float64's precision are no differences: ties, kept in index order."""
    tiny = np.longdouble(2) ** -61
    ones = np.ones(2, dtype=np.longdouble)
    rising = ones + np.array([tiny, 2 * tiny], dtype=np.longdouble)
    assert [i for i, _, _ in compare.worst_elements(rising, np.ones(2))] == [(0,), (1,)]
    assert [i for i, _, _ in compare.worst_elements(np.ones(2), rising)] == [(0,), (1,)]
