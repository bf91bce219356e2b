// samverkansgraf query page: the in-browser SPARQL engine (a module Web Worker).
//
// Loads Oxigraph's WebAssembly build (vendor/oxigraph, npm package `oxigraph`),
// fetches the site's own dump into an in-memory store and answers SELECT/ASK
// queries with SPARQL 1.1 JSON results, over the union of the named graphs (as
// `samverkansgraf query` and `serve` do). Running in a worker keeps the page
// responsive while a query computes; the page stops a runaway query by
// terminating the worker. Every request goes to this site only.
import init, * as oxigraph from "./vendor/oxigraph/web.js";

let store = null;

async function load({ wasm, wasmIntegrity, dataset, format }) {
  const started = performance.now();
  await init({ module_or_path: fetch(wasm, { integrity: wasmIntegrity }) });
  const compiled = performance.now();
  const response = await fetch(dataset);
  if (!response.ok) {
    throw new Error(`${dataset}: HTTP ${response.status} ${response.statusText}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const fetched = performance.now();
  store = new oxigraph.Store();
  store.load(bytes, { format, no_transaction: true });
  const loaded = performance.now();
  return {
    quads: store.size,
    bytes: bytes.length,
    ms: {
      wasm: compiled - started,
      fetch: fetched - compiled,
      parse: loaded - fetched,
      total: loaded - started,
    },
  };
}

function query(text) {
  if (store === null) throw new Error("the dataset is not loaded yet");
  const started = performance.now();
  const json = store.query(text, {
    use_default_graph_as_union: true,
    results_format: "application/sparql-results+json",
  });
  if (typeof json !== "string") {
    throw new Error("only SELECT and ASK queries answer with a table");
  }
  return { json, ms: performance.now() - started };
}

self.onmessage = async (event) => {
  const { id, kind, payload } = event.data;
  try {
    const result = kind === "load" ? await load(payload) : query(payload.text);
    self.postMessage({ id, ok: true, result });
  } catch (error) {
    self.postMessage({ id, ok: false, error: String(error && error.message ? error.message : error) });
  }
};
