// samverkansgraf query page: a SPARQL workbench that needs no server.
//
// The page reads its configuration (the query catalogue, the prefixes, where the
// dataset and the engine are) from the JSON block that samverkansgraf.query.
// workbench writes into it. Queries run either in this browser (worker.js:
// Oxigraph's WebAssembly build over the site's own dump) or against a SPARQL
// endpoint (the `serve` endpoint the page came from, or the one publication.toml
// names). Catalogue parameters are bound by binding.js exactly as
// `samverkansgraf query` binds them, so the text sent is the text
// `query NAME --show` prints.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("workbench-config").textContent);
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = new Set(
    ["integer", "int", "long", "short", "byte", "decimal", "double", "float",
      "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
      "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"].map((t) => XSD + t)
  );
  // Milliseconds since the page's navigation began (performance.now()).
  const timings = { scriptStart: performance.now() };

  const binding = window.samverkansgrafBinding(config);
  const { BindingError, bindQuery, findQuery, withPrefixes } = binding;

  // -------------------------------------------------------------------------
  // Engines: the worker (in this browser) or a SPARQL endpoint (GET, JSON).
  // -------------------------------------------------------------------------

  class BrowserEngine {
    constructor(settings) {
      this.settings = settings;
      this.pending = new Map();
      this.counter = 0;
      this.ready = null;
    }
    start() {
      try {
        this.worker = new Worker(config.assets + "worker.js", { type: "module" });
      } catch (error) {
        this.ready = Promise.reject(error);
        return this.ready;
      }
      this.worker.onmessage = (event) => {
        const { id, ok, result, error } = event.data;
        const entry = this.pending.get(id);
        if (!entry) return;
        this.pending.delete(id);
        if (ok) entry.resolve(result); else entry.reject(new Error(error));
      };
      this.worker.onerror = (event) => {
        const message = event.message || "the query engine could not start";
        for (const entry of this.pending.values()) entry.reject(new Error(message));
        this.pending.clear();
      };
      // The worker lives in the asset folder: give it absolute URLs.
      const absolute = (href) => new URL(href, document.baseURI).href;
      this.ready = this.call("load", {
        ...this.settings,
        wasm: absolute(this.settings.wasm),
        dataset: absolute(this.settings.dataset),
      });
      return this.ready;
    }
    call(kind, payload) {
      const id = ++this.counter;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ id, kind, payload });
      });
    }
    async select(text) {
      await this.ready;
      const { json, ms } = await this.call("query", { text });
      return { results: JSON.parse(json), ms };
    }
    stop() {
      // A runaway query cannot be interrupted inside WebAssembly: end the
      // worker and load the data afresh.
      this.worker.terminate();
      for (const entry of this.pending.values()) entry.reject(new Error("stopped"));
      this.pending.clear();
      return this.start();
    }
  }

  class EndpointEngine {
    constructor(url) {
      this.url = url;
      this.ready = Promise.resolve({});
      this.controller = null;
    }
    start() { return this.ready; }
    async select(text) {
      this.controller = new AbortController();
      const started = performance.now();
      const separator = this.url.includes("?") ? "&" : "?";
      let response;
      try {
        response = await fetch(`${this.url}${separator}query=${encodeURIComponent(text)}`, {
          headers: { Accept: "application/sparql-results+json" },
          signal: this.controller.signal,
        });
      } catch (error) {
        throw new Error(`cannot reach ${this.url}: ${error.message}`);
      }
      const body = await response.text();
      if (!response.ok) {
        throw new Error(`${this.url} answered HTTP ${response.status}: ${body.trim().slice(0, 400)}`);
      }
      try {
        return { results: JSON.parse(body), ms: performance.now() - started };
      } catch (error) {
        throw new Error(`${this.url} did not answer with SPARQL JSON results`);
      }
    }
    stop() {
      if (this.controller) this.controller.abort();
      return this.ready;
    }
  }

  // -------------------------------------------------------------------------
  // Results: terms, table, CSV and JSON (as `query --format csv|json` writes
  // them), and a bar chart for grouped counts.
  // -------------------------------------------------------------------------

  function plainTerm(term) {
    if (!term) return null;
    if (term.type === "literal" && term.datatype === XSD + "string") {
      return { type: "literal", value: term.value };
    }
    if (term.type === "typed-literal") {
      return { type: "literal", value: term.value, datatype: term.datatype };
    }
    return term;
  }

  function resultRows(results) {
    const columns = results.head.vars || [];
    const rows = (results.results ? results.results.bindings : []).map((binding) =>
      columns.map((column) => plainTerm(binding[column]))
    );
    return { columns, rows };
  }

  function shortIri(iri) {
    for (const prefix of ["skgid", "skg", "wd"]) {
      const namespace = config.prefixes[prefix];
      if (namespace && iri.startsWith(namespace)) return `${prefix}:${iri.slice(namespace.length)}`;
    }
    return iri;
  }

  function safeSegment(segment) {
    return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  }

  // publish.pages.page_path: resource IRIs → id/<path>.html, ontology terms →
  // ontology/<Term>.html; null where the site has no page.
  function sitePage(iri) {
    const site = config.site;
    if (!site) return null;
    if (iri === site.ontology) return site.root + "ontology/index.html";
    if (iri.startsWith(site.terms)) {
      const local = iri.slice(site.terms.length);
      if (!local || local.includes("/")) return null;
      return `${site.root}ontology/${safeSegment(local)}.html`;
    }
    if (iri.startsWith(site.resources)) {
      const hash = iri.indexOf("#");
      const rest = iri.slice(site.resources.length, hash < 0 ? undefined : hash);
      const anchor = hash < 0 ? "" : iri.slice(hash + 1);
      let segments = rest.split("/");
      if (!rest || rest.endsWith("/")) segments = segments.filter((s) => s).concat(["index"]);
      if (segments.some((s) => s === "" || s === "." || s === "..")) return null;
      return `${site.root}id/${segments.map(safeSegment).join("/")}.html` + (anchor ? `#${safeSegment(anchor)}` : "");
    }
    return null;
  }

  function isNumeric(term) {
    return term && term.type === "literal" && NUMERIC.has(term.datatype);
  }

  function csvField(value) {
    return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  }

  function toCsv(table) {
    const lines = [table.columns.map(csvField).join(",")];
    for (const row of table.rows) {
      const fields = row.map((term) => csvField(term ? term.value : ""));
      // Python's csv writer quotes a row of one empty field, so it is not blank.
      lines.push(fields.length === 1 && fields[0] === "" ? '""' : fields.join(","));
    }
    return lines.join("\n") + "\n";
  }

  function toJson(table) {
    const bindings = table.rows.map((row) => {
      const binding = {};
      row.forEach((term, index) => {
        if (!term) return;
        const value = { type: term.type, value: term.value };
        if (term["xml:lang"]) value["xml:lang"] = term["xml:lang"];
        else if (term.datatype) value.datatype = term.datatype;
        binding[table.columns[index]] = value;
      });
      return binding;
    });
    return JSON.stringify({ head: { vars: table.columns }, results: { bindings } }, null, 1) + "\n";
  }

  function compareTerms(a, b) {
    if (!a || !b) return a ? 1 : b ? -1 : 0;
    if (isNumeric(a) && isNumeric(b)) return Number(a.value) - Number(b.value);
    return a.value.localeCompare(b.value, "sv", { numeric: true });
  }

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function termCell(term) {
    const cell = el("td");
    if (!term) return cell;
    cell.dataset.value = term.value;
    if (term.type === "uri") {
      const page = sitePage(term.value);
      const link = el("a", { href: page || term.value, title: term.value }, shortIri(term.value));
      if (!page) link.className = "external";
      cell.append(link);
    } else if (term.type === "bnode") {
      cell.append(`_:${term.value}`);
    } else {
      cell.append(term.value);
      if (term["xml:lang"]) cell.append(el("span", { class: "tag" }, ` @${term["xml:lang"]}`));
      if (isNumeric(term)) cell.className = "num";
    }
    return cell;
  }

  // The chart: one bar per row for the first numeric column whose values are
  // all integers ≥ 0, labelled by the row's literal (non-IRI) cells.
  function chartFor(table, limit) {
    if (table.rows.length < 2 || table.rows.length > limit) return null;
    const numeric = table.columns.findIndex((_, i) =>
      table.rows.every((row) => isNumeric(row[i]) && /^[0-9]+$/.test(row[i].value))
    );
    if (numeric < 0) return null;
    const labelColumns = table.columns
      .map((_, i) => i)
      .filter((i) => i !== numeric && table.rows.some((row) => row[i] && row[i].type === "literal" && !isNumeric(row[i])));
    const label = (row) => {
      const parts = labelColumns.map((i) => (row[i] ? row[i].value : "")).filter((t) => t);
      if (parts.length) return parts.join(" · ");
      const iri = row.find((t) => t && t.type === "uri");
      return iri ? shortIri(iri.value) : "";
    };
    const values = table.rows.map((row) => Number(row[numeric].value));
    const max = Math.max(1, ...values);
    const barHeight = 18;
    const labelWidth = 300;
    const width = 760;
    const height = table.rows.length * (barHeight + 6) + 30;
    const svgNs = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("class", "chart");
    const title = document.createElementNS(svgNs, "title");
    title.textContent = `${table.columns[numeric]} per rad / per row`;
    svg.append(title);
    table.rows.forEach((row, index) => {
      const y = 6 + index * (barHeight + 6);
      const text = document.createElementNS(svgNs, "text");
      text.setAttribute("x", labelWidth - 8);
      text.setAttribute("y", y + barHeight * 0.75);
      text.setAttribute("text-anchor", "end");
      const full = label(row);
      text.textContent = full.length > 44 ? full.slice(0, 43) + "…" : full;
      const hover = document.createElementNS(svgNs, "title");
      hover.textContent = `${full}: ${values[index]}`;
      text.append(hover);
      const bar = document.createElementNS(svgNs, "rect");
      bar.setAttribute("x", labelWidth);
      bar.setAttribute("y", y);
      bar.setAttribute("height", barHeight);
      bar.setAttribute("width", Math.max(1, ((width - labelWidth - 60) * values[index]) / max));
      bar.append(hover.cloneNode(true));
      const count = document.createElementNS(svgNs, "text");
      count.setAttribute("x", labelWidth + Math.max(1, ((width - labelWidth - 60) * values[index]) / max) + 6);
      count.setAttribute("y", y + barHeight * 0.75);
      count.setAttribute("class", "count");
      count.textContent = String(values[index]);
      svg.append(text, bar, count);
    });
    const axis = document.createElementNS(svgNs, "text");
    axis.setAttribute("x", labelWidth);
    axis.setAttribute("y", height - 6);
    axis.setAttribute("class", "axis");
    axis.textContent = table.columns[numeric];
    svg.append(axis);
    return svg;
  }

  // -------------------------------------------------------------------------
  // The page
  // -------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  const statusLine = $("status");
  const select = $("query-select");
  const paramsBox = $("params");
  const questionBox = $("query-question");
  const resultsBox = $("results");
  const runButton = $("run");
  const stopButton = $("stop");
  const engineSelect = $("engine");

  let current = null; // the catalogue query shown, or null for an own query
  let handEdited = false;
  let settingText = false;
  let lastTable = null;
  let running = false;
  const engines = {};

  function setStatus(text, kind) {
    statusLine.textContent = text;
    statusLine.className = kind || "";
  }

  const editor = window.CodeMirror.fromTextArea($("sparql"), {
    mode: "application/sparql-query",
    lineNumbers: true,
    matchBrackets: true,
    indentUnit: 2,
    viewportMargin: Infinity,
    extraKeys: {
      "Ctrl-Space": "autocomplete",
      "Ctrl-Enter": () => run(),
      "Cmd-Enter": () => run(),
    },
    hintOptions: { hint: sparqlHint, completeSingle: false },
  });
  editor.on("change", () => {
    if (!settingText) {
      handEdited = true;
      updateShareLink();
    }
  });
  editor.on("inputRead", (cm, change) => {
    if (change.text.length === 1 && /[\w:]/.test(change.text[0])) {
      const word = wordBefore(cm);
      if (word.text.includes(":") || word.text.length >= 3) cm.showHint({ completeSingle: false });
    }
  });

  function setText(text) {
    settingText = true;
    editor.setValue(text);
    settingText = false;
    handEdited = false;
  }

  // Completion: the project's prefixed names (classes, properties, concepts,
  // named actors and programmes, asked of the engine once it is ready), the
  // prefixes and the SPARQL keywords.
  const KEYWORDS = ["SELECT", "DISTINCT", "WHERE", "OPTIONAL", "FILTER", "NOT EXISTS",
    "MINUS", "UNION", "GRAPH", "VALUES", "BIND", "GROUP BY", "ORDER BY", "LIMIT",
    "COUNT", "SAMPLE", "GROUP_CONCAT", "STR", "LANG", "LANGMATCHES", "CONTAINS",
    "LCASE", "STRAFTER", "PREFIX", "ASK", "DESC", "HAVING", "OFFSET"];
  let completions = Object.entries(config.prefixes).map(([prefix, iri]) => ({
    text: `${prefix}:`, displayText: `${prefix}: <${iri}>`,
  })).concat(KEYWORDS.map((k) => ({ text: k, displayText: k })));

  function wordBefore(cm) {
    const cursor = cm.getCursor();
    const line = cm.getLine(cursor.line).slice(0, cursor.ch);
    const match = /[A-Za-z_][\w.\-]*:?[\w.\-\/]*$|[A-Za-z_]+$/.exec(line);
    const text = match ? match[0] : "";
    return { text, from: window.CodeMirror.Pos(cursor.line, cursor.ch - text.length), to: cursor };
  }

  function sparqlHint(cm) {
    const word = wordBefore(cm);
    if (!word.text) return null;
    const needle = word.text.toLowerCase();
    const starts = completions.filter((c) => c.text.toLowerCase().startsWith(needle));
    const inside = completions.filter((c) => !c.text.toLowerCase().startsWith(needle) &&
      (c.displayText || c.text).toLowerCase().includes(needle.replace(/^[a-z]+:/, "")) &&
      needle.includes(":") && c.text.startsWith(needle.split(":")[0] + ":"));
    const list = starts.concat(inside).slice(0, 200);
    return list.length ? { list, from: word.from, to: word.to } : null;
  }

  async function loadCompletions(engine) {
    try {
      const { results } = await engine.select(config.terms_query);
      const table = resultRows(results);
      const termIndex = table.columns.indexOf("term");
      const labelIndex = table.columns.indexOf("label");
      const terms = table.rows.filter((row) => row[termIndex]).map((row) => {
        const text = shortIri(row[termIndex].value);
        const label = row[labelIndex] ? row[labelIndex].value : "";
        return { text, displayText: label ? `${text} — ${label}` : text };
      }).filter((c) => c.text.includes(":") && !c.text.includes("://"));
      completions = terms.concat(completions);
    } catch (error) {
      // Completion is a convenience: the page works without it.
    }
  }

  function fieldValues() {
    const values = {};
    for (const input of paramsBox.querySelectorAll("input[data-parameter]")) {
      if (input.value !== "" || input.dataset.required === "true") {
        values[input.dataset.parameter] = input.value === "" ? null : input.value;
      }
    }
    return values;
  }

  function showQuery(spec, values) {
    current = spec;
    select.value = spec ? spec.id : "";
    paramsBox.replaceChildren();
    questionBox.replaceChildren();
    if (!spec) return;
    const [sv, en] = spec.question.split(" / ");
    questionBox.append(el("strong", {}, spec.title), el("br"), sv || "");
    if (en) questionBox.append(el("br"), el("span", { lang: "en", class: "en" }, en));
    if (spec.description) questionBox.append(el("br"), el("small", { class: "description" }, spec.description));
    for (const parameter of spec.parameters) {
      const id = `param-${parameter.name}`;
      const given = values[parameter.name];
      const input = el("input", {
        id, type: "text", size: "48", spellcheck: "false",
        "data-parameter": parameter.name,
        "data-required": String(parameter.required),
        placeholder: parameter.required ? `${parameter.type}, required` : parameter.default_display,
      });
      input.value = given !== undefined && given !== null ? given : parameter.required ? "" : parameter.default_display;
      input.addEventListener("input", () => rebind());
      input.addEventListener("keydown", (event) => { if (event.key === "Enter") run(); });
      paramsBox.append(el("label", { for: id }, `${parameter.name} `, el("span", { class: "tag" }, `(${parameter.type})`)), input);
    }
    rebind();
  }

  function rebind() {
    if (!current) return true;
    try {
      setText(bindQuery(current, fieldValues()));
      setStatus(engineStatus || "", "");
      updateShareLink();
      return true;
    } catch (error) {
      if (!(error instanceof BindingError)) throw error;
      setText(current.text);
      setStatus(error.message, "error");
      return false;
    }
  }

  function shareUrl() {
    const url = new URL(window.location.href);
    url.search = "";
    url.hash = "";
    if (current && !handEdited) {
      url.searchParams.set("name", current.id);
      const values = fieldValues();
      for (const parameter of current.parameters) {
        const value = values[parameter.name];
        // Every value, defaults included: a shared link keeps meaning the same
        // query if a default changes later. Appended: query 29's parameter
        // `name` follows the query's own `name`.
        if (value !== null && value !== undefined) {
          url.searchParams.append(parameter.name, value);
        }
      }
    } else {
      url.searchParams.set("sparql", editor.getValue());
    }
    return url;
  }

  function updateShareLink() {
    const url = shareUrl();
    $("share").href = url.href;
    if (window.location.protocol !== "file:") {
      window.history.replaceState(null, "", url.pathname + url.search);
    }
  }

  function renderResults(table, meta) {
    lastTable = table;
    resultsBox.replaceChildren();
    if (table.boolean !== undefined) {
      resultsBox.append(el("p", { class: "ask" }, table.boolean ? "ja / yes" : "nej / no"));
      return;
    }
    const name = current && !handEdited ? current.id : "query";
    const download = (kind, text, type) => {
      const link = el("a", { href: "#", download: `${name}.${kind}`, id: `download-${kind}` }, kind.toUpperCase());
      link.addEventListener("click", () => {
        link.href = URL.createObjectURL(new Blob([text()], { type }));
      });
      return link;
    };
    const count = table.rows.length;
    resultsBox.append(
      el("p", { class: "summary" },
        `${count} ${count === 1 ? "rad" : "rader"} / ${count} row${count === 1 ? "" : "s"} · ${meta.ms.toFixed(0)} ms · ladda ner / download `,
        download("csv", () => toCsv(table), "text/csv"), " ",
        download("json", () => toJson(table), "application/sparql-results+json"))
    );
    const chart = chartFor(table, 60);
    if (chart) resultsBox.append(el("figure", { class: "chart" }, chart));
    const head = el("tr");
    const body = el("tbody");
    table.columns.forEach((column, index) => {
      const button = el("button", { type: "button", title: "sortera / sort" }, column);
      const th = el("th", { scope: "col", "aria-sort": "none" }, button);
      button.addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        for (const other of head.children) other.setAttribute("aria-sort", "none");
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const sorted = table.rows.slice().sort((a, b) => compareTerms(a[index], b[index]) * (ascending ? 1 : -1));
        fillBody(sorted);
      });
      head.append(th);
    });
    const fillBody = (rows) => {
      body.replaceChildren(...rows.map((row) => el("tr", {}, ...row.map(termCell))));
    };
    fillBody(table.rows);
    resultsBox.append(el("table", { id: "results-table", class: "results" }, el("thead", {}, head), body));
  }

  let engineStatus = "";

  function activeEngine() {
    const key = engineSelect.value;
    if (!engines[key]) {
      if (key === "browser") {
        engines[key] = new BrowserEngine(config.dataset);
      } else {
        engines[key] = new EndpointEngine(key);
      }
      startEngine(engines[key], key);
    }
    return engines[key];
  }

  function startEngine(engine, key) {
    if (key === "browser") {
      setStatus(`Laddar frågemotorn och datamängden / loading the engine and the dataset (${config.dataset.label})…`, "busy");
    }
    let started;
    try {
      started = engine.start();
    } catch (error) {
      started = Promise.reject(error);
    }
    started.then((info) => {
      timings.engineReady = performance.now();
      timings.engine = info.ms || null;
      if (key === "browser") {
        engineStatus = `Klar / ready: ${info.quads} kvadrupler / quads laddade på / loaded in ${(info.ms.total / 1000).toFixed(2)} s i webbläsaren / in this browser.`;
        // Never over an error the reader has yet to read.
        if (!running && statusLine.className !== "error") setStatus(engineStatus, "");
      }
      loadCompletions(engine);
    }, (error) => {
      engine.failure = window.location.protocol === "file:"
        ? "Sidan behöver en webbserver / this page needs a web server: browsers do not let a page opened from file:// " +
          "start WebAssembly or read its data. Run `samverkansgraf serve-site --dir site/` or `python3 -m http.server` " +
          `in the site folder and open it over http. (${error.message})`
        : `Frågemotorn kunde inte starta / the query engine could not start: ${error.message}`;
      setStatus(engine.failure, "error");
    });
  }

  async function run() {
    if (current && !handEdited && !rebind()) return;
    const text = withPrefixes(editor.getValue());
    const engine = activeEngine();
    running = true;
    runButton.disabled = true;
    stopButton.hidden = false;
    setStatus("Kör / running…", "busy");
    resultsBox.setAttribute("aria-busy", "true");
    try {
      const { results, ms } = await engine.select(text);
      const table = typeof results.boolean === "boolean" ? { boolean: results.boolean } : resultRows(results);
      renderResults(table, { ms });
      if (timings.firstResult === undefined) timings.firstResult = performance.now();
      setStatus(engineStatus, "");
    } catch (error) {
      resultsBox.replaceChildren();
      setStatus(engine.failure || `Fel / error: ${error.message}`, "error");
    } finally {
      running = false;
      runButton.disabled = false;
      stopButton.hidden = true;
      resultsBox.setAttribute("aria-busy", "false");
    }
  }

  // Catalogue choices, engines and buttons.
  for (const spec of config.queries) {
    select.append(el("option", { value: spec.id }, `${spec.id.slice(0, 2)} · ${spec.title}`));
  }
  select.addEventListener("change", () => {
    const spec = config.queries.find((s) => s.id === select.value) || null;
    if (spec) showQuery(spec, {}); else { current = null; paramsBox.replaceChildren(); questionBox.replaceChildren(); handEdited = true; updateShareLink(); }
  });
  runButton.addEventListener("click", () => run());
  stopButton.addEventListener("click", () => {
    const engine = engines[engineSelect.value];
    if (engine) engine.stop();
    setStatus("Avbruten / stopped", "");
  });
  engineSelect.addEventListener("change", () => activeEngine());
  $("share").addEventListener("click", (event) => {
    if (navigator.clipboard) {
      event.preventDefault();
      navigator.clipboard.writeText(shareUrl().href).then(() => setStatus("Länken kopierad / link copied", ""), () => {});
    }
  });

  // What the page opens with: ?sparql=…, ?name=…&PARAM=…, or the first query.
  function start() {
    const params = new URLSearchParams(window.location.search);
    activeEngine();
    if (params.has("sparql")) {
      showQuery(null, {});
      setText(params.get("sparql"));
      handEdited = true;
      updateShareLink();
      run();
      return;
    }
    if (params.has("name")) {
      let spec;
      const [queryName, ...names] = params.getAll("name");
      try {
        spec = findQuery(queryName);
      } catch (error) {
        setStatus(error.message, "error");
        return;
      }
      // The first `name` is the query; a second one is a parameter `name`.
      const values = {};
      for (const [key, value] of params) if (key !== "name") values[key] = value;
      if (names.length) values.name = names[0];
      try {
        bindQuery(spec, values);
      } catch (error) {
        showQuery(spec, values);
        setStatus(error.message, "error");
        return;
      }
      showQuery(spec, values);
      run();
      return;
    }
    showQuery(config.queries[0] || null, {});
  }

  window.samverkansgrafWorkbench = {
    bind: (name, values) => bindQuery(findQuery(name), values || {}),
    csv: () => (lastTable ? toCsv(lastTable) : null),
    json: () => (lastTable ? toJson(lastTable) : null),
    timings,
    withPrefixes,
    completions: () => completions,
    // For benchmarks/query_page.py: stop a runaway query (the worker is
    // replaced and loads the data afresh), wait for the engine, run a text.
    stop: () => activeEngine().stop(),
    ready: () => activeEngine().ready.then(() => true),
    select: (text) => activeEngine().select(withPrefixes(text)).then(({ results, ms }) => ({
      rows: results.results ? results.results.bindings.length : 0,
      ms,
    })),
  };
  start();
})();
