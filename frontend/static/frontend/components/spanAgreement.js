/**
 * Agreement on spans in the analysis tab: a form to start a span run (measures, bootstrap, seed), the
 * latest run's coefficients overall, per code and per document, and the alignment view: two coders'
 * spans on one document as two tracks along the text (an SVG drawn with DOM attributes, no inline
 * markup), with the same spans as a table for screen readers and copying.
 */
import { alignmentRows, formatCoefficient, formatShare } from "../domain/analysis.js";
import { announce, errorBox, h, scrollBox, spinner, timeAgo } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const MEASURES = [
  ["u_alpha", "uα", true],
  ["cu_alpha", "cu-α", true],
  ["Cu_alpha", "Cu-α", true],
  ["gamma", "γ (Mathet; slower)", false],
];
// Colour-blind-safe (Okabe–Ito) colours, one per code in the order the run lists them.
const PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];
const WIDTH = 1000;
const TRACK = 28;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

function runForm(state) {
  const busy = state.view?.computing?.spans;
  const submit = async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const measures = MEASURES.map(([key]) => key).filter((key) => form.elements[`span-measure-${key}`].checked);
    const params = { measures, n_bootstrap: Number(form.elements["span-bootstrap"].value) };
    const seed = form.elements["span-seed"].value.trim();
    if (seed !== "") params.seed = Number(seed);
    try {
      await state.services.analysis.requestRun(state.projectId, "spans", params);
      announce("Span agreement: computing…");
      await state.refresh();
    } catch (error) {
      announce(error.message, { tone: "error", timeout: 6000 });
    }
  };
  return h(
    "form",
    { class: "span-run-form", onsubmit: submit, "aria-label": "Compute agreement on spans" },
    h(
      "fieldset",
      {},
      h("legend", {}, "Measures"),
      MEASURES.map(([key, label, checked]) =>
        h("label", { class: "check" }, h("input", { type: "checkbox", name: `span-measure-${key}`, checked }), ` ${label}`),
      ),
    ),
    h("label", { for: "span-bootstrap" }, "Bootstrap resamples (0: no intervals)"),
    h("input", { id: "span-bootstrap", name: "span-bootstrap", type: "number", min: "0", max: "10000", value: "1000" }),
    h("label", { for: "span-seed" }, "Seed (optional)"),
    h("input", { id: "span-seed", name: "span-seed", type: "number", min: "0", inputmode: "numeric" }),
    h("button", { type: "submit", class: "btn", disabled: busy ? "disabled" : undefined }, busy ? "Computing…" : "Compute span agreement now"),
  );
}

function perCodeTable(spans) {
  const coders = spans.coders.map((c) => c.username).join(" / ");
  return scrollBox("Span agreement per code", h(
    "table",
    { class: "data-table", "aria-label": "Span agreement per code" },
    h("caption", {}, "Per code, with 95% bootstrap intervals over documents"),
    h("thead", {}, h("tr", {}, ["Code", "|uα (code against the rest)", "(k)uα (code on overlaps)", `Spans (${coders})`, "Coded share"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      spans.perCode.map((row) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, row.code),
          h("td", { class: "span-binary" }, formatCoefficient(row.binary)),
          h("td", { class: "span-k" }, formatCoefficient(row.onOverlap)),
          h("td", {}, row.unitsPerCoder.join(" / ")),
          h("td", {}, formatShare(row.codedShare)),
        ),
      ),
    ),
  ));
}

function perDocumentTable(spans) {
  const withGamma = spans.perDocument.some((row) => row.gamma);
  const head = ["Document", "uα", "cu-α", "|uα", ...(withGamma ? ["γ"] : []), "Length", "Spans per coder", "Coded share"];
  return scrollBox("Span agreement per document", h(
    "table",
    { class: "data-table", "aria-label": "Span agreement per document" },
    h("caption", {}, "Per document (no intervals: there is nothing to resample inside one document)"),
    h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      spans.perDocument.map((row) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, row.title),
          h("td", {}, formatCoefficient(row.uAlpha)),
          h("td", {}, formatCoefficient(row.cuAlpha)),
          h("td", {}, formatCoefficient(row.binary)),
          withGamma ? h("td", {}, formatCoefficient(row.gamma)) : null,
          h("td", {}, row.length === null ? "—" : String(row.length)),
          h("td", {}, row.unitsPerCoder.join(" / ")),
          h("td", {}, formatShare(row.codedShare)),
        ),
      ),
    ),
  ));
}

function alignmentFigure(alignment) {
  const length = Math.max(1, alignment.document.length);
  const codes = [...new Set(alignment.tracks.flatMap((t) => t.spans.map((s) => s.code)))].sort((a, b) => a - b);
  const colour = (code) => PALETTE[codes.indexOf(code) % PALETTE.length];
  const height = alignment.tracks.length * (TRACK + 12) + 20;
  const figure = svg("svg", { viewBox: `0 0 ${WIDTH + 120} ${height}`, class: "span-alignment-figure", role: "img", "aria-labelledby": "span-alignment-desc" });
  figure.append(svg("desc", { id: "span-alignment-desc" }, `Spans of ${alignment.tracks.map((t) => t.username).join(" and ")} along “${alignment.document.title}” (${length} characters); the table below lists the same spans.`));
  alignment.tracks.forEach((track, i) => {
    const y = 10 + i * (TRACK + 12);
    figure.append(svg("text", { x: 0, y: y + TRACK / 2 + 5, class: "span-track-label" }, track.username));
    figure.append(svg("rect", { x: 120, y, width: WIDTH, height: TRACK, class: "span-track" }));
    for (const span of track.spans) {
      const rect = svg("rect", {
        x: 120 + (WIDTH * span.start) / length,
        y: y + 2,
        width: Math.max(1, (WIDTH * (span.end - span.start)) / length),
        height: TRACK - 4,
        fill: colour(span.code),
        class: "span-unit",
        "data-code": span.code,
      });
      rect.append(svg("title", {}, `${track.username}: ${span.label}, ${span.start}–${span.end}`));
      figure.append(rect);
    }
  });
  const legend = h(
    "ul",
    { class: "span-legend", "aria-label": "Codes" },
    codes.map((code) => {
      const label = alignment.tracks.flatMap((t) => t.spans).find((s) => s.code === code).label;
      const key = svg("svg", { viewBox: "0 0 10 10", class: "span-legend-key", "aria-hidden": "true" }, svg("rect", { width: 10, height: 10, fill: colour(code) }));
      return h("li", {}, key, ` ${label}`);
    }),
  );
  const table = scrollBox("Spans of both coders", h(
    "table",
    { class: "data-table", "aria-label": "Spans of both coders in text order" },
    h("thead", {}, h("tr", {}, ["Coder", "Code", "Start", "End", "Text"].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      alignmentRows(alignment).map((row) =>
        h("tr", {}, h("td", {}, row.coder), h("td", {}, row.label), h("td", {}, String(row.start)), h("td", {}, String(row.end)), h("td", { class: "span-text" }, row.text)),
      ),
    ),
  ));
  return h("div", { class: "span-alignment" }, figure, legend, table);
}

function alignmentBlock(state) {
  const spans = state.view.spans;
  const view = state.alignment ?? {};
  const show = async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const documentId = Number(form.elements["alignment-document"].value);
    const coders = [Number(form.elements["alignment-coder-a"].value), Number(form.elements["alignment-coder-b"].value)];
    if (coders[0] === coders[1]) {
      announce("Choose two different coders.", { tone: "error", timeout: 6000 });
      return;
    }
    state.alignment = { documentId, coders, loading: true };
    state.render();
    try {
      state.alignment = { documentId, coders, data: await state.services.analysis.alignment(state.projectId, documentId, coders) };
    } catch (error) {
      state.alignment = { documentId, coders, error };
    }
    state.render();
  };
  const select = (id, label, options, selected) => [
    h("label", { for: id }, label),
    h("select", { id, name: id }, options.map(([value, text]) => h("option", { value: String(value), selected: value === selected ? "selected" : undefined }, text))),
  ];
  const coderOptions = spans.coders.map((c) => [c.id, c.username]);
  return h(
    "div",
    { class: "span-alignment-block" },
    h("h3", { id: "alignment-title" }, "Alignment of two coders' spans"),
    h(
      "form",
      { class: "span-alignment-form", onsubmit: show, "aria-labelledby": "alignment-title" },
      select("alignment-document", "Document", spans.perDocument.map((d) => [d.id, d.title]), view.documentId),
      select("alignment-coder-a", "First coder", coderOptions, view.coders?.[0] ?? spans.coders[0]?.id),
      select("alignment-coder-b", "Second coder", coderOptions, view.coders?.[1] ?? spans.coders[1]?.id),
      h("button", { type: "submit", class: "btn" }, "Show alignment"),
    ),
    view.loading ? spinner("Loading spans…") : null,
    view.error ? errorBox(view.error) : null,
    view.data ? alignmentFigure(view.data) : null,
  );
}

export function spanSection(state) {
  const spans = state.view.spans;
  const head = h("div", { class: "section-head" }, h("h2", { id: "spans-title" }, "Agreement on spans"));
  const parts = [head, runForm(state)];
  if (!spans) {
    parts.push(h("p", { class: "muted" }, "No span agreement run yet."));
  } else {
    const run = spans.run;
    parts.push(
      h("p", { class: "muted small" }, `Run ${run.id}, finished `, timeAgo(run.finished_at), `; seed ${run.seed}; ${spans.perDocument.length} documents, coders ${spans.coders.map((c) => c.username).join(", ")}.`),
      spans.excluded.length ? h("p", { class: "muted small" }, `Left out: ${spans.excluded.map((e) => `${e.document} (${e.reason})`).join("; ")}.`) : null,
      h("dl", { class: "coefficients" }, spans.overall.flatMap((row) => [h("dt", {}, row.label), h("dd", {}, h("strong", {}, formatCoefficient(row.coefficient)))])),
      perCodeTable(spans),
      perDocumentTable(spans),
      spans.coders.length >= 2 && spans.perDocument.length ? alignmentBlock(state) : null,
    );
  }
  return h("section", { class: "analysis-block", "aria-labelledby": "spans-title" }, parts);
}
