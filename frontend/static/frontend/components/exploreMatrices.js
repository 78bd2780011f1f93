/**
 * The matrices of the Explore tab, as heat-mapped tables: code × case, code × case attribute, code
 * co-occurrence. Every non-empty cell is a button that opens its passages (`showPassages`).
 */
import { heat, MATRIX_KINDS, SOURCE_LABELS, sourcesFor } from "../domain/explore.js";
import { errorBox, h, mount, newestOnly, scrollBox, spinner } from "./dom.js";
import { selectField } from "./exploreFields.js";

function cell(value, max, label, drill, text = String(value)) {
  const td = h("td", { class: ["num heat", value ? null : "is-zero"], style: { "--heat": String(heat(value, max)) } });
  if (!value || !drill) td.append(text);
  else td.append(h("button", { type: "button", class: "cell-link", "aria-label": label, onclick: drill }, text));
  return td;
}

function codeHeader(code) {
  return h("th", { scope: "row", class: ["code-cell", `depth-${Math.min(code.depth, 3)}`] }, code.name);
}

/** A matrix as a table: one row per code of `m.codes` (`rowCells(row, code)` its cells after the code). */
function matrixTable(caption, headers, m, rowCells) {
  const codes = new Map(m.codes.map((c) => [c.id, c]));
  return h(
    "table",
    { class: "table matrix", id: "explore-matrix" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Code"), headers.map((text) => h("th", { scope: "col", class: "num" }, text)))),
    h("tbody", {}, m.rows.map((row) => h("tr", {}, codeHeader(codes.get(row.code)), rowCells(row, codes.get(row.code))))),
  );
}

function codeCaseTable(m, drill) {
  const max = Math.max(0, ...m.rows.flatMap((r) => r.counts));
  return matrixTable(
    `Coded segments per case, from ${m.source_words}. A code counts its sub-codes.`,
    ["Cases", ...m.cases.map((c) => c.identifier)],
    m,
    (row, code) => [
      h("td", { class: "num" }, `${row.cases} of ${m.cases_total}`),
      row.counts.map((n, i) => cell(n, max, `${code.name} in ${m.cases[i].identifier}: ${n} segments, show passages`, () => drill({ all: [row.code], case: m.cases[i].id }))),
    ],
  );
}

function codeAttributeTable(m, drill) {
  const max = Math.max(0, ...m.rows.flatMap((r) => r.cells.map((c) => c.segments)));
  return matrixTable(
    `Cases with each code by ${m.attribute.name}, from ${m.source_words}.`,
    m.values.map((v) => `${v.value} (${v.cases})`),
    m,
    (row, code) =>
      row.cells.map((c, i) =>
        cell(c.segments, max, `${code.name}, ${m.attribute.name} ${m.values[i].value}: ${c.cases} of ${m.values[i].cases} cases, show passages`, () => drill({ all: [row.code], attribute: `${m.attribute.id}:${m.values[i].value}` }), `${c.cases} of ${m.values[i].cases}`),
      ),
  );
}

function cooccurrenceTable(m, drill, measure) {
  const values = measure === "jaccard" ? m.jaccard : m.counts;
  // Only the codes applied at least once: the others' rows and columns would be all zeros.
  const used = m.codes.map((c, i) => [c, i]).filter(([, i]) => m.counts[i][i] > 0);
  const max = measure === "jaccard" ? 1 : Math.max(0, ...m.counts.flat());
  const segment = m.level === "segment";
  return h(
    "table",
    { class: "table matrix", id: "explore-matrix" },
    h("caption", {}, `Codes applied together on the same ${m.level} (${m.units} ${m.level}s coded), as ${measure === "jaccard" ? "the Jaccard index" : "counts"}, from ${m.source_words}. Codes never applied are left out.`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Code"), used.map(([c]) => h("th", { scope: "col", class: "num" }, c.name)))),
    h(
      "tbody",
      {},
      used.map(([a, i]) =>
        h(
          "tr",
          {},
          codeHeader(a),
          used.map(([b, j]) => {
            const v = values[i][j];
            const text = v === null ? "—" : measure === "jaccard" ? v.toFixed(2) : String(v);
            const both = i === j ? [a.id] : [a.id, b.id];
            const label = `${a.name} with ${b.name}: ${m.counts[i][j]} ${m.level}s, show passages`;
            return cell(measure === "jaccard" ? v ?? 0 : v, max, label, segment && m.counts[i][j] ? () => drill({ all: both, subcodes: false }) : null, text);
          }),
        ),
      ),
    ),
  );
}

export function MatrixView({ services, project, data, view, showPassages }) {
  const sources = sourcesFor(project.role, Boolean(project.codings_released_at));
  const analyst = project.role === "owner" || project.role === "adjudicator";
  const form = (view.matrix ??= { kind: "code-case", source: sources.includes("final") ? "final" : sources[0], level: "segment", measure: "counts" });
  const kinds = MATRIX_KINDS.filter(([k]) => k !== "code-attribute" || data.attributes.length);
  form.attribute ??= data.attributes[0]?.id;
  const out = h("div", { class: "explore-results" });
  const drill = (query) => showPassages({ ...query, source: form.coder ? "coders" : form.source, coder: form.coder || undefined });

  const ask = newestOnly();
  const run = async () => {
    const current = ask();
    mount(out, spinner("Counting…"));
    const params = { source: form.coder ? "coders" : form.source, coder: form.coder || undefined };
    if (form.kind === "code-attribute") params.attribute_id = form.attribute;
    if (form.kind === "cooccurrence") params.level = form.level;
    try {
      const m = await services.explore.matrix(project.id, form.kind, params);
      if (!current()) return;
      const table = form.kind === "code-case" ? codeCaseTable(m, drill) : form.kind === "code-attribute" ? codeAttributeTable(m, drill) : cooccurrenceTable(m, drill, form.measure);
      mount(out, scrollBox("Matrix (table)", table, "table-wrap"));
    } catch (error) {
      if (current()) mount(out, errorBox(error));
    }
  };
  const set = (key) => (value) => {
    form[key] = value;
    render();
  };
  const coders = (data.members ?? []).filter((m) => m.role === "coder" || m.role === "adjudicator");
  const controls = h("div", { class: "analysis-block explore-form" });
  const render = () => {
    mount(
      controls,
      h(
        "div",
        { class: "field-row" },
        selectField("matrix-kind", "Matrix", kinds, form.kind, set("kind"), { any: null }),
        form.kind === "code-attribute" ? selectField("matrix-attribute", "By", data.attributes.map((a) => [a.id, a.name]), form.attribute, set("attribute"), { any: null }) : null,
        form.kind === "cooccurrence" ? selectField("matrix-level", "Together on the same", [["segment", "segment"], ["case", "case"]], form.level, set("level"), { any: null }) : null,
        form.kind === "cooccurrence" ? selectField("matrix-measure", "Show", [["counts", "counts"], ["jaccard", "Jaccard index"]], form.measure, set("measure"), { any: null }) : null,
        selectField("matrix-source", "Codings", sources.map((s) => [s, SOURCE_LABELS[s]]), form.source, set("source"), { any: null }),
        analyst && coders.length ? selectField("matrix-coder", "Coder", [["", "all coders"], ...coders.map((m) => [m.user ?? m.id, m.username])], form.coder, set("coder"), { any: null }) : null,
      ),
    );
    run();
  };
  render();
  return h("div", {}, controls, out);
}
