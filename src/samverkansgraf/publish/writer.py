"""The files of the published site, made one at a time in a fixed order.

Input: the assembled (already validated) dataset and ``publication.toml``.
Output: site path → bytes for every file — the style sheet, the dataset dumps,
every resource page with its alternates, the class indexes, the ontology overview,
the source texts, the profile pages of municipalities and regions, the query
page and its assets, the DCAT-AP-SE record, VoID, the home page and ``site.json`` —
yielded by ``SiteRenderer.files`` so that ``site.publish_site`` checks and writes
each as it comes; ``render_site`` collects them in memory (tests, release).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from .. import __version__
from ..build import DUMP_STEM, AssembledDataset, UnionTriples, serialise_dataset
from ..namespaces import ONTOLOGY_IRI
from ..query.catalogue import QuerySpec, catalogue_dir, load_catalogue
from ..rdfio import DUMP_FORMATS, N_QUADS, TRIG
from .alternates import ALTERNATES, serialise, serialise_rdfxml
from .html import style_sheet
from .metadata import (
    Distribution,
    RecordDates,
    describe_catalogue,
    describe_void,
)
from .pages import PageContext
from .profiles import ProfileRenderer
from .querypage import query_page_files
from .render import (
    ResourceView,
    class_index_pages,
    home_page,
    ontology_page,
    render_resource,
    resource_view,
    source_pages,
)
from .settings import PublicationSettings, today

__all__ = [
    "DUMP_MEDIA_TYPES",
    "RECORD_FILES",
    "RESOURCE_PAGES",
    "store_of",
    "SiteRenderer",
    "record_files",
    "version_documents",
    "render_site",
    "site_manifest",
]

RESOURCE_PAGES = ("", b"")
"""What ``SiteRenderer.files(resource_pages=False)`` yields where the resource
pages go."""

RECORD_FILES = frozenset({"dcat.ttl", "dcat.rdf", "dcat.jsonld", "dcat.nt"})
"""The catalogue record's files: the only ones that may hold the contact mailbox."""

# Dump suffix → (media type, Swedish title, English title) for the download list.
DUMP_MEDIA_TYPES = {
    fmt.suffix: (fmt.media_type, fmt.label_sv, fmt.label_en) for fmt in DUMP_FORMATS
}


class SiteRenderer:
    """The files of the site, made one resource at a time.

    The dataset dumps, the DCAT record and VoID are made first (``record`` is
    ready for validation before any page exists); ``files()`` then yields every
    file, so that ``publish_site`` writes each as it comes instead of holding a
    national site (~240,000 files at 1M triples) in memory.
    """

    def __init__(
        self,
        assembled: AssembledDataset,
        settings: PublicationSettings,
        *,
        issued: dt.date | None = None,
        modified: dt.date | None = None,
        catalogue: Mapping[str, QuerySpec] | None = None,
        preview: bool = False,
        dumps: dict[str, bytes] | None = None,
        store: ox.Store | None = None,
        union: Graph | UnionTriples | None = None,
    ) -> None:
        """Index the graph, make the dumps and the catalogue record.

        Args:
            assembled: the dataset (already validated).
            settings: publication.toml.
            issued: the publication date (default ``today()``); the record's
                ``dct:issued`` is ``[dataset] issued`` where set, else this.
            modified: when the data last changed (``settings.data_modified``;
                default: the publication date).
            catalogue: the query catalogue of the query page (default: the
                project's ``queries/``, or the copy an installed package
                carries).
            preview: without ``[contact] email``, make a record without the
                mailbox, marked as not for harvesting (``publish --preview``).
            dumps: ``serialise_dataset(assembled)``, when the caller has made it.
            store: an Oxigraph store of those dumps' N-Quads, likewise.
            union: ``assembled.union_triples()``, likewise.

        Raises:
            SourceError: ``[contact] email`` is not set (the record needs it)
                and this is no preview.
        """
        self.assembled = assembled
        self.settings = settings
        self.catalogue = (
            catalogue if catalogue is not None else load_catalogue(catalogue_dir())
        )
        self._dumps: dict[str, bytes] | None = (
            dumps if dumps is not None else serialise_dataset(assembled)
        )
        self._trig_bytes = len(self._dumps[TRIG.suffix])
        self._written = False
        store = store if store is not None else store_of(self._dumps)
        self.context = PageContext.of(assembled, store, union)
        """The indexed graph, labels and templates every page reads, and the
        store the pages' alternates are read from."""
        self.profiles = ProfileRenderer(self.context, store)
        """The profile pages of the municipalities and regions (their facts are
        asked of an Oxigraph store of the N-Quads dump once per kind)."""
        self.distributions = []
        for suffix, data in self._dumps.items():
            media_type, title_sv, title_en = DUMP_MEDIA_TYPES[suffix]
            path = f"download/{DUMP_STEM}{suffix}"
            self.distributions.append(
                Distribution(
                    suffix.lstrip("."), path, media_type, title_sv, title_en, len(data)
                )
            )
        date = issued if issued is not None else today()
        dates = RecordDates(
            issued=settings.issued or date,
            modified=modified if modified is not None else date,
        )
        self.record: Graph = describe_catalogue(
            self.context.index.graph,
            settings,
            self.distributions,
            dates=dates,
            contact_email=settings.record_mailbox(preview=preview),
        )
        """The DCAT-AP-SE catalogue record (``dcat.ttl``, ``dcat.rdf``)."""
        self.void: Graph | None = None
        """The VoID description, once ``files()`` has made it."""
        self._profile_paths = self.profiles.paths()
        self._pages: list[str] = []
        self._page_nodes: list[Node] | None = None

    def dump_files(self) -> Iterator[tuple[str, bytes]]:
        """The dumps as (site path, bytes), each let go once the caller has it
        (hundreds of MB at national scale); ``files()`` then leaves them out.
        ``site`` writes them before it forks its page workers, so that the
        workers do not hold them too."""
        dumps, self._dumps = self._dumps or {}, None
        for suffix in list(dumps):
            yield f"download/{DUMP_STEM}{suffix}", dumps.pop(suffix)

    def add_pages(self, paths: Iterable[str]) -> None:
        """HTML pages written elsewhere (``files(resource_pages=False)``), for
        ``site.json``."""
        self._pages.extend(paths)

    def page_nodes(self) -> list[Node]:
        """The resources with a page of their own, in the order they are written
        (sorted once: each worker's chunk asks for it)."""
        if self._page_nodes is None:
            self._page_nodes = sorted(self.context.index.page_paths, key=str)
        return self._page_nodes

    def resource_view(self, node: Node) -> ResourceView:
        """What the page of ``node`` shows (``render_view`` renders it)."""
        profile = self._profile_paths.get(URIRef(str(node)))
        return resource_view(self.context, node, profile=profile)

    def render_view(self, view: ResourceView) -> dict[str, bytes]:
        """The files of a resource page: its alternates, then the page."""
        return render_resource(self.context, view)

    def resource_files(self, nodes: Iterable[Node]) -> Iterator[tuple[str, bytes]]:
        """The pages of ``nodes`` and their alternates (``files`` writes them
        all; ``site`` may have worker processes write chunks of them)."""
        for node in nodes:
            yield from self.render_view(self.resource_view(node)).items()

    def files(self, *, resource_pages: bool = True) -> Iterator[tuple[str, bytes]]:
        """Every file of the site as (site-relative path, bytes), once.

        Args:
            resource_pages: write the resource pages here, in order. With
                False, ``files`` yields ``RESOURCE_PAGES`` where they belong
                instead, and whoever writes them (``site``'s workers) reports
                their HTML paths to ``add_pages`` before asking for the next file.
        """
        context, settings = self.context, self.settings
        index = context.index
        pages = self._pages

        def page(path: str, data: bytes) -> tuple[str, bytes]:
            if path.endswith(".html"):
                pages.append(path)
            return path, data

        if self._written:
            raise RuntimeError("SiteRenderer.files() can run only once")
        self._written = True
        yield "style.css", style_sheet().encode("utf-8")
        yield from self.dump_files()  # unless the caller has written them
        for item in query_page_files(
            self.catalogue.values(),
            settings,
            trig_bytes=self._trig_bytes,
            triples=len(index.graph),
        ):
            yield page(*item)
        profile_paths = self._profile_paths
        # Files that no resource page shares a path with come first: while
        # site's workers write the resource pages, this process makes these
        # (a minute at national scale). The ontology's pages replace the
        # generic pages of its IRIs, so they come after the resource pages.
        for item in self.profiles.files():
            yield page(*item)
        class_files, class_rows = class_index_pages(context, profiles=profile_paths)
        for rendered in (class_files, source_pages(context, self.assembled)):
            for item in rendered.items():
                yield page(*item)
        yield from record_files("dcat", self.record)
        self.void = describe_void(
            index.graph, settings, [d.path for d in self.distributions]
        )
        void_files = dict(record_files("void", self.void))
        yield from void_files.items()
        yield ".well-known/void", void_files["void.ttl"]
        if resource_pages:
            for item in self.resource_files(self.page_nodes()):
                yield page(*item)
        else:
            yield RESOURCE_PAGES
        ontology = ontology_page(context, self.assembled)
        for rendered in (ontology, version_documents(ontology, index.graph, settings)):
            for item in rendered.items():
                yield page(*item)

        yield page(
            "index.html",
            home_page(
                context, self.assembled, settings, class_rows, self.distributions
            ),
        )
        yield "site.json", site_manifest(settings, sorted(pages))


def store_of(dumps: Mapping[str, bytes]) -> ox.Store:
    """An in-memory Oxigraph store of the site's N-Quads dump."""
    store = ox.Store()
    store.bulk_load(dumps[N_QUADS.suffix], format=N_QUADS.oxigraph)
    return store


def record_files(stem: str, graph: Graph) -> Iterator[tuple[str, bytes]]:
    """A metadata document (``dcat``, ``void``) in Turtle, RDF/XML and JSON-LD,
    so that ``/dcat`` and ``/void`` negotiate like every resource."""
    yield f"{stem}.ttl", graph.serialize(format="turtle", encoding="utf-8")
    yield f"{stem}.rdf", serialise_rdfxml(graph)
    yield f"{stem}.jsonld", serialise(graph, "json-ld")


def version_documents(
    ontology: dict[str, bytes],
    graph: Graph | UnionTriples,
    settings: PublicationSettings,
) -> dict[str, bytes]:
    """The ontology's version IRI as a document: ``ontology/<version>.*``.

    ``owl:versionIRI`` (``…/ontology/1.1.0``) names this version of the ontology;
    its representations are those of ``ontology/index.*``, which describe the
    current version. Empty when the version IRI lies outside the site.
    """
    version = graph.value(ONTOLOGY_IRI, OWL.versionIRI)
    prefix = f"{settings.base_url}ontology/"
    if version is None or not str(version).startswith(prefix):
        return {}
    name = str(version)[len(prefix) :]
    if not name or "/" in name:
        return {}
    return {
        f"ontology/{name}{path[len('ontology/index') :]}": data
        for path, data in ontology.items()
        if path.startswith("ontology/index.")
    }


def site_manifest(settings: PublicationSettings, pages: list[str]) -> bytes:
    """``site.json``: the generator, base URL, every HTML page and the alternates'
    media types (what ``serve-site`` and deployment configs read)."""
    manifest = {
        "generator": f"samverkansgraf {__version__}",
        "base_url": settings.base_url,
        "pages": pages,
        "alternates": {suffix: media for suffix, (media, _, _) in ALTERNATES.items()},
    }
    return (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def render_site(
    assembled: AssembledDataset,
    settings: PublicationSettings,
    *,
    issued: dt.date | None = None,
) -> tuple[dict[str, bytes], Graph]:
    """Render every file of the site in memory (``SiteRenderer`` streams them).

    Args:
        assembled: the dataset (already validated by the caller).
        settings: publication.toml.
        issued: publication date (a ``datetime.date``; default ``today()``).

    Returns:
        Site-relative path → bytes, and the DCAT catalogue record graph.
    """
    renderer = SiteRenderer(assembled, settings, issued=issued)
    return dict(renderer.files()), renderer.record
