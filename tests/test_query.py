"""Running the catalogue: exact expected answers (tests/expected/), identical
answers from rdflib and Oxigraph, parameters bound as terms (never as text),
writers, the notebook entry point and the CLI's query and sparql commands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery

from samverkansgraf import run_query
from samverkansgraf.cli import cli
from samverkansgraf.errors import QueryError
from samverkansgraf.namespaces import PREFIXES
from samverkansgraf.query.catalogue import QuerySpec, load_catalogue, read_query_file
from samverkansgraf.query.engines import (
    ENGINES,
    WRITERS,
    Engine,
    QueryResult,
    bind_values,
    open_engine,
    run_sparql,
    sparql_term,
)
from samverkansgraf.sources import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "expected"
CATALOGUE = load_catalogue(ROOT / "queries")
FIXTURE_PREFIX = "http://example.org/fiktiv/"
# Values used where a query needs a parameter and the test names none.
REQUIRED = {
    "real": {
        "21_evidence_of_resource": {
            "resource": "skgid:commitment/hedemora-2019-2022/6-3"
        }
    },
    "fixture": {
        "21_evidence_of_resource": {"resource": FIXTURE_PREFIX + "commitment-a-1"}
    },
}
INJECTION = '"} ; DROP ALL ; #'


# ---------------------------------------------------------------------------
# Datasets and engines
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def engines(
    hedemora_dump: Path, fixture_dump: Path, full_dump: Path
) -> dict[str, dict[str, Engine]]:
    """scope ("real", "fixture", "full") → engine name → engine."""
    scopes = (("real", hedemora_dump), ("fixture", fixture_dump), ("full", full_dump))
    return {
        scope: {name: load(dump) for name, load in ENGINES.items()}
        for scope, dump in scopes
    }


def _expand(cell: str) -> str:
    """Expected files may abbreviate IRIs as skgid:, skg:, wd: or fx: names."""
    prefixes = {p: str(PREFIXES[p]) for p in ("skgid", "skg", "wd")}
    prefixes["fx"] = FIXTURE_PREFIX
    prefix, colon, local = cell.partition(":")
    if colon and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return cell


def _read_expected(
    path: Path,
) -> tuple[dict[str, str], list[str], list[tuple[str, ...]]]:
    """Parameters (from '# parameter: k=v' lines), header and rows of a file."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    params: dict[str, str] = {}
    while lines and lines[0].startswith("#"):
        comment = lines.pop(0)[1:].strip()
        if comment.startswith("parameter:"):
            key, _, value = comment.removeprefix("parameter:").strip().partition("=")
            params[key] = value
    reader = csv.reader(lines)
    header = next(reader)
    rows = [tuple(_expand(cell) for cell in row) for row in reader]
    return params, header, rows


def _expected_files() -> list[tuple[str, Path]]:
    files = [("real", p) for p in sorted(EXPECTED.glob("*.csv"))]
    files += [("fixture", p) for p in sorted((EXPECTED / "fixture").glob("*.csv"))]
    files += [("full", p) for p in sorted((EXPECTED / "full").glob("*.csv"))]
    return files


def _query_id(path: Path) -> str:
    return path.stem.split("--", 1)[0]


# ---------------------------------------------------------------------------
# Expected answers, and the same answers from every engine
# ---------------------------------------------------------------------------


def test_every_query_has_an_expected_answer() -> None:
    tested = {_query_id(path) for _, path in _expected_files()}
    assert set(CATALOGUE) <= tested, sorted(set(CATALOGUE) - tested)
    assert tested <= set(CATALOGUE), sorted(tested - set(CATALOGUE))


@pytest.mark.parametrize(
    ("scope", "path"),
    _expected_files(),
    ids=lambda v: v if isinstance(v, str) else v.stem,
)
def test_expected_answer(scope: str, path: Path, engines: dict) -> None:
    """The exact rows, on both engines (order-insensitive)."""
    params, header, rows = _read_expected(path)
    spec = CATALOGUE[_query_id(path)]
    assert tuple(header) == spec.columns
    for name, engine in engines[scope].items():
        result = run_query(spec, params, engine=engine)
        assert sorted(result.values()) == sorted(rows), f"{name} on {scope}"


@pytest.mark.parametrize("scope", ["real", "fixture"])
@pytest.mark.parametrize("spec", list(CATALOGUE.values()), ids=lambda s: s.id)
def test_rdflib_and_oxigraph_agree(spec: QuerySpec, scope: str, engines: dict) -> None:
    """Terms included (datatypes, language tags), after canonical sorting."""
    params = REQUIRED[scope].get(spec.id, {})
    answers = {
        name: run_query(spec, params, engine=engine).canonical()
        for name, engine in engines[scope].items()
    }
    assert answers["rdflib"] == answers["oxigraph"]


# ---------------------------------------------------------------------------
# Parameters are terms: injection stays a literal
# ---------------------------------------------------------------------------


ECHO = (
    "# title: Echo\n# question: E? / E?\n# parameters: value (string, required)\n"
    "# columns: value, length\n"
    "SELECT ?value (STRLEN(?value) AS ?length) WHERE { }\n"
)


@pytest.mark.parametrize(
    "value",
    [
        INJECTION,
        'a"b',
        "back\\slash",
        "\\u0022 } ;",
        "'''",
        '"""',
        "line\nbreak\r",
        "#",
        "}",
    ],
)
def test_a_string_parameter_stays_one_literal(
    value: str, tmp_path: Path, engines
) -> None:
    path = tmp_path / "98_echo.rq"
    path.write_text(ECHO, encoding="utf-8")
    spec = read_query_file(path)
    for engine in engines["fixture"].values():
        result = run_query(spec, {"value": value}, engine=engine)
        assert result.rows == (
            (Literal(value), Literal(len(value), datatype=XSD.integer)),
        )


def test_injection_in_a_catalogue_query_changes_nothing(engines) -> None:
    spec = CATALOGUE["29_find_actor_by_name"]
    for engine in engines["real"].values():
        assert len(run_query(spec, {"name": INJECTION}, engine=engine)) == 0
        assert len(run_query(spec, engine=engine)) == 2  # the store is intact


def test_bind_values_builds_a_values_block_of_terms() -> None:
    text = CATALOGUE["29_find_actor_by_name"].text
    bound = bind_values(text, {"name": Literal(INJECTION)})
    # The file's own block is replaced (issue 15), not joined with a second one.
    assert 'VALUES ?name { "\\"} ; DROP ALL ; #" }' in bound
    assert bound.count("VALUES ?name") == 1
    assert 'VALUES ?name { "landstinget" }' not in bound
    algebra = prepareQuery(bound).algebra
    assert str(algebra).count("DROP") == 1  # inside the one literal only
    # a bare sub-select as the outer group is nested, not broken
    nested = bind_values(
        "SELECT ?x WHERE { SELECT ?x { ?x ?p ?o } }", {"x": URIRef("urn:a")}
    )
    prepareQuery(nested)
    assert sparql_term(Literal("2021", datatype=XSD.gYear)) == (
        '"2021"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    )
    with pytest.raises(QueryError, match="forbidden characters"):
        sparql_term(URIRef("urn:a> } DROP ALL { <urn:b"))


# ---------------------------------------------------------------------------
# Results and writers
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def programme_result(engines) -> QueryResult:
    spec = CATALOGUE["08_municipalities_committed_to_programme"]
    return run_query(
        spec,
        {"programme": "skgid:programme/skapande-skola"},
        engine=engines["full"]["oxigraph"],
    )


def test_writers(programme_result: QueryResult) -> None:
    assert set(WRITERS) == {"table", "csv", "tsv", "json"}
    csv_text = programme_result.to_csv()
    assert csv_text.splitlines()[0] == ",".join(programme_result.columns)
    assert len(csv_text.splitlines()) == 3
    assert programme_result.to_tsv().splitlines()[0].split("\t") == list(
        programme_result.columns
    )
    payload = json.loads(programme_result.to_json())
    assert payload["head"]["vars"] == list(programme_result.columns)
    first = payload["results"]["bindings"][0]
    assert first["municipality"]["type"] == "uri"
    assert first["modality"] == {"type": "literal", "value": "Intends"}
    table = programme_result.to_table()
    assert "skgid:kommun/2083" in table and "(2 rows)" in table
    with pytest.raises(QueryError, match="unknown output format"):
        programme_result.write("xml")


def test_to_dataframe(engines) -> None:
    result = run_query(
        CATALOGUE["27_clauses_of_agreement"], engine=engines["real"]["oxigraph"]
    )
    frame = result.to_dataframe()
    assert list(frame.columns) == list(result.columns)
    assert len(frame) == 10
    assert frame["commitments"].sum() == 31
    assert frame.sort_values("position")["number"].tolist()[5:7] == ["6", "6"]


def test_run_query_from_the_project(built_project: ProjectPaths) -> None:
    """The notebook entry: by name, parameters as keywords, over dist/."""
    result = run_query("08", project=built_project, programme="skgid:programme/icorn")
    assert result.query_id == "08_municipalities_committed_to_programme"
    assert [row[3] for row in result.values()] == [
        "https://w3id.org/samverkansgraf/id/commitment/hedemora-2019-2022/2-1"
    ]
    assert run_query("08", project=built_project, engine="rdflib") == run_query(
        "08", project=built_project
    )
    with pytest.raises(QueryError, match="needs the parameter 'resource'"):
        run_query("21", project=built_project)


def test_engines_are_cached_per_file_version(built_project: ProjectPaths) -> None:
    first = open_engine("oxigraph", paths=built_project)
    assert open_engine("oxigraph", paths=built_project) is first
    with pytest.raises(QueryError, match="unknown engine"):
        open_engine("virtuoso", paths=built_project)


def test_without_a_build_the_query_says_build_first(scratch: ProjectPaths) -> None:
    with pytest.raises(QueryError, match="run `samverkansgraf build` first"):
        run_query("01", project=scratch)


def test_run_sparql_syntax_error_has_a_position(built_project: ProjectPaths) -> None:
    for engine in ENGINES:
        with pytest.raises(QueryError) as caught:
            run_sparql(
                "SELECT ?s WHERE {\n  ?s ?p \n}", engine=engine, project=built_project
            )
        message = str(caught.value)
        assert message.startswith("SPARQL syntax error: line ")
        assert "column" in message
    ask = run_sparql(
        "ASK { ?s a <https://w3id.org/samverkansgraf/ontology#Agreement> }",
        project=built_project,
    )
    assert ask.rows == ((Literal(True),),)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def _invoke(runner: CliRunner, project: ProjectPaths, *args: str, **kwargs):
    return runner.invoke(cli, ["--project", str(project.root), *args], **kwargs)


def test_cli_query_list(runner: CliRunner, built_project: ProjectPaths) -> None:
    result = _invoke(runner, built_project, "query", "--list", catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == len(CATALOGUE)
    assert lines[7].startswith(
        "08_municipalities_committed_to_programme  Municipalities"
    )
    assert "[programme (IRI, default skgid:programme/enprocentregeln)]" in lines[7]


def test_cli_query_markdown(runner: CliRunner, built_project: ProjectPaths) -> None:
    result = _invoke(runner, built_project, "query", "--list", "--markdown")
    assert result.exit_code == 0
    assert result.output.startswith("| query | title |")


def test_cli_query_csv_with_param(
    runner: CliRunner, built_project: ProjectPaths
) -> None:
    result = _invoke(
        runner,
        built_project,
        "query",
        "08",
        "--param",
        "programme=skgid:programme/skapande-skola",
        "--format",
        "csv",
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    rows = list(csv.reader(result.output.splitlines()))
    assert rows[0] == list(
        CATALOGUE["08_municipalities_committed_to_programme"].columns
    )
    # Both agreements say "… vill tillsammans arbeta för … inom ramen för skapande
    # skola" (Intends). Their "Dalarnas kommuner kan av staten söka … Skapande
    # skola" is the state's permission, a statement (#18), not a May commitment.
    assert sorted((row[0].rsplit("/", 1)[-1], row[4]) for row in rows[1:]) == [
        ("2061", "Intends"),
        ("2083", "Intends"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["query", "21"],
            "needs the parameter 'resource' (IRI) — add --param resource=VALUE",
        ),
        (["query", "30", "-p", "year=twenty"], "parameter year takes an integer"),
        (["query", "08", "-p", "programme=no iri"], "'no iri' is not an IRI"),
        (["query", "08", "-p", "programm=x"], "has no parameter 'programm'"),
        (["query", "08", "-p", "programme"], "is not key=value"),
        (["query", "weak"], "no query named 'weak'"),
    ],
)
def test_cli_query_errors_are_one_line_exit_4(
    runner: CliRunner, built_project: ProjectPaths, args: list[str], message: str
) -> None:
    result = _invoke(runner, built_project, *args)
    assert result.exit_code == 4, result.output
    assert message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_cli_query_without_build(runner: CliRunner, scratch: ProjectPaths) -> None:
    result = _invoke(runner, scratch, "query", "01")
    assert result.exit_code == 4
    assert result.output.strip().endswith("run `samverkansgraf build` first")
    assert result.output.count("\n") == 1


def test_cli_sparql_file_and_stdin(
    runner: CliRunner, built_project: ProjectPaths, tmp_path: Path
) -> None:
    query = tmp_path / "mine.rq"
    query.write_text(
        "PREFIX skg: <https://w3id.org/samverkansgraf/ontology#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a skg:Commitment }\n",
        encoding="utf-8",
    )
    for engine in ENGINES:
        result = _invoke(
            runner,
            built_project,
            "sparql",
            str(query),
            "--format",
            "csv",
            "--engine",
            engine,
            catch_exceptions=False,
        )
        assert result.exit_code == 0
        # Hedemora 31 + Smedjebacken 23 + plan section 7 + web page 1 + Örebro 2.
        assert result.output == "n\n64\n"
    piped = _invoke(
        runner, built_project, "sparql", "-", "--format", "tsv", input=query.read_text()
    )
    assert piped.output == "n\n64\n"


def test_cli_sparql_syntax_error(
    runner: CliRunner, built_project: ProjectPaths
) -> None:
    result = _invoke(
        runner, built_project, "sparql", "-", input="SELECT * WHERE { ?s ?p }"
    )
    assert result.exit_code == 4
    assert result.output.startswith("error: SPARQL syntax error: line 1, column ")
    assert result.output.count("\n") == 1
    empty = _invoke(runner, built_project, "sparql", "-", input="  \n")
    assert empty.exit_code == 4 and "empty" in empty.output


# ---------------------------------------------------------------------------
# Fuzzing the parameter binder (issue 10): any value stays one RDF term
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_engines() -> dict[str, Engine]:
    import pyoxigraph as ox
    from rdflib import Dataset

    from samverkansgraf.query.engines import OxigraphEngine, RdflibEngine

    return {
        "oxigraph": OxigraphEngine(ox.Store()),
        "rdflib": RdflibEngine(Dataset(default_union=True)),
    }


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=40))
def test_any_string_parameter_comes_back_as_the_same_literal(
    value: str, empty_engines: dict[str, Engine]
) -> None:
    from samverkansgraf.query.catalogue import Parameter

    term = Parameter("name", "string").to_term(value)
    for name, engine in empty_engines.items():
        result = engine.select("SELECT ?name WHERE { }", {"name": term})
        assert result.values() == [(value,)], name


@settings(max_examples=150)
@given(value=st.text(max_size=40))
def test_any_iri_parameter_is_an_iri_or_one_clear_error(value: str) -> None:
    from rdflib import URIRef

    from samverkansgraf.query.catalogue import Parameter

    try:
        term = Parameter("programme", "IRI").to_term(value)
    except QueryError as error:
        assert str(error).startswith("parameter programme")
    else:
        assert isinstance(term, URIRef)
        assert not any(char in str(term) for char in '<>"{}| \\^`\n')


# ---------------------------------------------------------------------------
# Issue 15: every .rq runs as published, the defaults in the file itself
# ---------------------------------------------------------------------------

# Rows of the file run unchanged on the full build, before and after issue 15
# (before, the parameter was unbound there and matched everything or nothing).
AS_PUBLISHED_ROWS = {
    "08_municipalities_committed_to_programme": 2,  # was 21
    "13_municipalities_in_no_activity": 1,  # was 279
    "24_municipalities_without_agreement": 13,  # was 288
    "29_find_actor_by_name": 2,  # was 0
    "30_agreements_in_force": 2,  # was 0
}


@pytest.mark.parametrize(
    "spec",
    [s for s in CATALOGUE.values() if not any(p.required for p in s.parameters)],
    ids=lambda s: s.id,
)
def test_a_file_run_unchanged_gives_the_cli_default_answer(
    spec: QuerySpec, built_project: ProjectPaths
) -> None:
    from samverkansgraf.query.engines import OxigraphEngine

    dump = built_project.dist_dir / "samverkansgraf.nq"
    as_published = OxigraphEngine.from_file(dump).select(spec.text)
    by_cli = run_query(spec.id, project=built_project)
    assert as_published.rows == by_cli.rows
    if spec.id in AS_PUBLISHED_ROWS:
        assert len(as_published) == AS_PUBLISHED_ROWS[spec.id]


def test_show_prints_exactly_what_is_sent(
    built_project: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from samverkansgraf.query.engines import OxigraphEngine

    sent: list[str] = []
    select = OxigraphEngine.select

    def spy(self, text, bindings=None, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(bind_values(text, bindings or {}))
        return select(self, text, bindings, **kwargs)

    args = ["--project", str(built_project.root), "query", "24", "-p", "county=18"]
    shown = CliRunner().invoke(cli, [*args, "--show"])
    assert shown.exit_code == 0, shown.output
    assert 'VALUES ?county { "18" }' in shown.output
    assert shown.output.count("VALUES") == 1  # replaced, not added
    monkeypatch.setattr(OxigraphEngine, "select", spy)
    ran = CliRunner().invoke(cli, args)
    assert ran.exit_code == 0, ran.output
    # The last text sent is the query (before it, the checks of unknown_values).
    assert sent[-1] == shown.output


def test_binding_replaces_the_block_not_a_lookalike() -> None:
    text = (
        'SELECT ?a WHERE {\n  # VALUES ?a { "comment" }\n'
        '  VALUES ?a { "x" }\n  ?s ?p "VALUES ?a { \\"string\\" }" .\n}'
    )
    bound = bind_values(text, {"a": Literal("y")})
    assert bound == text.replace('{ "x" }', '{ "y" }')


@pytest.mark.parametrize(
    ("args", "warning"),
    [
        (
            ["08", "-p", "programme=skgid:programme/icornn"],
            "warning: no resource <https://w3id.org/samverkansgraf/id/programme/"
            "icornn> in the graph — did you mean "
            "<https://w3id.org/samverkansgraf/id/programme/icorn>?\n",
        ),
        (
            ["24", "-p", "county=Dalarna"],
            "warning: county Dalarna names no region — the regions have codes 01, "
            "03, 04, 05, 06, 07, 08, 09, 10, 12, 13, 14, 17, 18, 19, 20, 21, 22, 23, "
            "24, 25\n",
        ),
        (
            ["24", "-p", "county=1"],
            "warning: county 1 names no region — the regions have codes 01, 03, 04, "
            "05, 06, 07, 08, 09, 10, 12, 13, 14, 17, 18, 19, 20, 21, 22, 23, 24, 25\n",
        ),
    ],
)
def test_a_value_naming_nothing_is_warned_about(
    args: list[str], warning: str, built_project: ProjectPaths
) -> None:
    runner = CliRunner(mix_stderr=False) if _mix_stderr_supported() else CliRunner()
    result = runner.invoke(
        cli, ["--project", str(built_project.root), "query", *args, "--format", "csv"]
    )
    assert result.exit_code == 0
    assert result.stderr == warning
    assert result.stdout.count("\n") == 1  # the header: the query still ran, 0 rows


def test_a_known_value_gives_no_warning(built_project: ProjectPaths) -> None:
    runner = CliRunner(mix_stderr=False) if _mix_stderr_supported() else CliRunner()
    result = runner.invoke(
        cli,
        [
            "--project",
            str(built_project.root),
            "query",
            "08",
            "-p",
            "programme=skgid:programme/icorn",
        ],
    )
    assert result.exit_code == 0 and result.stderr == ""


def test_a_repeated_param_is_an_error(built_project: ProjectPaths) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--project",
            str(built_project.root),
            "query",
            "24",
            "-p",
            "county=1",
            "-p",
            "county=20",
        ],
    )
    assert result.exit_code == 4
    assert result.output == (
        "error: --param county is given twice ('1' and '20') — give each "
        "parameter once\n"
    )


def _mix_stderr_supported() -> bool:
    import inspect

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters
