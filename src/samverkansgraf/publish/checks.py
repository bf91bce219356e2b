"""The checks that stand between the dataset and the published site.

Input: the assembled dataset and the project's shapes, or the bytes of output
files. Output: nothing when all is well; an exception otherwise —
``check_conformance`` refuses a graph that fails the SHACL shapes (the privacy
shapes included), ``check_privacy`` / ``check_file_privacy`` refuse any output
that would contain an e-mail address or a phone number. ``site.publish_site``
and ``release`` run them before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from ..build import AssembledDataset, UnionTriples
from ..errors import PublishError
from ..namespaces import SKG
from ..privacy import find_contact_data
from ..sources import ProjectPaths
from ..validate import load_shapes, validate_graph
from .server import representations

__all__ = [
    "check_conformance",
    "check_functional_mailbox",
    "check_file_privacy",
    "check_privacy",
    "find_published_contact_data",
    "unresolvable_iris",
]


def check_functional_mailbox(address: str, union: Graph | UnionTriples) -> None:
    """Refuse a contact mailbox that names a person the data names.

    The catalogue record's mailbox must be an organisation's (``info@``,
    ``kultur@``), never a person's: its local part may not contain the given or
    family name of any ``skg:Person`` in the graph.

    Raises:
        PublishError: naming the person and the setting.
    """
    local = address.split("@", 1)[0].lower()
    parts = set(re.split(r"[._%+-]+", local))
    for person in union.subjects(RDF.type, SKG.Person):
        for label in union.objects(person, RDFS.label):
            names = {n for n in re.split(r"\W+", str(label).lower()) if len(n) > 2}
            if names & parts:
                raise PublishError(
                    f"[contact] email {address} names a person ({label}): the "
                    "catalogue record's contact must be an organisation's mailbox",
                    path=Path("publication.toml"),
                    hint="use a functional address such as info@ or data@",
                )


def unresolvable_iris(
    graphs: Iterable[Graph], base_url: str, written: set[str]
) -> list[str]:
    """The IRIs under ``base_url`` in ``graphs`` that the site would not answer.

    An IRI resolves when its path (without the fragment) names a resource with
    a representation among ``written`` (``server.representations``: the same
    rule ``serve-site`` and the documented web-server rules follow) or a file.
    """
    missing = set()
    for graph in graphs:
        for triple in graph:
            for term in triple:
                text = str(term)
                if not isinstance(term, URIRef) or not text.startswith(base_url):
                    continue
                path = text[len(base_url) :].split("#", 1)[0]
                segments = [s for s in path.split("/") if s]
                if not segments:
                    ok = "index.html" in written
                else:
                    ok = path in written or bool(
                        representations(segments, written.__contains__)
                    )
                if not ok:
                    missing.add(text)
    return sorted(missing)


def check_conformance(
    assembled: AssembledDataset, paths: ProjectPaths, store: ox.Store | None = None
) -> None:
    """Refuse to publish a graph that fails the SHACL shapes (privacy included).

    Args:
        assembled: the dataset.
        paths: the project (its shapes).
        store: an Oxigraph store of the same dataset, validated instead of an
            rdflib union made here (at 200k triples 2.4 s instead of 34 s: the
            union and its conversion to a store dominate).

    Raises:
        NonConformanceError: with the first violation and how to see them all.
    """
    data = store if store is not None else assembled.union()
    report = validate_graph(data, load_shapes(paths.shapes_dir))
    report.raise_for_results()


_DIGEST = re.compile(r"[0-9a-f]{64}")


def find_published_contact_data(
    text: str, allowed: frozenset[str] = frozenset()
) -> list[tuple[int, int]]:
    """Contact-data matches in published text, ignoring SHA-256 hex digests.

    A digest can contain a run of digits that looks like a phone number; it is not
    one. A match whose text is one of ``allowed`` (the configured functional
    mailbox, in the catalogue record only) is not counted. Everything else
    ``privacy.find_contact_data`` finds counts.
    """
    found = find_contact_data(text)
    if not found:
        return []  # the digests are looked for only when they could matter
    digests = [m.span() for m in _DIGEST.finditer(text)]
    return [
        (start, end)
        for start, end in found
        if not any(ds <= start and end <= de for ds, de in digests)
        and text[start:end] not in allowed
    ]


def check_privacy(files: dict[str, bytes]) -> None:
    """Refuse output that contains an e-mail address or a phone number.

    Raises:
        PublishError: naming the file and the offset of the first match.
    """
    for path, data in sorted(files.items()):
        check_file_privacy(path, data)


def check_file_privacy(
    path: str, data: bytes, allowed: frozenset[str] = frozenset()
) -> None:
    """``check_privacy`` for one output file (binary files pass).

    Args:
        path: the file's path (for the message).
        data: its bytes.
        allowed: addresses this file may hold (the catalogue record's mailbox).

    Raises:
        PublishError: naming the file and the offset of the first match.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    found = find_published_contact_data(text, allowed)
    if found:
        start, end = found[0]
        raise PublishError(
            f"output file {path} would contain contact data at {start}–{end}",
            hint="mask it (privacy.mask_contact_data) or remove it from the data",
        )
