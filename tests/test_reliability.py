"""The bad-input matrix (README, "Reliability"): every bad input gives one clear
line on stderr naming the file, line or resource and what to do, no traceback,
and the documented exit code. Each row of the README table is one case here;
``tests/test_docs.py`` checks that the table and this list agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from samverkansgraf.cli import cli
from samverkansgraf.sources import ProjectPaths

HEDEMORA = "data/curated/hedemora-2019-2022.ttl"
SOURCE = "data/sources/000_c90c7f0945d9b53e.txt"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


@dataclass(frozen=True)
class BadInput:
    """One row of the bad-input matrix."""

    row: str
    """The row's name in the README table."""
    setup: Callable[[Path], list[str]]
    """Breaks the scratch project; returns the CLI arguments to run."""
    exit_code: int
    """The documented exit code."""
    message: str
    """A fragment the stderr line must contain."""


def _malformed_turtle(root: Path) -> list[str]:
    _edit(root / HEDEMORA, "skg:position 4 ;", "skg:position 4")
    return ["build"]


def _unknown_prefix(root: Path) -> list[str]:
    _edit(root / HEDEMORA, "skg:modality skg:May", "skg:modality skgg:May")
    return ["build"]


def _unknown_actor(root: Path) -> list[str]:
    _edit(root / HEDEMORA, "<actor/riksteatern>", "<actor/riksteatren>")
    return ["build"]


def _duplicate_municipality(root: Path) -> list[str]:
    (root / "data/reference/extra.ttl").write_text(
        "@base <https://w3id.org/samverkansgraf/id/> .\n"
        "@prefix skg: <https://w3id.org/samverkansgraf/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<kommun/hedemora> a skg:Municipality ; rdfs:label "Hedemora"@sv ;\n'
        '    skg:municipalityCode "2083" ; skg:inRegion <region/20> .\n',
        "utf-8",
    )
    return ["build"]


def _quote_not_in_source(root: Path) -> list[str]:
    _edit(root / HEDEMORA, "utveckla Kulturbuss så att", "utveckla Kulturbussen så att")
    return ["build"]


def _quote_found_twice(root: Path) -> list[str]:
    _edit(
        root / HEDEMORA,
        'skg:quote "Kommun och region medverkar i projektet Dalapop" .',
        'skg:quote "Region Dalarna" .',
    )
    return ["build"]


def _changed_source(root: Path) -> list[str]:
    path = root / SOURCE
    path.write_bytes(path.read_bytes().replace(b"Hedemora", b"Hedemore", 1))
    return ["build"]


def _missing_source(root: Path) -> list[str]:
    (root / SOURCE).unlink()
    return ["build"]


def _non_utf8_source(root: Path) -> list[str]:
    path = root / SOURCE
    path.write_bytes(path.read_text("utf-8").encode("cp1252", errors="replace"))
    _fix_checksum(root, path)
    return ["build"]


def _empty_source(root: Path) -> list[str]:
    path = root / SOURCE
    path.write_bytes(b"")
    _fix_checksum(root, path)
    return ["build"]


def _fix_checksum(root: Path, path: Path) -> None:
    import hashlib

    manifest = root / "data/sources/SHA256SUMS"
    lines = [
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}"
        if line.endswith(path.name)
        else line
        for line in manifest.read_text().splitlines()
    ]
    manifest.write_text("\n".join(lines) + "\n")


def _output_below_a_file(root: Path) -> list[str]:
    (root / "blocked").write_text("a file, not a directory")
    return ["build", "--out", str(root / "blocked" / "dist")]


MATRIX = [
    BadInput("malformed Turtle", _malformed_turtle, 2, f"{HEDEMORA}:"),
    BadInput("unknown prefix", _unknown_prefix, 2, 'Prefix "skgg:" not bound'),
    BadInput(
        "reference to an actor that does not exist",
        _unknown_actor,
        2,
        "did you mean <https://w3id.org/samverkansgraf/id/actor/riksteatern>",
    ),
    BadInput(
        "two resources claiming the same municipality code",
        _duplicate_municipality,
        1,
        "does not conform",
    ),
    BadInput(
        "quote not in the source",
        _quote_not_in_source,
        3,
        "then the quote has 'Kulturbussen så att",
    ),
    BadInput("quote found twice", _quote_found_twice, 3, "add skg:occurrence N"),
    BadInput("changed source file", _changed_source, 3, "source document changed"),
    BadInput("missing source file", _missing_source, 3, "source document is missing"),
    BadInput("non-UTF-8 source", _non_utf8_source, 3, "is not UTF-8 (byte 0xd6)"),
    BadInput("empty source", _empty_source, 3, "source document is empty"),
    BadInput(
        "output directory not writable", _output_below_a_file, 6, "cannot write output"
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda case: case.row)
def test_bad_input_gives_one_clear_line(case: BadInput, scratch: ProjectPaths) -> None:
    args = case.setup(scratch.root)
    result = CliRunner().invoke(cli, ["--project", str(scratch.root), *args])
    assert result.exit_code == case.exit_code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert case.message in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
