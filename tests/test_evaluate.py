"""evaluate_matches and pairs_completeness on truth files as users give them: plain true
pairs, or reviewed pairs with an is_match column (read as fit reads its labels)."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

import rfl_match as rm
from rfl_match.evaluate import evaluate_matches, pairs_completeness

MATCHES = pd.DataFrame(
    {
        "request_id": ["RQ1", "RQ2", "RQ3", "RQ4"],
        "sighting_id": ["SG1", "SG2", "SG3", "SG4"],
        "rank": [1, 1, 1, 1],
    }
)


def reviewed(*decisions: object) -> pd.DataFrame:
    """Reviewed pairs RQk ~ SGk, one a decision."""
    ids = range(1, len(decisions) + 1)
    return pd.DataFrame(
        {
            "request_id": [f"RQ{k}" for k in ids],
            "sighting_id": [f"SG{k}" for k in ids],
            "is_match": pd.Series(decisions, dtype=object),
        }
    )


def completeness(truth: pd.DataFrame) -> float:
    return pairs_completeness(MATCHES["request_id"], MATCHES["sighting_id"], truth)


def test_a_reviewed_truth_counts_only_the_pairs_marked_a_match() -> None:
    """Pairs reviewed as not the same person are no true pairs: they were counted as ones
    (4 of 5 found, precision 1.0, where 1 of the 2 true pairs is found, precision 0.25)."""
    truth = reviewed("yes", "no", "false", 0, "Same person")
    scores = evaluate_matches(MATCHES, truth)
    assert (scores.true_pairs, scores.predicted_pairs, scores.true_positives) == (2, 4, 1)
    assert (scores.precision, scores.recall, scores.recall_at_1) == (0.25, 0.5, 0.5)
    plain = truth.loc[[0, 4], ["request_id", "sighting_id"]]
    assert scores == evaluate_matches(MATCHES, plain)
    assert completeness(truth) == completeness(plain) == 0.5


def test_a_reviewed_pair_with_no_decision_is_left_out_and_counted() -> None:
    truth = reviewed("yes", "", None, " Unsure ", float("nan"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = evaluate_matches(MATCHES, truth)
    assert (scores.true_pairs, scores.true_positives, scores.recall) == (1, 1, 1.0)
    assert [str(w.message) for w in caught] == [
        "labels: 4 row(s) with no decision in is_match (blank or unsure) left out"
    ]


@pytest.mark.parametrize("value", ["maybe", "2", 2, "yes please"])
def test_an_is_match_neither_yes_nor_no_is_an_error_that_names_it(value: object) -> None:
    """Never read as a match, nor as no match: either way the scores would be wrong."""
    truth = reviewed("yes", value, "no")
    with pytest.raises(rm.ConfigError, match=re.escape(f"{value!r} (row 2)")):
        evaluate_matches(MATCHES, truth)
    with pytest.raises(rm.ConfigError, match=re.escape(f"{value!r} (row 2)")):
        completeness(truth)


def test_a_review_file_given_for_the_truth_counts_its_decisions() -> None:
    """A review file (``link --review``) lists the pairs proposed, with the decision a
    tracing officer filled in: its pairs decided the same person are the true pairs, not
    every pair it lists (read as plain pairs, each proposed pair was a true positive).
    Where a file has both columns, is_match is read."""
    decided = ["not the same person", "same person", "unsure", ""]
    review = MATCHES.assign(match_probability=0.9, decision=decided, comment="")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = evaluate_matches(MATCHES, review)
        assert completeness(review) == 1.0
    assert (scores.true_pairs, scores.true_positives, scores.precision) == (1, 1, 0.25)
    assert "labels: 2 row(s) with no decision in decision (blank or unsure) left out" in [
        str(w.message) for w in caught
    ]
    both = review.assign(is_match=["yes", "no", "no", "no"])
    assert evaluate_matches(MATCHES, both).true_positives == 1
    assert evaluate_matches(MATCHES, both).true_pairs == 1
    assert completeness(both.iloc[[0]]) == 1.0
    with pytest.raises(rm.ConfigError, match=re.escape("decision holds 'maybe' (row 1)")):
        evaluate_matches(MATCHES, review.assign(decision="maybe"))


def test_a_note_written_in_a_decision_cell_is_not_shown() -> None:
    """A tracing officer's note in the decision cell is neither yes nor no: the error
    names its row, not the note, which may name the person (errors go to logs); a short
    answer is named."""
    noted = ["same person", "his brother Ali, born 1937-11-23", "maybe", ""]
    review = MATCHES.assign(decision=noted)
    with pytest.raises(rm.ConfigError) as raised:
        evaluate_matches(MATCHES, review)
    said = str(raised.value)
    assert "a value not shown (row 2)" in said and "'maybe' (row 3)" in said
    assert "1937" not in said and "Ali" not in said
