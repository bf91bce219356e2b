"""The command-line interface: a thin click layer over the library.

Input: command-line arguments. Output: printed summaries and the library's files;
errors become one line and a documented exit code.

Each command is argument handling, one library call and printing. The modules
follow the command list:

- ``app``: the ``cli`` group, its one ``SamverkansgrafError`` → exit-code handler,
  ``main`` (the console script) and the options several commands share;
- ``build``: ``build``, ``validate``, ``coverage``, ``entities``;
- ``query``: ``query``, ``sparql``, ``serve``, ``upload``;
- ``network``: ``network``, ``compare``;
- ``publish``: ``publish``, ``serve-site``, ``release``;
- ``extract``: ``extract``, ``evaluate``;
- ``devtools``: ``synth``.
"""

from .app import cli, main

# Command name → "module:function". The module is imported when its command
# runs (or when the top-level help lists every command), so `samverkansgraf
# build` does not load the site server, networkx or the extractor.
cli.lazy_commands.update(
    {
        "build": "build:build",
        "validate": "build:validate",
        "coverage": "build:coverage",
        "entities": "build:entities",
        "query": "query:query_command",
        "sparql": "query:sparql_command",
        "serve": "query:serve",
        "upload": "query:upload",
        "network": "network:network",
        "compare": "network:compare",
        "publish": "publish:publish",
        "serve-site": "publish:serve_site",
        "release": "publish:release",
        "extract": "extract:extract",
        "evaluate": "extract:evaluate",
        "synth": "devtools:synth",
    }
)

__all__ = ["cli", "main"]
