"""Privacy patterns (issue 16, item 5): Swedish phone numbers from the national
numbering plan and e-mail addresses in their obfuscated forms are found and masked
whole; dates, periods, SFS and organisation numbers, amounts and postcodes are not;
every match in the five sources and in the built dumps is reviewed contact data; the
SHACL privacy shape uses the very same patterns and both engines flag a literal."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from samverkansgraf.build import AssembledDataset, build, load_vocabulary_and_reference
from samverkansgraf.namespaces import SKGID, bind_prefixes
from samverkansgraf.privacy import (
    EMAIL,
    MASK,
    PHONE,
    SHACL_EMAIL_FLAGS,
    SHACL_EMAIL_PATTERN,
    SHACL_PHONE_PATTERN,
    _email_spans,
    _phone_spans,
    find_contact_data,
    mask_contact_data,
)
from samverkansgraf.sources import ProjectPaths, parse_turtle
from samverkansgraf.validate import load_shapes, validate_graph
from samverkansgraf.validate.fast import compile_shapes

ROOT = Path(__file__).resolve().parents[1]
SHAPE = URIRef("https://w3id.org/samverkansgraf/shapes#NoContactLiteralShape")
SH_SELECT = URIRef("http://www.w3.org/ns/shacl#select")

# One example per code family of the Swedish numbering plan (PTS, "Svensk
# nummerplan"); the codes are real, the subscriber numbers made up.
NUMBERING_PLAN = [
    ("08-123 456 78", "Stockholm, 08, 8-digit subscriber number"),
    ("08-12 34 56", "Stockholm, 6-digit subscriber number"),
    ("08-123 45", "Stockholm, 5-digit subscriber number"),
    ("010-123 45 67", "010, location-independent numbers"),
    ("011-12 34 56", "Norrköping, two-digit area code"),
    ("013-20 00 00", "Linköping"),
    ("018-471 00 00", "Uppsala"),
    ("019-602 10 00", "Örebro"),
    ("023-49 00 00", "Falun"),
    ("031-123 45 67", "Göteborg"),
    ("040-34 10 00", "Malmö"),
    ("090-12 34 56", "Umeå"),
    ("0120-123 45", "Åtvidaberg, three-digit area code"),
    ("0225-345 67", "Hedemora"),
    ("0240-860 00", "Ludvika"),
    ("0586-123 45", "Karlskoga"),
    ("0980-123 45", "Kiruna, the last area code"),
    ("070-684 34 81", "mobile 070"),
    ("072-123 45 67", "mobile 072"),
    ("073-123 45 67", "mobile 073"),
    ("076-123 45 67", "mobile 076"),
    ("079-123 45 67", "mobile 079"),
    ("0771-567 567", "0771, national service numbers"),
    ("020-123 456", "020, freephone"),
    ("0200-12 34 56", "0200, freephone"),
    ("0900-123 45 67", "0900, premium rate"),
    ("0939-123 456", "0939, premium rate"),
    ("0744-12 34 56", "074, paging and M2M"),
]

# The forms named in issue 16 and the other ways the same numbers are written.
PHONE_FORMS = [
    "+46 70 684 34 81",
    "+46 (0)70-684 34 81",
    "+46 070 684 34 81",
    "+46706843481",
    "+46 8 123 456 78",
    "0046 31 123 45 67",
    "0225-345 67",
    "08-123 456 78",
    "0771-567 567",
    "070 - 684 34 81",
    "070–684 34 81",
    "070 684 34 81",
    "070-6843481",
    "0706843481",
    "070-684-34-81",
    "08/123 45 67",
    "(08) 123 45 67",
    "(0225) 345 67",
    "070-684\n34 81",
    "070-\n684 34 81",
    "070 684\n34 81",
    "+46 70\n684 34 81",
    "08-123\u00a0456\u00a078",
]

EMAIL_FORMS = [
    "erik.arrhen@ltdalarna.se",
    "Erik.Arrhen@LtDalarna.SE",
    "åsa.öberg@regionorebrolan.se",
    "erik.arrhen(at)ltdalarna.se",
    "erik.arrhen[at]ltdalarna.se",
    "erik.arrhen (at) ltdalarna.se",
    "erik.arrhen at ltdalarna.se",
    "erik.arrhen snabel-a ltdalarna.se",
    "erik.arrhen(snabel-a)ltdalarna.se",
    "erik(dot)arrhen(at)ltdalarna(dot)se",
    "erik[dot]arrhen[at]ltdalarna[dot]se",
    "erik.arrhen @ ltdalarna.se",
    "erik.arrhen@\nltdalarna.se",
    "erik.arrhen\n@ltdalarna.se",
    "erik.arrhen@ltdalarna.\nse",
    "ERIK.ARRHEN(AT)LTDALARNA.SE",
]

# What the sources legitimately contain, and must not be taken for contact data.
NOT_CONTACT_DATA = [
    "för åren 2019–2022",
    "2020-2023",
    "2019-2022",
    "Datum: 2019-05-14",
    "2019-05-14 10 00",
    "14-05-2019",
    "SFS 2010:2012",
    "SOU 2011:39 s. 11",
    "org.nr 212000-2213",
    "232100-0180",
    "500 000 kr",
    "12 050 000 kr",
    "1 070 500 kr",
    "287 000 invånare",
    "sidan 12",
    "s. 014",
    "Box 712 791 29 Falun",
    "791 29 Falun",
    "LD17/03997",
    "Dnr 20RS9126",
    "kl. 09.00–12.00",
    "version 1.0.2",
    "ISBN 0-19-852663-6",
    "www.regiondalarna.se",
    "Kultur @ Dalarna",
    "Ht 2020",
]

# Every match in data/sources/, reviewed: the switchboard number, the case
# officer's mobile and e-mail in the Smedjebacken page footer (three pages), and
# the contact lines and contact box of the web page. The two e-mail addresses of
# named officers and their mobiles are personal data; the switchboard numbers and
# the organisation's mailbox are organisational contact data, masked all the same.
SOURCE_MATCHES = [
    ("001_2d90e2fd4dad697e.txt", "023-49 00 00"),
    ("001_2d90e2fd4dad697e.txt", "070-684 34 81"),
    ("001_2d90e2fd4dad697e.txt", "Erik.arrhen@ltdalarna.se"),
] * 3 + [
    ("003_f28668cc414657ec.txt", "070-312 41 06"),
    ("003_f28668cc414657ec.txt", "malin.lagergren@ltdalarna.se"),
    ("003_f28668cc414657ec.txt", "023-49 01 97"),
    ("003_f28668cc414657ec.txt", "070-684 34 81"),
    ("003_f28668cc414657ec.txt", "023-49 00 00"),
    ("003_f28668cc414657ec.txt", "landstinget.dalarna@ltdalarna.se"),
]


def _masked(text: str) -> str:
    return "".join(c if c in "\r\n" else MASK for c in text)


# -- finding and masking ----------------------------------------------------------


@pytest.mark.parametrize(("number", "family"), NUMBERING_PLAN)
def test_numbering_plan_numbers_are_found_whole(number: str, family: str) -> None:
    text = f"Ring {number} i dag."
    assert find_contact_data(text) == [(5, 5 + len(number))], family
    assert PHONE.fullmatch(number), family


@pytest.mark.parametrize("number", PHONE_FORMS)
def test_every_written_form_of_a_phone_number_is_masked_whole(number: str) -> None:
    text = f"Telefon: {number}. Välkommen!"
    assert find_contact_data(text) == [(9, 9 + len(number))]
    assert mask_contact_data(text) == f"Telefon: {_masked(number)}. Välkommen!"


@pytest.mark.parametrize("address", EMAIL_FORMS)
def test_every_written_form_of_an_address_is_masked_whole(address: str) -> None:
    text = f"E-post: {address}, svar inom en vecka."
    assert find_contact_data(text) == [(8, 8 + len(address))]
    assert EMAIL.fullmatch(address)
    assert mask_contact_data(text) == f"E-post: {_masked(address)}, svar inom en vecka."


def test_masking_keeps_no_first_letter_of_a_local_part() -> None:
    masked = mask_contact_data("Kontakt: Örjan.Ärlig@region.se")
    assert masked == "Kontakt: " + MASK * 21
    assert masked.count(MASK) == len("Örjan.Ärlig@region.se")


def test_masking_keeps_length_and_line_breaks() -> None:
    text = "Handläggare\n070-684\n34 81\nerik.arrhen@\nltdalarna.se\nSlut"
    masked = mask_contact_data(text)
    assert len(masked) == len(text)
    assert masked.splitlines() == [
        "Handläggare",
        MASK * 7,
        MASK * 5,
        MASK * 12,
        MASK * 12,
        "Slut",
    ]


def test_adjacent_numbers_and_addresses_are_each_found() -> None:
    text = "023-49 01 97, 070-684 34 81 malin.lagergren@ltdalarna.se"
    found = [text[s:e] for s, e in find_contact_data(text)]
    assert found == ["023-49 01 97", "070-684 34 81", "malin.lagergren@ltdalarna.se"]


@pytest.mark.parametrize("text", NOT_CONTACT_DATA)
def test_dates_periods_numbers_and_amounts_are_not_contact_data(text: str) -> None:
    assert find_contact_data(text) == []
    assert mask_contact_data(text) == text


# -- the real data ----------------------------------------------------------------


def test_every_match_in_the_sources_is_reviewed_contact_data(
    assembled: AssembledDataset,
) -> None:
    found = []
    for path in sorted((ROOT / "data" / "sources").glob("*.txt")):
        text = path.read_text("utf-8")
        found += [(path.name, text[s:e]) for s, e in find_contact_data(text)]
    assert len(found) == 15
    assert found == SOURCE_MATCHES


def test_every_match_in_the_sources_lies_in_a_skipped_passage(
    assembled: AssembledDataset,
) -> None:
    # The contact footers and blocks are recorded as skg:SkippedPassage: no fact of
    # the graph quotes them, and the published source views mask them.
    checked = 0
    for doc in assembled.documents:
        records = doc.evidence or []
        skipped = [r.span for r in records if r.skipped]
        quoted = [r.span for r in records if not r.skipped]
        for start, end in find_contact_data(doc.source.text):
            assert any(s.start <= start and end <= s.end for s in skipped)
            assert not any(s.start < end and start < s.end for s in quoted)
            checked += 1
    assert checked == 15


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``samverkansgraf build`` on a copy of the project: the dumps in dist/."""
    root = tmp_path_factory.mktemp("privacy-build")
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / name, root / name)
    paths = ProjectPaths(root)
    build(paths)
    return paths.dist_dir


def test_no_match_in_the_built_dumps(dist: Path) -> None:
    counts = {
        path.name: len(find_contact_data(path.read_text("utf-8")))
        for path in sorted(dist.iterdir())
        if path.suffix in (".trig", ".nq", ".ttl", ".jsonld", ".json")
    }
    assert counts == {
        "build-report.json": 0,
        "samverkansgraf.jsonld": 0,
        "samverkansgraf.nq": 0,
        "samverkansgraf.trig": 0,
        "samverkansgraf.ttl": 0,
    }


# -- the SHACL shape --------------------------------------------------------------


def _sparql_regex_arguments(select: str) -> list[tuple[str, str | None]]:
    """The (pattern, flags) of every REGEX on ?value, SPARQL escapes undone."""
    literal = r'"((?:[^"\\]|\\.)*)"'
    found = re.findall(rf"REGEX\(STR\(\?value\), {literal}(?:, {literal})?\)", select)
    return [
        (re.sub(r"\\(.)", r"\1", pattern), flags or None) for pattern, flags in found
    ]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(ROOT / "shapes")


def test_the_shape_uses_the_patterns_of_privacy_py(shapes: Graph) -> None:
    selects = [
        str(select)
        for select in shapes.objects(None, SH_SELECT)
        if "skg:sha256" in str(select)
    ]
    assert len(selects) == 2  # the SPARQL target and the SPARQL constraint
    for select in selects:
        assert _sparql_regex_arguments(select) == [
            (SHACL_EMAIL_PATTERN, SHACL_EMAIL_FLAGS),
            (SHACL_PHONE_PATTERN, None),
        ], "paste privacy.SHACL_*_PATTERN into skgsh:NoContactLiteralShape"


SAMPLES = [*PHONE_FORMS, *EMAIL_FORMS, *(n for n, _ in NUMBERING_PLAN)]


@pytest.mark.parametrize("text", [*SAMPLES, *NOT_CONTACT_DATA])
def test_the_shape_pattern_and_python_agree(text: str) -> None:
    # SPARQL only asks whether a literal matches; Python finds where.
    found = bool(find_contact_data(f"x {text} x"))
    shacl = bool(
        re.search(SHACL_PHONE_PATTERN, f"x {text} x")
        or re.search(SHACL_EMAIL_PATTERN, f"x {text} x", re.IGNORECASE)
    )
    assert found == shacl == (text not in NOT_CONTACT_DATA)


def test_oxigraph_accepts_the_patterns_and_agrees() -> None:
    # The fast engine runs the shape on Oxigraph, whose Rust regex crate has no
    # look-around: the SHACL patterns must stay within what it accepts.
    store = ox.Store()
    predicate = ox.NamedNode("https://example.org/p")
    for index, text in enumerate([*SAMPLES, *NOT_CONTACT_DATA]):
        subject = ox.NamedNode(f"https://example.org/{index}")
        store.add(ox.Quad(subject, predicate, ox.Literal(text)))

    def sparql_string(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    query = (
        "SELECT ?v WHERE { ?s ?p ?v FILTER("
        f"REGEX(STR(?v), {sparql_string(SHACL_EMAIL_PATTERN)}, "
        f'"{SHACL_EMAIL_FLAGS}") || REGEX(STR(?v), '
        f"{sparql_string(SHACL_PHONE_PATTERN)})) }}"
    )
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    values = [solution["v"] for solution in solutions]
    flagged = Counter(v.value for v in values if isinstance(v, ox.Literal))
    assert flagged == Counter(SAMPLES)


@pytest.fixture(scope="module")
def context(project: ProjectPaths) -> Graph:
    graph = bind_prefixes(Graph())
    for part in load_vocabulary_and_reference(project).values():
        graph += part
    parse_turtle(ROOT / "tests/fixtures/valid/minimal-agreement.ttl", graph)
    return graph


def test_the_fast_engine_compiles_the_privacy_shape(shapes: Graph) -> None:
    compile_shapes(shapes)  # raises UnsupportedShapesError if it would fall back


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_literal_with_a_phone_number_fails_validation(
    context: Graph, shapes: Graph, engine: str
) -> None:
    data = Graph() + context
    assert validate_graph(data, shapes, engine=engine).conforms
    person = SKGID["person/kontakt"]
    data.add((person, RDFS.comment, Literal("Ring +46 70 684 34 81")))
    data.add((person, RDFS.label, Literal("skriv till erik(at)ltdalarna(dot)se")))
    data.add((person, RDFS.seeAlso, Literal("org.nr 212000-2213, 2019-05-14")))
    report = validate_graph(data, shapes, engine=engine)
    assert not report.conforms
    assert sorted(
        (str(r.focus), str(r.value)) for r in report.results if r.shape == SHAPE
    ) == [
        (str(person), "Ring +46 70 684 34 81"),
        (str(person), "skriv till erik(at)ltdalarna(dot)se"),
    ]


@given(
    st.lists(
        st.sampled_from(
            [*"ab.Å9_-+ @()[]{}<>\n\t\u00a0", "at", "dot", "se", "x@c.se", "a@b.se-"]
        ),
        max_size=40,
    ).map("".join)
)
@settings(max_examples=600, deadline=None)
def test_the_quick_email_search_finds_what_the_pattern_finds(text: str) -> None:
    """find_contact_data's faster e-mail search (1.7 s -> 0.4 s over the M
    texts) gives EMAIL.finditer's spans, also for an address that starts where
    another ends inside a word ("a@b.se-x@c.se")."""
    assert list(_email_spans(text)) == [m.span() for m in EMAIL.finditer(text)]


@given(
    st.lists(
        st.sampled_from(
            [
                *"0123456789+()-\u2013/.: \n\ta",
                "46",
                "0046",
                "(0)",
                "070",
                "08",
                "(08)",
                "684 34 81",
                "2019-05-14",
                "\u00a0",
            ]
        ),
        max_size=30,
    ).map("".join)
)
@settings(max_examples=1500, deadline=None)
def test_the_quick_phone_search_finds_what_the_pattern_finds(text: str) -> None:
    """find_contact_data tries PHONE only where a number can start ("+", "(",
    a "0" after no digit): the same spans as PHONE.finditer, also for numbers
    right after a digit, a date or another number."""
    assert list(_phone_spans(text)) == [m.span() for m in PHONE.finditer(text)]


def test_an_address_right_after_another_is_masked_too() -> None:
    text = "data@example.org-x@c.se"
    assert find_contact_data(text) == [(0, 16), (16, 23)]
    assert "@" not in mask_contact_data(text)


# -- the quick scan gives the patterns' own answer (issue 19) ------------------------

_ADDRESS_PIECES = (
    "a", "Örjan", "x.y", "@", " @ ", " at ", " AT ", "(at)", "[at]", "{ at }",
    "<at>", "(snabel-a)", " snabel-a ", ".", ". ", " dot ", "(dot)", "[dot]", "se",
    "com", "-", "_", "1", "07", "\n", "\r\n", "\t", "\u00a0", " ", "/", ":", '"',
    "<", ">", "\u017f", "\u212a", "+46 70 684 34 81", "(08) 123 45 67", "0",
    "070-", "2019-05-14", "9",
)  # fmt: skip
# What can stand before an "@" that is no at-sign, and letters only
# IGNORECASE makes letters ("\u0178" is the upper case of "ÿ").
_AT_SIGN_PIECES = (*_ADDRESS_PIECES, "\u0178", '"@id"', '"@sv', "é", "'", ";", "a@")


def _straightforward(text: str) -> list[tuple[int, int]]:
    """find_contact_data as it was: every pattern over the whole text."""
    spans = sorted(
        (m.start(), m.end()) for p in (EMAIL, PHONE) for m in p.finditer(text)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def test_quick_scan_finds_exactly_what_the_patterns_find() -> None:
    import random

    rng = random.Random(19)
    texts = [
        "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        for pieces in [_ADDRESS_PIECES] * 30_000 + [_AT_SIGN_PIECES] * 10_000
    ]
    texts += [path.read_text("utf-8") for path in (ROOT / "data/sources").glob("*.txt")]
    # Addresses after another address, inside JSON-LD keys, in prose, at the ends.
    texts += [
        "data@example.org-x@c.se",
        '{"@id": "x", "@value": "a@b.se"}',
        "Kontakta oss at kultur at region dot se eller ring 070-123 45 67",
        "x" * 5000 + " at " + "y" * 5000,
        "@",
        "a@b.se",
        "erik \u017fnabel-a region.se",  # the long s is an "s" to IGNORECASE
        "erik(\u017fNABEL-A)region.se",
        "erik At region.se, Erik aT region dot se",
        # "@" after a character that can end no local part: no at-sign, skipped.
        '"text"@sv, {"@id": "a@b.se"}, <x>@y.se, "\u0178@b.se", \u212a\n@b.se',
    ]
    addresses = 0
    for text in texts:
        expected = _straightforward(text)
        assert find_contact_data(text) == expected, repr(text)
        addresses += any(EMAIL.search(text[s:e]) for s, e in expected)
    # The generated texts do hold addresses in every written form.
    assert addresses > 150
