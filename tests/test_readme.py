"""The README's two commands are the ones CI runs and the CLI accepts."""

from __future__ import annotations

import re

from conftest import ROOT


def quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README has no bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.index("```bash") < 40
    commands = quick_start()
    assert len(commands) == 2
    assert "rfl-match link data/synthetic/requests.csv data/synthetic/sightings.csv" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    last = [line for line in ci if line.strip() and not line.startswith("#")][-1]
    assert last == quick_start()[1]


def test_synthetic_files_named_in_the_readme_exist() -> None:
    for name in re.findall(r"data/synthetic/\w+\.csv", quick_start()[0]):
        assert (ROOT / name).exists(), name


def test_the_command_line_section_lists_every_subcommand() -> None:
    from rfl_match.cli import _COMMANDS

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Command line") :]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "the Command line section has no usage block"
    listed = set(re.findall(r"^rfl-match ([a-z-]+)", block.group(1), re.M))
    assert listed == set(_COMMANDS)
