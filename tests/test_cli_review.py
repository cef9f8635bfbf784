"""What a tracing officer reads, through the command line: ranks and ties, the review
file's probabilities and shared sightings, ``explain``, and dedupe's clusters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from helpers import run

from rfl_match.scoring import shown_probability

# One girl sought, and two sightings with her details (registered a month apart: the
# same weight), and a third with her birth year only: equally likely, equally likely, less.
GIRL = {
    "full_name": "Amina Yusuf Abdi",
    "given_name": "Amina",
    "family_name": "Abdi",
    "father_name": "Yusuf",
    "mother_name": "Hawa",
    "sex": "female",
    "date_of_birth": "2015-03-10",
    "place_of_origin": "Kismayo",
}
SOUGHT = {**GIRL, "record_id": "RT", "source_date": "2023-05-01"}
SEEN = [
    {**GIRL, "record_id": "ST2", "source_date": "2024-02-01"},
    {**GIRL, "record_id": "ST1", "source_date": "2024-01-01"},
    {**GIRL, "record_id": "ST3", "source_date": "2024-01-01", "date_of_birth": "2015"},
]


def _with(path: Path, rows: list[dict[str, str]], out: Path) -> Path:
    frame = pd.read_csv(path, dtype=str)
    pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).to_csv(out, index=False)
    return out


@pytest.fixture(scope="module")
def girl_files(tmp_path_factory: pytest.TempPathFactory, synthetic_paths: dict[str, Path]):  # type: ignore[no-untyped-def]
    """The bundled requests and sightings with the girl's request and sightings added,
    and a model fitted on them."""
    folder = tmp_path_factory.mktemp("girl")
    requests = _with(synthetic_paths["requests"], [SOUGHT], folder / "requests.csv")
    sightings = _with(synthetic_paths["sightings"], SEEN, folder / "sightings.csv")
    model = folder / "model.json"
    fitted = run("link", requests, sightings, "-o", folder / "m.csv", "--save-model", model)
    assert fitted.returncode == 0, fitted.stderr
    return requests, sightings, model


def test_equal_candidates_share_a_rank_and_top_k_keeps_them_all(
    tmp_path: Path, girl_files: tuple[Path, Path, Path]
) -> None:
    """Two sightings with the same details are equally likely: both rank 1 (listed by
    id), the next ranks 3, and --top-k 1 keeps both, in the matches and the review file.
    Before, the tie was broken by sighting id: ST1 rank 1, ST2 rank 2 and, at --top-k 1,
    ST2 was left out without a word."""
    requests, sightings, model = girl_files
    for top_k, want in (
        ("3", [("ST1", 1), ("ST2", 1), ("ST3", 3)]),
        ("1", [("ST1", 1), ("ST2", 1)]),
    ):
        out, review = tmp_path / f"m{top_k}.csv", tmp_path / f"r{top_k}.csv"
        result = run(
            "link", requests, sightings, "-o", out, "--model", model,
            "--top-k", top_k, "--review", review,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        matches = pd.read_csv(out, dtype=str)
        mine = matches[matches["request_id"] == "RT"]
        assert list(zip(mine["sighting_id"], mine["rank"].astype(int), strict=True)) == want
        weights = mine["match_weight"].astype(float).tolist()
        assert weights[0] == weights[1] and (len(weights) < 3 or weights[2] < weights[1])
        shown = pd.read_csv(review, dtype=str, keep_default_na=False)
        rows = shown[shown["request_id"] == "RT"]
        assert list(zip(rows["sighting_id"], rows["rank"].astype(int), strict=True)) == want


def test_the_review_file_never_shows_a_probability_as_certain(
    tmp_path: Path, synthetic_paths: dict[str, Path]
) -> None:
    """The review file rounds the probability to 4 decimals but keeps it within
    0.0001-0.9999, a number a spreadsheet sorts; the matches file keeps it whole. Before,
    0.99998 was shown 1.0 (79 of the bundled run's 424 rows)."""
    out, review = tmp_path / "m.csv", tmp_path / "review.csv"
    files = (synthetic_paths["requests"], synthetic_paths["sightings"])
    result = run("link", *files, "-o", out, "--review", review)
    assert result.returncode == 0, result.stderr
    matches = pd.read_csv(out)
    shown = pd.read_csv(review, keep_default_na=False)
    near_one = matches["match_probability"].between(0.99995, 1, inclusive="left")
    assert near_one.sum() > 20  # the case arises: many pairs would round to 1
    candidates = shown[shown["sighting_id"] != ""]
    probability = candidates["match_probability"].astype(float)
    assert probability.max() == 0.9999 and probability.min() >= 0.0001
    # in a workbook, numbers: a spreadsheet sorts and filters them
    workbook = tmp_path / "review.xlsx"
    assert run("link", *files, "-o", tmp_path / "m2.csv", "--review", workbook).returncode == 0
    sheet = openpyxl.load_workbook(workbook, read_only=True).active
    cells = [row[3] for row in sheet.iter_rows(min_row=2) if row[2].value]
    assert all(cell.data_type == "n" for cell in cells) and max(c.value for c in cells) == 0.9999
    whole = matches.set_index(["request_id", "sighting_id"])["match_probability"]
    keys = pd.MultiIndex.from_frame(candidates[["request_id", "sighting_id"]])
    np.testing.assert_array_equal(probability, shown_probability(whole.loc[keys], 4))
    assert (whole.loc[keys].to_numpy() - probability.to_numpy() <= 1e-4).all()


def test_the_review_file_flags_a_sighting_proposed_for_several_requests(
    tmp_path: Path, synthetic_paths: dict[str, Path]
) -> None:
    """One person proposed to several families: each of the sighting's rows says for how
    many requests it is proposed in this output, which others, and the request's place
    among them by weight (on the bundled run, one sighting is proposed for two requests;
    three more were before the context rules' own pairs were weighed against their
    rivals, ``linker._compete``)."""
    out, review = tmp_path / "m.csv", tmp_path / "review.xlsx"
    files = (synthetic_paths["requests"], synthetic_paths["sightings"])
    result = run("link", *files, "-o", out, "--review", review)
    assert result.returncode == 0, result.stderr
    matches = pd.read_csv(out, dtype=str)
    shown = pd.read_excel(review, dtype=str, keep_default_na=False)
    columns = list(shown.columns)
    assert columns[4:9] == [
        "decision", "comment", "sighting_proposed_for", "sighting_other_requests",
        "sighting_rank",
    ]  # fmt: skip
    candidates = shown[shown["sighting_id"] != ""]
    per_sighting = matches.groupby("sighting_id")["request_id"].nunique()
    expected = per_sighting.loc[candidates["sighting_id"]].astype(str).to_numpy()
    assert (candidates["sighting_proposed_for"].to_numpy() == expected).all()
    shared = candidates[candidates["sighting_proposed_for"] != "1"]
    assert shared["sighting_id"].nunique() >= 1 and len(shared) >= 2
    for row in shared.itertuples():
        others = set(matches.loc[matches["sighting_id"] == row.sighting_id, "request_id"])
        assert str(row.sighting_other_requests).split("; ") == sorted(others - {row.request_id})
    assert (
        candidates.loc[candidates["sighting_proposed_for"] == "1", "sighting_other_requests"] == ""
    ).all()
    assert (shown.loc[shown["sighting_id"] == "", "sighting_proposed_for"] == "").all()
    # The place among the sighting's requests: one more than those of greater weight.
    weight = matches.astype({"match_weight": float}).set_index(["request_id", "sighting_id"])
    weight = weight["match_weight"]
    for row in candidates.itertuples():
        others = weight.xs(row.sighting_id, level="sighting_id")
        place = 1 + int((others > others.loc[row.request_id]).sum())
        assert row.sighting_rank == str(place)
    assert set(shared["sighting_rank"]) == {"1", "2"}
    alone = candidates["sighting_proposed_for"] == "1"
    assert (candidates.loc[alone, "sighting_rank"] == "1").all()
    assert (shown.loc[shown["sighting_id"] == "", "sighting_rank"] == "").all()


def test_explain_never_prints_a_probability_as_certain(
    girl_files: tuple[Path, Path, Path],
) -> None:
    """The girl's request and a sighting with all her details score 0.99998: explain says
    "> 0.999", not 1.000."""
    requests, sightings, model = girl_files
    result = run("explain", requests, sightings, "RT", "ST1", "--model", model)
    assert result.returncode == 0, result.stderr
    assert "match probability > 0.999" in result.stdout
    assert "1.000" not in result.stdout


def test_dedupe_does_not_join_two_children_through_a_record_without_a_birth(
    tmp_path: Path, synthetic_paths: dict[str, Path]
) -> None:
    """The bundled requests and sightings deduplicated together: Adan Hassan Abdullahi
    (RQ000185, born 2020) and Adan Hassan Ahmed (RQ000128, born 2006) are each linked to
    SG000567 (Adan Hassan Ahmed, no birth), and were put in one cluster although never
    compared (they score 0.05). Every two records of a cluster now score at least the
    threshold; clusters holding more than one person, of the synthetic truth: 7 -> 2; 3
    since births a generation apart are a level of their own, where births 5 to 15 years
    apart weigh -1.8 bits, not -3.0 as all gaps over 5 years did (Tetâna, born 1987, no
    family name, and Tetâna Maksymiwna Polìŝuk, born 2000, join Tetyana Chevtchenko)."""
    both = tmp_path / "records.csv"
    frames = [pd.read_csv(synthetic_paths[name], dtype=str) for name in ("requests", "sightings")]
    pd.concat(frames, ignore_index=True).to_csv(both, index=False)
    out = tmp_path / "clusters.csv"
    result = run("dedupe", both, "-o", out)
    assert result.returncode == 0, result.stderr
    clusters = pd.read_csv(out, dtype=str).set_index("record_id")["cluster_id"]
    assert clusters["RQ000128"] == clusters["SG000567"] != clusters["RQ000185"]
    truth = pd.read_csv(synthetic_paths["truth"].parent / "corruptions.csv", dtype=str)
    person = truth.set_index("record_id")["person_id"]
    mixed = person.loc[clusters.index].groupby(clusters.to_numpy()).nunique()
    assert (mixed > 1).sum() <= 3


def _adan_records(path: Path) -> Path:
    """Thirty people of ten given and six family names, born 1960-2014, ten of them
    registered twice alike (enough for the model to learn that births 14 years apart
    disagree), and three records of Adan Hassan Ahmed: born 2006, born 2020, no birth."""
    given = ["Adan", "Amina", "Omar", "Fatuma", "Hodan", "Maryan", "Yusuf", "Halima"]
    given += ["Abdi", "Nasra"]
    family = ["Ahmed", "Abdi", "Warsame", "Noor", "Said", "Farah"]
    rows = []
    for person in range(30):
        at = 2 * person
        name = f"{given[at // len(family)]} {family[at % len(family)]}"
        born = str(1960 + person * 7 % 55)
        rows.append((f"P{person:02d}", name, born))
        if person % 3 == 0:
            rows.append((f"Q{person:02d}", name, born))
    adan = "Adan Hassan Ahmed"
    rows += [("A2006", adan, "2006"), ("A2020", adan, "2020"), ("A", adan, "")]
    pd.DataFrame(rows, columns=["record_id", "full_name", "date_of_birth"]).to_csv(
        path, index=False
    )
    return path


def test_dedupe_min_pair_probability_from_the_command_line(tmp_path: Path) -> None:
    """--min-pair-probability is the floor every two records of a cluster must score
    (Linker.dedupe's min_pair_probability; the threshold by default). Adan born 2006 and
    Adan born 2020 are each linked to Adan with no birth at 0.8 and score 0.04 together:
    by default one of them joins that record and the other stays alone; with the floor
    at 0 all three are one cluster. Before, dedupe had no such option (exit 2, unknown
    argument). A value that is no probability, or one over the threshold, stops before
    reading, naming the option."""
    records = _adan_records(tmp_path / "records.csv")
    out = tmp_path / "clusters.csv"
    clusters = {}
    for floor in ("default", "0"):
        extra = () if floor == "default" else ("--min-pair-probability", floor)
        result = run("dedupe", records, "-o", out, "--threshold", "0.8", *extra)
        assert result.returncode == 0, result.stderr
        clusters[floor] = pd.read_csv(out, dtype=str).set_index("record_id")["cluster_id"]
    assert clusters["default"]["A2006"] != clusters["default"]["A2020"]
    assert clusters["default"]["A"] in (clusters["default"]["A2006"], clusters["default"]["A2020"])
    assert clusters["0"]["A2006"] == clusters["0"]["A2020"] == clusters["0"]["A"]
    out.unlink()
    for value, reason in (
        ("1.5", "1.5 is not a probability"),
        ("nan", "nan is not a probability"),
        ("-0.1", "-0.1 is not a probability"),
        ("0.9", "0.9 is over --threshold (0.8)"),
    ):
        result = run(
            "dedupe", records, "-o", out, "--threshold", "0.8", "--min-pair-probability", value
        )
        assert result.returncode == 2, (value, result.stderr)
        assert f"--min-pair-probability: {reason}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and "reading" not in result.stderr
        assert not out.exists()
    result = run("dedupe", "--help")
    assert "--min-pair-probability" in result.stdout


def _review_written(
    tmp_path: Path,
    synthetic_paths: dict[str, Path],
    model: Path,
    written: dict[str, dict[str, str]],
) -> pd.DataFrame:
    """The review file of the girl's request and sightings (``link --model``), each
    written with the cells of ``written`` (record id -> field -> text)."""
    sought = {**SOUGHT, **written["RT"]}
    seen = [{**row, **written[row["record_id"]]} for row in SEEN]
    requests = _with(synthetic_paths["requests"], [sought], tmp_path / "requests.csv")
    sightings = _with(synthetic_paths["sightings"], seen, tmp_path / "sightings.csv")
    review = tmp_path / "review.csv"
    result = run(
        "link", requests, sightings, "-o", tmp_path / "m.csv", "--model", model,
        "--review", review, "--threshold", "0.01",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    shown = pd.read_csv(review, dtype=str, keep_default_na=False)
    assert set(shown[shown["request_id"] == "RT"]["sighting_id"]) == {"ST1", "ST2", "ST3"}
    return shown


def test_the_review_file_shows_ages_and_dates_as_written(
    tmp_path: Path, synthetic_paths: dict[str, Path], girl_files: tuple[Path, Path, Path]
) -> None:
    """The girl's records as registers write them: the review file shows each date and
    age as the record says it, and what it was read as where that differs, so that a
    misreading is seen (10/03/2015 reads 10 March, day first: a register that writes the
    month first meant 3 October; "about 8" reads 8). It showed only the reading, and a
    blank for a value that could not be read. A value written as it is read shows as
    before, and so do the bundled records' (ISO dates, whole ages)."""
    shown = _review_written(
        tmp_path,
        synthetic_paths,
        girl_files[2],
        {
            "RT": {"date_of_birth": "10/03/2015"},
            "ST1": {"date_of_birth": "", "age": "about 8"},
            "ST2": {"source_date": "01/02/2024"},
            "ST3": {"date_of_birth": "15 Rajab 1436"},
        },
    )
    girl = shown[shown["request_id"] == "RT"].set_index("sighting_id")
    assert (girl["request date_of_birth"] == "10/03/2015 (read as 2015-03-10)").all()
    assert (girl["request source_date"] == "2023-05-01").all()  # as written
    assert girl.loc["ST1", "sighting age"] == "about 8 (read as 8)"
    assert girl.loc["ST1", "sighting date_of_birth"] == ""
    assert girl.loc["ST2", "sighting source_date"] == "01/02/2024 (read as 2024-02-01)"
    assert girl.loc["ST3", "sighting date_of_birth"] == "15 Rajab 1436 (not used)"
    others = shown[shown["request_id"] != "RT"]
    cells = others.filter(regex="^(request|sighting) (date_of_birth|age|source_date)$")
    marked = cells.stack()[cells.stack().str.contains(r"\((?:read as|not used)")]
    assert set(marked) == {"2023-11-03 (not used)"}


def test_dedupe_says_why_each_record_is_grouped_and_that_nothing_is_merged(
    tmp_path: Path,
) -> None:
    """An officer reading a cluster sees, beside each of its records, the record of the
    cluster it is most strongly linked to, that pair's probability and its explanation, so
    that a grouping is checked on its evidence, not taken on trust; and the run says that
    nothing is merged. A record alone has those cells blank. Before, the file held
    record_id and cluster_id only, and nothing said the clusters were proposals."""
    records = _adan_records(tmp_path / "records.csv")
    out = tmp_path / "clusters.csv"
    result = run("dedupe", records, "-o", out, "--threshold", "0.8")
    assert result.returncode == 0, result.stderr
    assert "nothing is merged" in result.stdout
    clusters = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("record_id")
    assert list(clusters.columns) == [
        "cluster_id",
        "linked_to",
        "match_probability",
        "explanation",
    ]
    grouped = clusters[clusters.groupby("cluster_id")["cluster_id"].transform("size") > 1]
    assert len(grouped) >= 2 and "A" in grouped.index
    for record, row in grouped.iterrows():
        assert row["linked_to"] != record
        assert clusters.loc[row["linked_to"], "cluster_id"] == row["cluster_id"]
        assert float(row["match_probability"]) >= 0.8
        assert "given name:" in row["explanation"] and "birth:" in row["explanation"]
    alone = clusters.drop(grouped.index)
    assert len(alone) and (alone[["linked_to", "match_probability", "explanation"]] == "").all(
        axis=None
    )


def test_the_review_file_shows_the_sex_as_written(
    tmp_path: Path, synthetic_paths: dict[str, Path], girl_files: tuple[Path, Path, Path]
) -> None:
    """The sex shows as the record writes it, with what it was read as where that
    differs, as the dates do: "F (read as female)", "x (read as other)" (a passport's
    unspecified), and "1 (not used)" for a value blanked as unknown, listed in the rejects
    file. It showed the reading alone, and a blank for that. One written as it reads but
    for its case ("Female") shows as read, and so do the bundled records' (male, female)."""
    shown = _review_written(
        tmp_path,
        synthetic_paths,
        girl_files[2],
        {"RT": {"sex": "F"}, "ST1": {"sex": "Female"}, "ST2": {"sex": "1"}, "ST3": {"sex": "x"}},
    )
    girl = shown[shown["request_id"] == "RT"].set_index("sighting_id")
    assert (girl["request sex"] == "F (read as female)").all()
    assert girl["sighting sex"].to_dict() == {
        "ST1": "female",
        "ST2": "1 (not used)",
        "ST3": "x (read as other)",
    }
    others = shown[shown["request_id"] != "RT"]
    assert set(others[["request sex", "sighting sex"]].stack()) <= {"male", "female", ""}
