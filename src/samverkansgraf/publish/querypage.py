"""The site's query page: ``query.html`` and its ``assets/``.

Input: the query catalogue, ``publication.toml`` (its ``sparql_endpoint`` becomes
an engine the page can switch to) and the TriG dump the site publishes in
``download/``. Output: site path → bytes for ``query.html`` (the page of
``query.workbench`` in the site's frame: its style sheet, header and footer) and
every file of ``assets/`` (our scripts and the vendored Oxigraph and CodeMirror
builds with their licences). The page loads ``download/samverkansgraf.trig``
into Oxigraph's WebAssembly build in the reader's browser: no server, and no
request outside the site.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .. import __version__
from ..build import DUMP_STEM
from ..query.catalogue import QuerySpec
from ..query.workbench import DatasetLink, asset_files, page_config, render_query_page
from ..rdfio import TRIG
from .settings import PublicationSettings

__all__ = ["ASSETS", "QUERY_PAGE", "SITE_NAV", "query_page_files"]

QUERY_PAGE = "query.html"
"""The page's path in the site (shareable URLs: ``query.html?name=…``)."""
ASSETS = "assets/"
"""The folder of its scripts, styles and the WebAssembly engine."""
SITE_NAV = (
    ("index.html", "samverkansgraf"),
    ("query.html", "Fråga / query"),
    ("classes/index.html", "Klasser"),
    ("ontology/index.html", "Ontologi"),
    ("sources/index.html", "Källtexter"),
    ("index.html#nedladdning", "Ladda ner"),
)
"""The header links of a page at the site root (as ``templates/base.html``)."""


def query_page_files(
    specs: Iterable[QuerySpec],
    settings: PublicationSettings,
    *,
    trig_bytes: int,
    triples: int,
) -> Iterator[tuple[str, bytes]]:
    """``query.html`` and the files of ``assets/``, as (site path, bytes).

    Args:
        specs: the catalogue the page offers as examples.
        settings: publication.toml; a ``sparql_endpoint`` there is offered as a
            second engine.
        trig_bytes: size of ``download/samverkansgraf.trig`` (shown on the page).
        triples: triples in it.
    """
    endpoints = (
        [("ändpunkt / endpoint (publication.toml)", settings.sparql_endpoint)]
        if settings.sparql_endpoint
        else []
    )
    config = page_config(
        specs,
        assets=ASSETS,
        dataset=DatasetLink(
            f"download/{DUMP_STEM}{TRIG.suffix}", TRIG.media_type, trig_bytes, triples
        ),
        endpoints=endpoints,
        site_root="",
    )
    yield (
        QUERY_PAGE,
        render_query_page(
            config,
            root="",
            nav=SITE_NAV,
            footer=f"Data: CC0 1.0. Genererad av samverkansgraf {__version__}.",
        ),
    )
    for path, data in asset_files():
        yield ASSETS + path, data
