"""``python -m tests.verify.corpus``: the checker's accuracy on the corpus, as docs/verify.md shows it."""

from tests.verify.corpus import accuracy_table, measure

outcomes = measure()
for outcome in outcomes:
    if not (outcome.caught and outcome.named):
        print(f"<!-- not named in {outcome.dtype}: {outcome.case.name}: {outcome.said} -->")
print(accuracy_table(outcomes))
