"""The command line on real-looking exports, run as a user runs it (a subprocess): every
format in and out, every kind of bad input, and every subcommand."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import excel_serial, run

import rfl_match as rm
from rfl_match.io import read_table, write_table
from rfl_match.io.pfif import read_pfif, read_pfif_notes

ROOT = Path(__file__).resolve().parent.parent
FAST = "u_sample_pairs = 20000\n"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small seeded data set: the synthetic generator's, as CSV, plus a fast config."""
    folder = tmp_path_factory.mktemp("tiny")
    from rfl_match.synth import SynthConfig, generate, write

    write(generate(SynthConfig(n_requests=40, n_sightings=120, seed=11)), folder)
    config = folder / "fast.toml"
    config.write_text(FAST, encoding="utf-8")
    return {
        "requests": folder / "requests.csv",
        "sightings": folder / "sightings.csv",
        "truth": folder / "truth.csv",
        "config": config,
    }


def summary(stdout: str, key: str) -> str:
    line = next(line for line in stdout.splitlines() if line.startswith(key))
    return line[len(key) :].strip()


def test_link_every_format_in_and_out(tmp_path: Path, data: dict[str, Path]) -> None:
    requests = rm.read_records(data["requests"])
    xlsx, parquet = tmp_path / "requests.xlsx", tmp_path / "sightings.parquet"
    write_table(requests, xlsx)
    write_table(rm.read_records(data["sightings"]), parquet)
    out = tmp_path / "matches.xlsx"
    result = run(
        "link", xlsx, parquet, "-o", out, "--config", data["config"],
        "--review", tmp_path / "review.xlsx", "--save-model", tmp_path / "model.json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for key in ("records read", "rows with problems", "pairs compared", "matches written"):
        assert key in result.stdout
    assert "40 requests, 120 sightings" in result.stdout
    assert "reading requests" in result.stderr and "scoring" in result.stderr  # progress
    matches = read_table(out).frame
    assert len(matches) > 20 and {"request_id", "sighting_id", "explanation"} <= set(matches)

    # The same model on the CSV inputs gives the same pairs, in CSV, Parquet and PFIF.
    for suffix in (".csv", ".parquet", ".xml"):
        again = tmp_path / f"again{suffix}"
        result = run(
            "link", data["requests"], data["sightings"], "-o", again,
            "--model", tmp_path / "model.json", "--quiet",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""  # --quiet
        if suffix == ".xml":
            notes = read_pfif_notes(again)
            pairs = set(zip(notes.person_record_id, notes.linked_person_record_id, strict=True))
        else:
            frame = read_table(again).frame
            pairs = set(zip(frame.request_id, frame.sighting_id, strict=True))
        assert set(zip(matches.request_id, matches.sighting_id, strict=True)) <= pairs

    review = pd.read_excel(tmp_path / "review.xlsx", dtype=str, keep_default_na=False)
    columns = list(review.columns)
    assert columns[:6] == [
        "request_id", "rank", "sighting_id", "match_probability", "decision", "comment",
    ]  # fmt: skip
    assert columns.index("sighting full_name") == columns.index("request full_name") + 1
    assert (review["decision"] == "").all()
    assert set(requests["record_id"]) == set(review["request_id"])  # every request listed
    first = review[review["rank"] == "1"].iloc[0]
    assert first["explanation"] and first["sighting full_name"]


BAD_FATAL = [
    (b"record_id,full_name\nr1,Ali \x81\x8d\n", "unknown encoding"),
    (b"id_number,camp\n1,Zaatari\n", "record id"),
    (b"", "empty"),
    (b"PK\x03\x04\x00\x00\x08\x00" * 100, "binary"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FATAL)
def test_unusable_input_exit_3(
    tmp_path: Path, data: dict[str, Path], content: bytes, message: str
) -> None:
    bad = tmp_path / "requests.csv"
    bad.write_bytes(content)
    out = tmp_path / "m.csv"
    result = run("link", bad, data["sightings"], "-o", out)
    assert result.returncode == 3, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    if message == "record id":
        assert "init-config" in result.stderr  # the way out is named


def bad_requests(data: dict[str, Path]) -> tuple[str, int]:
    """The good requests plus one of each recoverable problem; (CSV text, good rows)."""
    good = data["requests"].read_text(encoding="utf-8").rstrip("\n").split("\n")
    header, rows = good[0], good[1:]
    width = header.count(",")
    first_id = rows[0].split(",", 1)[0]
    extra = [
        "dup1,Ali Hassan" + "," * (width - 1),
        "dup1,Omar Said" + "," * (width - 1),
        "ragged,Aya" + "," * (width + 3),
        "huge," + "x" * 1_000_000 + "," * (width - 1),
        'formula,"=HYPERLINK(""http://evil.invalid"",""Ali"")"' + "," * (width - 1),
        rows[0].replace(first_id, "at", 1).replace(",", ",@SUM(1+1)", 1),
    ]
    return "\n".join([header, *rows, *extra]) + "\n", len(rows) + 3


def test_recoverable_problems_reported_at_once_nothing_lost(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    text, good_rows = bad_requests(data)
    bad = tmp_path / "requests.csv"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "m.csv"
    review = tmp_path / "review.csv"
    result = run(
        "link", bad, data["sightings"], "-o", out, "--config", data["config"],
        "--review", review, "--top-k", "0", "--threshold", "0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{good_rows} requests" in summary(result.stdout, "records read")
    assert summary(result.stdout, "rows rejected").startswith("3 ")
    n = len(text.splitlines()) - 1
    stderr = result.stderr
    assert f"row {n - 4}" in stderr and f"row {n - 5}" in stderr and "dup1" in stderr
    assert f"row {n - 3}" in stderr and "fields" in stderr
    assert "formula" in stderr
    assert "1,000,000 characters: too long for a full_name; blanked" in stderr
    rejects = pd.read_csv(tmp_path / "m.rejects.csv", dtype=str, keep_default_na=False)
    rejected = rejects[rejects.action == "rejected"]
    assert sorted(rejected["row"].astype(int)) == [n - 5, n - 4, n - 3]
    assert set(rejected["field record_id"]) == {"dup1", "ragged"}
    assert rejected["reason"].str.contains("different details").sum() == 2
    # Formula cells are neutralised in every spreadsheet-bound output.
    for path in (review, tmp_path / "m.rejects.csv", out):
        for cell in pd.read_csv(path, dtype=str, keep_default_na=False).to_numpy().ravel():
            assert not cell.startswith(("=", "+", "@")), (path, cell)
    shown = pd.read_csv(review, dtype=str, keep_default_na=False)
    assert "'=HYPERLINK(" in "".join(shown["request full_name"])
    assert {"huge", "formula", "at"} <= set(shown["request_id"])

    strict = run("link", bad, data["sightings"], "-o", tmp_path / "s.csv", "--strict")
    assert strict.returncode == 3 and "--strict" in strict.stderr
    assert not (tmp_path / "s.csv").exists() and (tmp_path / "s.rejects.csv").exists()
    # nothing was linked: a noted row was read, not kept (it read "kept")
    stopped = pd.read_csv(tmp_path / "s.rejects.csv", dtype=str, keep_default_na=False)
    assert set(stopped["action"]) == {"rejected", "read (run stopped)"}
    assert (stopped["action"] == "rejected").sum() == (rejects["action"] == "rejected").sum()


def test_usage_errors_exit_2(tmp_path: Path, data: dict[str, Path]) -> None:
    result = run("link", data["requests"], data["sightings"], "-o", tmp_path / "m.docx")
    assert result.returncode == 2 and "cannot write '.docx'" in result.stderr
    mapping = tmp_path / "c.toml"
    mapping.write_text(
        '[mapping]\n"Nom complet" = "camp"\n\n[[compare]]\nfield = "camp"\nkind = "exact"\n',
        encoding="utf-8",
    )
    result = run(
        "link", data["requests"], data["sightings"], "-o", tmp_path / "m.csv", "--config", mapping
    )
    assert result.returncode == 2 and "Nom complet" in result.stderr


def test_a_mapping_target_the_configuration_uses_is_not_warned_of(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """A target that nearly spells a canonical field, but that the configuration compares,
    is the user's choice: LinkConfig accepts it, and reading each file says nothing of it."""
    config = tmp_path / "c.toml"
    config.write_text(
        FAST + '[mapping]\nfather_name = "fathers_name"\n\n'
        '[[compare]]\nfield = "fathers_name"\nkind = "name"\n',
        encoding="utf-8",
    )
    out = tmp_path / "m.csv"
    result = run("link", data["requests"], data["sightings"], "-o", out, "--config", config)
    assert result.returncode == 0, result.stderr
    assert "did you mean" not in result.stderr
    assert "fathers_name_level" in read_table(out).frame.columns


def test_init_config_then_link_french_and_arabic_exports(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    requests = rm.read_records(data["requests"])
    sightings = rm.read_records(data["sightings"])
    french = requests.rename(
        columns={
            "record_id": "N° de dossier",
            "given_name": "Prénom",
            "family_name": "Nom",
            "date_of_birth": "Date de naissance",
            "sex": "Sexe",
            "father_name": "Nom du père",
        }
    )[["N° de dossier", "Prénom", "Nom", "Date de naissance", "Sexe", "Nom du père"]]
    french["Camp"] = "Zaatari"
    arabic = sightings.rename(
        columns={
            "record_id": "رقم",
            "given_name": "الاسم",
            "family_name": "الكنية",
            "date_of_birth": "تاريخ الميلاد",
            "sex": "الجنس",
            "father_name": "اسم الأب",
        }
    )[["رقم", "الاسم", "الكنية", "تاريخ الميلاد", "الجنس", "اسم الأب"]]
    fr_path, ar_path = tmp_path / "demandes.xlsx", tmp_path / "sightings.csv"
    write_table(french, fr_path)
    write_table(arabic, ar_path)
    config = tmp_path / "match.toml"
    result = run("init-config", fr_path, ar_path, "-o", config)
    assert result.returncode == 0, result.stderr
    assert "not mapped  'Camp'" in result.stdout
    written = rm.LinkConfig.from_toml(config)
    assert written.mapping["Prénom"] == "given_name" and written.mapping["الكنية"] == "family_name"
    # the calendars' line, commented out, reads as the option once its # is taken off
    text = config.read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.startswith("# calendars = "))
    uncommented = text.replace(line, line[2:].split("  #")[0])
    assert rm.LinkConfig.from_toml(uncommented).calendars == {"date_of_birth": "ethiopian"}
    # and so does its line for one input's
    line = next(row for row in text.splitlines() if row.startswith("# (one input only: "))
    uncommented = text.replace(line, line.removeprefix("# (one input only: ").removesuffix(")"))
    assert rm.LinkConfig.from_toml(uncommented).calendars == {
        "requests": {"date_of_birth": "ethiopian"}
    }
    assert run("init-config", fr_path, "-o", config).returncode == 2  # no silent overwrite
    config.write_text(FAST + config.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("link", fr_path, ar_path, "-o", tmp_path / "m.csv", "--config", config)
    assert result.returncode == 0, result.stderr
    assert int(summary(result.stdout, "matches written").split()[0].replace(",", "")) > 10


def test_init_config_writes_headers_holding_control_characters_so_they_read_back(
    tmp_path: Path,
) -> None:
    """A header holding DEL ("Sexe\x7f", mapped) or DEL and another control character (not
    mapped, listed in a comment) was written as it is, which TOML refuses: init-config
    stopped on its own file with "not valid TOML" and wrote nothing."""
    export = tmp_path / "export.csv"
    export.write_bytes(b"record_id,full_name,Sexe\x7f,Camp\x7f\x01\n1,Ali Hassan,M,Zaatari\n")
    config = tmp_path / "match.toml"
    result = run("init-config", export, "-o", config)
    assert result.returncode == 0, result.stderr
    assert rm.LinkConfig.from_toml(config).mapping["Sexe\x7f"] == "sex"
    assert '#   "Camp\\u007f\\u0001": not recognised' in config.read_text(encoding="utf-8")
    records = rm.read_records(export, rm.LinkConfig.from_toml(config).mapping)
    assert records["sex"].tolist() == ["male"]


def test_init_config_shows_no_cell_of_a_file_without_a_header_row(tmp_path: Path) -> None:
    """A file exported without its header row: init-config printed its first record as
    headers not recognised ("not mapped  '1937-11-23': not recognised", the names, a
    note) and wrote them as comments into the configuration, a file kept and shared.
    It says the row is no header and shows none of its cells; a header row with one
    cell of data in it (a date) has that cell named by its place alone."""
    headerless = tmp_path / "headerless.csv"
    headerless.write_text(
        "RQX1,Zqxgiva Zqxfama,Zqxgiva,female,1937-11-23,Zqxpoba,ZQXNOTE private remark\n"
        "RQX2,Zqxgivb Zqxfamb,Zqxgivb,male,1950-01-01,Zqxpobb,\n",
        encoding="utf-8",
    )
    config = tmp_path / "match.toml"
    result = run("init-config", headerless, "-o", config)
    assert result.returncode == 0, result.stderr
    written = config.read_text(encoding="utf-8")
    for said in (result.stdout, result.stderr, written):
        assert "zqx" not in said.lower() and "1937" not in said and "RQX" not in said
    assert f"warning: the first row of {headerless} names no column" in result.stdout
    assert rm.LinkConfig.from_toml(config).mapping == {}
    export = tmp_path / "export.csv"
    export.write_text("record_id,,full_name,12/03/1990,Camp\nR1,,Ali Hassan,x,Zaatari\n")
    result = run("init-config", export, "-o", config, "--force")
    assert result.returncode == 0, result.stderr
    assert "not mapped  'Camp': not recognised" in result.stdout
    assert f"column 4 of {export} is not mapped: its header looks like data" in result.stdout
    assert "1990" not in result.stdout + config.read_text(encoding="utf-8")
    # A survey's header of question codes is a header: its columns rfl_match knows are
    # mapped (the row was read as data for half its cells holding 3 digits)
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "record_id,Nom complet,Date de naissance,Q101_consent,Q102,Q103\nR1,Ali,,,,\n"
    )
    result = run("init-config", survey, "-o", config, "--force")
    assert result.returncode == 0, result.stderr
    assert "first row" not in result.stdout
    assert {"full_name", "date_of_birth"} <= set(rm.LinkConfig.from_toml(config).mapping.values())


def test_dedupe_keeps_apart_records_named_only_by_placeholders(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """A morgue's or a hospital's unidentified people, alike in sex, birth year and place
    ("Unknown"), are not one person because each is written "Unknown" or "N/A"."""
    sightings = rm.read_records(data["sightings"])
    unnamed = pd.DataFrame(
        {
            "record_id": [f"unnamed-{k}" for k in range(4)],
            "full_name": ["Unknown", "UNKNOWN", "Unidentified male", "N/A"],
            "father_name": ["unknown", "Unknown", "N/A", "Not known"],
            "sex": "male",
            "date_of_birth": "1990",
            "place_of_birth": "Unknown",
        }
    )
    records = tmp_path / "records.csv"
    write_table(pd.concat([sightings, unnamed], ignore_index=True), records)
    clusters_path = tmp_path / "clusters.csv"
    result = run("dedupe", records, "-o", clusters_path, "--config", data["config"])
    assert result.returncode == 0, result.stderr
    by_id = pd.read_csv(clusters_path, dtype=str).set_index("record_id")["cluster_id"]
    assert by_id[unnamed["record_id"]].nunique() == 4


def test_dedupe_evaluate_explain(tmp_path: Path, data: dict[str, Path]) -> None:
    sightings = rm.read_records(data["sightings"])
    doubled = pd.concat(
        [sightings, sightings.head(10).assign(record_id=lambda f: "copy-" + f["record_id"])]
    )
    records = tmp_path / "records.parquet"
    write_table(doubled, records)
    clusters_path = tmp_path / "clusters.csv"
    result = run("dedupe", records, "-o", clusters_path, "--config", data["config"])
    assert result.returncode == 0, result.stderr
    clusters = pd.read_csv(clusters_path, dtype=str)
    assert list(clusters.columns)[:2] == ["record_id", "cluster_id"] and len(clusters) == 130
    by_id = clusters.set_index("record_id")["cluster_id"]
    together = sum(by_id[r] == by_id["copy-" + r] for r in sightings.head(10)["record_id"])
    assert together >= 8

    matches = tmp_path / "m.csv"
    model = tmp_path / "model.json"
    args = ["--config", data["config"], "--save-model", model, "--quiet"]
    result = run("link", data["requests"], data["sightings"], "-o", matches, *args)
    assert result.returncode == 0, result.stderr
    table = run("evaluate", matches, data["truth"])
    assert table.returncode == 0, table.stderr
    for key in ("precision", "recall", "F1", "recall@1", "recall@5"):
        assert key in table.stdout
    scores = json.loads(run("evaluate", matches, data["truth"], "--json").stdout)
    assert scores["recall_at_5"] >= 0.7

    pair = pd.read_csv(matches, dtype=str).iloc[0]
    explained = run(
        "explain", data["requests"], data["sightings"], pair.request_id, pair.sighting_id,
        "--model", model,
    )  # fmt: skip
    assert explained.returncode == 0, explained.stderr
    assert f"{pair.request_id} ~ {pair.sighting_id}" in explained.stdout
    assert "match probability" in explained.stdout
    missing = run("explain", data["requests"], data["sightings"], "nobody", pair.sighting_id,
                  "--model", model)  # fmt: skip
    assert missing.returncode == 3 and "no such record in the requests" in missing.stderr
    assert "init-config" not in missing.stderr  # the columns were read: no mapping to guess


def test_normalize_blanks_and_reports_a_name_of_pasted_text(tmp_path: Path) -> None:
    """A cell longer than any name is blanked and reported with its row, as validation
    does, where reading it whole would take minutes (80,000 characters: 49 s)."""
    names = tmp_path / "names.csv"
    names.write_text(
        "record_id,full_name\nr1,Amina Hassan\nr2," + "c" * 80_000 + "\nr3,Omar Ali\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = run("normalize", names, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "row 2, column 'full_name': 80,000 characters: too long" in result.stderr
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert written["name"].tolist() == ["Amina Hassan", "", "Omar Ali"]
    assert written["tokens"].tolist() == ["amina hassan", "", "omar ali"]


def test_normalize_to_pfif_keeps_every_column(tmp_path: Path) -> None:
    # Persons written as PFIF keep the columns PFIF has no field for: normalize's output
    # as .xml held the record ids and nothing else (name, script, tokens ... dropped).
    names = tmp_path / "names.csv"
    names.write_text(
        "record_id,full_name\nr1,Олександр Марченко\nr2,محمد عبد الله\n", encoding="utf-8"
    )
    result = run("normalize", names, "-o", tmp_path / "forms.csv")
    assert result.returncode == 0, result.stderr
    result = run("normalize", names, "-o", tmp_path / "forms.xml")
    assert result.returncode == 0, result.stderr
    expected = read_table(tmp_path / "forms.csv").frame
    back = read_pfif(tmp_path / "forms.xml").frame
    pd.testing.assert_frame_equal(back[list(expected.columns)], expected)


def test_normalize_and_synth(tmp_path: Path) -> None:
    result = run("normalize", "-", stdin="محمد عبد الله\nMohammed Abdallah\n=cmd|calc\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "name,script,tokens,variant_ids,phonetic_keys,skeleton_keys,roles"
    assert lines[1].startswith("محمد عبد الله,Arabic,muhammad abdallah,")
    assert lines[3].startswith("'=cmd|calc")  # neutralised on the way out

    names = tmp_path / "names.csv"
    names.write_text("record_id,Nom complet\nr1,Олександр Марченко\n", encoding="utf-8")
    out = tmp_path / "forms.parquet"
    result = run("normalize", names, "--column", "Nom complet", "-o", out)
    assert result.returncode == 0, result.stderr
    forms = pd.read_parquet(out)
    assert forms.loc[0, "record_id"] == "r1" and forms.loc[0, "script"] == "Cyrillic"
    assert run("normalize", names).returncode == 3  # which column? says so

    result = run("synth", tmp_path / "s", "--requests", "5", "--sightings", "9", "--seed", "1")
    assert result.returncode == 0, result.stderr
    for name in ("requests", "sightings", "truth"):
        assert (tmp_path / "s" / f"{name}.csv").exists()


def test_outputs_never_overwrite_inputs_or_each_other(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    requests = tmp_path / "requests.csv"
    requests.write_bytes(data["requests"].read_bytes())
    (tmp_path / "alias.csv").symlink_to(requests)
    before = requests.read_bytes()
    out = tmp_path / "m.csv"
    for args in (
        ["-o", requests],
        ["-o", tmp_path / "alias.csv"],  # another name for the requests
        ["-o", tmp_path / "sub" / ".." / "requests.csv"],
        ["-o", out, "--rejects", requests],
        ["-o", out, "--rejects", out],
        ["-o", out, "--review", out],
        ["-o", out, "--review", tmp_path / "m.rejects.csv"],  # the rejects file's default
        ["-o", out, "--save-model", data["config"]],
    ):
        (tmp_path / "sub").mkdir(exist_ok=True)
        result = run("link", requests, data["sightings"], *args, "--config", data["config"])
        assert result.returncode == 2, (args, result.stderr)
        assert "would overwrite" in result.stderr or "same file" in result.stderr, args
        assert "reading" not in result.stderr  # refused before any work
    assert requests.read_bytes() == before and not out.exists()
    assert run("dedupe", requests, "-o", requests).returncode == 2
    assert run("dedupe", requests, "-o", out, "--rejects", requests).returncode == 2
    assert run("normalize", requests, "-o", requests).returncode == 2
    assert run("init-config", requests, "-o", requests, "--force").returncode == 2
    assert requests.read_bytes() == before


def test_output_folders_checked_before_fitting(tmp_path: Path, data: dict[str, Path]) -> None:
    inputs = (data["requests"], data["sightings"], "--config", data["config"])
    out = tmp_path / "m.csv"
    for args, message in (
        (["-o", out, "--save-model", tmp_path / "no" / "model.json"], "does not exist"),
        (["-o", tmp_path], "is a folder"),
        (["-o", out, "--rejects", tmp_path / "rejects.xml"], "a rejects file is"),
    ):
        result = run("link", *inputs, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "fitting" not in result.stderr, args
    assert not out.exists()


def test_pfif_output_refuses_ids_shared_by_the_two_inputs(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """Both files number their rows 1, 2, ...: PFIF notes could not say which person "1"
    is, so link stops before fitting, says what to do, and writes nothing."""
    paths = []
    for name in ("requests", "sightings"):
        frame = pd.read_csv(data[name], dtype=str, keep_default_na=False)
        frame["record_id"] = [str(i) for i in range(1, len(frame) + 1)]
        paths.append(tmp_path / f"{name}.csv")
        frame.to_csv(paths[-1], index=False)
    out = tmp_path / "matches.xml"
    result = run("link", *paths, "-o", out, "--config", data["config"])
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("rfl-match:")]
    assert errors == [
        f"rfl-match: usage error: {out}: 40 record id(s) are both a request's and a "
        "sighting's ('1', '2', ...), and PFIF needs each person's id unique in the document; "
        "write the matches as .csv, .xlsx or .parquet instead, or make the ids unique "
        "(prefix them, e.g. R1 and S1; nothing was written)"
    ]
    assert "reading requests" in result.stderr and "fitting" not in result.stderr
    assert "Traceback" not in result.stderr
    assert set(tmp_path.iterdir()) == set(paths)  # no matches, no rejects file


def test_pfif_output_refuses_ids_holding_a_control_character(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """An id holding a vertical tab ('R\x0b1', an in-cell line break of a spreadsheet) was
    written without it, as an id naming no record: link stops before fitting, naming it."""
    frame = pd.read_csv(data["requests"], dtype=str, keep_default_na=False)
    frame.loc[0, "record_id"] = "R\x0b1"
    requests = tmp_path / "requests.csv"
    frame.to_csv(requests, index=False)
    out = tmp_path / "matches.xml"
    result = run("link", requests, data["sightings"], "-o", out, "--config", data["config"])
    assert result.returncode == 2, result.stderr
    assert (
        f"rfl-match: usage error: {out}: 1 record id(s) hold a control character ('R\\x0b1')"
        in result.stderr
    )
    assert "fitting" not in result.stderr and "Traceback" not in result.stderr
    assert set(tmp_path.iterdir()) == {requests}  # no matches, no rejects file


def test_rejects_file_always_describes_the_last_run(tmp_path: Path, data: dict[str, Path]) -> None:
    ragged = tmp_path / "ragged.csv"
    text = data["requests"].read_text(encoding="utf-8")
    width = text.split("\n")[0].count(",")
    ragged.write_text(text + "extra,Aya" + "," * (width + 3) + "\n", encoding="utf-8")
    out, chosen = tmp_path / "m.csv", tmp_path / "chosen.csv"
    columns = ["source", "row", "column", "action", "reason", "value"]
    for rejects in ([], ["--rejects", chosen]):
        written = chosen if rejects else tmp_path / "m.rejects.csv"
        for requests, rows in ((ragged, 1), (data["requests"], 0)):
            result = run(
                "link", requests, data["sightings"], "-o", out, "--config", data["config"],
                *rejects,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
            listed = pd.read_csv(written, dtype=str, keep_default_na=False)
            assert (listed["action"] == "rejected").sum() == rows  # not the earlier run's
            assert list(listed.columns[:6]) == columns
            assert summary(result.stdout, "rows rejected") == f"{rows} -> {written}"


def test_a_cell_cut_to_fit_an_xlsx_rejects_file_is_a_warning_of_the_run(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """A rejected row's cell of 40,000 characters, cut to Excel's limit in a .xlsx rejects
    file, was said by a raw Python UserWarning (a source line of the command after it),
    with --quiet too, and did not say that the end of the text was lost."""
    text = data["requests"].read_text(encoding="utf-8")
    width = text.split("\n")[0].count(",")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(text + "extra,Aya" + "," * (width + 3) + "x" * 40_000 + "\n")
    rejects = tmp_path / "rejects.xlsx"
    inputs = ("link", ragged, data["sightings"], "-o", tmp_path / "m.csv", "--rejects", rejects)
    result = run(*inputs, "--config", data["config"], "--strict")
    assert result.returncode == 3, result.stderr
    assert (
        f"warning: {rejects}: 1 cell(s) longer than Excel holds (32,767 characters), each cut "
        "there and ended '...[shortened]': the rest of the text is not in the workbook "
        "(write .csv or .parquet to keep it)\n"
    ) in result.stderr
    assert "UserWarning" not in result.stderr and "sys.exit" not in result.stderr
    quiet = run(*inputs, "--config", data["config"], "--strict", "--quiet")
    assert quiet.returncode == 3
    assert "warning" not in quiet.stderr and "UserWarning" not in quiet.stderr


def test_rejects_file_describes_a_run_its_records_stopped_too(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """A run whose records stop it (no record id column: exit 3) rewrites the rejects file
    an earlier run left, with what stopped it; and a note on a row that is left out says
    so, not that the row was kept."""
    text = data["requests"].read_text(encoding="utf-8")
    lines = text.splitlines()
    quoted = tmp_path / "quoted.csv"  # a quote left open swallows the rows after it
    quoted.write_text("\n".join([*lines[:4], lines[4].replace(",", ',"', 1), *lines[5:8]]) + "\n")
    out = tmp_path / "m.csv"
    first = run("link", quoted, data["sightings"], "-o", out, "--config", data["config"])
    assert first.returncode == 0, first.stderr
    rejects = tmp_path / "m.rejects.csv"
    listed = pd.read_csv(rejects, dtype=str, keep_default_na=False)
    assert set(listed["action"]) == {"rejected"}, listed
    no_id = tmp_path / "no_id.csv"
    no_id.write_text(text.replace("record_id", "case_no", 1), encoding="utf-8")
    stopped = run("link", no_id, data["sightings"], "-o", out, "--config", data["config"])
    assert stopped.returncode == 3, stopped.stderr
    listed = pd.read_csv(rejects, dtype=str, keep_default_na=False)
    assert listed[["source", "column", "action"]].values.tolist() == [
        ["requests", "record_id", "noted"]
    ]


def test_a_line_of_delimiters_does_not_stop_a_strict_run(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """A line of delimiters alone (",,,,": a row cleared in a spreadsheet, then saved)
    holds no record: it was rejected for its blank record id, and --strict stopped the
    run with exit code 3 on it."""
    lines = data["requests"].read_text(encoding="utf-8").splitlines()
    requests = tmp_path / "requests.csv"
    blank = "," * lines[0].count(",")
    requests.write_text("\n".join([*lines[:20], blank, *lines[20:]]) + "\n", encoding="utf-8")
    out = tmp_path / "m.csv"
    result = run("link", requests, data["sightings"], "-o", out, "--config", data["config"],
                 "--strict")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "40 requests" in summary(result.stdout, "records read")
    assert summary(result.stdout, "rows rejected").startswith("0 ")
    assert pd.read_csv(tmp_path / "m.rejects.csv").empty


def test_carriage_return_line_endings_read(tmp_path: Path, data: dict[str, Path]) -> None:
    """Lines ended by a carriage return alone (``tr '\\n' '\\r'``, old Mac exports)."""
    requests = tmp_path / "requests.csv"
    requests.write_bytes(data["requests"].read_bytes().replace(b"\n", b"\r"))
    result = run("link", requests, data["sightings"], "-o", tmp_path / "m.csv",
                 "--config", data["config"])  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "40 requests" in summary(result.stdout, "records read")
    ragged = tmp_path / "ragged.csv"  # read row by row: each rejected row still reported
    ragged.write_bytes(b"record_id,full_name\rr1,Ali Hassan\rr2,Omar,x\rr3,Aya\r")
    result = run("normalize", ragged)
    assert result.returncode == 0, result.stderr
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["r1", "r3"]


def test_serial_dates_link_as_the_dates_they_stand_for(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """Dates exported from Excel as serial numbers (a date column of no date format:
    39448 for 2008-01-01) give the matches that the same files with their dates written
    out give; they were blanked as malformed."""
    serials = {}
    for side in ("requests", "sightings"):
        frame = pd.read_csv(data[side], dtype=str, keep_default_na=False)
        for column in ("date_of_birth", "source_date"):
            frame[column] = frame[column].map(excel_serial)
            assert frame[column].str.fullmatch(r"\d{5}").mean() > 0.5
        serials[side] = tmp_path / f"{side}.csv"
        frame.to_csv(serials[side], index=False)
    outputs = {}
    for name, inputs in (("iso", data), ("serial", serials)):
        outputs[name] = tmp_path / f"{name}.csv"
        result = run("link", inputs["requests"], inputs["sightings"], "-o", outputs[name],
                     "--config", data["config"])  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert "read as Excel serial dates" in result.stderr
    assert outputs["serial"].read_bytes() == outputs["iso"].read_bytes()


def test_dates_written_month_first_link_as_the_dates_they_stand_for(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """Files whose whole dates are written MM/DD/YYYY, as a US export writes them, give
    the matches that the same files with their dates written YYYY-MM-DD give, and say
    which order they were read in: they were read day first, the dates with a day over 12
    blanked as malformed and the others made into other days, without a word."""
    us = {}
    for side in ("requests", "sightings"):
        frame = pd.read_csv(data[side], dtype=str, keep_default_na=False)
        for column in ("date_of_birth", "source_date"):
            whole = frame[column].str.len() == 10
            parts = frame.loc[whole, column].str.split("-", expand=True)
            frame.loc[whole, column] = parts[1] + "/" + parts[2] + "/" + parts[0]
            assert (parts[2].astype(int) > 12).any() and (parts[2].astype(int) <= 12).any()
        us[side] = tmp_path / f"{side}.csv"
        frame.to_csv(us[side], index=False)
    outputs, stderr = {}, {}
    for name, inputs in (("iso", data), ("us", us)):
        outputs[name] = tmp_path / f"{name}.csv"
        result = run("link", inputs["requests"], inputs["sightings"], "-o", outputs[name],
                     "--config", data["config"])  # fmt: skip
        assert result.returncode == 0, result.stderr
        stderr[name] = result.stderr
    assert "malformed" not in stderr["us"]
    assert (
        "column 'date_of_birth': dates written with the year last read month first"
        in (stderr["us"])
    )
    assert outputs["us"].read_bytes() == outputs["iso"].read_bytes()


def test_serial_dates_in_a_configured_date_column_link_as_their_dates(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """A column of the user's own that the configuration compares as a date
    (``kind = "date"``), exported from Excel as serial numbers, gives the matches that the
    same files with its dates written out give, and a cell in it that is no date is
    reported with its row and blanked: the serials were compared as missing dates, and
    the bad cell went unreported."""
    config = tmp_path / "arrival.toml"
    config.write_text(
        FAST + '\n[[compare]]\nfield = "date_of_arrival"\nkind = "date"\n', encoding="utf-8"
    )
    inputs: dict[str, dict[str, Path]] = {"iso": {}, "serial": {}}
    for side in ("requests", "sightings"):
        frame = pd.read_csv(data[side], dtype=str, keep_default_na=False)
        frame["date_of_arrival"] = frame["date_of_birth"]
        frame.loc[2, "date_of_arrival"] = "last spring"  # row 3 of each file
        for name, arrival in (("iso", frame), ("serial", frame.copy())):
            if name == "serial":
                arrival["date_of_arrival"] = arrival["date_of_arrival"].map(excel_serial)
                assert arrival["date_of_arrival"].str.fullmatch(r"\d{5}").mean() > 0.5
            inputs[name][side] = tmp_path / f"{name}_{side}.csv"
            arrival.to_csv(inputs[name][side], index=False)
    outputs, stderr = {}, {}
    for name, files in inputs.items():
        outputs[name] = tmp_path / f"{name}.csv"
        result = run("link", files["requests"], files["sightings"], "-o", outputs[name],
                     "--config", config)  # fmt: skip
        assert result.returncode == 0, result.stderr
        stderr[name] = result.stderr
        rejects = pd.read_csv(tmp_path / f"{name}.rejects.csv", dtype=str, keep_default_na=False)
        listed = rejects[(rejects["column"] == "date_of_arrival") & (rejects["action"] == "kept")]
        assert listed[["source", "row", "value"]].values.tolist() == [
            ["requests", "3", "last spring"],
            ["sightings", "3", "last spring"],
        ]
        assert listed["reason"].str.startswith("malformed date").all()
    assert "column 'date_of_arrival': " in stderr["serial"]
    assert "read as Excel serial dates" in stderr["serial"]
    assert "read as Excel serial dates" not in stderr["iso"]
    matches = pd.read_csv(outputs["iso"], dtype=str)
    assert matches["date_of_arrival_level"].nunique() > 1
    assert outputs["serial"].read_bytes() == outputs["iso"].read_bytes()


def test_normalize_stdin_decoded_as_files_are() -> None:
    for raw, name in (
        (b"Ren\xe9\n", "René"),  # cp1252 (Latin-1), not valid UTF-8
        ("Олександр\r\n".encode("utf-16"), "Олександр"),  # UTF-16 with its BOM
        ("\ufeffMüller\n".encode(), "Müller"),  # UTF-8 with a BOM
    ):
        result = subprocess.run(
            [sys.executable, "-m", "rfl_match.cli", "normalize", "-"],
            input=raw, capture_output=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr.decode(errors="replace")
        assert result.stdout.decode("utf-8").splitlines()[1].startswith(name + ","), raw


def test_synth_arguments_checked(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    result = run("synth", folder, "--requests", "5", "--sightings", "5", "--seed", "-1")
    assert result.returncode == 2, result.stderr
    assert "--seed" in result.stderr and "Traceback" not in result.stderr
    assert not folder.exists()  # checked before anything was written
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = run("synth", tmp_path / "file", "--requests", "5", "--sightings", "5")
    assert result.returncode == 2 and "is a file" in result.stderr, result.stderr


def test_synth_never_overwrites_a_folder_s_files_unless_told(tmp_path: Path) -> None:
    """Run as "rfl-match synth ." in a folder of real exports: a requests.csv of the
    user's own is kept (it was overwritten without a word); --force overwrites."""
    real = tmp_path / "requests.csv"
    real.write_text("record_id,full_name\nR1,Amina Yusuf\n", encoding="utf-8")
    result = run("synth", tmp_path, "--requests", "3", "--sightings", "3")
    assert result.returncode == 2, result.stderr
    assert "requests.csv" in result.stderr and "--force" in result.stderr
    assert real.read_text(encoding="utf-8") == "record_id,full_name\nR1,Amina Yusuf\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requests.csv"]  # nothing written
    result = run("synth", tmp_path, "--requests", "3", "--sightings", "3", "--force")
    assert result.returncode == 0, result.stderr
    assert real.read_text(encoding="utf-8").startswith("record_id,")
    assert "Amina Yusuf" not in real.read_text(encoding="utf-8")


def test_numeric_options_checked_as_the_config_does(tmp_path: Path, data: dict[str, Path]) -> None:
    inputs = (data["requests"], data["sightings"], "-o", tmp_path / "m.csv")
    for command, option, value in (
        ("link", "--threshold", "1.5"),
        ("link", "--threshold", "nan"),
        ("link", "--threshold", "-1"),
        ("link", "--top-k", "-1"),
        ("dedupe", "--threshold", "7"),
        ("evaluate", "--threshold", "2"),
    ):
        if command == "link":
            result = run(command, *inputs, option, value)
        elif command == "dedupe":
            result = run(command, data["sightings"], "-o", tmp_path / "c.csv", option, value)
        else:
            result = run(command, data["truth"], data["truth"], option, value)
        assert result.returncode == 2, (command, option, value, result.stderr)
        assert f"{option}: {value}" in result.stderr and "reading" not in result.stderr
    assert not (tmp_path / "m.csv").exists() and not (tmp_path / "c.csv").exists()
    config = tmp_path / "c.toml"
    config.write_text("top_k = -1\n", encoding="utf-8")
    result = run("link", *inputs, "--config", config)
    assert result.returncode == 2 and "top_k: -1" in result.stderr, result.stderr


def test_a_mapping_onto_a_column_the_input_has_is_a_configuration_error(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """full_name mapped onto given_name, which both files have: it was a data error (exit
    3), "column 'given_name': column appears more than once", of files that hold no
    column twice, and it did not name the mapping."""
    config = tmp_path / "c.toml"
    config.write_text(FAST + '[mapping]\nfull_name = "given_name"\n', encoding="utf-8")
    out = tmp_path / "m.csv"
    result = run("link", data["requests"], data["sightings"], "-o", out, "--config", config)
    assert result.returncode == 2, result.stderr
    assert result.stderr.endswith(
        f"rfl-match: configuration error: {data['requests']} and {data['sightings']}: "
        "column 'given_name': mapping: 'full_name' = 'given_name' gives the column "
        "'full_name' a name another column of the input has already ('given_name'); map "
        "'full_name' to another name, or 'given_name' to one\n"
    )
    assert not out.exists()


def test_mapping_target_typo_is_a_configuration_error(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    inputs = (data["requests"], data["sightings"], "-o", tmp_path / "m.csv")
    config = tmp_path / "typo.toml"
    config.write_text(FAST + '[mapping]\n"full_name" = "fullname"\n', encoding="utf-8")
    result = run("link", *inputs, "--config", config)
    assert result.returncode == 2, result.stderr
    assert "'fullname'" in result.stderr and "record_id, full_name, given_name" in result.stderr
    assert not (tmp_path / "m.csv").exists()
    # An extra column that [[compare]] names is a target a mapping may give.
    paths = []
    for name in ("requests", "sightings"):
        frame = rm.read_records(data[name]).assign(Camp="Zaatari")
        write_table(frame, tmp_path / f"{name}.csv")
        paths.append(tmp_path / f"{name}.csv")
    config.write_text(
        FAST + '[mapping]\n"Camp" = "camp"\n\n[[compare]]\nfield = "camp"\nkind = "exact"\n',
        encoding="utf-8",
    )
    result = run("link", *paths, "-o", tmp_path / "m.csv", "--config", config)
    assert result.returncode == 0, result.stderr


def test_blank_header_cells(tmp_path: Path, data: dict[str, Path]) -> None:
    """A spreadsheet export's trailing separators (``sed 's/$/,,/'``): two blank header
    cells over empty columns are dropped, not one column '' that appears twice."""
    lines = data["requests"].read_text(encoding="utf-8").splitlines()
    requests = tmp_path / "requests.csv"
    requests.write_text("".join(line + ",,\n" for line in lines), encoding="utf-8")
    result = run("link", requests, data["sightings"], "-o", tmp_path / "m.csv",
                 "--config", data["config"])  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "40 requests" in summary(result.stdout, "records read")
    # One of them over a cell of data: the note on the column names the header's row, 0,
    # and is listed as noted (not a row "kept"); the header is no row of records with a
    # problem.
    problems = summary(result.stdout, "rows with problems")
    cells = [",,", ",x,"] + [",,"] * (len(lines) - 2)
    text = "".join(a + b + "\n" for a, b in zip(lines, cells, strict=True))
    requests.write_text(text, encoding="utf-8")
    result = run("link", requests, data["sightings"], "-o", tmp_path / "m.csv",
                 "--config", data["config"])  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert summary(result.stdout, "rows with problems") == problems
    rejects = pd.read_csv(tmp_path / "m.rejects.csv", dtype=str, keep_default_na=False)
    named = rejects[rejects["column"].str.startswith("column_")]
    assert named[["row", "action"]].values.tolist() == [["0", "noted"]]
    # A blank header over a column that holds data: named, and said so.
    names = tmp_path / "names.csv"
    names.write_text("record_id,,full_name,,\nr1,,Ali Hassan,x,\nr2,,Omar,,\n", encoding="utf-8")
    table = read_table(names)
    assert list(table.frame.columns) == ["record_id", "full_name", "column_4"]
    assert list(table.frame["column_4"]) == ["x", ""]
    assert [p.column for p in table.problems] == ["column_4"]


def test_a_workbook_row_of_error_values_is_listed_as_dropped_not_kept(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    # A row holding error values alone (#REF! from a deleted sheet) is blank once each is
    # blanked: it holds no record and is dropped, but the rejects file listed the note on
    # each cell as "kept", as if a record had come from the row.
    from openpyxl import Workbook

    frame = pd.read_csv(data["requests"], dtype=str, keep_default_na=False)
    book = Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for position, cells in enumerate(frame.itertuples(index=False)):
        if position == 2:  # row 3
            sheet.append(["#REF!", "#N/A"] + [None] * (len(frame.columns) - 2))
        sheet.append(list(cells))
    requests = tmp_path / "requests.xlsx"
    book.save(requests)
    rejects = tmp_path / "rejects.csv"
    result = run("link", requests, data["sightings"], "-o", tmp_path / "m.csv",
                 "--config", data["config"], "--rejects", rejects)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "40 requests" in summary(result.stdout, "records read")
    assert summary(result.stdout, "rows rejected").startswith("0 ")
    listed = pd.read_csv(rejects, dtype=str, keep_default_na=False)
    assert listed[listed["row"] == "3"][["column", "action", "value"]].values.tolist() == [
        [frame.columns[0], "dropped (blank row)", "#REF!"],
        [frame.columns[1], "dropped (blank row)", "#N/A"],
    ]
    assert "kept" not in set(listed[listed["row"] == "3"]["action"])
    # the rows after it keep the numbers the workbook shows
    assert rm.io.load_records(requests).dropped_rows == [3]


def test_normalize_reports_rejected_rows(tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text("record_id,full_name\nr1,Ali Hassan\nr2,Omar,x\nr3,Aya\n", encoding="utf-8")
    result = run("normalize", names)
    assert result.returncode == 0, result.stderr
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["r1", "r3"]
    assert "row 2" in result.stderr and "rejected" in result.stderr  # not lost silently


@pytest.mark.parametrize(
    ("command", "text", "doubled"),
    [
        ("normalize", "record_id,full_name,full_name\nA1,Ahmed Ali,Ahmad Ali\n", "full_name"),
        ("normalize", "record_id,full_name,record_id\nA1,Ahmed Ali,B1\n", "record_id"),
        ("pseudonymise", "record_id,full_name,record_id\nA1,Ahmed Ali,B1\n", "record_id"),
        ("link --pairs", "request_id,sighting_id,sighting_id\nRQ1,SG1,SG2\n", "sighting_id"),
        ("evaluate", "request_id,sighting_id,rank,request_id\nA,B,1,C\n", "request_id"),
        ("evaluate", "request_id,sighting_id,rank,rank\nA,B,1,2\n", "rank"),
    ],
)
def test_a_doubled_column_a_command_reads_is_a_data_error_naming_it(
    tmp_path: Path, data: dict[str, Path], command: str, text: str, doubled: str
) -> None:
    # As link refuses records with a doubled column; before, each of these was a pandas
    # traceback (exit 1): a frame where a column was wanted.
    table = tmp_path / "in.csv"
    table.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    if command == "normalize":
        result = run("normalize", table)
    elif command == "pseudonymise":
        assert run("keygen", tmp_path / "k.key").returncode == 0
        key = ["--key", tmp_path / "k.key"]
        result = run("pseudonymise", table, *key, "--ids-column", "record_id", "-o", out)
    elif command == "link --pairs":
        result = run("link", data["requests"], data["sightings"], "-o", out, "--pairs", table)
    else:
        result = run("evaluate", table, data["truth"])
    assert result.returncode == 3, result.stderr
    assert f"column {doubled!r}: column appears more than once" in result.stderr
    assert "Traceback" not in result.stderr


def test_link_pairs_names_the_file_s_rows_and_reads_ids_as_records_are(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    # Before: an unknown id on file row 4 (after a blank id and a blank line, left out)
    # was said to be on "row 2", the pair's place; an id typed with spaces around it
    # named no record, where the records' and evaluate's ids are read without them.
    truth = pd.read_csv(data["truth"], dtype=str).head(2)
    (r1, s1), (r2, s2) = truth[["request_id", "sighting_id"]].to_numpy().tolist()
    files = [data["requests"], data["sightings"], "--config", data["config"]]
    options = ["--threshold", "0", "--top-k", "0"]
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"request_id,sighting_id\n{r1},\n{r2},{s2}\n\nRQ-none,{s1}\n")
    result = run("link", *files, "-o", tmp_path / "a.csv", "--pairs", pairs, *options)
    assert result.returncode == 3, result.stderr
    assert "row 4, column 'request_id': no such record in the requests" in result.stderr
    pairs.write_text(f"request_id,sighting_id\n {r1} ,{s1}\n{r2}, {s2}\n")
    out = tmp_path / "b.csv"
    result = run("link", *files, "-o", out, "--pairs", pairs, *options)
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out, dtype=str)
    assert sorted(zip(scored.request_id, scored.sighting_id, strict=True)) == [(r1, s1), (r2, s2)]


def test_link_warns_when_the_requests_and_the_sightings_are_one_file(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    # Before, each record was matched to itself without a word (a mistyped argument, or
    # a job for dedupe); it still runs, as a test of the matcher may mean it.
    copy = tmp_path / "copy.csv"
    copy.write_bytes(data["requests"].read_bytes())
    config = ["--config", data["config"], "--quiet"]
    for sightings, said in ((data["requests"], "the same file"), (copy, "two copies")):
        result = run("link", data["requests"], sightings, "-o", tmp_path / "m.csv", *config)
        assert result.returncode == 0, result.stderr
        assert f"are {said}" in result.stderr and "rfl-match dedupe" in result.stderr
    result = run("link", data["requests"], data["sightings"], "-o", tmp_path / "m.csv", *config)
    assert "dedupe" not in result.stderr


def test_explain_without_a_model_warns_when_the_requests_and_the_sightings_are_one_file(
    data: dict[str, Path],
) -> None:
    # It fits on them, as link does; before, only link said so.
    pair = pd.read_csv(data["truth"], dtype=str).iloc[0]
    ids = [pair.request_id, pair.request_id]
    result = run("explain", data["requests"], data["requests"], *ids, "--config", data["config"])
    assert result.returncode == 0, result.stderr
    assert "are the same file" in result.stderr and "rfl-match dedupe" in result.stderr
    result = run("explain", data["requests"], data["sightings"], pair.request_id,
                 pair.sighting_id, "--config", data["config"])  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "dedupe" not in result.stderr


def _ethiopian(day: str) -> str:
    """A Gregorian day written as an Ethiopian register writes it, day first."""
    from datetime import date

    from rfl_match.dates import ETHIOPIAN, calendar_span

    target = (date.fromisoformat(day) - date(1970, 1, 1)).days
    for year in range(1900, 2030):
        for month in range(1, 14):
            span = calendar_span(ETHIOPIAN, year, month)
            if span and span[0] <= target <= span[1]:
                return f"{target - span[0] + 1:02d}/{month:02d}/{year}"
    raise AssertionError(day)


def _born_in_ethiopia(
    tmp_path: Path, data: dict[str, Path], *, era: bool
) -> tuple[list[Path], list[str]]:
    """The bundled inputs written again, a true pair's request's birth in the Ethiopian
    calendar (its sighting's Gregorian exact date, converted), and with ``era`` every
    sighting's birth saying it is Gregorian ("AD"): the two files and the pair's ids."""
    truth = pd.read_csv(data["truth"], dtype=str)
    requests = pd.read_csv(data["requests"], dtype=str, keep_default_na=False)
    sightings = pd.read_csv(data["sightings"], dtype=str, keep_default_na=False)
    exact = sightings["date_of_birth"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    pair = truth[truth["sighting_id"].isin(sightings.loc[exact, "record_id"])].iloc[0]
    at = requests.index[requests["record_id"] == pair.request_id][0]
    born = sightings.loc[sightings["record_id"] == pair.sighting_id, "date_of_birth"].iloc[0]
    requests.loc[at, "date_of_birth"] = _ethiopian(born)
    if era:
        sightings["date_of_birth"] = sightings["date_of_birth"].where(
            sightings["date_of_birth"] == "", sightings["date_of_birth"] + " AD"
        )
    requests.to_csv(tmp_path / "requests.csv", index=False)
    sightings.to_csv(tmp_path / "sightings.csv", index=False)
    return [tmp_path / "requests.csv", tmp_path / "sightings.csv"], [
        pair.request_id,
        pair.sighting_id,
    ]


def _explained_birth(files: list[Path], ids: list[str], config: Path) -> str:
    result = run("explain", *files, *ids, "--config", config)
    assert result.returncode == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if line.strip().startswith("birth"))


def test_a_configuration_s_calendar_reads_a_column_s_dates_in_it(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """A request's birth written in the Ethiopian calendar meets its sighting's Gregorian
    one (said so, "AD") as the same date where the configuration names the column's
    calendar; read as Gregorian, it is years apart."""
    files, ids = _born_in_ethiopia(tmp_path, data, era=True)
    config = tmp_path / "calendars.toml"
    config.write_text(
        data["config"].read_text(encoding="utf-8") + '\n[calendars]\ndate_of_birth = "ethiopian"\n',
        encoding="utf-8",
    )
    assert "same date" in _explained_birth(files, ids, config)
    assert "years apart" in _explained_birth(files, ids, data["config"])


def test_one_input_s_calendar_is_named_for_that_input_alone(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """The requests written in the Ethiopian calendar, the sightings in the Gregorian,
    neither saying so: a table for the requests alone reads each input in its own (the same
    date); the same calendar named for both reads the sightings' Gregorian dates as
    Ethiopian (years apart)."""
    files, ids = _born_in_ethiopia(tmp_path, data, era=False)
    base = data["config"].read_text(encoding="utf-8")
    own = tmp_path / "own.toml"
    own.write_text(
        base + '\n[calendars]\nrequests = { date_of_birth = "ethiopian" }\n', encoding="utf-8"
    )
    assert "same date" in _explained_birth(files, ids, own)
    both = tmp_path / "both.toml"
    both.write_text(base + '\n[calendars]\ndate_of_birth = "ethiopian"\n', encoding="utf-8")
    assert "years apart" in _explained_birth(files, ids, both)
    # the sightings' own table, Gregorian, over the one named for both: the same date again
    mixed = tmp_path / "mixed.toml"
    mixed.write_text(
        base
        + '\n[calendars]\ndate_of_birth = "ethiopian"\n'
        + 'sightings = { date_of_birth = "gregorian" }\n',
        encoding="utf-8",
    )
    assert "same date" in _explained_birth(files, ids, mixed)
    # one list (dedupe, encode) reads a table of its own: the requests' alone is an error
    result = run("dedupe", files[0], "-o", tmp_path / "clusters.csv", "--config", own)
    assert result.returncode == 2 and "name them in a 'records' table" in result.stderr
    # encode reads one file: --input names which input of the configuration's it is
    key = tmp_path / "shared.key"
    key.write_text(hashlib.sha256(b"rfl_match calendars").hexdigest() * 2 + "\n")
    key.chmod(0o600)
    encoded = tmp_path / "encoded.csv"
    plain = ["encode", files[0], "--key", key, "-o", encoded, "--birth", "day", "--config", own]
    result = run(*plain)
    assert result.returncode == 2 and "--input names the input" in result.stderr
    result = run(*plain, "--input", "requests")
    assert result.returncode == 0, result.stderr
    born = pd.read_csv(data["sightings"], dtype=str).set_index("record_id").loc[ids[1]]
    row = pd.read_csv(encoded, dtype=str).set_index("record_id").loc[ids[0]]
    assert row["date_of_birth"] == f"{born['date_of_birth']}/{born['date_of_birth']}"


def test_explain_says_what_reading_the_files_changed_and_why_a_record_is_not_there(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    # Before, explain read its files without a word: a malformed date of birth, blanked,
    # showed as "missing", and a record rejected for a doubled id as "no such record".
    pair = pd.read_csv(data["truth"], dtype=str).iloc[0]
    requests = pd.read_csv(data["requests"], dtype=str, keep_default_na=False)
    at = requests.index[requests["record_id"] == pair.request_id][0]
    requests.loc[at, "date_of_birth"] = "1987-13-04"
    path = tmp_path / "requests.csv"
    requests.to_csv(path, index=False)
    ids = [pair.request_id, pair.sighting_id]
    config = ["--config", data["config"]]
    result = run("explain", path, data["sightings"], *ids, *config)
    assert result.returncode == 0, result.stderr
    assert f"row {at + 1}, column 'date_of_birth': malformed date of birth" in result.stderr
    twice = pd.concat([requests, requests.loc[[at]].assign(full_name="Someone Else")])
    twice.to_csv(path, index=False)
    result = run("explain", path, data["sightings"], *ids, *config)
    assert result.returncode == 3
    assert f"row {at + 1}, column 'record_id': rejected from the requests" in result.stderr
    assert "with different details" in result.stderr and "no such record" not in result.stderr


def test_evaluate_says_which_truth_rows_it_could_not_count(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    # A ragged truth row is reported (a true pair lost would skew recall), and a row with
    # a blank id is left out and counted, not scored as a true pair.
    truth = pd.read_csv(data["truth"], dtype=str, keep_default_na=False)
    matches = tmp_path / "m.csv"
    truth.head(5).assign(rank="1").to_csv(matches, index=False)
    columns = list(truth.columns)
    lines = [",".join(columns)]
    lines += [",".join(row) for row in truth.head(5).astype(str).to_numpy().tolist()]
    lines.append(",".join(["RQ999", "SG999", *[""] * (len(columns) - 2), "extra"]))  # ragged
    lines.append(",".join(["", "SG998", *[""] * (len(columns) - 2)]))  # a blank request_id
    bad_truth = tmp_path / "truth.csv"
    bad_truth.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("evaluate", matches, bad_truth, "--json")
    assert result.returncode == 0, result.stderr
    assert "truth: row 6" in result.stderr and "rejected" in result.stderr
    assert "truth: row 7 with a blank request_id or sighting_id left out" in result.stderr
    assert json.loads(result.stdout)["true_pairs"] == 5


def test_evaluate_says_which_probabilities_and_ranks_it_cannot_read(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    # --threshold over a probability that is no number: refused, each row named (those
    # pairs were dropped from the predicted ones without a word); a rank that is no number
    # reads as ranked last, and is said so.
    truth = pd.read_csv(data["truth"], dtype=str, keep_default_na=False)
    frame = truth.head(5).assign(rank="1", match_probability="0.9")
    frame.loc[2, "match_probability"] = "n/a"
    frame.loc[3, "rank"] = "first"
    matches = tmp_path / "m.csv"
    frame.to_csv(matches, index=False)
    result = run("evaluate", matches, data["truth"], "--threshold", "0.5")
    assert result.returncode == 3, result.stderr
    assert "row 3, column 'match_probability': not a probability (value 'n/a')" in result.stderr
    result = run("evaluate", matches, data["truth"], "--json")
    assert result.returncode == 0, result.stderr
    assert "matches: row 4 with no rank read as ranked last" in result.stderr


def test_evaluate_counts_only_the_pairs_a_reviewed_truth_marks_a_match(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    # A truth file of reviewed pairs (is_match, as fit reads labels): its "no" rows were
    # counted as true pairs, without a word. A blank is no decision, left out and said; a
    # value neither yes nor no stops evaluate, each row named. A review file, its decision
    # column filled in, is read so too.
    pairs = pd.read_csv(data["truth"], dtype=str, keep_default_na=False).head(6)
    matches = tmp_path / "m.csv"
    pairs.assign(rank="1").to_csv(matches, index=False)
    decisions = ["yes", "no", "false", "0", "", "Same person"]
    for suffix in (".csv", ".xlsx"):
        truth = tmp_path / f"reviewed{suffix}"
        write_table(pairs.assign(is_match=decisions), truth)
        result = run("evaluate", matches, truth, "--json")
        assert result.returncode == 0, result.stderr
        assert "truth: row 5 with no decision in is_match (blank or unsure) left out" in (
            result.stderr
        )
        scores = json.loads(result.stdout)
        assert (scores["true_pairs"], scores["true_positives"]) == (2, 2)
        assert (scores["predicted_pairs"], scores["precision"]) == (6, 2 / 6)
    truth = tmp_path / "unreadable.csv"
    pairs.assign(is_match=["yes", "maybe", "no", "?", "1", "maybe"]).to_csv(truth, index=False)
    result = run("evaluate", matches, truth, "--json")
    assert result.returncode == 3 and result.stdout == ""
    for row, value in ((2, "maybe"), (4, "?"), (6, "maybe")):
        assert f"row {row}, column 'is_match': neither yes nor no" in result.stderr
        assert f"(value '{value}')" in result.stderr
    assert "3 problem(s)" in result.stderr
    review = tmp_path / "review.csv"
    decided = ["same person", "not the same person", "", "unsure", "Same person", "maybe"]
    pairs.assign(rank="1", decision=decided).to_csv(review, index=False)
    result = run("evaluate", matches, review, "--json")
    assert result.returncode == 3 and result.stdout == ""
    assert "row 6, column 'decision': neither yes nor no" in result.stderr
    assert "(value 'maybe')" in result.stderr
    pairs.assign(rank="1", decision=[*decided[:5], ""]).to_csv(review, index=False)
    result = run("evaluate", matches, review, "--json")
    assert result.returncode == 0, result.stderr
    assert "truth: rows 3, 4, 6 with no decision in decision (blank or unsure) left out" in (
        result.stderr
    )
    assert json.loads(result.stdout)["true_pairs"] == 2


FORMATS = (".csv", ".xlsx", ".parquet", ".xml")


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Path]) -> dict[str, Path]:
    """link's matches on the small data set, once in each format, by one fitted model; and
    the truth in each format."""
    folder = tmp_path_factory.mktemp("linked")
    model = folder / "model.json"
    paths: dict[str, Path] = {}
    for suffix in FORMATS:
        out = folder / f"matches{suffix}"
        fit = ("--model", model) if model.exists() else ("--save-model", model)
        result = run(
            "link", data["requests"], data["sightings"], "-o", out, "--config", data["config"],
            *fit, "--quiet",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        paths[suffix] = out
    truth = pd.read_csv(data["truth"], dtype=str, keep_default_na=False)
    for suffix in FORMATS:
        write_table(truth, folder / f"truth{suffix}")
        paths[f"truth{suffix}"] = folder / f"truth{suffix}"
    return paths


def test_evaluate_reads_every_format_link_writes(linked: dict[str, Path]) -> None:
    def scores(matches: Path, truth: Path, *options: str) -> str:
        result = run("evaluate", matches, truth, "--json", *options)
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.stderr  # nothing unread, nothing left out
        return result.stdout

    expected = scores(linked[".csv"], linked["truth.csv"])
    assert json.loads(expected)["predicted_pairs"] > 20
    assert json.loads(expected)["recall_at_5"] >= 0.7
    for suffix in FORMATS:
        for truth in FORMATS:
            assert scores(linked[suffix], linked[f"truth{truth}"]) == expected, (suffix, truth)
    # --threshold too, the probabilities being read back exactly; but from PFIF, whose
    # notes give them to 3 decimals in their text (said on stderr).
    probabilities = sorted(read_table(linked[".csv"]).frame["match_probability"].astype(float))
    threshold = repr(probabilities[len(probabilities) // 2])
    at_threshold = scores(linked[".csv"], linked["truth.csv"], "--threshold", threshold)
    assert at_threshold != expected  # pairs under the threshold are left out
    for suffix in (".xlsx", ".parquet"):
        assert scores(linked[suffix], linked["truth.csv"], "--threshold", threshold) == (
            at_threshold
        )
    result = run("evaluate", linked[".xml"], linked["truth.csv"], "--threshold", threshold)
    assert result.returncode == 0, result.stderr
    assert "PFIF notes give each probability to 3 decimals" in result.stderr


def test_link_fitted_on_pfif_exports_as_on_the_files_they_hold(
    tmp_path: Path, linked: dict[str, Path], data: dict[str, Path]
) -> None:
    """Requests and sightings exported as PFIF (the parents' names, place of birth and
    nationality written as lines of each person's description) are fitted and linked as
    the CSV files they came from: the same model, the same matches. Before, reading the
    PFIF files lost those fields, and the model compared 6 fields where it compares 11."""
    exported = []
    for name in ("requests", "sightings"):
        path = tmp_path / f"{name}.xml"
        write_table(rm.read_records(data[name]), path)
        exported.append(path)
    out, model = tmp_path / "matches.csv", tmp_path / "model.json"
    result = run(
        "link", *exported, "-o", out, "--config", data["config"], "--save-model", model,
        "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    fitted = linked[".csv"].parent / "model.json"  # fitted by link on the CSV files
    assert model.read_text(encoding="utf-8") == fitted.read_text(encoding="utf-8")
    matches = out.read_text(encoding="utf-8")
    assert matches == linked[".csv"].read_text(encoding="utf-8")
    assert "father's name: same" in matches and "place of birth: same" in matches


def test_evaluate_reports_what_a_pfif_file_holds_besides_pairs(
    tmp_path: Path, linked: dict[str, Path], data: dict[str, Path]
) -> None:
    # A PFIF file of persons with one noted pair (a repository's export): the pair is
    # scored, the persons and the notes that link nothing are counted on stderr.
    requests = rm.read_records(data["requests"]).head(3)
    persons = tmp_path / "persons.xml"
    write_table(requests.assign(last_known_location="Camp 4"), persons)
    truth = pd.read_csv(data["truth"], dtype=str).head(1)
    notes = tmp_path / "notes.xml"
    write_table(truth.assign(match_probability=0.8, rank=1), notes)
    text = persons.read_text(encoding="utf-8").replace("</pfif:pfif>", "")
    body = notes.read_text(encoding="utf-8").split('1.4">', 1)[1]
    mixed = tmp_path / "mixed.xml"
    mixed.write_text(text + body, encoding="utf-8")
    result = run("evaluate", mixed, data["truth"], "--json")
    assert result.returncode == 0, result.stderr
    assert (
        "matches: 3 person record(s) and 3 note(s) linking no other record: not pairs, "
        "not counted" in result.stderr
    )
    assert json.loads(result.stdout)["true_positives"] == 1


def test_evaluate_a_file_that_is_not_pairs_exit_2(
    tmp_path: Path, linked: dict[str, Path], data: dict[str, Path]
) -> None:
    # The requests given for the matches, a truth of one id column: the wrong file, named
    # with the columns it lacks, not a data error (exit 3).
    half = tmp_path / "half.csv"
    pd.read_csv(data["truth"], dtype=str)[["request_id"]].to_csv(half, index=False)
    result = run("evaluate", data["requests"], half)
    assert result.returncode == 2, result.stderr
    assert (
        f"usage error: {data['requests']}: the matches file has no request_id and no "
        "sighting_id column" in result.stderr
    )
    assert f"{half}: the truth file has no sighting_id column" in result.stderr
    assert "Traceback" not in result.stderr
    # In PFIF: persons, not notes linking two records.
    persons = tmp_path / "requests.xml"
    write_table(rm.read_records(data["requests"]), persons)
    result = run("evaluate", persons, linked["truth.csv"])
    assert result.returncode == 2, result.stderr
    assert "matches: 40 person record(s) and " in result.stderr
    assert "the matches file has no request_id and no sighting_id column" in result.stderr


def test_evaluate_an_empty_matches_file(
    tmp_path: Path, linked: dict[str, Path], data: dict[str, Path]
) -> None:
    # link found nothing (one request like no sighting): recall 0 in every format, not an
    # error; and a file of 0 bytes holds no pairs either (said on stderr).
    lone = tmp_path / "lone.csv"
    lone.write_text("record_id,full_name\nX1,Zzyzx Qwvbbb\n", encoding="utf-8")
    model = linked[".csv"].parent / "model.json"
    empty = []
    for suffix in FORMATS:
        out = tmp_path / f"none{suffix}"
        result = run("link", lone, data["sightings"], "-o", out, "--model", model, "--quiet")
        assert result.returncode == 0, result.stderr
        empty.append(out)
    zero = tmp_path / "zero.csv"
    zero.write_bytes(b"")
    for matches in [*empty, zero]:
        for options in ((), ("--threshold", "0.5")):
            result = run("evaluate", matches, data["truth"], "--json", *options)
            assert result.returncode == 0, (matches, result.stderr)
            scores = json.loads(result.stdout)
            assert scores["predicted_pairs"] == 0 and scores["true_pairs"] > 0
            assert scores["recall"] == 0.0 and scores["recall_at_5"] == 0.0
            assert ("the file is empty: no pairs" in result.stderr) == (matches == zero)


def test_evaluate_reports_unreadable_matches_rows(tmp_path: Path, linked: dict[str, Path]) -> None:
    # A row that cannot be read is said so and left out of the scores; a workbook's cell
    # past the last title is an untitled column's (no delimiter can shift it): its row is
    # kept, and the column named and said so.
    import openpyxl

    expected = json.loads(run("evaluate", linked[".csv"], linked["truth.csv"], "--json").stdout)
    book = openpyxl.load_workbook(linked[".xlsx"])
    sheet = book.worksheets[0]
    sheet.cell(row=3, column=sheet.max_column + 2, value="stray")  # data row 2
    xlsx = tmp_path / "matches.xlsx"
    book.save(xlsx)
    lines = linked[".csv"].read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ",stray\n"  # data row 2, ragged
    ragged = tmp_path / "matches.csv"
    ragged.write_text("".join(lines), encoding="utf-8")
    result = run("evaluate", ragged, linked["truth.csv"], "--json")
    assert result.returncode == 0, result.stderr
    assert "matches: row 2" in result.stderr and "rejected" in result.stderr
    scores = json.loads(result.stdout)
    assert scores["predicted_pairs"] == expected["predicted_pairs"] - 1
    result = run("evaluate", xlsx, linked["truth.csv"], "--json")
    assert result.returncode == 0, result.stderr
    named = f"column_{sheet.max_column}"
    assert f"matches: row 0, column '{named}': its header cell is blank" in result.stderr
    assert "rejected" not in result.stderr
    assert json.loads(result.stdout)["predicted_pairs"] == expected["predicted_pairs"]


def test_a_review_too_long_for_a_workbook_is_a_usage_error(
    tmp_path: Path, data: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """More review rows than a worksheet holds: a usage error, as the same limit on -o is
    (it was a traceback after the whole run)."""
    from rfl_match.cli import main

    monkeypatch.setattr("rfl_match.io.excel.EXCEL_MAX_ROWS", 5)
    code = main(
        [
            "link", str(data["requests"]), str(data["sightings"]), "-o", str(tmp_path / "m.csv"),
            "--config", str(data["config"]), "--review", str(tmp_path / "review.xlsx"), "--quiet",
        ]
    )  # fmt: skip
    assert code == 2


def test_normalize_refused_as_pfif_leaves_the_file_there(tmp_path: Path) -> None:
    """Names without record ids cannot be PFIF persons: refused before the work, and the
    file at the output path is kept (it was refused after the work, and truncated)."""
    names = tmp_path / "names.csv"
    names.write_text("name\nAmina Yusuf\n", encoding="utf-8")
    out = tmp_path / "out.xml"
    out.write_text("keep", encoding="utf-8")
    result = run("normalize", names, "-o", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert out.read_text(encoding="utf-8") == "keep"


def test_rejects_of_two_unusable_inputs_keep_their_input(tmp_path: Path) -> None:
    """Neither input usable (no record id column), a ragged row in each: each rejected
    row is listed once, under its own input (they were listed twice, under "inputs", and
    the copy with the cells did not say which file it came from)."""
    first = tmp_path / "a.csv"
    first.write_text("case,full_name\nA1,Amina Yusuf\nA2,Omar,x\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("case,full_name\nB1,Aya Noor\nB2,Said,y\n", encoding="utf-8")
    result = run("link", first, second, "-o", tmp_path / "m.csv", "--quiet")
    assert result.returncode == 3, result.stderr
    rejects = pd.read_csv(tmp_path / "m.rejects.csv", dtype=str, keep_default_na=False)
    rows = rejects[rejects["action"] == "rejected"]
    assert sorted(zip(rows["source"], rows["field case"], strict=True)) == [
        ("requests", "A2"),
        ("sightings", "B2"),
    ]
    notes = rejects[rejects["action"] == "noted"]
    assert sorted(notes["source"]) == ["requests", "sightings"]


def test_rejects_of_an_input_read_beside_one_that_stops_the_run(tmp_path: Path) -> None:
    """One input unusable (no record id column): the rejects file lists its notes under
    its label, as the run's other rows are, not under its path, and lists the rows the
    other input, read, rejected (they were left out: the file held the unusable input's
    notes alone), and its rows noted, as read, not kept: the run matched nothing."""
    requests = tmp_path / "a.csv"
    requests.write_text(
        "record_id,full_name,date_of_birth\nA1,Amina Yusuf,2010-13-45\nA2,Omar,x,y\nA3,Aya Noor,\n",
        encoding="utf-8",
    )
    sightings = tmp_path / "b.csv"
    sightings.write_text("case,full_name\nB1,Aya Noor\n", encoding="utf-8")
    result = run("link", requests, sightings, "-o", tmp_path / "m.csv")
    assert result.returncode == 3, result.stderr
    assert "rejected rows written to" in result.stderr
    rejects = pd.read_csv(tmp_path / "m.rejects.csv", dtype=str, keep_default_na=False)
    # the malformed date's row was read, not kept: nothing was matched (it read "kept")
    assert rejects[["source", "row", "column", "action"]].values.tolist() == [
        ["requests", "1", "date_of_birth", "read (run stopped)"],
        ["requests", "2", "", "rejected"],
        ["sightings", "", "record_id", "noted"],
    ]
    assert rejects["field record_id"].tolist() == ["", "A2", ""]


def test_a_configuration_error_leaves_no_earlier_runs_rejects_file(
    tmp_path: Path, data: dict[str, Path]
) -> None:
    """A run stopped by its configuration (a mapping target that is no field) left the
    rejects file of an earlier run in place, where the file is written on every run so
    that it never stands for another one: it is written anew, its header alone."""
    out = tmp_path / "m.csv"
    dup = tmp_path / "dup.csv"
    dup.write_text("record_id,full_name\nR1,Ahmed Ali\nR1,Other Name\n", encoding="utf-8")
    assert run("link", dup, data["sightings"], "-o", out).returncode == 3
    rejects = tmp_path / "m.rejects.csv"
    assert "R1" in rejects.read_text(encoding="utf-8")
    config = tmp_path / "map.toml"
    config.write_text(FAST + '[mapping]\nNom = "fullname"\n', encoding="utf-8")
    result = run("link", data["requests"], data["sightings"], "-o", out, "--config", config)
    assert result.returncode == 2 and "did you mean 'full_name'" in result.stderr
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        "source,row,column,action,reason,value"
    ]


def test_an_input_from_a_pipe_is_refused_by_its_name(data: dict[str, Path], tmp_path: Path) -> None:
    """An input is read more than once (its first bytes, then the whole): read from a pipe
    it failed with "[Errno 22] Invalid argument", naming no file."""
    text = data["requests"].read_text(encoding="utf-8")
    result = run("link", "/dev/stdin", data["sightings"], "-o", tmp_path / "m.csv", stdin=text)
    assert result.returncode == 3
    assert "/dev/stdin: 1 problem(s)" in result.stderr
    assert "not a file but a pipe or a device" in result.stderr


def test_normalize_names_every_rejected_row_where_no_file_lists_them(tmp_path: Path) -> None:
    """normalize writes no rejects file: it named the first 20 problems, then "... and 10
    more problems", rows no one could find again."""
    lines = [f"R{i},Name{i}" + (",x" if i % 2 else "") for i in range(1, 61)]
    names = tmp_path / "rag.csv"
    names.write_text("record_id,full_name\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = run("normalize", names, "-o", tmp_path / "n.csv")
    assert result.returncode == 0, result.stderr
    named = {int(row) for row in re.findall(r"row (\d+): row has 3 fields", result.stderr)}
    assert named == set(range(1, 61, 2))
    assert "more problems" not in result.stderr
