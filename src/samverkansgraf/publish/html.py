"""HTML templates of the published site (Jinja2, autoescaped).

Input: view models built by ``pages`` (rendered by ``render``). Output: HTML5 pages
in Swedish (``lang="sv"``, English labels marked ``lang="en"``), with relative links
only and no JavaScript. The templates and the style sheet live in ``templates/``
beside this module (package data).
"""

from __future__ import annotations

from importlib import resources

from jinja2 import DictLoader, Environment, StrictUndefined

__all__ = ["TEMPLATE_NAMES", "make_environment", "style_sheet", "template_text"]

TEMPLATE_NAMES = (
    "base.html",
    "macros.html",
    "resource.html",
    "class_index.html",
    "classes.html",
    "home.html",
    "ontology.html",
    "sources.html",
    "source.html",
    "profile.html",
    "profiles.html",
)


def template_text(name: str) -> str:
    """The text of one of the site's templates (``TEMPLATE_NAMES``, ``style.css``)."""
    return (resources.files(__package__) / "templates" / name).read_text("utf-8")


def style_sheet() -> str:
    """The site's CSS (``templates/style.css``)."""
    return template_text("style.css")


def make_environment() -> Environment:
    """A Jinja2 environment with the site's templates, autoescaping everything."""
    loader = DictLoader({name: template_text(name) for name in TEMPLATE_NAMES})
    return Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
