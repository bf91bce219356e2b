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

from . import build, devtools, extract, network, publish, query
from .app import cli, main

for _command in (
    build.build,
    build.validate,
    build.coverage,
    build.entities,
    query.query_command,
    query.sparql_command,
    query.serve,
    query.upload,
    network.network,
    network.compare,
    publish.publish,
    publish.serve_site,
    publish.release,
    extract.extract,
    extract.evaluate,
    devtools.synth,
):
    cli.add_command(_command)
del _command

__all__ = ["cli", "main"]
