// samverkansgraf query page: binding catalogue parameters as RDF terms.
//
// The rules of query/catalogue.py (Parameter.to_term, parse_iri, find_query)
// and query/engines.py (sparql_term, bind_values), mirrored for the browser:
// every parameter is bound (defaults included), each VALUES block's data is
// replaced by " term ", and parameters without a block are injected as one
// VALUES (?a ?b) { (A B) } block at the start of the outer group. The block
// positions come precomputed from Python's own scanner (query/workbench), so
// the text sent is the text `samverkansgraf query NAME --show` prints; tests
// compare the two byte for byte (in Node.js when present, and in Chromium).
// Also declares the project's prefixes that a free query uses undeclared.
// Works as a browser script (window.samverkansgrafBinding) and in Node.js.
(function (root) {
  "use strict";

  function samverkansgrafBinding(config) {
    const XSD = "http://www.w3.org/2001/XMLSchema#";
    const hasPrefix = (prefix) => Object.prototype.hasOwnProperty.call(config.prefixes, prefix);

    class BindingError extends Error {}

    // Python's str.strip() removes these (str.isspace), not JavaScript's trim() set.
    const PY_SPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002" +
      "\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
    function pyStrip(text) {
      let start = 0;
      let end = text.length;
      while (start < end && PY_SPACE.includes(text[start])) start += 1;
      while (end > start && PY_SPACE.includes(text[end - 1])) end -= 1;
      return text.slice(start, end);
    }
    function pyRepr(value) {
      const text = String(value);
      if (text.includes("'") && !text.includes('"')) return `"${text}"`;
      return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    }
    const IRI_FORBIDDEN = /[\x00-\x20<>"{}|^`\\]/;
    const IRI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
    const INTEGER = /^[+-]?[0-9]+$/;

    // catalogue.parse_iri: <…>, a full IRI or a project prefixed name.
    function parseIri(text, what) {
      let raw = pyStrip(text);
      if (raw.startsWith("<") && raw.endsWith(">")) {
        raw = raw.slice(1, -1);
      } else {
        const colon = raw.indexOf(":");
        if (colon >= 0) {
          const prefix = raw.slice(0, colon);
          const local = raw.slice(colon + 1);
          if (hasPrefix(prefix) && !local.startsWith("//")) raw = config.prefixes[prefix] + local;
        }
      }
      if (!IRI_SCHEME.test(raw) || IRI_FORBIDDEN.test(raw)) {
        throw new BindingError(
          `${what}: ${pyRepr(text)} is not an IRI — give a full IRI (https://…) or a ` +
          `prefixed name such as skgid:programme/icorn (prefixes: ${Object.keys(config.prefixes).join(", ")})`
        );
      }
      return raw;
    }

    // engines.sparql_term for a plain literal: quotes, backslashes, line breaks escaped.
    function sparqlString(value) {
      return '"' + value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')
        .replace(/\n/g, "\\n").replace(/\r/g, "\\r") + '"';
    }

    // catalogue.Parameter.to_term, then engines.sparql_term.
    function toTerm(parameter, value) {
      if (parameter.type === "IRI") {
        return `<${parseIri(value, `parameter ${parameter.name}`)}>`;
      }
      if (parameter.type === "integer") {
        const text = pyStrip(value);
        if (!INTEGER.test(text)) {
          throw new BindingError(
            `parameter ${parameter.name} takes an integer, got ${pyRepr(value)} — ` +
            `for example ${parameter.name}=2021`
          );
        }
        return `"${BigInt(text).toString()}"^^<${XSD}integer>`;
      }
      return sparqlString(value);
    }

    // catalogue.find_query: by id, number (08 or 8) or slug.
    function findQuery(name) {
      const key = pyStrip(name).replace(/\.rq$/, "");
      for (const spec of config.queries) if (spec.id === key) return spec;
      for (const spec of config.queries) {
        const number = spec.id.slice(0, 2);
        const slug = spec.id.slice(3);
        if (key === slug || key === number || (/^[0-9]+$/.test(key) && Number(key) === Number(number))) {
          return spec;
        }
      }
      const close = config.queries.map((s) => s.id)
        .filter((id) => key && (id.includes(key) || key.includes(id.slice(3))));
      throw new BindingError(
        `no query named ${pyRepr(name)}` +
        (close.length ? ` — did you mean ${close.slice(0, 3).join(" or ")}?` : " — choose one from the catalogue")
      );
    }

    // QuerySpec.bind + engines.bind_values.
    function bindQuery(spec, values) {
      for (const name of Object.keys(values)) {
        if (!spec.parameters.some((p) => p.name === name)) {
          const known = spec.parameters.map((p) => p.name);
          throw new BindingError(
            `query ${spec.id} has no parameter ${pyRepr(name)} — ` +
            (known.length ? `it takes ${known.join(", ")}` : "it takes no parameters")
          );
        }
      }
      const terms = {};
      for (const parameter of spec.parameters) {
        const value = values[parameter.name];
        if (value !== undefined && value !== null) {
          terms[parameter.name] = toTerm(parameter, value);
        } else if (parameter.default_term !== null) {
          terms[parameter.name] = parameter.default_term;
        } else {
          throw new BindingError(
            `query ${spec.id} needs the parameter ${pyRepr(parameter.name)} (${parameter.type}) — ` +
            `fill in ${parameter.name}`
          );
        }
      }
      let text = spec.text;
      // From the end of the text backwards, so earlier offsets stay valid.
      const withBlock = spec.parameters.filter((p) => p.block !== null);
      withBlock.sort((a, b) => b.block[0] - a.block[0]);
      let shift = 0;
      for (const parameter of withBlock) {
        const [dataStart, dataEnd] = parameter.block;
        const replacement = ` ${terms[parameter.name]} `;
        text = text.slice(0, dataStart) + replacement + text.slice(dataEnd);
        shift += replacement.length - (dataEnd - dataStart);
      }
      const rest = spec.parameters.filter((p) => p.block === null);
      if (rest.length === 0) return text;
      if (spec.outer === null) {
        throw new BindingError("cannot bind parameters: the query has no WHERE { … } clause");
      }
      const names = rest.map((p) => `?${p.name}`).join(" ");
      const bound = rest.map((p) => terms[p.name]).join(" ");
      const injected = ` VALUES (${names}) { (${bound}) } `;
      const start = spec.outer.open + 1;
      // Every block lies inside the outer group, so only its close moved.
      const end = spec.outer.close + shift;
      if (spec.outer.starts_with_select) {
        // `{ SELECT … }` may hold nothing but the sub-select: nest it one level.
        return text.slice(0, start) + injected + "{ " + text.slice(start, end) + " }" + text.slice(end);
      }
      return text.slice(0, start) + injected + text.slice(start);
    }

    // The project's prefixes a query uses but does not declare (the WDQS habit),
    // found by a small lexer that skips comments, strings and IRIs.
    function undeclaredPrefixes(text) {
      const declared = new Set();
      const used = new Set();
      const declaration = /PREFIX\s+([A-Za-z][\w.-]*)?:/iy;
      let i = 0;
      while (i < text.length) {
        const ch = text[i];
        if (ch === "#") {
          const end = text.indexOf("\n", i);
          i = end < 0 ? text.length : end + 1;
        } else if (ch === '"' || ch === "'") {
          const quote = text.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
          let j = i + quote.length;
          while (j < text.length && !text.startsWith(quote, j)) j += text[j] === "\\" ? 2 : 1;
          i = j + quote.length;
        } else if (ch === "<") {
          const match = /^<[^\x00-\x20<>"{}|^`\\]*>/.exec(text.slice(i, i + 4096));
          i += match ? match[0].length : 1;
        } else if (/[A-Za-z]/.test(ch) && (i === 0 || !/[\w.:?$-]/.test(text[i - 1]))) {
          declaration.lastIndex = i;
          const decl = declaration.exec(text);
          if (decl) {
            declared.add(decl[1] || "");
            i = declaration.lastIndex;
            continue;
          }
          const word = /^[A-Za-z][\w.-]*/.exec(text.slice(i, i + 64));
          const length = word ? word[0].length : 1;
          if (word && text[i + length] === ":") used.add(word[0]);
          i += length;
        } else {
          i += 1;
        }
      }
      return [...used].filter((p) => !declared.has(p) && hasPrefix(p));
    }

    function withPrefixes(text) {
      const missing = undeclaredPrefixes(text);
      if (missing.length === 0) return text;
      return missing.map((p) => `PREFIX ${p}: <${config.prefixes[p]}>`).join("\n") + "\n" + text;
    }

    return { BindingError, bindQuery, findQuery, parseIri, toTerm, withPrefixes };
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = samverkansgrafBinding;
  } else {
    root.samverkansgrafBinding = samverkansgrafBinding;
  }
})(typeof window !== "undefined" ? window : globalThis);
