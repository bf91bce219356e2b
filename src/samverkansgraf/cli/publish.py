"""Commands that publish the dataset: ``publish``, ``serve-site``, ``release``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..build.summary import display_path
from ..publish.server import make_site_server
from ..publish.site import publish_site
from ..release import write_release
from .app import jobs_option, out_option, project_paths

__all__ = ["publish", "release", "serve_site"]


@click.command()
@out_option(
    "Site folder (replaced whole, atomically).",
    folder=True,
    default=Path("site"),
    show_default=True,
)
@click.option(
    "--preview",
    is_flag=True,
    help="Publish without [contact] email in publication.toml: the catalogue "
    "record then lacks the mailbox DCAT-AP-SE requires and says it is not for "
    "harvesting. For looking at the site; not for a data portal.",
)
@jobs_option(
    "Processes that write the pages (default: one per CPU). Each worker copies "
    "the part of the index it reads (~1 GB at national scale): --jobs 1 needs "
    "the least memory, and takes longer. Same site."
)
@click.option(
    "--full",
    is_flag=True,
    help="Render every page. By default the pages that show what they showed "
    "in the site last published to the same folder are linked from it (the "
    "same site, much sooner after a small edit).",
)
@click.pass_context
def publish(
    ctx: click.Context, out: Path, preview: bool, jobs: int | None, full: bool
) -> None:
    """Publish the linked-data site: one page per resource, DCAT, VoID.

    Validates the graph first (SHACL, privacy shapes included) and writes nothing
    when it does not conform. Writes one HTML page per resource at the path of its
    IRI with Turtle, JSON-LD, N-Triples and RDF/XML beside it, class indexes, the
    ontology, the source texts (contact data masked), the dumps, a DCAT-AP-SE
    catalogue record (dcat.ttl, dcat.rdf, dcat.jsonld; checked against DCAT-AP 3
    and DCAT-AP-SE) and a VoID description (void.ttl). Needs the publisher's
    functional mailbox in publication.toml ([contact] email); --preview
    publishes without it, for looking at the site before it is registered
    anywhere. On a terminal it reports each step, and the pages written every
    ten seconds. Publishing again into the same folder renders only the pages
    whose content changed and links the others from the site it replaces
    (--full renders all); the site is the same either way.

    \b
    Example:
        samverkansgraf publish --out site/
        samverkansgraf publish --preview --out site/   # no [contact] email yet
        samverkansgraf serve-site --dir site/
    """
    # Minutes at national scale: a terminal is told each step (a pipe or a
    # log file gets the result line only).
    progress = (
        (lambda line: click.echo(f"{line} …", err=True))
        if sys.stderr.isatty()
        else None
    )
    result = publish_site(
        project_paths(ctx),
        out,
        preview=preview,
        jobs=jobs,
        full=full,
        progress=progress,
    )
    if result.preview:
        click.echo(
            "warning: preview — publication.toml has no [contact] email, so the "
            "catalogue record (dcat.ttl) lacks the mailbox DCAT-AP-SE requires; "
            "set it and publish again before registering the site with a portal",
            err=True,
        )
    reused = (
        f"; {result.reused} resource pages unchanged, linked from the earlier site"
        if result.reused
        else ""
    )
    click.echo(
        f"published {result.pages} pages ({result.files} files) to "
        f"{display_path(result.out)} in {result.seconds:.1f} s{reused}"
    )
    for warning in result.warnings:
        click.echo(f"DCAT-AP recommendation not met: {warning}", err=True)


@click.command("serve-site")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The published site folder.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="TCP port (0: any free one).",
)
@click.option(
    "--public-host",
    "public_hosts",
    multiple=True,
    metavar="NAME",
    help="Another Host name to answer for (repeatable); localhost, 127.0.0.1 "
    "and [::1] always are, others get 421.",
)
def serve_site(
    directory: Path, host: str, port: int, public_hosts: tuple[str, ...]
) -> None:
    """Serve a published site locally, with content negotiation.

    Resource paths such as /id/kommun/2083 answer 303 to the representation the
    Accept header prefers: HTML for browsers; Turtle, JSON-LD or N-Triples for
    RDF clients. Only files inside the site are served (no symbolic link out of
    it, no folder listings); malformed requests get 400. Stop with Ctrl-C.

    \b
    Example:
        samverkansgraf serve-site --dir site/ --port 8000
        curl -L -H 'Accept: text/turtle' http://127.0.0.1:8000/id/kommun/2083
    """
    server = make_site_server(directory, host, port, public_hosts=public_hosts)
    click.echo(f"serving {display_path(directory)} at {server.url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


@click.command()
@click.option(
    "--version",
    "version",
    required=True,
    help="Semantic version X.Y.Z (needs a dated entry in CHANGELOG.md).",
)
@out_option(
    "Release folder (default: dist/releases/samverkansgraf-X.Y.Z).", folder=True
)
@click.pass_context
def release(ctx: click.Context, version: str, out: Path | None) -> None:
    """Write a citable research release: CSV tables, data package, CITATION.cff.

    Validates the graph first and writes nothing when it does not conform. The
    folder holds datapackage.json (Frictionless), data/*.csv, codebook.md, the RDF
    dumps, masked source texts, CITATION.cff, CHANGELOG.md and SHA256SUMS.

    \b
    Example:
        samverkansgraf release --version 0.1.0
        samverkansgraf release --version 0.2.0 --out /tmp/release
    """
    result = write_release(project_paths(ctx), version, out)
    tables = ", ".join(f"{n} {name}" for name, n in result.rows.items())
    click.echo(
        f"released samverkansgraf {result.version} ({result.date}) to "
        f"{display_path(result.out)}: {len(result.files)} files; rows: {tables}"
    )
