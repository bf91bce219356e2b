"""Stage 7 — publish: the dataset as a dereferenceable linked-data site.

Input: the built dataset and ``publication.toml``. Output: a static site (one page
per resource in HTML, Turtle, JSON-LD and N-Triples, the dumps, the ontology, the
DCAT-AP-SE record and VoID). ``settings`` reads ``publication.toml``; ``metadata``
describes the dataset (DCAT, VoID); ``html`` holds the Jinja2 environment of
``templates/``; ``site`` renders the pages; ``server`` serves them with content
negotiation.
"""

from .server import make_site_server
from .site import PublishResult, publish_site

__all__ = ["PublishResult", "make_site_server", "publish_site"]
