"""The machine-readable alternates written beside every page of the site.

Input: a page's site path and the small graph it describes. Output: the same
description in Turtle, JSON-LD and N-Triples (``2083.ttl``, ``2083.jsonld``,
``2083.nt`` beside ``2083.html``), serialised deterministically so that published
sites diff cleanly, and the ``<link rel="alternate">`` entries that point at them.
``ALTERNATES`` is the table ``serve-site`` and the production configs negotiate
among (it is written into ``site.json``).
"""

from __future__ import annotations

import json

from rdflib import Graph

from ..namespaces import PREFIXES
from ..rdfio import JSON_LD, N_TRIPLES, TURTLE, canonical_json
from .pages import relative_href

__all__ = ["ALTERNATES", "alternate_files", "serialise"]

# Machine-readable alternates written beside every page: suffix → (media type, name,
# rdflib format). serve-site and the production configs negotiate among these.
ALTERNATES: dict[str, tuple[str, str, str]] = {
    fmt.suffix: (fmt.media_type, fmt.name, fmt.rdflib)
    for fmt in (TURTLE, JSON_LD, N_TRIPLES)
}


def serialise(graph: Graph, fmt: str) -> bytes:
    """Serialise a small graph deterministically (N-Triples lines sorted)."""
    if fmt == "nt":
        lines = sorted(set(graph.serialize(format="nt").splitlines()))
        return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")
    if fmt == "json-ld":
        context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        data = graph.serialize(format="json-ld", context=context)
        return canonical_json(json.loads(data)).encode("utf-8")
    return graph.serialize(format=fmt, encoding="utf-8")


def alternate_files(
    path: str, graph: Graph
) -> tuple[dict[str, bytes], list[dict[str, str]]]:
    """The alternates of the page at ``path`` describing ``graph``.

    Returns:
        Site path → bytes of each alternate, and the template's alternate links
        (media type, name, href relative to ``path``).
    """
    stem = path[: -len(".html")]
    files = {}
    links = []
    for suffix, (media_type, name, fmt) in ALTERNATES.items():
        files[stem + suffix] = serialise(graph, fmt)
        links.append(
            {
                "type": media_type,
                "name": name,
                "href": relative_href(path, stem + suffix),
            }
        )
    return files, links
