/**
 * The Words view of the Explore tab: keyword-in-context lines of a search, and the most frequent words of
 * a code's passages, a case, an attribute value or the whole project (stop words left out unless kept).
 */
import { attributeOptions, plural, SOURCE_LABELS, sourcesFor } from "../domain/explore.js";
import { urls } from "../domain/routes.js";
import { errorBox, h, mount, newestOnly, scrollBox, spinner } from "./dom.js";
import { codeOptions, pager, selectField } from "./exploreFields.js";

function KwicBlock({ services, project, view }) {
  const form = (view.kwic ??= { q: "", page: 1 });
  const out = h("div", {});
  const ask = newestOnly();
  const run = async (page = 1) => {
    form.page = page;
    if (!form.q.trim()) return;
    const current = ask();
    mount(out, spinner("Finding…"));
    try {
      const answer = await services.explore.kwic(project.id, form);
      if (!current()) return;
      const table = h(
        "table",
        { class: "table kwic", id: "kwic-lines" },
        h("caption", {}, `${plural(answer.lines.length, "line", "lines")} in ${plural(answer.segments, "segment", "segments")} (page ${answer.page} of ${answer.pages})`),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Where"), h("th", { scope: "col", class: "kwic-left" }, "Before"), h("th", { scope: "col" }, "Keyword"), h("th", { scope: "col" }, "After"))),
        h(
          "tbody",
          {},
          answer.lines.map((line) =>
            h(
              "tr",
              {},
              h("td", {}, h("a", { href: urls.reader(project.id, line.document.id, line.segment) }, `${line.case.identifier} ¶${line.segment_number}`)),
              h("td", { class: "kwic-left" }, line.left),
              h("td", { class: "kwic-keyword" }, line.keyword),
              h("td", {}, line.right),
            ),
          ),
        ),
      );
      mount(out, scrollBox("Keyword in context (table)", table, "table-wrap"), pager(answer.page, answer.pages, run, "Keyword-in-context pages"));
    } catch (error) {
      if (current()) mount(out, errorBox(error));
    }
  };
  const formEl = h(
    "form",
    { class: "analysis-block explore-form", "aria-labelledby": "kwic-title", onsubmit: (e) => { e.preventDefault(); run(1); } },
    h("h2", { id: "kwic-title" }, "Keyword in context"),
    h(
      "div",
      { class: "search-row" },
      h("label", { for: "kwic-q", class: "visually-hidden" }, "Keyword or phrase"),
      h("input", { type: "search", id: "kwic-q", value: form.q, placeholder: 'A word, "a phrase" or prefix*', oninput: (e) => { form.q = e.target.value; } }),
      h("button", { type: "submit", class: "btn btn-primary" }, "Show lines"),
    ),
  );
  if (form.q.trim()) run(form.page);
  return h("div", {}, formEl, out);
}

function FrequencyBlock({ services, project, data, view }) {
  const sources = sourcesFor(project.role, Boolean(project.codings_released_at));
  const query = (view.words ??= { all: [], source: sources[0] });
  const out = h("div", {});
  const ask = newestOnly();
  const run = async () => {
    const current = ask();
    mount(out, spinner("Counting words…"));
    try {
      const answer = await services.explore.words(project.id, query);
      if (!current()) return;
      const table = h(
        "table",
        { class: "table", id: "word-frequencies" },
        h("caption", {}, `The ${answer.words.length} most frequent words of ${plural(answer.segments, "segment", "segments")} (${plural(answer.tokens, "word", "words")}${answer.stop_words_left_out ? ", stop words left out" : ""})`),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Word"), h("th", { scope: "col", class: "num" }, "Count"), h("th", { scope: "col", class: "num" }, "Segments"))),
        h("tbody", {}, answer.words.map((w) => h("tr", {}, h("td", {}, w.word), h("td", { class: "num" }, w.count), h("td", { class: "num" }, w.segments)))),
      );
      mount(out, scrollBox("Word frequencies (table)", table, "table-wrap"));
    } catch (error) {
      if (current()) mount(out, errorBox(error));
    }
  };
  const set = (key, list = false) => (value) => {
    query[key] = list ? (value ? [Number(value)] : []) : value;
    run();
  };
  const attrs = attributeOptions(data.attributes, data.cases).map((o) => [o.value, o.label]);
  const controls = h(
    "div",
    { class: "analysis-block explore-form", role: "group", "aria-labelledby": "words-title" },
    h("h2", { id: "words-title" }, "Word frequencies"),
    h(
      "div",
      { class: "field-row" },
      selectField("words-code", "Passages of", codeOptions(data.codebook.flat), query.all[0], set("all", true), { any: "every segment" }),
      selectField("words-source", "Codings", sources.map((s) => [s, SOURCE_LABELS[s]]), query.source, set("source"), { any: null }),
      selectField("words-case", "Case", data.cases.map((c) => [c.id, c.identifier]), query.case, set("case")),
      attrs.length ? selectField("words-attribute", "Case attribute", attrs, query.attribute, set("attribute")) : null,
      selectField("words-role", "Speaker", [["participant", "Participants"], ["interviewer", "Interviewers"]], query.role, set("role")),
    ),
    h("label", { class: "check" }, h("input", { type: "checkbox", checked: Boolean(query.keepStopWords), onchange: (e) => { query.keepStopWords = e.target.checked; run(); } }), " Keep stop words"),
  );
  run();
  return h("div", {}, controls, out);
}

export function WordsView(ctx) {
  return h("div", {}, KwicBlock(ctx), FrequencyBlock(ctx));
}
