"""Quality on seeded synthetic data: precision, recall, F1, recall@k, per culture and per
corruption, the precision-recall curve, and calibration on this draw (issues 5 and 6; the
larger calibration measurement, with reviewed pairs, is ``benchmarks.calibration``)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import rfl_match as rm
from benchmarks.calibration import gaps, reliability, summary
from benchmarks.common import (
    DATE_SLIPS,
    FAMILY_FIRST_CULTURES,
    FAMILY_FIRST_SHARE,
    FIGURES,
    RESULTS,
    ROUGH_AGE_YEARS,
    PairScores,
    Phase,
    birthless_pairs,
    family_first_reading,
    header,
    log,
    pair_keys,
    predict_options,
    rough_age_reading,
    score_pairs,
    side_frame,
    slip_reading,
    table,
    timed,
)
from benchmarks.datasets import Synthetic, synthetic
from rfl_match.synth import CHILD_FORMS


def _truth_table(data: Synthetic) -> pd.DataFrame:
    """True pairs with the request's culture and every corruption either record carries."""
    truth = data.truth[["request_id", "sighting_id"]].astype(str).drop_duplicates()
    req = side_frame(data.corruptions, "request")
    sig = side_frame(data.corruptions, "sighting")
    culture = req["culture"].reindex(truth["request_id"]).fillna("unknown").to_numpy()
    kinds = []
    for a, b in zip(
        req["corruptions"].reindex(truth["request_id"]).fillna("").to_numpy(),
        sig["corruptions"].reindex(truth["sighting_id"]).fillna("").to_numpy(),
        strict=True,
    ):
        found = {k for k in f"{a};{b}".split(";") if k}
        kinds.append(tuple(sorted(found)))
    out = truth.reset_index(drop=True)
    out["culture"] = culture
    out["kinds"] = kinds
    out["key"] = pair_keys(out["request_id"], out["sighting_id"])
    return out


def _found_at(scored: pd.DataFrame, keys: pd.Index, k: int) -> np.ndarray:
    """Per true pair: is it among the request's top k of all scored candidates?"""
    top = scored[scored["rank"] <= k]
    return np.asarray(keys.isin(pair_keys(top["request_id"], top["sighting_id"])))


def _pr_curve(prob: np.ndarray, hit: np.ndarray, n_true: int) -> pd.DataFrame:
    order = np.argsort(-prob, kind="stable")
    tp = np.cumsum(hit[order])
    k = np.arange(1, len(order) + 1)
    return pd.DataFrame(
        {"threshold": prob[order], "precision": tp / k, "recall": tp / max(n_true, 1)}
    )


def _plot(curve: pd.DataFrame, at_default: tuple[float, float], path: str, title: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib not installed: no PR figure (pip install .[bench])")
        return False
    fig, ax = plt.subplots(figsize=(5.5, 4.2), dpi=120)
    ax.plot(curve["recall"], curve["precision"], lw=1.6, label="rfl_match (all candidates)")
    ax.scatter([at_default[1]], [at_default[0]], color="C3", zorder=3, label="default threshold")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.01)
    ax.set_ylim(0, 1.01)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=9)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


#: What registers write where a name or place is not known (``rfl_match.names.placeholders``
#: reads them as missing), and the share of records each field is so written in, as put
#: into the synthetic records by :func:`with_placeholders`.
PLACEHOLDERS = ("Unknown", "unknown", "N/A", "Not known", "NN", "مجهول", "-", "Неизвестно")
PLACEHOLDER_SHARES = {
    "father_name": 0.15,
    "mother_name": 0.15,
    "place_of_birth": 0.10,
    "last_known_location": 0.10,
    "full_name": 0.02,
}


def with_placeholders(frame: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """A copy of ``frame`` with a placeholder written in a share of each field's cells
    (:data:`PLACEHOLDER_SHARES`), as a register writes one for what it does not know; a
    record whose full name is so written has no other name. Also: which records are then
    named by a placeholder alone (by record id)."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    unnamed = pd.Series(False, index=out["record_id"].astype(str))
    for column, share in PLACEHOLDER_SHARES.items():
        if column not in out.columns:
            continue
        chosen = rng.random(len(out)) < share
        out.loc[chosen, column] = rng.choice(PLACEHOLDERS, int(chosen.sum()))
        if column == "full_name":
            unnamed = pd.Series(chosen, index=out["record_id"].astype(str))
            others = [c for c in ("given_name", "family_name", "alternate_names") if c in out]
            out.loc[chosen, others] = ""
    return out, unnamed


def run(
    n_requests: int, n_sightings: int, seed: int, command: str, results: Path = RESULTS
) -> list[str]:
    data = synthetic(n_requests, n_sightings, seed)
    truth = _truth_table(data)
    true_keys = pd.Index(truth["key"])
    log(f"quality: fit + predict on {n_requests:,} x {n_sightings:,}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with timed() as fit_time:
            linker = rm.Linker().fit(data.requests, data.sightings)
        with timed() as predict_time:
            default = linker.predict(data.requests, data.sightings)
        scored = linker.predict(data.requests, data.sightings, threshold=0.0, top_k=0)
    notes = sorted({str(w.message) for w in caught})

    # Overall, at the default threshold and top_k; recall@k over the full ranking.
    default_keys = pair_keys(default["request_id"], default["sighting_id"])
    overall = score_pairs(default_keys, true_keys)
    found = np.asarray(true_keys.isin(default_keys))
    at1, at5 = _found_at(scored, true_keys, 1), _found_at(scored, true_keys, 5)
    scored_keys = pair_keys(scored["request_id"], scored["sighting_id"])
    candidate = np.asarray(true_keys.isin(scored_keys))
    req_culture = side_frame(data.corruptions, "request")["culture"]

    def quality_row(label: str, rows: np.ndarray, predicted: pd.DataFrame | None) -> dict[str, Any]:
        row: dict[str, Any] = {"": label, "true pairs": int(rows.sum())}
        if predicted is not None:
            keys = pair_keys(predicted["request_id"], predicted["sighting_id"])
            s = score_pairs(keys, true_keys[rows])
            row |= {"predicted": s.predicted_pairs, "precision": s.precision}
        row |= {
            "recall": float(found[rows].mean()) if rows.any() else None,
            "recall@1": float(at1[rows].mean()) if rows.any() else None,
            "recall@5": float(at5[rows].mean()) if rows.any() else None,
            "in candidates": float(candidate[rows].mean()) if rows.any() else None,
        }
        if predicted is not None and row["recall"] is not None:
            p, r = row["precision"], row["recall"]
            row["F1"] = 2 * p * r / (p + r) if p + r else 0.0
        return row

    everything = np.ones(len(truth), dtype=bool)
    overall_row = quality_row("all", everything, default)
    per_culture = []
    default_culture = req_culture.reindex(default["request_id"].astype(str)).fillna("unknown")
    for culture in sorted(truth["culture"].unique()):
        rows = truth["culture"].to_numpy() == culture
        per_culture.append(
            quality_row(culture, rows, default[default_culture.to_numpy() == culture])
        )
    per_kind = [quality_row("(none)", truth["kinds"].map(len).to_numpy() == 0, None)]
    all_kinds = sorted({k for ks in truth["kinds"] for k in ks})
    for kind in all_kinds:
        rows = truth["kinds"].map(lambda ks, kind=kind: kind in ks).to_numpy()
        per_kind.append(quality_row(kind, rows, None))
    per_kind.sort(key=lambda r: (r[""] != "(none)", r["recall"] if r["recall"] is not None else 1))

    # Curve and calibration over every scored candidate pair.
    prob = scored["match_probability"].to_numpy(np.float64)
    hit = np.asarray(scored_keys.isin(true_keys))
    curve = _pr_curve(prob, hit, len(true_keys))
    f1 = 2 * curve["precision"] * curve["recall"] / (curve["precision"] + curve["recall"])
    best = int(np.nanargmax(f1.to_numpy())) if len(curve) else 0
    # A quick run's figure stays beside its results, away from the committed one.
    figure = (FIGURES if results == RESULTS else results.parent / "figures") / "pr_synthetic.png"
    plotted = _plot(
        curve,
        (overall.precision, overall.recall),
        str(figure),
        f"rfl_match on synthetic {n_requests:,} x {n_sightings:,} (seed {seed})",
    )
    by_sighting, sighting_first = _by_sighting_rank(default, default_keys, true_keys)
    one_request, one_by_sighting = _one_request(linker, data, true_keys, overall, prob, hit)
    log("quality: pairs scored among few records")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        few_rows = _few_records_rows(linker, data, scored, hit, seed)
    raw = rm.scoring.probability(scored["match_weight"].to_numpy(np.float64))
    calib = reliability(prob, hit)
    speed = _speed_line(fit_time, predict_time, n_requests, n_sightings)
    placeholder_rows, unnamed_line = _placeholder_rows(data, true_keys, overall, seed)
    birthless = birthless_pairs(data)
    no_birth = np.asarray(
        true_keys.isin(pair_keys(birthless["request_id"], birthless["sighting_id"]))
    )
    birth_rows = [
        quality_row("both give a birth", ~no_birth, None),
        quality_row("a record gives none", no_birth, None),
    ]
    rough_rows = _rough_age_rows(linker, data, default, overall)
    slip_rows = _slip_rows(linker, data, default, overall, seed)
    family_first_rows = _family_first_rows(linker, data, default, overall, seed)
    twin_rows = _twin_rows(n_requests, n_sightings, seed)
    log(f"quality: fit + predict with children's forms ({CHILD_FORMS_RATE:g})")
    with_forms = synthetic(n_requests, n_sightings, seed, child_forms_rate=CHILD_FORMS_RATE)
    child_rows = _child_form_rows(with_forms, CHILD_FORMS, default_keys)

    lines = header(
        f"Quality on synthetic data ({n_requests:,} requests x {n_sightings:,} sightings)",
        command,
    )
    lines += [
        f"Data: `rfl_match.synth`, seed {seed}: {len(true_keys):,} true pairs; "
        f"{len(scored):,} candidate pairs scored. Default `rm.Linker()`, unsupervised; "
        f"predict at the default threshold and top_k. {speed}",
        "",
        "Recall@k is over the full ranking (`predict(threshold=0, top_k=0)`); "
        "'in candidates' is the share of true pairs that blocking proposes at all "
        "(the ceiling on recall).",
        "",
        "### Overall",
        "",
        *table([overall_row]),
        "",
        _best_line(curve, f1, best),
        "",
        "### By the sighting's rank among its requests",
        "",
        "The pairs predicted above, by their request's place among those their sighting "
        "is proposed for (`sighting_rank` of the review file, "
        "`rfl_match.io.review.sighting_ranks`; 1: no other request likelier). Each "
        "person here is sought by one request, so a sighting's second request is most "
        "often a relative or a namesake of its first; the model reads each pair alone "
        "(but with `one_request_per_person`, below).",
        "",
        *table(by_sighting),
        "",
        sighting_first,
        "",
        "### Per culture (of the request)",
        "",
        *table(per_culture),
        "",
        "### Per corruption (either record of the true pair carries it)",
        "",
        "Recall only: a false match has no corruption of its own. Sorted by recall.",
        "",
        *table(per_kind, ["", "true pairs", "recall", "recall@1", "recall@5", "in candidates"]),
        "",
        "### Records without a birth",
        "",
        "The true pairs by whether both records give a birth (a date of birth or an age; "
        "`benchmarks.common.birthless_pairs`). A record that gives none is in no birth "
        "band or year: in a block of a common name it meets only its nearest records, and "
        "the budget's score cannot set it above namesakes who give one.",
        "",
        *table(birth_rows, ["", "true pairs", "recall", "recall@1", "recall@5", "in candidates"]),
        "",
        "The same draw refitted with a rough age written where a record of a true pair "
        "gives no birth and the other record gives a date of birth: its age as of its "
        f"source date by that year of birth, {ROUGH_AGE_YEARS} years either side (a range "
        'such as "20-40", as a tracing officer estimates one; '
        "`benchmarks.common.with_rough_ages`). Recall and 'in candidates' of those pairs; "
        "precision, recall and F1 of all the pairs.",
        "",
        *table(rough_rows),
        "",
        "### Dates of birth a slip of the pen apart",
        "",
        "The same draw refitted with a slip of the pen written into the sighting's date of "
        "birth where both records of a true pair give the same full date (one drawn a "
        "pair: " + ", ".join(DATE_SLIPS) + "; `benchmarks.common.with_date_slips`): two "
        "dates of one year so apart meet as the same year, as a year alone meets a date in "
        "it. Recall of those pairs at the default threshold and top_k, as generated and "
        "with the slip written; precision, recall and F1 of all the pairs.",
        "",
        *table(slip_rows),
        "",
        "### Family name written first and marked so",
        "",
        f"The same draw refitted with {FAMILY_FIRST_SHARE:.0%} of the records of "
        + ", ".join(c.replace("_", " ").title() for c in FAMILY_FIRST_CULTURES)
        + " requests and sightings written in one name field (the given and family name "
        "fields left blank), family name first and marked so, as registers write them: "
        'in capitals ("MUKENDI Jean-Pierre") or with a comma ("Mukendi, Jean-Pierre"), '
        "one drawn a record (`benchmarks.common.with_family_first`); and, to tell what "
        "the blank fields cost from what the order costs, the same records in one field, "
        "given name first. Recall of the true pairs with a record so written (by its mark: "
        "the request's, else the sighting's), at the default threshold and top_k; "
        "precision, recall and F1 of all the pairs, marked. A name the generator wrote "
        "in capitals throughout (a corruption) says nothing of its order, and stays read "
        "family name first.",
        "",
        *table(family_first_rows),
        "",
        '### Placeholders (a register\'s "Unknown")',
        "",
        "The same records refitted with a placeholder written, as registers write one for "
        "what they do not know, in a share of each field's cells ("
        + ", ".join(f"`{c}` {share:.0%}" for c, share in PLACEHOLDER_SHARES.items())
        + "; a record so named has no other name), drawn from "
        + ", ".join(f"'{p}'" for p in PLACEHOLDERS)
        + ": the information lost costs what it costs, but two records that say "
        "'Unknown' must not agree on it (`rfl_match/names/resources/placeholders.tsv`).",
        "",
        *table(placeholder_rows),
        "",
        unnamed_line,
        "",
        "### Twins",
        "",
        "The same draw with twins made (`SynthConfig(twin_rate="
        f"{TWIN_RATE:g})`: that share of the children after their family's first are born "
        "the same day as the sibling before them; only those children's dates change). A "
        "twin shares the family name, the parents, the places and the birth with the sought "
        "child, and has a given name of its own: a twin pair is a request and a sighting of "
        "its person's twin, a false match. 'Ranked above': the twin's sighting scores "
        "higher than every true sighting of the request, of the twin pairs among the "
        "candidates whose request has a true sighting there too.",
        "",
        *table(twin_rows),
        "",
        "### Children's forms",
        "",
        "The same draw with the forms that records of children use written in "
        f"(`SynthConfig(child_forms_rate={CHILD_FORMS_RATE:g})`: that share of the records "
        "of children under 18 that can take each: an age that is a number in words, in "
        "years and months, two ages with 'or', a range of two ages, or, under one, in "
        "months, weeks or days, one of them a record; a newborn named by its mother's "
        "name, 'Baby of Fatima', her field left blank; a child called by the second part "
        "of its compound given name; every other value as in the draw above). Recall per "
        "form: of the true pairs either record of which carries it; 'without the forms': "
        "the same pairs in the draw above.",
        "",
        *table(
            child_rows, ["", "true pairs", "F1", "precision", "recall", "recall without the forms"]
        ),
        "",
        "### Precision-recall curve",
        "",
        (
            f"![PR curve]({Path(os.path.relpath(figure, results.parent)).as_posix()})"
            if plotted
            else "(matplotlib not installed: no figure)"
        ),
        "",
        "### Calibration (issue 5)",
        "",
        "Candidate pairs binned by predicted match probability: does a probability of p "
        "mean a share p of true matches? The target is |gap| <= 0.05 in every bin. "
        "'95% interval' is the Wilson interval of the observed share: with a few hundred "
        "pairs a bin, sampling alone moves it by about 0.05.",
        "",
        "**Raw Fellegi–Sunter** (`2**w / (1 + 2**w)`, before calibration), all candidates:",
        "",
        *table(reliability(raw, hit)),
        "",
        summary(raw, hit),
        "",
        "**Unsupervised**, `rm.Linker().fit(requests, sightings)`: the weight read through "
        "the map fitted without labels (each comparison predicted from the others' "
        "weight, locally dependent ones set aside), all candidates:",
        "",
        *table(calib),
        "",
        summary(prob, hit),
        "",
        "Pooled over larger draws, and with reviewed pairs: the Calibration section.",
        "",
        "### One request per person (`one_request_per_person`, off by default)",
        "",
        "Each person here is sought by one request, so each sighting is at most one "
        'request\'s person: `rm.Linker({"one_request_per_person": True})` reads a '
        "sighting's requests together (`rfl_match.linker._one_request`). The predicted "
        "pairs at the default threshold and top_k; the calibration gap over all "
        "candidates, as in the table above.",
        "",
        *table(one_request),
        "",
        "Its predicted pairs by the sighting's rank among its requests:",
        "",
        *table(one_by_sighting),
        "",
        "### A pair scored among few records",
        "",
        "A lookup scores a request against the sightings it is given, and a name's "
        "frequency is read over those records: among few, it is known from little. "
        f"Candidate pairs at 0.05 or more ({FEW_PAIRS} true, {FEW_PAIRS} not, drawn with "
        "the seed) scored again, each with its request among its own sighting alone and "
        f"among {FEW_SIGHTINGS:,} sightings (its own and others drawn): their match "
        "weights against those among all the records, and how many cross 0.5 either way. "
        "A name no other record given holds weighs as its level does (`scoring.tf_share`, "
        "`scoring.tf_shift`); what the pair alone cannot tell is whether its names are "
        "common.",
        "",
        *table(few_rows),
    ]
    if notes:
        lines += ["", "Warnings raised: " + "; ".join(f"`{n}`" for n in notes)]
    return lines


def _one_request(
    linker: rm.Linker,
    data: Synthetic,
    true_keys: pd.Index,
    overall: PairScores,
    prob: np.ndarray,
    hit: np.ndarray,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The default run (``overall``; every candidate's ``prob`` and ``hit``) against the
    same fitted ``linker``'s predict with ``one_request_per_person`` set (an option of
    predict: the fit's candidates read again; unset after): the predicted pairs' scores
    and the largest calibration gap; and the latter's pairs by their sighting's rank."""
    with predict_options(linker, one_request_per_person=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predicted = linker.predict(data.requests, data.sightings)
        scored = linker.predict(data.requests, data.sightings, threshold=0.0, top_k=0)
    scale = linker.training_["last_one_request_scale"]
    keys = pair_keys(predicted["request_id"], predicted["sighting_id"])
    read = score_pairs(keys, true_keys)
    read_prob = scored["match_probability"].to_numpy(np.float64)
    read_hit = np.asarray(pair_keys(scored["request_id"], scored["sighting_id"]).isin(true_keys))
    rows = []
    for label, s, p, h in (
        ("each pair alone (the default)", overall, prob, hit),
        (f"one request per person (g = {scale:.3g})",
         read, read_prob, read_hit),
    ):  # fmt: skip
        worst, within, filled = gaps(reliability(p, h))
        rows.append(
            {
                "": label,
                "predicted": s.predicted_pairs,
                "precision": s.precision,
                "recall": s.recall,
                "F1": s.f1,
                "largest calibration gap": worst,
                "bins within 0.05": f"{within} of {filled}",
            }
        )
    return rows, _by_sighting_rank(predicted, keys, true_keys)[0]


#: Pairs of each kind (true, a non-match) that the table of a pair among few records
#: scores, and the sightings its larger context holds.
FEW_PAIRS, FEW_SIGHTINGS = 100, 100


def _few_records_rows(
    linker: rm.Linker, data: Synthetic, scored: pd.DataFrame, hit: np.ndarray, seed: int
) -> list[dict[str, Any]]:
    """Candidate pairs at 0.05 or more (``FEW_PAIRS`` true, as many not), drawn with
    ``seed``, each scored again (``predict(pairs=...)``) with its request among its own
    sighting alone and among ``FEW_SIGHTINGS`` sightings (its own and others drawn),
    against its score among all the records: a name's frequency is read over the records
    given, so a lookup against few reads it from little (README, a name's frequency)."""
    rng = np.random.default_rng(seed)
    likely = scored["match_probability"].to_numpy(np.float64) >= 0.05
    requests = data.requests.set_index("record_id", drop=False)
    sightings = data.sightings.set_index("record_id", drop=False)
    rows = []
    for label, pick in (("true pairs", likely & hit), ("non-matches", likely & ~hit)):
        chosen = scored[pick].sample(min(FEW_PAIRS, int(pick.sum())), random_state=seed)
        for context in (1, FEW_SIGHTINGS):
            moved, crossed = [], 0
            for pair in chosen.itertuples():
                others = sightings.index[rng.choice(len(sightings), context, replace=False)]
                ids = [pair.sighting_id, *[i for i in others if i != pair.sighting_id]]
                one = pd.DataFrame(
                    {"request_id": [pair.request_id], "sighting_id": [pair.sighting_id]}
                )
                alone = linker.predict(
                    requests.loc[[pair.request_id]], sightings.loc[ids[:context]],
                    pairs=one, threshold=0.0, top_k=0,
                )  # fmt: skip
                moved.append(float(alone["match_weight"].iloc[0]) - pair.match_weight)
                crossed += (float(alone["match_probability"].iloc[0]) >= 0.5) != (
                    pair.match_probability >= 0.5
                )
            rows.append(
                {
                    "": label,
                    "sightings given": "its own alone" if context == 1 else f"{context:,}",
                    "pairs": len(chosen),
                    "bits against all the records, mean": float(np.mean(moved)),
                    "mean |bits|": float(np.mean(np.abs(moved))),
                    "crossing 0.5": crossed,
                }
            )
    return rows


def _by_sighting_rank(
    predicted: pd.DataFrame, keys: pd.Index, true_keys: pd.Index
) -> tuple[list[dict[str, Any]], str]:
    """The predicted pairs by ``sighting_ranks`` (1, 2, 3 or more): how many, their mean
    probability and the share of them that is true; and a line on what keeping only
    each sighting's likeliest requests would score."""
    from rfl_match.io.review import sighting_ranks

    place = sighting_ranks(predicted)
    hit = np.asarray(keys.isin(true_keys))
    prob = predicted["match_probability"].to_numpy(np.float64)
    rows = []
    for label, sel in (("1", place == 1), ("2", place == 2), ("3 or more", place >= 3)):
        rows.append(
            {
                "sighting rank": label,
                "pairs": int(sel.sum()),
                "mean predicted": float(prob[sel].mean()) if sel.any() else None,
                "observed share of true matches": float(hit[sel].mean()) if sel.any() else None,
            }
        )
    first = score_pairs(keys[place == 1], true_keys)
    line = (
        f"Only the pairs of sighting rank 1 kept (what the review file's column lets an "
        f"officer read first): precision {first.precision:.4g}, recall {first.recall:.4g}, "
        f"F1 {first.f1:.4g}, against the F1 above: the rest are not dropped, for two "
        f"requests may seek one person."
    )
    return rows, line


def _placeholder_rows(
    data: Synthetic, true_keys: pd.Index, overall: PairScores, seed: int
) -> tuple[list[dict[str, Any]], str]:
    """The default linker refitted on the records with placeholders put in
    (:func:`with_placeholders`), against the records as generated: its quality row, and a
    line on the pairs it predicts for records named by a placeholder alone."""
    requests, unnamed_left = with_placeholders(data.requests, seed)
    sightings, unnamed_right = with_placeholders(data.sightings, seed + 1)
    log("quality: refit with placeholders put in")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predicted = rm.Linker().fit(requests, sightings).predict(requests, sightings)
    keys = pair_keys(predicted["request_id"], predicted["sighting_id"])
    with_them = score_pairs(keys, true_keys)
    rows = [
        {"": label, "predicted": s.predicted_pairs, "precision": s.precision}
        | {"recall": s.recall, "F1": s.f1}
        for label, s in (("as generated", overall), ("placeholders put in", with_them))
    ]
    alone = np.asarray(
        unnamed_left.reindex(predicted["request_id"].astype(str)).to_numpy()
        | unnamed_right.reindex(predicted["sighting_id"].astype(str)).to_numpy()
    )
    hit = np.asarray(keys.isin(true_keys))
    line = (
        f"Of the pairs predicted with placeholders put in, {int(alone.sum()):,} have a "
        f"record named by a placeholder alone ({int((alone & hit).sum()):,} of them true): "
        "such a record is found by its other fields (a parent's name, the birth, a place), "
        "never by its name."
    )
    return rows, line


def _rough_age_rows(
    linker: rm.Linker, data: Synthetic, default: pd.DataFrame, overall: PairScores
) -> list[dict[str, Any]]:
    """:func:`benchmarks.common.rough_age_reading` of the default ``linker`` and its
    ``default`` predict (``overall`` its scores) as rows: the pairs written, as generated
    and refitted with the rough ages, their recall and their share among the candidates,
    and the scores of all the pairs."""
    log("quality: refit with rough ages written where no birth was")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = rough_age_reading(linker, data, default)
    written = read["pairs"]
    return [
        {"": "as generated", "pairs written": written}
        | {"recall of those": read["recall_drawn"], "in candidates": read["completeness_drawn"]}
        | {"precision": overall.precision, "recall": overall.recall, "F1": overall.f1},
        {"": "a rough age written", "pairs written": written}
        | {"recall of those": read["recall"], "in candidates": read["completeness"]}
        | {"precision": read["precision_all"], "recall": read["recall_all"], "F1": read["f1"]},
    ]


def _slip_rows(
    linker: rm.Linker, data: Synthetic, default: pd.DataFrame, overall: PairScores, seed: int
) -> list[dict[str, Any]]:
    """:func:`benchmarks.common.slip_reading` of the default ``linker`` and its ``default``
    predict (``overall`` its scores) as rows: all the pairs written and each slip's, their
    recall as generated and with the slips written, and the scores of all the pairs."""
    log("quality: refit with slips of the pen written into dates of birth")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = slip_reading(linker, data, default, seed)
    rows = [
        {"": "all", "pairs written": read["pairs"]}
        | {"recall as generated": read["recall_drawn"], "recall, the slip written": read["recall"]}
        | {"precision": read["precision_all"], "recall": read["recall_all"], "F1": read["f1"]}
        | {"F1 as generated": overall.f1}
    ]
    for slip, (n, drawn, written) in read["by_slip"].items():
        rows.append(
            {"": slip, "pairs written": n, "recall as generated": drawn}
            | {"recall, the slip written": written}
        )
    return rows


def _family_first_rows(
    linker: rm.Linker, data: Synthetic, default: pd.DataFrame, overall: PairScores, seed: int
) -> list[dict[str, Any]]:
    """:func:`benchmarks.common.family_first_reading` of the default ``linker`` and its
    ``default`` predict (``overall`` its scores) as rows: all the pairs written and each
    mark's, their recall as generated, in one field and marked; and the scores of all the
    pairs."""
    log("quality: refit with names in one field, family name first and marked so")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = family_first_reading(linker, data, default, seed)
    rows = [
        {"": "all", "pairs written": read["pairs"], "recall as generated": read["recall_drawn"]}
        | {"recall, one field": read["one_field"], "recall, marked": read["recall"]}
        | {"precision": read["precision_all"], "recall": read["recall_all"], "F1": read["f1"]}
        | {"F1 as generated": overall.f1}
    ]
    for mark, (n, drawn, one_field, marked) in read["by_mark"].items():
        rows.append(
            {"": mark, "pairs written": n, "recall as generated": drawn}
            | {"recall, one field": one_field, "recall, marked": marked}
        )
    return rows


#: The twins subsection's ``SynthConfig.twin_rate``: ten times the world's share of children
#: born a twin, so that a suite of this size holds enough sought children's twins to count.
TWIN_RATE = 0.2


def _twin_rows(n_requests: int, n_sightings: int, seed: int) -> list[dict[str, Any]]:
    """The default linker on the same draw with twins made (:data:`TWIN_RATE`): per
    request whose person's twin is sighted, whether a twin's sighting is among its
    candidates, predicted (at the default threshold and top_k), and ranked above the
    request's best true sighting; and the draw's F1."""
    data = synthetic(n_requests, n_sightings, seed, twin_rate=TWIN_RATE)
    true_keys = pd.Index(_truth_table(data)["key"])
    log(f"quality: fit + predict with twins made ({TWIN_RATE:g} of later children)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linker = rm.Linker().fit(data.requests, data.sightings)
        default = linker.predict(data.requests, data.sightings)
        scored = linker.predict(data.requests, data.sightings, threshold=0.0, top_k=0)
    sides = data.corruptions.astype(str)
    requests = sides[sides["side"] == "request"]
    sightings = sides[sides["side"] == "sighting"]
    twins = requests.loc[requests["twin_id"] != "", ["record_id", "twin_id"]].merge(
        sightings[["record_id", "person_id"]], left_on="twin_id", right_on="person_id"
    )
    twin_keys = pair_keys(twins["record_id_x"], twins["record_id_y"])
    scored = scored.assign(key=pair_keys(scored["request_id"], scored["sighting_id"]))
    true_best = scored[scored["key"].isin(true_keys)].groupby("request_id")["match_probability"]
    best = true_best.max()
    twin_scored = scored[scored["key"].isin(twin_keys)]
    sought = best.reindex(twin_scored["request_id"]).to_numpy()
    above = twin_scored["match_probability"].to_numpy() > sought
    predicted = pair_keys(default["request_id"], default["sighting_id"])
    overall = score_pairs(predicted, true_keys)
    return [
        {
            "twin pairs": len(twin_keys),
            "among candidates": int(twin_scored["request_id"].size),
            "predicted": int(predicted.isin(twin_keys).sum()),
            "ranked above the sought person's sighting": int(above.sum()),
            "of those whose request's own sighting is a candidate": int((~np.isnan(sought)).sum()),
            "requests with a twin sighted": int(twins["record_id_x"].nunique()),
            "F1 of the draw": overall.f1,
        }
    ]


#: The children's forms subsection's ``SynthConfig.child_forms_rate``: half the records of
#: children that can take a form, so that a suite of this size holds enough of each to count.
CHILD_FORMS_RATE = 0.5


def _child_form_rows(
    data: Synthetic, forms: tuple[str, ...], plain: pd.Index
) -> list[dict[str, Any]]:
    """The default linker on a draw with children's forms written (``forms``: their names
    in its corruptions): F1, precision and recall at the default threshold and top_k, and
    per form the true pairs either record of which carries it, their recall, and the
    recall of the same pairs in the draw without the forms (``plain``: the pairs the
    linker predicts there)."""
    truth = _truth_table(data)
    true_keys = pd.Index(truth["key"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linker = rm.Linker().fit(data.requests, data.sightings)
        default = linker.predict(data.requests, data.sightings)
    predicted = pair_keys(default["request_id"], default["sighting_id"])
    overall = score_pairs(predicted, true_keys)
    found = np.asarray(true_keys.isin(predicted))
    found_plain = np.asarray(true_keys.isin(plain))
    rows: list[dict[str, Any]] = [
        {
            "": "all",
            "true pairs": len(true_keys),
            "F1": overall.f1,
            "precision": overall.precision,
            "recall": overall.recall,
            "recall without the forms": float(found_plain.mean()),
        }
    ]
    for form in forms:
        carries = truth["kinds"].map(lambda kinds, form=form: form in kinds).to_numpy()
        if carries.any():
            rows.append(
                {
                    "": form,
                    "true pairs": int(carries.sum()),
                    "recall": float(found[carries].mean()),
                    "recall without the forms": float(found_plain[carries].mean()),
                }
            )
    return rows


def _speed_line(fit: Phase, predict: Phase, n_requests: int, n_sightings: int) -> str:
    return (
        f"Fit {fit.wall:.1f} s, predict {predict.wall:.1f} s "
        f"(peak RSS {max(fit.peak_mib, predict.peak_mib):,.0f} MiB)."
    )


def _best_line(curve: pd.DataFrame, f1: pd.Series, best: int) -> str:
    if not len(curve):
        return ""
    at = curve.iloc[best]
    return (
        f"Best F1 on the curve: {float(f1.iloc[best]):.4f} at probability >= "
        f"{float(at['threshold']):.4g} (precision {float(at['precision']):.4f}, "
        f"recall {float(at['recall']):.4f})."
    )
