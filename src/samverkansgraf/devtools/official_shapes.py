"""Measure a DCAT record against local copies of the portals' own SHACL pipelines.

Input: a catalogue record (RDF/XML or Turtle) and one or both of

- a folder of SEMIC's DCAT-AP release (``…/DCAT-AP/releases/3.0.1``: its
  ``shacl/dcat-ap-SHACL.ttl`` and ``shacl/ranges.ttl`` and, where present, the
  older-style sets under ``html/shacl/``), and
- DIGG's DCAT-AP-SE validation shapes folder (the ``shapes/`` resources of
  DIGG's DCAT-AP-SE processor: the EU DCAT-AP 3 SHACL, ``dcat-ap-se-additions.ttl``,
  ``dcat-ap-se-overrides.json`` and ``vocabularies/``).

Output: the validation results of each shape set (severity, focus node, path,
constraint component, message), counted.

Neither copy can be vendored (no package registry carries them), so this module
does not ship them: it reads them from where you keep them. The repository's own
check (``publish.metadata.validate_catalogue``) uses the DCAT-AP 3.0.0 SHACL that
*is* on a registry (vendored under ``shapes/dcat-ap/``) plus the DCAT-AP-SE rules
encoded in ``shapes/dcat-ap-se/``. ``tests/test_dcat_official.py`` runs this module
when the environment variables ``SAMVERKANSGRAF_DCAT_AP_RELEASE`` and
``SAMVERKANSGRAF_DCAT_AP_SE_SHAPES`` point at such copies, and is skipped (with
the reason) otherwise.

DIGG's pipeline is reproduced as its validator documents it: the data graph is
the record plus the EU authority tables of ``vocabularies/`` with each concept of
a known scheme given the class DCAT-AP expects (and each scheme its ``dct:title``),
DCAT-AP's planned-availability concepts, the ADMS publisher types, and
``dct:LicenseDocument``/``dct:Standard``/``dct:Location`` on the values of
``dct:license``/``dct:conformsTo``/``dct:spatial``; results whose (path,
constraint component) pair is listed in the overrides file are dropped.

Run: ``python -m samverkansgraf.devtools.official_shapes site/dcat.rdf
--semic DIR --digg DIR``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SH, SKOS

__all__ = [
    "OfficialResult",
    "check_digg_pipeline",
    "check_semic_release",
    "load_record",
    "load_shapes_files",
    "main",
    "shape_results",
]

DCATAP = Namespace("http://data.europa.eu/r5r/")
AUTHORITY = "http://publications.europa.eu/resource/authority/"

# EU authority table → the class DCAT-AP expects of its concepts (DIGG's bridges).
SCHEME_CLASSES = {
    f"{AUTHORITY}language": DCTERMS.LinguisticSystem,
    f"{AUTHORITY}access-right": DCTERMS.RightsStatement,
    f"{AUTHORITY}frequency": DCTERMS.Frequency,
    f"{AUTHORITY}licence": DCTERMS.LicenseDocument,
    f"{AUTHORITY}file-type": DCTERMS.MediaTypeOrExtent,
    f"{AUTHORITY}data-theme": SKOS.Concept,
    f"{AUTHORITY}distribution-status": SKOS.Concept,
}
# Values typed by their property in DIGG's pipeline.
PROPERTY_CLASSES = {
    DCTERMS.conformsTo: DCTERMS.Standard,
    DCTERMS.spatial: DCTERMS.Location,
    DCTERMS.license: DCTERMS.LicenseDocument,
}
PLANNED_AVAILABILITY = ("stable", "experimental", "available", "temporary")
ADMS_PUBLISHER_TYPES = (
    "Academia-ScientificOrganisation",
    "Company",
    "IndustryConsortium",
    "LocalAuthority",
    "NationalAuthority",
    "NonGovernmentalOrganisation",
    "NonProfitOrganisation",
    "PrivateIndividual",
    "RegionalAuthority",
    "StandardisationBody",
    "SupraNationalAuthority",
)


@dataclass(frozen=True)
class OfficialResult:
    """One validation result of an official shape set."""

    severity: str
    """``Violation``, ``Warning`` or ``Info``."""
    focus: str
    """The focus node."""
    path: str
    """The result path (empty for node shapes)."""
    component: str
    """The constraint component's local name, e.g. ``ClassConstraintComponent``."""
    message: str
    """The result message (or the component when the shape gives none)."""

    def line(self) -> str:
        """One readable line."""
        return (
            f"{self.severity}: <{self.focus}> {self.path or '-'} "
            f"[{self.component}] {self.message}"
        )


def load_record(path: str | Path) -> Graph:
    """Parse a record file (RDF/XML for ``.rdf``/``.xml``, else by suffix)."""
    path = Path(path)
    fmt = "xml" if path.suffix in (".rdf", ".xml") else None
    return Graph().parse(path, format=fmt)


def _local(iri: object) -> str:
    text = str(iri)
    return text[max(text.rfind("#"), text.rfind("/")) + 1 :]


def shape_results(data: Graph, shapes: Graph) -> list[OfficialResult]:
    """The top-level results of validating ``data`` with ``shapes`` (pySHACL)."""
    _, report, _ = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(report, Graph)
    results = []
    # Top-level results only: the results nested under sh:detail (why an sh:node
    # failed) are typed sh:ValidationResult too, with the inner shape's severity.
    for node in report.objects(None, SH.result):
        component = _local(report.value(node, SH.sourceConstraintComponent))
        message = report.value(node, SH.resultMessage)
        results.append(
            OfficialResult(
                severity=_local(report.value(node, SH.resultSeverity)),
                focus=str(report.value(node, SH.focusNode)),
                path=str(report.value(node, SH.resultPath) or ""),
                component=component,
                message=str(message) if message is not None else component,
            )
        )
    return sorted(results, key=lambda r: (r.severity, r.focus, r.path, r.component))


def load_shapes_files(*paths: Path) -> Graph:
    """The shapes of ``paths`` in one graph, dangling ``sh:property`` links dropped.

    SEMIC's 3.0.1 ``ranges.ttl`` links its node shapes to property shapes that
    are defined in ``dcat-ap-SHACL.ttl`` (load both) and to a few that are defined
    nowhere; pySHACL stops at such a link, other engines skip it. Skipping it
    here loses no constraint: a shape without ``sh:path`` constrains nothing.
    """
    graph = Graph()
    for path in paths:
        graph.parse(path, format="json-ld" if path.suffix == ".jsonld" else None)
    for node, shape in list(graph.subject_objects(SH.property)):
        if graph.value(shape, SH.path) is None:
            graph.remove((node, SH.property, shape))
    return graph


def check_semic_release(
    record: Graph, release: str | Path
) -> dict[str, list[OfficialResult]]:
    """Validate ``record`` with each shape set of a SEMIC DCAT-AP release folder.

    Each set is applied on its own to the record alone (no background
    vocabularies: a record that names EU concepts must say what they are).

    Returns:
        Shape-set name (its path in the release) → results.

    Raises:
        FileNotFoundError: the folder holds no ``shacl/dcat-ap-SHACL.ttl``.
    """
    release = Path(release)
    base = release / "shacl" / "dcat-ap-SHACL.ttl"
    if not base.is_file():
        raise FileNotFoundError(f"{base}: not a DCAT-AP release folder")
    out = {"shacl/dcat-ap-SHACL.ttl": shape_results(record, load_shapes_files(base))}
    ranges = release / "shacl" / "ranges.ttl"
    if ranges.is_file():  # ranges.ttl adds to the base shapes' property shapes
        out["shacl/dcat-ap-SHACL.ttl + ranges.ttl"] = shape_results(
            record, load_shapes_files(base, ranges)
        )
    for path in sorted((release / "html" / "shacl").glob("*.ttl")):
        if "imports" not in path.name:  # the imports files hold no shapes
            out[str(path.relative_to(release))] = shape_results(
                record, load_shapes_files(path)
            )
    return out


def _digg_background(folder: Path) -> Graph:
    """The vocabulary graph DIGG's validator adds to every record."""
    graph = Graph()
    for path in sorted((folder / "vocabularies").glob("*.rdf")):
        graph.parse(path, format="xml")
    for scheme, cls in SCHEME_CLASSES.items():
        for concept in list(graph.subjects(SKOS.inScheme, URIRef(scheme))):
            graph.add((concept, RDF.type, cls))
        for label in list(graph.objects(URIRef(scheme), SKOS.prefLabel)):
            graph.add((URIRef(scheme), DCTERMS.title, label))
    for key in PLANNED_AVAILABILITY:
        node = DCATAP[f"availability/{key}"]
        graph.add((node, RDF.type, DCATAP.PlannedAvailability))
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.prefLabel, Literal(key.title(), lang="en")))
    for key in ADMS_PUBLISHER_TYPES:
        node = URIRef(f"http://purl.org/adms/publishertype/{key}")
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.prefLabel, Literal(key, lang="en")))
    return graph


def check_digg_pipeline(record: Graph, folder: str | Path) -> list[OfficialResult]:
    """Validate ``record`` as DIGG's DCAT-AP-SE validator does (module docstring).

    Every result counts (DIGG's validator reports all severities as errors),
    except those its overrides file lists.

    Raises:
        FileNotFoundError: the folder lacks ``dcat-ap-SHACL.ttl`` or the additions.
    """
    folder = Path(folder)
    shapes = load_shapes_files(
        folder / "dcat-ap-SHACL.ttl", folder / "dcat-ap-se-additions.ttl"
    )
    data = Graph()
    for triple in record:
        data.add(triple)
    data += _digg_background(folder)
    for prop, cls in PROPERTY_CLASSES.items():
        for value in list(data.objects(None, prop)):
            if isinstance(value, URIRef):
                data.add((value, RDF.type, cls))
    overrides = json.loads((folder / "dcat-ap-se-overrides.json").read_text("utf-8"))
    ignored = {
        (rule["path"], component)
        for rule in overrides["overrides"]
        for component in rule["ignoreConstraints"]
    }
    return [
        r for r in shape_results(data, shapes) if (r.path, r.component) not in ignored
    ]


def _summary(name: str, results: list[OfficialResult]) -> str:
    counts = Counter(r.severity for r in results)
    head = f"{name}: " + (
        ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no results"
    )
    return "\n".join([head, *("  " + r.line() for r in results)])


def main(argv: list[str] | None = None) -> int:
    """Print the results of each official shape set; exit 1 on any violation."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("record", type=Path, help="dcat.rdf or dcat.ttl")
    parser.add_argument("--semic", type=Path, help="SEMIC DCAT-AP release folder")
    parser.add_argument("--digg", type=Path, help="DIGG's DCAT-AP-SE shapes folder")
    args = parser.parse_args(argv)
    record = load_record(args.record)
    violations = 0
    if args.semic:
        for name, results in check_semic_release(record, args.semic).items():
            print(_summary(f"SEMIC {name}", results))
            violations += sum(r.severity == "Violation" for r in results)
    if args.digg:
        results = check_digg_pipeline(record, args.digg)
        print(_summary("DIGG DCAT-AP-SE pipeline", results))
        violations += len(results)
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
