"""Publication settings: what the world is told about the dataset as a whole.

Input: ``publication.toml`` at the project root (base URL, bilingual title and
description, publisher, functional contact, EU data themes, citation authors).
Output: a frozen ``PublicationSettings`` used by the site (``publish.py``), the
DCAT-AP-SE and VoID records (``metadata.py``) and research releases (``release.py``).
Also the one place that decides the publication date (``SOURCE_DATE_EPOCH`` wins, for
reproducible output).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SourceError

__all__ = [
    "PUBLICATION_FILE",
    "PublicationSettings",
    "data_modified",
    "load_publication",
    "today",
]

PUBLICATION_FILE = "publication.toml"
# One address: local part, @, a domain with a dot (RFC 5322's common form).
_MAILBOX = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class PublicationSettings:
    """The dataset-level metadata of ``publication.toml``."""

    base_url: str
    """Where ``site/`` is served, ending in ``/``."""
    title_sv: str
    """Dataset title in Swedish."""
    title_en: str
    """Dataset title in English."""
    description_sv: str
    """Dataset description in Swedish."""
    description_en: str
    """Dataset description in English."""
    keywords_sv: tuple[str, ...]
    """Swedish keywords (``dcat:keyword``)."""
    keywords_en: tuple[str, ...]
    """English keywords."""
    themes: tuple[str, ...]
    """EU data-theme codes, e.g. ``EDUC``."""
    spatial_country: str
    """EU country authority code, e.g. ``SWE``."""
    sparql_endpoint: str
    """The public SPARQL endpoint IRI, or empty when none is deployed (then
    nothing advertises one)."""
    publisher_iri: str
    """The publishing organisation's IRI."""
    publisher_name_sv: str
    """Its name in Swedish."""
    publisher_name_en: str
    """Its name in English."""
    publisher_type: str
    """ADMS publisher type code, e.g. ``NonProfitOrganisation``."""
    publisher_homepage: str
    """Its web page."""
    contact_name_sv: str
    """Functional contact, Swedish name."""
    contact_name_en: str
    """Functional contact, English name."""
    contact_url: str
    """Web address of the contact (issues, questions)."""
    contact_email: str
    """The organisation's functional mailbox (``vcard:hasEmail``), or empty.
    ``publish`` refuses to write the catalogue record without it; it is the one
    e-mail address the privacy checks let through, and only in the record."""
    authors: tuple[str, ...]
    """Citation authors (persons as "Family, Given" or an entity name)."""
    repository: str
    """Where the data lives (CITATION.cff ``repository``)."""
    citation_message: str
    """CITATION.cff ``message``."""
    issued: dt.date | None = None
    """First publication of the dataset (``[dataset] issued``), or ``None``."""
    path: Path | None = None
    """The file the settings were read from (for messages)."""

    @property
    def catalogue_iri(self) -> str:
        """The DCAT record document; its entities are hash IRIs in it."""
        return f"{self.base_url}dcat"

    @property
    def dataset_iri(self) -> str:
        """The dataset (``dcat:Dataset`` and ``void:Dataset``)."""
        return f"{self.catalogue_iri}#dataset"

    @property
    def void_iri(self) -> str:
        """The VoID document; its partitions and linkset are hash IRIs in it."""
        return f"{self.base_url}void"

    def require_contact_email(self) -> str:
        """The functional mailbox, checked; the catalogue record cannot do without.

        Raises:
            SourceError: naming ``[contact] email`` in ``publication.toml`` when it
                is missing or not an e-mail address.
        """
        address = self.contact_email
        if not _MAILBOX.fullmatch(address):
            path = self.path or Path(PUBLICATION_FILE)
            raise SourceError(
                "[contact] email is "
                + (f"not an e-mail address: {address!r}" if address else "not set")
                + " — the DCAT-AP-SE record needs the publisher's functional mailbox",
                path=path,
                hint='set e.g. email = "data@your-organisation.se" under [contact] '
                "(an organisation's address, never a person's), or publish "
                "--preview for a site that is not for portals yet",
            )
        return address

    def record_mailbox(self, *, preview: bool = False) -> str | None:
        """The mailbox the catalogue record gives: ``require_contact_email``'s,
        or — for a preview (``publish --preview``) when none is set — None.

        Raises:
            SourceError: ``[contact] email`` is set but no e-mail address, or is
                missing outside a preview.
        """
        if preview and not self.contact_email:
            return None
        return self.require_contact_email()


def _get(table: dict[str, Any], key: str, path: Path, kind: type = str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise SourceError(
            f"missing or empty {key!r}",
            path=path,
            hint=f"set {key} (a {kind.__name__}) in {PUBLICATION_FILE}",
        )
    return value


def load_publication(root: str | Path) -> PublicationSettings:
    """Read ``publication.toml`` from the project root.

    Args:
        root: the project directory.

    Returns:
        The settings.

    Raises:
        SourceError: missing file, malformed TOML or a missing key.
    """
    path = Path(root) / PUBLICATION_FILE
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise SourceError(
            "publication metadata not found", path=path, hint="create it"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"malformed TOML: {exc}", path=path, hint="fix it") from exc
    dataset = data.get("dataset", {})
    publisher = data.get("publisher", {})
    contact = data.get("contact", {})
    citation = data.get("citation", {})
    base_url = _get(dataset, "base_url", path)
    if not base_url.endswith("/"):
        base_url += "/"
    return PublicationSettings(
        base_url=base_url,
        title_sv=_get(dataset, "title_sv", path),
        title_en=_get(dataset, "title_en", path),
        description_sv=_get(dataset, "description_sv", path).strip(),
        description_en=_get(dataset, "description_en", path).strip(),
        keywords_sv=tuple(_get(dataset, "keywords_sv", path, list)),
        keywords_en=tuple(_get(dataset, "keywords_en", path, list)),
        themes=tuple(_get(dataset, "themes", path, list)),
        spatial_country=_get(dataset, "spatial_country", path),
        sparql_endpoint=str(dataset.get("sparql_endpoint", "")),
        publisher_iri=_get(publisher, "iri", path),
        publisher_name_sv=_get(publisher, "name_sv", path),
        publisher_name_en=_get(publisher, "name_en", path),
        publisher_type=_get(publisher, "type", path),
        publisher_homepage=_get(publisher, "homepage", path),
        contact_name_sv=_get(contact, "name_sv", path),
        contact_name_en=_get(contact, "name_en", path),
        contact_url=_get(contact, "url", path),
        contact_email=str(contact.get("email", "")).strip(),
        authors=tuple(_get(citation, "authors", path, list)),
        repository=_get(citation, "repository", path),
        citation_message=_get(citation, "message", path),
        issued=_date(dataset, "issued", path),
        path=path,
    )


def _date(table: dict[str, Any], key: str, path: Path) -> dt.date | None:
    """An optional TOML date (``issued = 2026-11-25``)."""
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise SourceError(
        f"{key!r} is not a date: {value!r}",
        path=path,
        hint=f"write it as a TOML date, {key} = 2026-11-25 (no quotes)",
    )


def data_modified(root: str | Path) -> dt.date:
    """When the data last changed: the date of the last commit that touched
    ``data/`` or ``ontology/``, or today when they hold uncommitted changes.

    Outside a git checkout (a copied project, an unpacked archive) the newest
    modification time of their files counts. ``SOURCE_DATE_EPOCH`` does not
    override it: it is a fact about the data, not about this run.
    """
    root = Path(root)
    watched = ["data", "ontology"]
    try:
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", *watched],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if status.returncode == 0:
            if status.stdout.strip():
                return today()
            log = subprocess.run(
                ["git", "-C", str(root), "log", "-1", "--format=%cs", "--", *watched],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            if log.returncode == 0 and log.stdout.strip():
                return dt.date.fromisoformat(log.stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        pass  # no git: fall back to the files' own times
    times = [
        path.stat().st_mtime
        for folder in watched
        for path in (root / folder).rglob("*")
        if path.is_file()
    ]
    if not times:
        return today()
    return dt.datetime.fromtimestamp(max(times), tz=dt.UTC).date()


def today() -> dt.date:
    """The publication date: ``SOURCE_DATE_EPOCH`` if set (reproducible builds),
    else today's date in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()
