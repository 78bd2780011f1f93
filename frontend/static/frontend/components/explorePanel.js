/**
 * The Explore tab: search the transcripts, read a code query's passages with their context, and the
 * matrices whose cells drill down to their passages. The view and its last request are kept in `view`
 * (the page state's `explore`) while the page is open, so coming back to the tab shows them again.
 */
import {
  attributeOptions,
  casesFoundText,
  citation,
  EXPLORE_VIEWS,
  plural,
  SOURCE_LABELS,
  sourcesFor,
} from "../domain/explore.js";
import { urls } from "../domain/routes.js";
import { MatrixView } from "./exploreMatrices.js";
import { WordsView } from "./exploreWords.js";
import { announce, errorBox, h, mount, newestOnly, spinner } from "./dom.js";
import { codeOptions, pager, selectField } from "./exploreFields.js";
import { openSecondaryPassDialog, SecondaryPassList } from "./secondaryPass.js";

/** Text pieces `[text, matched]` with the matched ones in <mark>. */
export function marked(pieces, className = "hit") {
  return pieces.map(([text, hit]) => (hit ? h("mark", { class: className }, text) : text));
}

// --- search -------------------------------------------------------------------------------------------

function SearchView(ctx) {
  const { services, project, data, view } = ctx;
  const form = (view.search ??= { q: "", page: 1 });
  const results = h("div", { class: "explore-results" });
  const sources = sourcesFor(project.role, Boolean(project.codings_released_at));

  const ask = newestOnly();
  const run = async () => {
    if (!form.q.trim()) return;
    const current = ask();
    mount(results, spinner("Searching…"));
    try {
      const answer = await services.explore.search(project.id, form);
      if (current()) render(answer);
    } catch (error) {
      if (current()) mount(results, errorBox(error));
    }
  };

  const render = (answer) => {
    const groups = [];
    for (const row of answer.results) {
      const last = groups.at(-1);
      if (last && last.case.id === row.case.id) last.rows.push(row);
      else groups.push({ case: row.case, rows: [row] });
    }
    const perCase = new Map(answer.cases.map((c) => [c.id, c.segments]));
    mount(
      results,
      h(
        "p",
        { id: "search-summary", class: "explore-summary", role: "status" },
        h("strong", {}, casesFoundText(answer.cases_matched, answer.cases_total)),
        ` · ${plural(answer.segments, "segment", "segments")} match ${answer.query}`,
      ),
      answer.cases.length
        ? h("p", { class: "muted small" }, "In: ", answer.cases.map((c) => `${c.identifier} (${c.segments})`).join(", "))
        : h("p", { class: "empty" }, "Nothing matches. Try fewer words, a prefix (reduc*) or OR."),
      groups.map((g) =>
        h(
          "section",
          { class: "explore-case", "aria-label": `Matches in ${g.case.identifier}` },
          h("h2", {}, h("span", { class: "case-tag" }, g.case.identifier), " ", h("span", { class: "muted small" }, plural(perCase.get(g.case.id) ?? g.rows.length, "segment", "segments"))),
          h(
            "ol",
            { class: "hit-list" },
            g.rows.map((row) =>
              h(
                "li",
                { class: "hit-item" },
                h(
                  "a",
                  { class: "hit-link", href: urls.reader(project.id, row.document.id, row.segment) },
                  h("span", { class: "hit-meta" }, `${row.document.title} · ¶${row.segment_number} · ${row.speaker || "—"}${row.role === "interviewer" ? " (interviewer)" : ""}`),
                  h("span", { class: "hit-text" }, marked(row.pieces)),
                ),
              ),
            ),
          ),
        ),
      ),
      pager(answer.page, answer.pages, (p) => { form.page = p; run(); }, "Search result pages"),
    );
  };

  const field = (key) => (value) => { form[key] = value; };
  const attrs = attributeOptions(data.attributes, data.cases).map((o) => [o.value, o.label]);
  const formEl = h(
    "form",
    {
      class: "analysis-block explore-form",
      role: "search",
      "aria-label": "Search with filters",
      onsubmit: (event) => {
        event.preventDefault();
        form.page = 1;
        run();
      },
    },
    h(
      "div",
      { class: "field explore-query" },
      h("label", { for: "explore-q" }, "Search the transcripts"),
      h(
        "div",
        { class: "search-row" },
        h("input", { type: "search", id: "explore-q", value: form.q, "aria-describedby": "explore-q-help", oninput: (e) => { form.q = e.target.value; } }),
        h("button", { type: "submit", class: "btn btn-primary" }, "Search"),
      ),
      h("p", { id: "explore-q-help", class: "muted small" }, 'Words, "exact phrase", prefix*, OR, -exclude. Accents and case are ignored.'),
    ),
    h(
      "div",
      { class: "field-row" },
      selectField("explore-role", "Speaker", [["participant", "Participants"], ["interviewer", "Interviewers"]], form.role, field("role")),
      attrs.length ? selectField("explore-attribute", "Case attribute", attrs, form.attribute, field("attribute")) : null,
      selectField("explore-document", "Transcript", data.documents.map((d) => [d.id, d.title]), form.document, field("document")),
      selectField("explore-code", "Coded with", codeOptions(data.codebook.flat), form.code, field("code")),
      selectField("explore-source", "Codings", sources.map((s) => [s, SOURCE_LABELS[s]]), form.source ?? sources[0], field("source"), { any: null }),
    ),
  );
  if (form.q.trim()) run();
  return h("div", {}, formEl, results);
}

// --- passages -----------------------------------------------------------------------------------------

function passageItem(project, row) {
  const context = (near, where) =>
    near ? h("p", { class: "passage-context" }, h("span", { class: "visually-hidden" }, `${where}: `), h("span", { class: "hit-meta" }, `¶${near.segment_number} ${near.speaker || "—"}`), " ", near.text) : null;
  return h(
    "li",
    { class: "passage" },
    context(row.before, "Before"),
    h(
      "blockquote",
      { class: ["passage-quote", row.whole_segment ? "is-whole" : null] },
      h("p", {}, h("span", { class: "hit-meta" }, `${row.speaker || "—"}: `), marked(row.pieces, "coded")),
      h(
        "footer",
        { class: "small" },
        h("a", { href: urls.reader(project.id, row.document.id, row.segment) }, citation(row)),
        " · ",
        row.codings.map((c) => `${c.code_path}${c.span ? " (span)" : ""} — ${c.by.join(", ")}`).join("; "),
      ),
    ),
    context(row.after, "After"),
  );
}

function PassagesView(ctx) {
  const { services, project, data, view } = ctx;
  const sources = sourcesFor(project.role, Boolean(project.codings_released_at));
  const query = (view.passages ??= { all: [], any: [], none: [], page: 1 });
  query.source ??= sources[0];
  const results = h("div", { class: "explore-results" });
  const codes = codeOptions(data.codebook.flat);
  const attrs = attributeOptions(data.attributes, data.cases).map((o) => [o.value, o.label]);

  const ask = newestOnly();
  const run = async () => {
    const current = ask();
    if (!(query.all.length || query.any.length)) {
      mount(results, h("p", { class: "empty" }, "Choose a code to read its passages."));
      return;
    }
    mount(results, spinner("Retrieving passages…"));
    try {
      const answer = await services.explore.passages(project.id, query);
      if (!current()) return; // a newer question is on its way
      mount(
        results,
        h(
          "p",
          { id: "passages-summary", class: "explore-summary", role: "status" },
          h("strong", {}, plural(answer.passages_total, "passage", "passages")),
          ` of ${answer.title} in ${casesFoundText(answer.cases_matched, answer.cases_total)}, from ${answer.source_words}.`,
        ),
        h(
          "p",
          { class: "toolbar" },
          h("a", { class: "btn btn-small", href: services.explore.passagesDownloadUrl(project.id, "md", query), download: "" }, "Download Markdown"),
          h("a", { class: "btn btn-small", href: services.explore.passagesDownloadUrl(project.id, "docx", query), download: "" }, "Download Word"),
          h("a", { class: "btn btn-small", href: services.explore.passagesDownloadUrl(project.id, "csv", query), download: "" }, "Download CSV"),
        ),
        project.role === "owner" && query.all.length && answer.passages_total ? secondaryPassAction(ctx, query, answer) : null,
        h("ol", { class: "passage-list", "aria-label": "Passages" }, answer.results.map((row) => passageItem(project, row))),
        pager(answer.page, answer.pages, (p) => { query.page = p; run(); }, "Passage pages"),
      );
    } catch (error) {
      if (current()) mount(results, errorBox(error));
    }
  };
  const set = (key, list = false) => (value) => {
    query[key] = list ? (value ? [Number(value)] : []) : value;
    query.page = 1;
    run();
  };
  const controls = h(
    "div",
    { class: "analysis-block explore-form" },
    h(
      "div",
      { class: "field-row" },
      selectField("passages-code", "Code", codes, query.all[0], set("all", true), { any: "choose a code" }),
      selectField("passages-and", "and also", codes, query.all[1], (v) => { query.all = [query.all[0], v ? Number(v) : null].filter(Boolean); query.page = 1; run(); }, { any: "—" }),
      selectField("passages-not", "but not", codes, query.none[0], set("none", true), { any: "—" }),
      selectField("passages-source", "Codings", sources.map((s) => [s, SOURCE_LABELS[s]]), query.source, set("source"), { any: null }),
      attrs.length ? selectField("passages-attribute", "Case attribute", attrs, query.attribute, set("attribute")) : null,
    ),
    h(
      "label",
      { class: "check" },
      h("input", { type: "checkbox", checked: query.subcodes !== false, onchange: (e) => { query.subcodes = e.target.checked; query.page = 1; run(); } }),
      " A code includes its sub-codes",
    ),
  );
  run();
  const passes = h("div", {});
  services.explore
    .secondaryPasses(project.id)
    .then((links) => mount(passes, SecondaryPassList(links.passes)))
    .catch(() => null); // the list is a convenience: the passages stand without it
  return h("div", {}, controls, passes, results);
}

/** The owner's "Start secondary pass" on the passages in view: a new project to code them with themes. */
function secondaryPassAction(ctx, query, answer) {
  const { services, project, data } = ctx;
  const code = data.codebook.flat.find((e) => e.code.id === query.all[0])?.code;
  const open = async () => {
    const me = await services.auth.currentUser().catch(() => null);
    openSecondaryPassDialog({
      answer,
      members: data.members,
      me: me?.id,
      codeName: code?.name ?? "the code",
      onOpen: async (fields) => {
        const created = await services.explore.openSecondaryPass(project.id, query, fields);
        announce(`Secondary pass “${created.name}” opened with ${plural(created.passages, "passage", "passages")}.`);
        window.location.assign(urls.project(created.project, "codebook"));
      },
    });
  };
  return h("p", { class: "toolbar" }, h("button", { type: "button", class: "btn", onclick: open }, "Start secondary pass"));
}

// --- the tab --------------------------------------------------------------------------------------------

/** `ctx`: {services, project, data (the overview's data), view (kept state), root}. */
export function ExplorePanel(ctx) {
  const { view, root } = ctx;
  view.mode ??= "search";
  const showPassages = (query) => {
    view.passages = { all: [], any: [], none: [], page: 1, ...query };
    view.mode = "passages";
    render();
  };
  const render = () => {
    const body = { search: SearchView, passages: PassagesView, matrices: (c) => MatrixView({ ...c, showPassages }), words: WordsView }[view.mode](ctx);
    mount(
      root,
      h(
        "div",
        { class: "segmented", role: "group", "aria-label": "Explore" },
        EXPLORE_VIEWS.map(([key, label]) =>
          h("button", { type: "button", class: "btn btn-small", "aria-pressed": String(view.mode === key), onclick: () => { view.mode = key; render(); } }, label),
        ),
      ),
      body,
    );
  };
  render();
  return root;
}
