"""The query catalogue: every queries/*.rq is well-formed, documented and linted;
headers are parsed strictly; names resolve or suggest; the docs are in sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from samverkansgraf.errors import CatalogueError, QueryError
from samverkansgraf.publish.settings import load_publication
from samverkansgraf.query.catalogue import (
    HEADER_KEYS,
    QuerySpec,
    check_query,
    find_query,
    load_catalogue,
    read_query_file,
    render_catalogue_markdown,
    scan_sparql,
)

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
CATALOGUE = load_catalogue(QUERIES)
SPECS = list(CATALOGUE.values())
README = ROOT / "README.md"


def test_catalogue_has_at_least_25_queries() -> None:
    assert len(SPECS) >= 25
    assert all(spec.path.name == f"{spec.id}.rq" for spec in SPECS)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_query_is_well_formed(spec: QuerySpec) -> None:
    """Parses, is a SELECT, projects exactly its columns, uses its parameters."""
    assert check_query(spec) == []
    assert spec.title and spec.columns
    assert " / " in spec.question, "question: Swedish / English"
    header = spec.text.split("\nPREFIX", 1)[0]
    for key in ("title", "question", "parameters", "columns"):
        assert f"# {key}:" in header


def test_required_parameters_have_no_default() -> None:
    evidence = find_query("21", CATALOGUE)
    (resource,) = evidence.parameters
    assert resource.required and resource.default is None and resource.type == "IRI"
    programme = find_query("08", CATALOGUE).parameters[0]
    assert programme.default == URIRef(
        "https://w3id.org/samverkansgraf/id/programme/enprocentregeln"
    )
    county = find_query("13", CATALOGUE).parameters[0]
    assert county.default == Literal("18")
    year = find_query("30", CATALOGUE).parameters[0]
    assert year.default == Literal(2021, datatype=XSD.integer)


def _write(
    tmp_path: Path, header: str, body: str = "SELECT ?a WHERE { ?a ?b ?c }\n"
) -> Path:
    path = tmp_path / "99_probe.rq"
    path.write_text(header + body, encoding="utf-8")
    return path


GOOD = "# title: T\n# question: F? / Q?\n# parameters: none\n# columns: a\n"


def test_a_good_header_is_read(tmp_path: Path) -> None:
    spec = read_query_file(_write(tmp_path, GOOD + "# description: long\n#   text\n"))
    assert spec.id == "99_probe"
    assert spec.columns == ("a",)
    assert spec.parameters == ()
    assert spec.description == "long text"


@pytest.mark.parametrize(
    ("header", "line", "words"),
    [
        (GOOD.replace("# columns: a\n", ""), 1, "lacks '# columns:'"),
        (GOOD + "# colums: b\n", 5, "did you mean 'columns'"),
        (GOOD + "# title: again\n", 5, "occurs twice"),
        (GOOD.replace("none", "programme (URI, default x)"), 3, "unknown type 'URI'"),
        (GOOD.replace("none", "programme IRI"), 3, "cannot read it"),
        (GOOD.replace("none", "programme (IRI, default not an iri)"), 3, "bad default"),
        (GOOD.replace("none", "year (integer, default 20x1)"), 3, "bad default"),
        (GOOD.replace("none", "name (string, default unquoted)"), 3, "bad default"),
        (GOOD.replace("none", "a (IRI); a (IRI)"), 3, "declared twice"),
        (GOOD.replace("none", "endpoint (IRI)"), 3, "reserved"),
        (GOOD.replace("# columns: a", "# columns: a, a"), 4, "bad column list"),
        (GOOD.replace("# question: F? / Q?", "#question F?"), 2, "not '# key: value'"),
    ],
)
def test_a_malformed_header_names_file_and_line(
    tmp_path: Path, header: str, line: int, words: str
) -> None:
    with pytest.raises(CatalogueError) as caught:
        read_query_file(_write(tmp_path, header))
    error = caught.value
    assert error.path is not None and error.path.name == "99_probe.rq"
    assert error.line == line
    assert words in str(error)
    assert f"99_probe.rq:{line}:" in str(error)


def test_bad_file_names_and_duplicate_numbers(tmp_path: Path) -> None:
    (tmp_path / "1_bad.rq").write_text(GOOD + "SELECT ?a {}", encoding="utf-8")
    with pytest.raises(CatalogueError, match="<nn>_<slug>"):
        load_catalogue(tmp_path)
    (tmp_path / "1_bad.rq").unlink()
    for name in ("05_one.rq", "05_two.rq"):
        (tmp_path / name).write_text(GOOD + "SELECT ?a {}", encoding="utf-8")
    with pytest.raises(CatalogueError, match="05 is also used"):
        load_catalogue(tmp_path)
    with pytest.raises(CatalogueError, match="missing"):
        load_catalogue(tmp_path / "nowhere")


@pytest.mark.parametrize(
    "name",
    [
        "08",
        "8",
        "municipalities_committed_to_programme",
        "08_municipalities_committed_to_programme.rq",
    ],
)
def test_find_query_by_number_slug_or_id(name: str) -> None:
    assert find_query(name, CATALOGUE).id == "08_municipalities_committed_to_programme"


def test_an_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(CatalogueError) as caught:
        find_query("weak_comitments", CATALOGUE)
    assert "did you mean 19_weak_commitments" in str(caught.value)
    with pytest.raises(CatalogueError, match="query --list"):
        find_query("zzzzzzzz", CATALOGUE)


def test_binding_errors_name_the_parameter() -> None:
    spec = find_query("21", CATALOGUE)
    with pytest.raises(QueryError, match="needs the parameter 'resource'"):
        spec.bind({})
    with pytest.raises(
        QueryError, match="has no parameter 'resorce'.*did you mean resource"
    ):
        spec.bind({"resorce": "skgid:x"})
    with pytest.raises(QueryError, match="is not an IRI"):
        spec.bind({"resource": "not an iri"})
    with pytest.raises(QueryError, match="is not an IRI"):
        spec.bind({"resource": "https://example.org/a>b"})
    with pytest.raises(QueryError, match="takes an integer"):
        find_query("30", CATALOGUE).bind({"year": "2021.5"})
    bound = find_query("30", CATALOGUE).bind({"year": 2024})
    assert bound == {"year": Literal(2024, datatype=XSD.integer)}
    assert spec.bind({"resource": "<https://example.org/x>"}) == {
        "resource": URIRef("https://example.org/x")
    }


def test_scan_sparql_skips_strings_iris_and_comments() -> None:
    text = (
        "PREFIX ex: <http://ex/a#b>\n# a comment { ?hidden\n"
        "SELECT ?a WHERE { ?a ex:p \"}{ ?notvar\" ; ex:q '''{''' .\n"
        "  FILTER(?a < 3 && ?b > 2)\n"
        "  { SELECT ?inner WHERE { ?inner ?p ?o } } }"
    )
    structure = scan_sparql(text)
    assert text[structure.outer_open] == "{"
    assert text[structure.outer_close] == "}"
    assert structure.outer_close == len(text) - 1
    names = {(name, inside) for name, _, inside in structure.variables}
    assert ("hidden", False) not in names and ("notvar", False) not in names
    assert ("inner", True) in names and ("a", False) in names
    assert not structure.outer_starts_with_select
    assert scan_sparql("SELECT * { SELECT ?x {} }").outer_starts_with_select


def test_lint_rejects_a_parameter_inside_a_subselect(tmp_path: Path) -> None:
    header = GOOD.replace("none", "p (IRI, default skgid:x)").replace(
        "columns: a", "columns: n"
    )
    body = "SELECT ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } } }\n"
    problems = check_query(read_query_file(_write(tmp_path, header, body)))
    assert any("inside a sub-SELECT" in p for p in problems)
    body = "SELECT ?a WHERE { ?a ?b ?c }\n"
    problems = check_query(read_query_file(_write(tmp_path, header, body)))
    assert problems == [
        "projects a but the header declares n",
        "parameter p does not occur as ?p",
    ]


def test_catalogue_markdown_lists_every_query() -> None:
    table = render_catalogue_markdown(SPECS)
    for spec in SPECS:
        assert f"| `{spec.id}` |" in table
    assert "programme (IRI, default skgid:programme/enprocentregeln)" in table
    assert 'county (string, default "18")' in table
    assert "resource (IRI, required)" in table


def test_readme_has_the_generated_catalogue() -> None:
    """README.md includes the table as generated; when this fails, put the output
    of `samverkansgraf query --list --markdown` between the markers."""
    text = README.read_text("utf-8")
    begin, end = "<!-- catalogue:begin -->\n", "<!-- catalogue:end -->"
    assert begin in text and end in text
    inside = text.split(begin, 1)[1].split(end, 1)[0]
    # Each query links to its run URL on the published site (issue 20).
    base = load_publication(ROOT).base_url
    assert inside == render_catalogue_markdown(SPECS, run_base=base)
    assert f"[`13_municipalities_in_no_activity`]({base}query.html?name=13_" in inside


def test_header_keys_are_documented() -> None:
    text = (ROOT / "docs" / "queries.md").read_text("utf-8")
    for key in HEADER_KEYS:
        assert f"# {key}:" in text


def test_lint_wants_the_default_in_a_values_block(tmp_path: Path) -> None:
    header = GOOD.replace("none", "p (IRI, default skgid:x)")
    body = "SELECT ?a WHERE { ?a ?b ?p }\n"
    problems = check_query(read_query_file(_write(tmp_path, header, body)))
    assert problems == [
        "parameter p has no VALUES ?p block with its default "
        "<https://w3id.org/samverkansgraf/id/x> in the outer group, so the file "
        "run as published leaves it unbound"
    ]
    body = (
        "SELECT ?a WHERE { VALUES ?p { <https://w3id.org/samverkansgraf/id/y> } "
        "?a ?b ?p }\n"
    )
    with pytest.raises(
        CatalogueError,
        match="VALUES \\?p holds <https://w3id.org/"
        "samverkansgraf/id/y>, the header's default is skgid:x",
    ):
        read_query_file(_write(tmp_path, header, body))
    body = (
        "SELECT ?a WHERE { VALUES ?p { <https://w3id.org/samverkansgraf/id/x> } "
        "?a ?b ?p }\n"
    )
    assert check_query(read_query_file(_write(tmp_path, header, body))) == []
