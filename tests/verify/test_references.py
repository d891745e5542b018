"""verify.references: one reference per catalogue entry, in order, each with its methods."""

from pathlib import Path

from handbp.equations import CATALOGUE
from verify.references import REFERENCES, hand_pass, jax_results
from verify.setups import series_setup

METHODS = ("reverse", "forward", "finite_differences")


def test_every_catalogue_entry_has_a_reference():
    assert [i for i in CATALOGUE if i not in REFERENCES] == []


def test_every_reference_has_a_catalogue_entry():
    assert [i for i in REFERENCES if i not in CATALOGUE] == []


def test_references_are_in_catalogue_order():
    assert list(REFERENCES) == list(CATALOGUE)


def test_derivative_references_have_three_methods_and_value_references_one():
    assert REFERENCES["hidden_layer_delta"].methods == METHODS
    assert REFERENCES["feedforward"].methods == ("value",)
    setup = series_setup()
    hand = hand_pass(setup)
    jr = jax_results(hand)
    for ref in REFERENCES.values():
        targets = ref.targets(jr)
        assert tuple(targets) == ref.methods, ref.id
        values = ref.hand(CATALOGUE[ref.id].function, hand)
        for components in targets.values():
            assert set(components) == set(values), ref.id


def test_docs_describe_the_reference_of_every_catalogue_entry():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "verify.md").read_text()
    missing = [i for i in CATALOGUE if f"| `{i}` | {CATALOGUE[i].part} |" not in docs]
    assert missing == []
