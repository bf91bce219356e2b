"""Stage 5d — the query page: SPARQL in the browser, with the catalogue as examples.

Input: the query catalogue (``QuerySpec``s), the prefixes of ``namespaces``, and
where the page finds its data — a dump of the site (``query.html`` of the
published site runs Oxigraph's WebAssembly build over it in a Web Worker, no
server needed) or a SPARQL endpoint (the page ``serve`` shows at ``/``).
Output: the page's HTML (``render_query_page``) and the files it loads
(``asset_files``: our ``workbench.js``, ``worker.js``, ``workbench.css`` and the
vendored Oxigraph and CodeMirror builds under ``vendor/``, refreshed from npm by
``scripts/refresh_web_assets.py``).

Parameters are bound in the browser by the rules of ``catalogue`` and
``engines.bind_values``: this module hands the page each query's text, its
parameters' default terms (``engines.sparql_term``) and the positions of their
``VALUES`` blocks as found by ``catalogue.values_blocks`` (in UTF-16 code units,
JavaScript's string offsets), so the page only turns a value into a term and
splices it in; ``tests/test_workbench.py`` checks that the browser's text is
``bound_query_text``'s, byte for byte.

Shareable URLs (the Wikidata Query Service habit): ``query.html?name=NAME&
PARAM=VALUE…`` opens and runs catalogue query NAME (id, number or slug, as
``query NAME``; the first ``name`` is the query, so query 29's parameter
``name`` is a second ``name``), ``query.html?sparql=<url-encoded text>`` runs a
free query; ``run_url`` makes the first kind.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, select_autoescape

from ...namespaces import ONTOLOGY_IRI, PREFIXES, SKG, SKGID
from ...privacy import find_contact_data, mask_contact_data
from ..catalogue import QuerySpec, scan_sparql, values_blocks
from ..engines import sparql_term

__all__ = [
    "ASSET_FILES",
    "TERMS_QUERY",
    "DatasetLink",
    "asset_files",
    "catalogue_entries",
    "endpoint_page_files",
    "page_config",
    "page_weight",
    "render_query_page",
    "run_url",
    "third_party_notice",
]

OWN_FILES = (
    "binding.js",
    "workbench.js",
    "worker.js",
    "workbench.css",
    "favicon.svg",
)
"""The page's own files (beside the vendored ones)."""
SCRIPTS = (
    "vendor/codemirror/codemirror.js",
    "vendor/codemirror/sparql.js",
    "vendor/codemirror/show-hint.js",
    "vendor/codemirror/matchbrackets.js",
    "binding.js",
    "workbench.js",
)
"""Classic scripts, in the order the page loads them."""
STYLES = (
    "vendor/codemirror/codemirror.css",
    "vendor/codemirror/show-hint.css",
    "workbench.css",
)
"""Style sheets of the page."""
WASM = "vendor/oxigraph/web_bg.wasm"
"""Oxigraph's WebAssembly build (fetched by the worker with its integrity)."""

TERMS_QUERY = """\
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX skg: <https://w3id.org/samverkansgraf/ontology#>
SELECT ?term (SAMPLE(?name) AS ?label) WHERE {
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty
                 owl:AnnotationProperty skos:Concept skg:Region skg:Municipality
                 skg:CulturalInstitution skg:CivilSocietyOrganisation skg:Network
                 skg:Programme skg:Plan skg:Agreement }
  ?term a ?kind .
  OPTIONAL {
    ?term rdfs:label|skos:prefLabel ?labelTerm .
    FILTER(LANG(?labelTerm) = "" || LANGMATCHES(LANG(?labelTerm), "sv"))
    BIND(STR(?labelTerm) AS ?name)
  }
}
GROUP BY ?term
"""
"""What the editor completes: the ontology's classes and properties, SKOS
concepts, and the named actors, programmes, plans and agreements — asked of the
page's own engine once it is ready, so it is never out of date."""


def _package_files() -> resources.abc.Traversable:
    return resources.files(__package__)


def _vendored_paths() -> list[str]:
    manifest = json.loads(
        (_package_files() / "vendor" / "MANIFEST.json").read_text("utf-8")
    )
    paths = ["vendor/MANIFEST.json"]
    for entry in manifest.values():
        paths += [f"vendor/{path}" for path in sorted(entry["files"])]
    return paths


ASSET_FILES: tuple[str, ...] = (*OWN_FILES, *_vendored_paths())
"""Every file of the page's asset folder, relative to it."""


def asset_files() -> Iterator[tuple[str, bytes]]:
    """Every file the page loads, as (path relative to the asset folder, bytes).

    The vendored licences and ``MANIFEST.json`` (versions, npm integrity, sha256
    of each file) travel with the code they describe, with ``vendor/
    THIRD-PARTY.md`` listing them. A licence that names its author's e-mail
    address (CodeMirror's) is published with the address masked, as every
    e-mail address on the site is (``privacy.mask_contact_data``); the package
    keeps the unmodified file.
    """
    root = _package_files()
    masked: list[str] = []
    for path in ASSET_FILES:
        data = (root / path).read_bytes()
        if path.startswith("vendor/") and not path.endswith((".wasm", ".js")):
            text = data.decode("utf-8")
            if find_contact_data(text):
                data = mask_contact_data(text).encode("utf-8")
                masked.append(path)
        yield path, data
    yield "vendor/THIRD-PARTY.md", third_party_notice(masked).encode("utf-8")


def third_party_notice(masked: Sequence[str] = ()) -> str:
    """``vendor/THIRD-PARTY.md``: each vendored package, its version, licence,
    npm integrity and files, and the licence texts beside them."""
    manifest = json.loads(_asset("vendor/MANIFEST.json"))
    lines = [
        "# Third-party code of the query page",
        "",
        "Copied unchanged from the npm registry by `scripts/refresh_web_assets.py`",
        "(pinned versions, tarball integrity checked); sha256 of every file in",
        "`MANIFEST.json`.",
        "",
    ]
    for name, entry in sorted(manifest.items()):
        lines += [
            f"## {name} {entry['version']}",
            "",
            f"- licence: {entry['licence']}",
            f"- npm tarball: {entry['registry']}",
            f"- integrity: `{entry['integrity']}`",
            "- files: " + ", ".join(f"`{p}`" for p in sorted(entry["files"])),
            "",
        ]
    if masked:
        lines += [
            "The e-mail address in "
            + ", ".join(f"`{p}`" for p in masked)
            + " is masked here, as every e-mail address on this site is; the",
            "samverkansgraf package carries the unmodified file.",
            "",
        ]
    lines += ["## CodeMirror licence", "", "```"]
    licence = _asset("vendor/codemirror/LICENSE").decode("utf-8")
    lines += [mask_contact_data(licence).rstrip("\n"), "```", ""]
    return "\n".join(lines)


def _asset(path: str) -> bytes:
    return (_package_files() / path).read_bytes()


def integrity(data: bytes) -> str:
    """The Subresource Integrity value of ``data`` (``sha384-…``)."""
    digest = hashlib.sha384(data).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def _utf16(text: str, index: int) -> int:
    """A Python string offset as a JavaScript (UTF-16 code unit) offset."""
    return len(text[:index].encode("utf-16-le")) // 2


def _display(spec: QuerySpec, name: str) -> str | None:
    """A parameter's default as a person types it (``skgid:…``, ``18``, ``2021``)."""
    parameter = spec.parameter(name)
    if parameter.default is None:
        return None
    described = parameter.describe()
    shown = described.split("default ", 1)[1].rstrip(")")
    if parameter.type == "string":
        return str(parameter.default)
    return shown


def catalogue_entries(specs: Iterable[QuerySpec]) -> list[dict[str, object]]:
    """What the page needs of each catalogue query to show and bind it.

    Each entry holds the id, title, question, description, columns, the whole
    text, and per parameter its type, whether it is required, its default as
    typed (``default_display``) and as the SPARQL term the CLI binds
    (``default_term``), and the ``[start, end)`` of its ``VALUES`` block's data
    in UTF-16 units (``block``, ``None`` without one); ``outer`` is where the
    outer group pattern opens and closes (for parameters without a block).
    """
    entries: list[dict[str, object]] = []
    for spec in specs:
        text = spec.text
        blocks = {b.name: b for b in values_blocks(text) if b.outer}
        structure = scan_sparql(text)
        parameters = []
        for parameter in spec.parameters:
            block = blocks.get(parameter.name)
            parameters.append(
                {
                    "name": parameter.name,
                    "type": parameter.type,
                    "required": parameter.required,
                    "default_display": _display(spec, parameter.name),
                    "default_term": None
                    if parameter.default is None
                    else sparql_term(parameter.default),
                    "block": None
                    if block is None
                    else [
                        _utf16(text, block.data_start),
                        _utf16(text, block.data_end),
                    ],
                }
            )
        outer = (
            None
            if structure.outer_open is None or structure.outer_close is None
            else {
                "open": _utf16(text, structure.outer_open),
                "close": _utf16(text, structure.outer_close),
                "starts_with_select": structure.outer_starts_with_select,
            }
        )
        entries.append(
            {
                "id": spec.id,
                "title": spec.title,
                "question": spec.question,
                "description": spec.description,
                "columns": list(spec.columns),
                "parameters": parameters,
                "text": text,
                "outer": outer,
            }
        )
    return entries


@dataclass(frozen=True)
class DatasetLink:
    """The dump the page loads into the browser's engine."""

    href: str
    """Relative to the page, e.g. ``download/samverkansgraf.trig``."""
    media_type: str
    """Its RDF format as a media type Oxigraph reads (``application/trig``)."""
    byte_size: int
    """Its size, shown before the page loads it."""
    triples: int
    """How many triples it holds."""

    @property
    def label(self) -> str:
        """``8 857 tripplar / triples, 673 KB``."""
        triples = f"{self.triples:,}".replace(",", "\u202f")
        return f"{triples} tripplar / triples, {self.byte_size / 1024:,.0f} KB"


def page_config(
    specs: Iterable[QuerySpec],
    *,
    assets: str,
    dataset: DatasetLink | None = None,
    endpoints: Sequence[tuple[str, str]] = (),
    site_root: str | None = None,
) -> dict[str, object]:
    """The JSON configuration the page reads.

    Args:
        specs: the catalogue.
        assets: the asset folder relative to the page (``assets/``).
        dataset: the dump for the in-browser engine (``None``: no such engine,
            the page queries ``endpoints`` only).
        endpoints: (label, URL) of SPARQL endpoints the page can switch to; the
            first is the default when there is no ``dataset``.
        site_root: relative link from the page to the site root, when resource
            IRIs should link to their pages on the site (``""`` at the root).
    """
    return {
        "assets": assets,
        "prefixes": {prefix: str(namespace) for prefix, namespace in PREFIXES.items()},
        "dataset": None
        if dataset is None
        else {
            "dataset": dataset.href,
            "format": dataset.media_type,
            "label": dataset.label,
            "wasm": assets + WASM,
            "wasmIntegrity": integrity(_asset(WASM)),
        },
        "endpoints": [{"label": label, "url": url} for label, url in endpoints],
        "site": None
        if site_root is None
        else {
            "root": site_root,
            "resources": str(SKGID),
            "terms": str(SKG),
            "ontology": str(ONTOLOGY_IRI),
        },
        "queries": catalogue_entries(specs),
        "terms_query": TERMS_QUERY,
    }


def run_url(
    query_id: str, values: Mapping[str, str] | None = None, *, page: str = "query.html"
) -> str:
    """The shareable URL that opens and runs a catalogue query.

    The first ``name`` is the query; a parameter called ``name`` (query 29's)
    follows it as a second ``name``.

    Example:
        >>> run_url("13_municipalities_in_no_activity", {"county": "18"})
        'query.html?name=13_municipalities_in_no_activity&county=18'
        >>> run_url("29_find_actor_by_name", {"name": "Hedemora"})
        'query.html?name=29_find_actor_by_name&name=Hedemora'
    """
    return f"{page}?{urlencode([('name', query_id), *(values or {}).items()])}"


_TEMPLATES = Environment(
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def render_query_page(
    config: Mapping[str, object],
    *,
    root: str | None = None,
    nav: Sequence[tuple[str, str]] = (),
    footer: str = "",
) -> bytes:
    """The query page's HTML.

    Args:
        config: from ``page_config`` (embedded as JSON; the page runs no inline
            script, and its Content-Security-Policy allows requests to its own
            site and the configured endpoints only).
        root: relative link to the site root for the site's ``style.css``
            (``None``: the page stands alone, as under ``serve``).
        nav: (href, text) links of the header.
        footer: one line of text for the footer.
    """
    assets = str(config["assets"])
    endpoints = config.get("endpoints") or []
    origins = sorted(
        {
            origin
            for entry in endpoints  # type: ignore[attr-defined]
            if (origin := _origin(str(entry["url"]))) is not None
        }
    )
    template = _TEMPLATES.from_string(
        (_package_files() / "query.html").read_text("utf-8")
    )
    html = template.render(
        config_json=json.dumps(config, ensure_ascii=False, sort_keys=True).replace(
            "</", "<\\/"
        ),
        assets=assets,
        # Same-origin files: no integrity attributes, which would also block
        # them from file:// (no CORS there). The WebAssembly engine, the one
        # large binary, is fetched with its integrity (worker.js).
        scripts=[assets + path for path in SCRIPTS],
        styles=[assets + path for path in STYLES],
        connect=" ".join(["'self'", *origins]),
        root=root,
        nav=nav,
        footer=footer,
        queries=config["queries"],
        dataset=config.get("dataset"),
        endpoints=endpoints,
        run_url=run_url,
    )
    return html.encode("utf-8")


def endpoint_page_files(specs: Iterable[QuerySpec]) -> dict[str, bytes]:
    """The query page ``serve`` answers at ``/``, as URL path → bytes.

    It queries the endpoint it came from (``query``, relative), with the
    catalogue as examples; ``/query.html`` and the files under ``/assets/``.
    """
    config = page_config(
        specs, assets="assets/", endpoints=[("this server / den här servern", "query")]
    )
    files = {"/query.html": render_query_page(config)}
    for path, data in asset_files():
        files[f"/assets/{path}"] = data
    return files


def page_weight(config: Mapping[str, object], dataset_bytes: int = 0) -> dict[str, int]:
    """Bytes the page loads, by part: its HTML, scripts and styles, the engine
    (WebAssembly and its loader) and the dataset (``dataset_bytes``)."""
    page = len(render_query_page(config))
    code = sum(len(_asset(p)) for p in (*SCRIPTS, *STYLES, "worker.js"))
    engine = len(_asset(WASM)) + len(_asset("vendor/oxigraph/web.js"))
    return {
        "html": page,
        "code": code,
        "engine": engine,
        "dataset": dataset_bytes,
        "total": page + code + engine + dataset_bytes,
    }
