"""Can a reader see a half-replaced dataset? Measure three ways of replacing the
whole dataset of a live Oxigraph store while a reader counts its quads.

    .venv/bin/python benchmarks/upload_atomicity.py [--uploads 20] [--copies 5]

Two datasets of different sizes are uploaded in turn; a reader thread counts the
quads (`SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }`) as fast as it
can. Any count other than the two datasets' sizes means the reader saw an empty
or half-loaded store. Methods:

- gsp-put-dataset: `samverkansgraf upload --method gsp`, one Graph Store
  Protocol `PUT /store` with the N-Quads (one transaction since Oxigraph
  0.5.13; clear and load were two transactions up to 0.5.9);
- gsp-put-graphs: `PUT /store?graph=G` per graph (one transaction each);
- sparql-update: `samverkansgraf upload` (`DROP ALL ; INSERT DATA {...}` as one
  SPARQL Update request, one transaction).

`--copies N` makes the datasets N times larger (graph IRIs suffixed), which
widens any window. Only loopback traffic; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from rdflib import Dataset, URIRef

from samverkansgraf.query.endpoint import start_server, upload_dataset
from samverkansgraf.query.engines import RemoteEngine, dataset_file
from samverkansgraf.sources import find_project_root

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _variant(source: Path, copies: int, drop_last: bool, target: Path) -> int:
    """Write `copies` renamed copies of `source` (minus its last graph if asked)."""
    original = Dataset()
    original.parse(source, format="nquads")
    graphs = sorted(
        (g for g in original.graphs() if len(g)), key=lambda g: str(g.identifier)
    )
    if drop_last:
        graphs = graphs[:-1]
    out = Dataset()
    for copy in range(copies):
        for graph in graphs:
            named = out.graph(URIRef(f"{graph.identifier}#copy{copy}"))
            named += graph
    target.write_bytes(out.serialize(format="nquads", encoding="utf-8"))
    return sum(len(g) for g in graphs) * copies


def _put_graphs(base: str, dump: Path, stale: list[str]) -> None:
    dataset = Dataset()
    dataset.parse(dump, format="nquads")
    for graph in dataset.graphs():
        if not len(graph):
            continue
        body = graph.serialize(format="nt", encoding="utf-8")
        query = urllib.parse.urlencode({"graph": str(graph.identifier)})
        request = urllib.request.Request(
            f"{base}/store?{query}",
            data=body,
            method="PUT",
            headers={"Content-Type": "application/n-triples"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
    for iri in stale:
        query = urllib.parse.urlencode({"graph": iri})
        request = urllib.request.Request(f"{base}/store?{query}", method="DELETE")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
        except urllib.error.HTTPError:
            pass


def main() -> None:
    """Run the three methods and print what the reader saw."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--copies", type=int, default=5)
    args = parser.parse_args()
    dump = dataset_file(find_project_root())
    with tempfile.TemporaryDirectory() as work:
        a, b = Path(work) / "a.nq", Path(work) / "b.nq"
        sizes = {
            _variant(dump, args.copies, False, a),
            _variant(dump, args.copies, True, b),
        }
        graphs_a = sorted(
            {str(g.identifier) for g in _graphs(a)}
            - {str(g.identifier) for g in _graphs(b)}
        )
        print(f"datasets of {sorted(sizes)} quads, {args.uploads} uploads per method")
        with start_server(a, read_only=False) as server:
            reader = RemoteEngine(server.url, timeout=30)
            methods = {
                "gsp-put-dataset": lambda d: upload_dataset(
                    server.url, d, method="gsp"
                ),
                "gsp-put-graphs": lambda d: _put_graphs(
                    server.url, d, graphs_a if d == b else []
                ),
                "sparql-update": lambda d: upload_dataset(server.url, d),
            }
            for name, replace in methods.items():
                replace(a)
                seen: Counter[int] = Counter()
                stop = threading.Event()

                def read(
                    seen: Counter[int] = seen, stop: threading.Event = stop
                ) -> None:
                    while not stop.is_set():
                        (row,) = reader.select(COUNT).rows
                        seen[int(row[0])] += 1

                thread = threading.Thread(target=read)
                thread.start()
                started = time.perf_counter()
                for i in range(args.uploads):
                    replace(b if i % 2 == 0 else a)
                elapsed = time.perf_counter() - started
                stop.set()
                thread.join()
                odd = {n: k for n, k in seen.items() if n not in sizes}
                print(
                    f"{name:16s} {elapsed / args.uploads * 1000:7.1f} ms/upload  "
                    f"{sum(seen.values()):5d} reads  "
                    f"{sum(odd.values()):4d} saw neither dataset "
                    f"{dict(sorted(odd.items())[:5]) if odd else ''}"
                )


def _graphs(path: Path) -> list:
    dataset = Dataset()
    dataset.parse(path, format="nquads")
    return [g for g in dataset.graphs() if len(g)]


if __name__ == "__main__":
    main()
