"""Stage 7 — publish: the dataset as a dereferenceable linked-data site.

Input: the built dataset and ``publication.toml``. Output: a static site (one page
per resource in HTML, Turtle, JSON-LD and N-Triples, the dumps, the ontology, the
DCAT-AP-SE record and VoID). The modules, in the order the data flows:

- ``settings`` reads ``publication.toml``;
- ``metadata`` describes the dataset (DCAT-AP-SE, VoID) and validates the record
  (SEMIC's DCAT-AP 3 shapes and the DCAT-AP-SE rules);
- ``authorities`` says what the EU concepts and IANA types the record names are;
- ``vocabulary`` holds the display tables (labels of reused terms, Swedish
  plurals, property order, the ontology page's sections);
- ``pages`` is the page model: which IRIs get pages (``page_path``), the indexed
  graph, labels, links, property rows, inverse links and evidence blocks;
- ``alternates`` serialises each page's Turtle, JSON-LD, N-Triples and RDF/XML;
- ``html`` holds the Jinja2 environment of ``templates/``;
- ``render`` renders resource, class, ontology and source pages;
- ``writer`` yields every file of the site in order (``SiteRenderer``);
- ``checks`` refuses a non-conforming graph, output with contact data, a
  personal mailbox and advertised IRIs the site would not answer;
- ``site`` is the orchestration: ``publish_site`` writes the folder atomically;
- ``server`` serves a published site with content negotiation.
"""

from .server import make_site_server
from .site import PublishResult, publish_site

__all__ = ["PublishResult", "make_site_server", "publish_site"]
