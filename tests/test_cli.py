"""The command line, run as a user runs it (a subprocess)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest
from helpers import run


def test_link_end_to_end(tmp_path: Path, synthetic_paths: dict[str, Path]) -> None:
    out = tmp_path / "matches.csv"
    result = run(
        "link",
        synthetic_paths["requests"],
        synthetic_paths["sightings"],
        "-o",
        out,
        "--top-k",
        "3",
        "--save-model",
        tmp_path / "model.json",
    )
    assert result.returncode == 0, result.stderr
    assert "matches written" in result.stdout and "pairs compared" in result.stdout
    matches = pd.read_csv(out, dtype=str)
    truth = pd.read_csv(synthetic_paths["truth"], dtype=str)
    found = set(zip(matches.request_id, matches.sighting_id, strict=True))
    hits = sum((r, s) in found for r, s in zip(truth.request_id, truth.sighting_id, strict=True))
    assert hits / len(truth) >= 0.85
    again = run(
        "link",
        synthetic_paths["requests"],
        synthetic_paths["sightings"],
        "-o",
        tmp_path / "again.csv",
        "--top-k",
        "3",
        "--model",
        tmp_path / "model.json",
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.csv").read_bytes() == out.read_bytes()


def test_link_scores_the_pairs_of_a_file(tmp_path: Path, synthetic_paths: dict[str, Path]) -> None:
    # Two true pairs and one that is not, each once, whatever blocking proposes; an id
    # that names no record is a data error naming its row; records for pairs, a usage error.
    truth = pd.read_csv(synthetic_paths["truth"], dtype=str).head(2)
    other = pd.DataFrame({"request_id": [truth.request_id[0]], "sighting_id": ["SG000999"]})
    pairs = tmp_path / "pairs.csv"
    pd.concat([truth[["request_id", "sighting_id"]], other]).to_csv(pairs, index=False)
    files = [synthetic_paths["requests"], synthetic_paths["sightings"]]
    out = tmp_path / "scored.csv"
    args = ["--threshold", "0", "--top-k", "0"]
    result = run("link", *files, "-o", out, "--pairs", pairs, *args)
    assert result.returncode == 0, result.stderr
    assert "pairs compared    3" in result.stdout
    scored = pd.read_csv(out, dtype=str)
    assert sorted(zip(scored.request_id, scored.sighting_id, strict=True)) == sorted(
        [*zip(truth.request_id, truth.sighting_id, strict=True), (truth.request_id[0], "SG000999")]
    )
    other.assign(sighting_id="SG-none").to_csv(pairs, index=False)
    unknown = run("link", *files, "-o", tmp_path / "x.csv", "--pairs", pairs, *args)
    assert unknown.returncode == 3
    assert "row 1, column 'sighting_id': no such record in the sightings" in unknown.stderr
    wrong = run("link", *files, "-o", tmp_path / "y.csv", "--pairs", files[0])
    assert wrong.returncode == 2
    assert "link --pairs reads pairs (request_id, sighting_id)" in wrong.stderr


def test_a_saved_model_reads_the_files_as_its_configuration_maps_them(
    tmp_path: Path, synthetic_paths: dict[str, Path]
) -> None:
    # Files whose names are under a column of their own, mapped by the configuration the
    # model was fitted with: the model, reused without --config, reads them the same way
    # (before, the column went unmapped, rows without given and family names were read as
    # nameless, and other matches came out).
    files = []
    for name, rows in (("requests", 300), ("sightings", 600)):
        frame = pd.read_csv(synthetic_paths[name], dtype=str).head(rows)
        files.append(tmp_path / f"{name}.csv")
        frame.rename(columns={"full_name": "Nom complet"}).to_csv(files[-1], index=False)
    config = tmp_path / "mapping.toml"
    config.write_text('[mapping]\n"Nom complet" = "full_name"\n', encoding="utf-8")
    model = tmp_path / "model.json"
    fitted = run(
        "link", *files, "--config", config, "-o", tmp_path / "m1.csv", "--save-model", model
    )
    assert fitted.returncode == 0, fitted.stderr
    reused = run("link", *files, "--model", model, "-o", tmp_path / "m2.csv")
    assert reused.returncode == 0, reused.stderr
    assert "no name in any name column" not in reused.stderr
    assert (tmp_path / "m2.csv").read_bytes() == (tmp_path / "m1.csv").read_bytes()
    # A pair whose sighting has its name under that column only: explained alike.
    pair = ("RQ000009", "SG000065")
    explained = run("explain", *files, *pair, "--model", model)
    mapped = run("explain", *files, *pair, "--model", model, "--config", config)
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout == mapped.stdout


def test_a_mistyped_mapping_key_is_refused_where_a_file_lacks_its_field(tmp_path: Path) -> None:
    # The requests' header "Date de naissance" mapped as "Date de naisance": the sightings
    # have date_of_birth already, and the run went on without the requests' births, not a
    # word said. Where every file has the field, a mapping written for other files is no
    # mistake: the run goes on.
    requests, sightings = tmp_path / "requests.csv", tmp_path / "sightings.csv"
    requests.write_text("ID,Nom complet,Date de naissance\nR1,Ali Hassan,1990-01-01\n")
    sightings.write_text("record_id,full_name,date_of_birth\nS1,Ali Hasan,1990-01-01\n")
    config = tmp_path / "typo.toml"
    config.write_text(
        '[mapping]\n"ID" = "record_id"\n"Nom complet" = "full_name"\n'
        '"Date de naisance" = "date_of_birth"\n',
        encoding="utf-8",
    )
    result = run("link", requests, sightings, "--config", config, "-o", tmp_path / "m.csv")
    assert result.returncode == 2, result.stderr
    assert "'Date de naisance' found in no input file" in result.stderr
    assert not (tmp_path / "m.csv").exists()
    result = run("link", sightings, sightings, "--config", config, "-o", tmp_path / "m.csv")
    assert result.returncode == 0, result.stderr


def test_data_error_exit_code_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,camp\n1,x\n", encoding="utf-8")
    result = run("link", bad, bad, "-o", tmp_path / "m.csv")
    assert result.returncode == 3
    assert "record id" in result.stderr and "Traceback" not in result.stderr
    assert "hint: `rfl-match init-config FILE...`" in result.stderr  # a column to map


def test_config_error_exit_code(tmp_path: Path, synthetic_paths: dict[str, Path]) -> None:
    config = tmp_path / "c.toml"
    config.write_text("treshold = 0.3\n", encoding="utf-8")
    result = run(
        "link",
        synthetic_paths["requests"],
        synthetic_paths["sightings"],
        "-o",
        tmp_path / "m.csv",
        "--config",
        config,
    )
    assert result.returncode == 2
    assert "treshold" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("compare = 3\n", "compare: 3; use a list of comparisons"),
        (
            '[[compare]]\nfield = "camp"\nkind = "string"\nthresholds = ["a"]\n',
            "compare[0].thresholds: ['a']; use a list of similarities from 0 to 1",
        ),
    ],
)
def test_a_malformed_config_file_is_one_line_and_exit_2(
    tmp_path: Path, synthetic_paths: dict[str, Path], toml: str, message: str
) -> None:
    """A value of another shape in the file was a Python traceback (a TypeError, a
    ValueError) and exit 1."""
    config = tmp_path / "c.toml"
    config.write_text(toml, encoding="utf-8")
    inputs = (synthetic_paths["requests"], synthetic_paths["sightings"])
    result = run("link", *inputs, "-o", tmp_path / "m.csv", "--config", config)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"rfl-match: configuration error: {message}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "m.csv").exists()


def test_usage_error_exit_code() -> None:
    assert run("link").returncode == 2


def test_config_file_encodings(tmp_path: Path, synthetic_paths: dict[str, Path]) -> None:
    def link(config: Path) -> subprocess.CompletedProcess[str]:
        inputs = (synthetic_paths["requests"], synthetic_paths["sightings"])
        return run("link", *inputs, "-o", tmp_path / "m.csv", "--config", config, "--quiet")

    text = 'u_sample_pairs = 20000\n[mapping]\n"Prénom" = "given_name"\n'
    bom = tmp_path / "bom.toml"  # what Notepad writes as "UTF-8 with BOM"
    bom.write_bytes(b"\xef\xbb\xbf" + "u_sample_pairs = 20000  # Prénom\n".encode())
    result = link(bom)
    assert result.returncode == 0, result.stderr
    for name, raw in (
        ("cp1252.toml", text.encode("cp1252")),
        ("utf16.toml", text.encode("utf-16")),
    ):
        (tmp_path / name).write_bytes(raw)
        result = link(tmp_path / name)
        assert result.returncode == 2, result.stderr
        assert "save it as UTF-8" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "folder.toml").mkdir()
    result = link(tmp_path / "folder.toml")
    assert result.returncode == 2 and "is a folder" in result.stderr, result.stderr


def test_a_run_whose_blocking_finds_no_pair_writes_that_nothing_resembles_anything(
    tmp_path: Path, synthetic_paths: dict[str, Path]
) -> None:
    """No record resembling another is a result, not a fault of the data: link writes a
    matches file with no pair (over one an earlier run left) and its review, dedupe each
    record as its own cluster, both exit 0; a model asked for cannot be saved (exit 3)."""
    requests = tmp_path / "requests.csv"
    requests.write_text(
        "record_id,full_name,date_of_birth\nR1,Zorbulon Quixwhistle,1901\n"
        "R2,Wembley Fardoodle,1902\n",
        encoding="utf-8",
    )
    out, review = tmp_path / "m.csv", tmp_path / "review.xlsx"
    out.write_text("stale\n", encoding="utf-8")
    result = run("link", requests, synthetic_paths["sightings"], "-o", out, "--review", review)
    assert result.returncode == 0, result.stderr
    assert "no candidate pairs" in result.stderr and "nothing to propose" in result.stderr
    assert "never varies" not in result.stderr and "Warning" not in result.stderr
    matches = pd.read_csv(out, dtype=str)
    assert matches.empty and list(matches.columns[:3]) == [
        "request_id",
        "sighting_id",
        "match_probability",
    ]
    # the columns every matches file has: a level and a weight a comparison
    assert {"given_name_level", "birth_weight"} <= set(matches.columns)
    assert "combination_weight" not in matches.columns
    # and with two kinds of non-match, the combination's weight, as predict writes it
    config = tmp_path / "classes.toml"
    config.write_text("non_match_classes = 2\n", encoding="utf-8")
    result = run("link", requests, synthetic_paths["sightings"], "-o", out, "--config", config)
    assert result.returncode == 0, result.stderr
    assert "combination_weight" in pd.read_csv(out, dtype=str).columns
    assert pd.read_excel(review, dtype=str)["request_id"].tolist() == ["R1", "R2"]
    five = tmp_path / "five.csv"
    five.write_text(
        "".join(synthetic_paths["sightings"].read_text(encoding="utf-8").splitlines(True)[:6]),
        encoding="utf-8",
    )
    clusters = tmp_path / "clusters.csv"
    result = run("dedupe", five, "-o", clusters)
    assert result.returncode == 0, result.stderr
    written = pd.read_csv(clusters, dtype=str)
    assert len(written) == 5 and written["cluster_id"].is_unique
    model = tmp_path / "model.json"
    result = run("link", requests, synthetic_paths["sightings"], "-o", out, "--save-model", model)
    assert result.returncode == 3 and "no model to save" in result.stderr
    assert not model.exists() and pd.read_csv(out).empty


def test_explain_with_the_matches_file_prints_predict_s_probability(
    tmp_path: Path, synthetic_paths: dict[str, Path]
) -> None:
    """``explain --matches`` reads the pair's competition term from the file link wrote,
    and prints the probability the file gives; without it, the total says it is the
    pair's own evidence and names the term left out (it printed 0.994 for a pair link
    scored 0.0007)."""
    from rfl_match.linker import COMPETITION_COLUMN
    from rfl_match.scoring import probability_text

    files = (synthetic_paths["requests"], synthetic_paths["sightings"])
    out, model = tmp_path / "matches.csv", tmp_path / "model.json"
    linked = run("link", *files, "-o", out, "--threshold", "0", "--top-k", "0",
                 "--save-model", model, "--quiet")  # fmt: skip
    assert linked.returncode == 0, linked.stderr
    matches = pd.read_csv(out)
    pair = matches.sort_values(COMPETITION_COLUMN).iloc[0]
    assert pair[COMPETITION_COLUMN] < -5
    ids = (pair.request_id, pair.sighting_id)
    shown = run("explain", *files, *ids, "--model", model, "--matches", out)
    assert shown.returncode == 0, shown.stderr
    total = shown.stdout.strip().splitlines()[-1]
    assert total.endswith("match probability " + probability_text(pair.match_probability))
    assert f"{pair.match_weight:+6.1f}" in total
    assert "one has a likelier candidate" in shown.stdout
    alone = run("explain", *files, *ids, "--model", model)
    assert alone.returncode == 0, alone.stderr
    assert "own evidence only" in alone.stdout and COMPETITION_COLUMN in alone.stdout
    # A matches file this model did not write from these records: refused, not mixed in.
    matches.assign(match_weight=matches["match_weight"] + 2).to_csv(tmp_path / "other.csv")
    other = run("explain", *files, *ids, "--model", model, "--matches", tmp_path / "other.csv")
    assert other.returncode == 2 and "match weight" in other.stderr


def test_the_command_leaves_without_the_interpreter_s_teardown(tmp_path: Path) -> None:
    """``rfl-match`` (``cli.entry``) flushes its output and leaves with its exit code
    before the interpreter's teardown, where a native library's thread pool torn down
    could abort a finished run (exit -6: apache/arrow#34314, seen once in CI on a
    ``dedupe``): a handler the teardown would run never runs, and the summary, held in a
    pipe's buffer until then, is all there."""
    import sys

    names = tmp_path / "names.csv"
    names.write_text("name\nAmina Yusuf\nMohammed Ali\n", encoding="utf-8")
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('teardown ran', file=sys.stderr))\n"
        "from rfl_match import cli\n"
        f"sys.argv = ['rfl-match', 'normalize', {str(names)!r}, '-o', "
        f"{str(tmp_path / 'out.csv')!r}]\n"
        "cli.entry()\n"
        "print('after entry', file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "names normalized  2 (2 distinct)" in result.stdout
    assert "teardown ran" not in result.stderr and "after entry" not in result.stderr
    assert len(pd.read_csv(tmp_path / "out.csv")) == 2
    bad = subprocess.run(
        [sys.executable, "-m", "rfl_match.cli", "normalize", str(tmp_path / "none.csv")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert bad.returncode != 0 and "rfl-match:" in bad.stderr
