"""Stage 5 — query: the SPARQL catalogue, the engines that run it, the endpoint.

Input: ``queries/*.rq`` and the built dumps (or a SPARQL endpoint). Output:
``QueryResult`` tables, and a local Oxigraph server. ``catalogue`` reads the query
files and their headers; ``engines`` runs them on pyoxigraph, rdflib or a remote
endpoint; ``endpoint`` serves the dataset and replaces it on a live store.
"""

from .catalogue import (
    QuerySpec,
    find_query,
    load_catalogue,
    render_catalogue_markdown,
)
from .engines import QueryResult, run_query, run_sparql

__all__ = [
    "QueryResult",
    "QuerySpec",
    "find_query",
    "load_catalogue",
    "render_catalogue_markdown",
    "run_query",
    "run_sparql",
]
