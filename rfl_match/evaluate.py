"""Quality measures: precision, recall, F1, recall@k, blocking recall."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from rfl_match.linker import checked_decisions
from rfl_match.schema import decision_column


@dataclass(frozen=True, slots=True)
class Scores:
    """Pairwise quality of a set of predicted matches against the truth."""

    true_pairs: int
    predicted_pairs: int
    true_positives: int
    precision: float
    recall: float
    f1: float
    recall_at_1: float
    recall_at_5: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _ids(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column's ids as the records hold them: text, spaces around it left out (as
    reading records leaves them out), so that a truth file typed " RQ1 " finds RQ1."""
    return frame[column].astype(str).str.strip()


def _pair_keys(frame: pd.DataFrame, left: str, right: str) -> pd.Series:
    return _ids(frame, left) + "\x1f" + _ids(frame, right)


def _true_pairs(truth: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``truth`` that are true pairs (see :func:`evaluate_matches`).

    >>> reviewed = pd.DataFrame(
    ...     {"request_id": ["RQ1", "RQ1"], "sighting_id": ["SG1", "SG2"], "is_match": ["yes", "no"]}
    ... )
    >>> _true_pairs(reviewed)["sighting_id"].tolist()
    ['SG1']
    """
    column = decision_column(truth.columns)
    if column is None:
        return truth
    decided, is_match = checked_decisions(truth[column])
    return truth[decided & is_match]


def evaluate_matches(
    matches: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    left: str = "request_id",
    right: str = "sighting_id",
) -> Scores:
    """Precision, recall and F1 of ``matches`` (all rows count as predicted matches), and
    recall@k: the share of requests with a true match that have one at rank k or better
    (``rank`` column). It is counted per request because a tracing officer reads the list
    for one request: a person sighted twice is found when either sighting is near the top.

    The true pairs are the rows of ``truth``; where it holds decisions (reviewed pairs:
    an ``is_match`` column, or the ``decision`` column of a review file as ``link
    --review`` writes it, filled in), only those marked a match, read as ``Linker.fit``
    reads its labels (yes/no, true/false, 1/0, same person/not the same person; a blank or
    "unsure" is no decision, its row left out with a warning; any other value is a
    :class:`~rfl_match.config.ConfigError` naming it).
    """
    truth = _true_pairs(truth)
    # An index of the true pairs, not Series.isin of a set: isin builds one Arrow scalar
    # per value of the set in Python (3.8 s for 300,000 true pairs against 0.2 s).
    true_keys = pd.Index(pd.unique(_pair_keys(truth, left, right)))
    pred_keys = _pair_keys(matches, left, right)
    hit = true_keys.get_indexer(pd.Index(pred_keys)) >= 0
    tp = len(set(pred_keys[hit]))
    n_true, n_pred = len(true_keys), int(pred_keys.nunique())
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ranks = matches["rank"].to_numpy() if "rank" in matches.columns else np.ones(len(matches))

    sought = set(_ids(truth, left))
    requests = _ids(matches, left)

    def at(k: int) -> float:
        found = set(requests[hit & (ranks <= k)])
        return len(found) / len(sought) if sought else 0.0

    return Scores(n_true, n_pred, tp, precision, recall, f1, at(1), at(5))


def pairs_completeness(
    left_ids: pd.Series,
    right_ids: pd.Series,
    truth: pd.DataFrame,
    *,
    left: str = "request_id",
    right: str = "sighting_id",
) -> float:
    """Share of the true pairs present among candidate pairs given as aligned id series
    (``truth`` read as :func:`evaluate_matches` reads it)."""
    truth = _true_pairs(truth)
    candidates = set((left_ids.astype(str) + "\x1f" + right_ids.astype(str)).tolist())
    keys = set(_pair_keys(truth, left, right))
    return len(keys & candidates) / len(keys) if keys else 1.0
