"""The build on the real data: facts of the Hedemora agreement, exact evidence,
determinism, and clear failures for corrupted inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from samverkansgraf.build import assemble_dataset, build
from samverkansgraf.errors import EvidenceError, SourceError
from samverkansgraf.namespaces import OA, SKG, SKGID
from samverkansgraf.sources import ProjectPaths

HEDEMORA = SKGID["agreement/hedemora-2019-2022"]
REGION_DALARNA = SKGID["region/20"]
HEDEMORA_KOMMUN = SKGID["kommun/2083"]


def test_hedemora_has_ten_clauses_in_order_with_two_numbered_six(union: Graph) -> None:
    rows = union.query(
        """SELECT ?position ?number WHERE {
               ?clause a skg:Clause ; dcterms:isPartOf ?agreement ;
                       skg:position ?position .
               OPTIONAL { ?clause skg:number ?number }
           } ORDER BY ?position""",
        initBindings={"agreement": HEDEMORA},
    )
    numbers = [(int(r.position), str(r.number)) for r in rows]
    assert [p for p, _ in numbers] == list(range(1, 11))
    # As printed: 1 2 3 4 5 "6." "6" 7 8 9.
    assert [n for _, n in numbers] == ["1", "2", "3", "4", "5", "6", "6", "7", "8", "9"]


def test_second_six_is_the_library_clause(assembled, union: Graph) -> None:
    clause = SKGID["clause/hedemora-2019-2022/7"]
    exact = union.value(URIRef(f"{clause}#quote"), OA.exact)
    assert str(exact).startswith("6 Hedemora kommun och Länsbibliotek Dalarna")


def test_region_dalarna_commits_to_something_concerning_dalateatern(
    union: Graph,
) -> None:
    rows = list(
        union.query(
            """SELECT ?commitment ?modality WHERE {
                   ?commitment skg:committedBy ?region ; skg:concerns ?theatre ;
                               skg:modality ?modality ;
                               skg:inClause/dcterms:isPartOf ?agreement .
               }""",
            initBindings={
                "region": REGION_DALARNA,
                "theatre": SKGID["actor/dalateatern"],
                "agreement": HEDEMORA,
            },
        )
    )
    assert [(str(r.commitment).rsplit("/", 1)[-1], r.modality) for r in rows] == [
        ("5-2", SKG.States)
    ]


def test_ICORN_is_found_under_its_damaged_spelling(union: Graph) -> None:  # noqa: N802
    commitment = SKGID["commitment/hedemora-2019-2022/2-1"]
    assert (commitment, SKG.concerns, SKGID["programme/icorn"]) in union
    exact = str(union.value(URIRef(f"{commitment}#quote"), OA.exact))
    assert "lcorns-program för fristäder" in exact
    assert (commitment, SKG.committedBy, HEDEMORA_KOMMUN) in union
    # "Hedemora kommun vill tillsammans med Region Dalarna …": the region is a
    # party, so a co-committer, not a partner (reading convention §4, #18).
    assert (commitment, SKG.committedBy, REGION_DALARNA) in union
    assert (commitment, SKG.partner, None) not in union
    assert "tillsammans med" in str(union.value(commitment, SKG.interpretation))


def _exact(graph: Graph, fact: URIRef) -> str:
    return " ".join(str(graph.value(URIRef(f"{fact}#quote"), OA.exact)).split())


def test_hedemora_second_reading(union: Graph) -> None:
    """Issue #18's findings for 000, read off the source."""
    commitment = SKGID["commitment/hedemora-2019-2022/"]
    statement = SKGID["statement/hedemora-2019-2022/"]
    elevkulturombud = SKGID["actor/elevkulturombud-i-dalarna"]
    # 1. "Hedemora kommun ska bereda sina kommunala elevkulturombud …" concerns them.
    assert (URIRef(commitment + "3-9"), SKG.concerns, elevkulturombud) in union
    assert (URIRef(commitment + "3-8"), SKG.concerns, elevkulturombud) in union
    # 4. The state's permission is a statement about Skapande skola, no commitment.
    permission = URIRef(statement + "3-2")
    assert _exact(union, permission).startswith("Dalarnas kommuner kan av staten söka")
    assert (permission, RDF.type, SKG.Statement) in union
    assert (permission, SKG.about, SKGID["programme/skapande-skola"]) in union
    assert (URIRef(commitment + "3-3"), None, None) not in union
    # 6. The descriptive sentences Smedjebacken records are statements here too.
    texts = {
        _exact(union, fact)
        for fact in union.subjects(SKG.statedIn, HEDEMORA)
        if (fact, RDF.type, SKG.Statement) in union
    }
    for opening in (
        "För att uppfylla sina uppdrag är länskulturen beroende",
        "Den ideella sektorn och studieförbunden har stor betydelse",
        "Kommunernas elevkulturombud är ett viktigt instrument",
        "I Hedemora kommun bedriver KORDA",
    ):
        assert any(t.startswith(opening) for t in texts), opening
    # 6. Fees and the one-percent rule are two commitments, as in 001.
    assert _exact(union, URIRef(commitment + "6-3")).endswith("ersättningsnivåer")
    assert (
        _exact(union, URIRef(commitment + "6-4")) == "samt tillämpar enprocentregeln ."
    )
    # 7. Clause 4's commitment does not name the plan; its first sentence does.
    plan = SKGID["plan/dalarna-kultur-och-bildningsplan-2019-2022"]
    assert (URIRef(commitment + "4-1"), SKG.concerns, plan) not in union
    assert (URIRef(statement + "4-1"), SKG.about, plan) in union


def _span(graph: Graph, fact: URIRef) -> tuple[int, int]:
    position = URIRef(f"{fact}#position")
    return int(graph.value(position, OA.start)), int(graph.value(position, OA.end))


def test_every_commitment_of_hedemora_lies_inside_its_clause(union: Graph) -> None:
    clauses = set(union.subjects(DCTERMS.isPartOf, HEDEMORA))
    commitments = [
        (commitment, clause)
        for clause in clauses
        for commitment in union.subjects(SKG.inClause, clause)
    ]
    assert len(clauses) == 10 and len(commitments) == 31
    # Every other sentence of a clause is a statement of it (#18).
    statements = [
        (statement, clause)
        for clause in clauses
        for statement in union.subjects(DCTERMS.isPartOf, clause)
    ]
    assert len(statements) == 16
    for fact, clause in commitments + statements:
        clause_start, clause_end = _span(union, clause)
        start, end = _span(union, fact)
        assert clause_start <= start < end <= clause_end, fact


def test_every_evidence_quote_equals_the_source_slice(assembled, project) -> None:
    union = assembled.union()
    texts = {
        doc: (project.sources_dir / str(union.value(doc, SKG.fileName))).read_text(
            "utf-8"
        )
        for doc in union.subjects(RDF.type, SKG.SourceDocument)
    }
    checked = 0
    for evidence in set(union.objects(None, SKG.evidence)):
        text = texts[union.value(evidence, OA.hasSource)]
        selectors = list(union.objects(evidence, OA.hasSelector))
        exact = next(
            union.value(s, OA.exact) for s in selectors if union.value(s, OA.exact)
        )
        position = next(s for s in selectors if union.value(s, OA.start) is not None)
        start, end = (
            int(union.value(position, OA.start)),
            int(union.value(position, OA.end)),
        )
        assert text[start:end] == str(exact)
        checked += 1
    assert checked >= 278


def test_source_document_carries_its_sha256(union: Graph, project) -> None:
    document = SKGID["document/overenskommelse-hedemora-2019-2022"]
    expected = (project.sources_dir / "SHA256SUMS").read_text().split()[0]
    assert str(union.value(document, SKG.sha256)) == expected
    assert int(union.value(document, SKG.characterCount)) == 6915


def test_region_dalarna_keeps_its_former_name(union: Graph) -> None:
    assert str(union.value(REGION_DALARNA, SKG.formerName)) == "Landstinget Dalarna"
    assert str(union.value(REGION_DALARNA, SKG.organisationNumber)) == "232100-0180"


# --- corrupted inputs --------------------------------------------------------


def _curated(scratch: ProjectPaths) -> Path:
    return scratch.curated_dir / "hedemora-2019-2022.ttl"


def test_malformed_turtle_names_file_line_and_column(scratch: ProjectPaths) -> None:
    path = _curated(scratch)
    lines = path.read_text("utf-8").splitlines()
    number = next(
        i for i, line in enumerate(lines) if "skg:modality skg:Intends" in line
    )
    lines[number] = lines[number].replace(" ;", "")  # drop the statement separator
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(SourceError) as error:
        assemble_dataset(scratch)
    message = str(error.value)
    # rdflib reports where it noticed: at or shortly after the broken line.
    assert message.startswith(f"{path}:")
    line, column = (int(part) for part in message[len(str(path)) + 1 :].split(":")[:2])
    assert number + 1 <= line <= number + 10 and column >= 1
    assert "malformed Turtle: expected '.'" in message


def test_unknown_prefix_is_named(scratch: ProjectPaths) -> None:
    path = _curated(scratch)
    path.write_text(
        path.read_text("utf-8").replace(
            "skg:modality skg:Shall", "skg:modality skq:Shall", 1
        )
    )
    with pytest.raises(
        SourceError, match=r'Prefix "skq:" not bound — declare the prefix'
    ):
        assemble_dataset(scratch)


def test_wrong_quote_names_file_line_resource_and_difference(
    scratch: ProjectPaths,
) -> None:
    path = _curated(scratch)
    text = path.read_text("utf-8")
    old = 'skg:quote "samt tillämpar enprocentregeln ."'
    path.write_text(text.replace(old, old.replace("enprocent", "enprocents")))
    with pytest.raises(EvidenceError) as error:
        assemble_dataset(scratch)
    message = str(error.value)
    line = next(
        i
        for i, row in enumerate(path.read_text("utf-8").splitlines(), 1)
        if row.startswith("<commitment/hedemora-2019-2022/6-4>")
    )
    assert message.startswith(f"{path}:{line}: ")
    assert "commitment/hedemora-2019-2022/6-4" in message
    assert "'enprocentsregeln .'" in message and "'enprocentregeln ." in message
    assert error.value.exit_code == 3


def test_source_changed_by_one_byte_fails_the_build(scratch: ProjectPaths) -> None:
    source = scratch.sources_dir / "000_c90c7f0945d9b53e.txt"
    data = bytearray(source.read_bytes())
    data[100] ^= 0x01
    source.write_bytes(bytes(data))
    with pytest.raises(EvidenceError, match="source document changed: sha256 is"):
        assemble_dataset(scratch)


def test_missing_source_fails_the_build(scratch: ProjectPaths) -> None:
    (scratch.sources_dir / "000_c90c7f0945d9b53e.txt").unlink()
    with pytest.raises(EvidenceError, match="source document is missing"):
        assemble_dataset(scratch)


def test_reference_to_an_actor_that_does_not_exist(scratch: ProjectPaths) -> None:
    path = _curated(scratch)
    path.write_text(
        path.read_text("utf-8").replace("<actor/dalateatern>", "<actor/dalateatren>")
    )
    with pytest.raises(
        SourceError,
        match=r"unknown resource .*actor/dalateatren.*did you mean .*actor/dalateatern",
    ):
        assemble_dataset(scratch)


def test_mistyped_ontology_term_is_caught(scratch: ProjectPaths) -> None:
    path = _curated(scratch)
    path.write_text(
        path.read_text("utf-8").replace(
            "skg:modality skg:States", "skg:modality skg:State", 1
        )
    )
    with pytest.raises(
        SourceError,
        match=r"unknown term of the ontology .*#State>.*did you mean .*#States>",
    ):
        assemble_dataset(scratch)


def test_invalid_data_is_not_written_and_old_dist_stays(scratch: ProjectPaths) -> None:
    first = build(scratch)
    assert first.validation is not None and first.validation.conforms
    trig = scratch.dist_dir / "samverkansgraf.trig"
    before = trig.read_bytes()
    path = _curated(scratch)
    # A commitment that loses its modality still parses but violates the shapes.
    path.write_text(
        path.read_text("utf-8").replace("    skg:modality skg:May ;\n", "", 1)
    )
    second = build(scratch)
    assert second.validation is not None and not second.validation.conforms
    assert second.outputs == []
    assert trig.read_bytes() == before
    assert any("modality" in r.message for r in second.validation.violations)


@pytest.mark.slow
def test_two_builds_give_byte_identical_dumps(
    scratch: ProjectPaths, tmp_path: Path
) -> None:
    # Separate processes with different hash seeds: Python's string hashing
    # orders sets and dicts differently in each, the dumps must not change.
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        subprocess.run(
            [
                sys.executable,
                "-m",
                "samverkansgraf",
                "--project",
                str(scratch.root),
                "build",
                "--out",
                str(out),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(out)
    names = sorted(p.name for p in outputs[0].iterdir() if p.is_file())
    assert names == sorted(p.name for p in outputs[1].iterdir() if p.is_file())
    assert "samverkansgraf.trig" in names and "samverkansgraf.jsonld" in names
    for name in names:
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), (
            name
        )


@pytest.mark.slow
def test_every_dump_holds_the_same_quads(scratch: ProjectPaths) -> None:
    result = build(scratch)
    quads = []
    for name, fmt in (("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")):
        dataset = Dataset()
        dataset.parse(scratch.dist_dir / f"samverkansgraf.{name}", format=fmt)
        quads.append(set(dataset.quads()))
    assert quads[0] == quads[1] == quads[2]
    assert len(quads[0]) == sum(len(g) for g in result.assembled.graphs.values())


def test_trig_dump_has_one_named_graph_per_document_plus_three(
    scratch: ProjectPaths,
) -> None:
    result = build(scratch)
    dataset = Dataset()
    dataset.parse(scratch.dist_dir / "samverkansgraf.trig", format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    expected = {str(iri) for iri in result.assembled.graphs}
    assert names == expected
    assert len(names) == 3 + len(result.assembled.documents)


def test_union_triples_answer_as_the_rdflib_union(assembled) -> None:
    """Publishing reads the union without an rdflib graph (issue 19): every
    question it asks gets rdflib's answer (as multisets)."""
    from collections import Counter

    from rdflib.namespace import OWL, RDF, RDFS

    from samverkansgraf.namespaces import SKG

    union, triples = assembled.union(), assembled.union_triples()
    assert len(triples) == len(union) > 5000
    assert set(triples) == set(union) and len(list(triples)) == len(union)
    assert Counter(triples.subjects()) == Counter(union.subjects())
    assert Counter(triples.objects()) == Counter(union.objects())
    assert Counter(triples.predicates()) == Counter(union.predicates())
    for prop in (RDF.type, OWL.sameAs, RDFS.label):
        assert Counter(triples.subject_objects(prop)) == Counter(
            union.subject_objects(prop)
        )
    assert set(triples.subjects(RDF.type, SKG.Person)) == set(
        union.subjects(RDF.type, SKG.Person)
    )
    for subject in list(union.subjects(RDF.type, SKG.Commitment))[:50]:
        for prop in (RDFS.label, SKG.committedBy, RDF.type):
            assert sorted(triples.objects(subject, prop)) == sorted(
                union.objects(subject, prop)
            )
        triple = next(iter(union.triples((subject, None, None))))
        assert triple in triples
        assert (subject, RDFS.seeAlso, subject) not in triples


def test_the_build_command_loads_only_what_a_build_needs() -> None:
    """Start-up is part of every rebuild (2-3 s at national scale, issue 19):
    the build's modules leave the site server, the network analysis, the
    extractor and rdflib's SPARQL engine unloaded until a command needs them."""
    import subprocess
    import sys

    probe = (
        "import sys, samverkansgraf.cli.app, samverkansgraf.build.pipeline\n"
        "print(' '.join(sorted(m for m in ('aiohttp', 'networkx', "
        "'samverkansgraf.extract', 'rdflib.plugins.sparql', 'pyshacl') "
        "if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == []
