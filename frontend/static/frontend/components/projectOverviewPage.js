/** A project at a glance: transcripts in analysis order, cases, codebook and members, as tabs. */
import { MembersPanel } from "./membersPanel.js";
import { canCode, canEditCodebook, ROLE_HELP, roleLabel } from "../domain/roles.js";
import { AdjudicationPanel } from "./adjudicationPanel.js";
import { AnalysisPanel } from "./analysisPanel.js";
import { ExplorePanel } from "./explorePanel.js";
import { ExportsPanel } from "./exportsPanel.js";
import { openDocumentDialog } from "./documentDialog.js";
import { ImportPanel } from "./importPanel.js";
import { MyWorkPanel, startCodingButton } from "./myWorkPanel.js";
import { PlanPanel } from "./planPanel.js";
import { ProjectImportPanel } from "./projectImportPanel.js";
import { ProposalList } from "./proposals.js";
import { setBreadcrumbs } from "./appHeader.js";
import { filterChoices, visibleCases } from "../domain/cases.js";
import { openCaseImportDialog } from "./caseImportDialog.js";
import { CodebookTree, openCodeDialog, openImportDialog, openMergeDialog, openSplitDialog } from "./codebookTree.js";
import { announce, errorBox, formatDate, h, mount, setTitle, spinner } from "./dom.js";

const TABS = [
  ["work", "My work"],
  ["documents", "Transcripts"],
  ["cases", "Cases"],
  ["codebook", "Codebook"],
  ["members", "Members"],
  ["plan", "Plan"],
  ["analysis", "Analysis"],
  ["adjudication", "Adjudication"],
  ["explore", "Explore"],
  ["exports", "Exports"],
];

/** Progress, agreement, saturation and adjudication are for owners and adjudicators (coders stay blind). */
const ANALYST_TABS = new Set(["plan", "analysis", "adjudication"]);
/** "My work" is for those who code: coders and adjudicators, and owners who are also in the plan. */
const tabsFor = (role, holdsUnits) =>
  TABS.filter(
    ([key]) =>
      (key !== "work" || role === "coder" || role === "adjudicator" || holdsUnits) &&
      (!ANALYST_TABS.has(key) || role === "owner" || role === "adjudicator"),
  );

function documentsPanel(state) {
  const { project } = state.data;
  if (project.role !== "owner") return documentsTable(state);
  // One import panel per page, kept across re-renders so that a running import's report stays in view.
  state.importPanel ??= ImportPanel({ services: state.services, projectId: project.id, cases: () => state.data.cases, onImported: () => state.reload() });
  // A project with nothing in it yet can instead start from another tool's whole project.
  const empty = !state.data.documents.length && !state.data.cases.length && !state.data.codebook.codes.length;
  if (empty || state.projectImportPanel) {
    state.projectImportPanel ??= ProjectImportPanel({ services: state.services, projectId: project.id, onImported: () => state.reload() });
  }
  return h("div", { class: "analysis" }, state.importPanel, state.projectImportPanel ?? null, documentsTable(state));
}

function documentsTable(state) {
  const { documents, project, assignments } = state.data;
  const owner = project.role === "owner";
  if (!documents.length) return h("div", { class: "empty" }, "No transcripts have been imported yet.");
  return h(
    "div",
    { class: "table-wrap", role: "region", "aria-label": "Transcripts (table)", tabindex: "0" },
    h(
      "table",
      { class: "table", "aria-label": "Transcripts in analysis order" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col", class: "num" }, "Order"),
          h("th", { scope: "col" }, "Transcript"),
          h("th", { scope: "col" }, "Case"),
          h("th", { scope: "col" }, "Interview date"),
          h("th", { scope: "col", class: "num" }, "Segments"),
          h("th", { scope: "col", class: "num" }, "Codable"),
          assignments ? h("th", { scope: "col", class: "num" }, "Your units") : null,
          owner ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Edit")) : null,
        ),
      ),
      h(
        "tbody",
        {},
        documents.map((d) =>
          h(
            "tr",
            {},
            h("td", { class: "num" }, d.analysis_order ?? "—"),
            h(
              "td",
              {},
              h("a", { href: `/projects/${project.id}/documents/${d.id}/`, class: "doc-link" }, d.title),
              d.source_filename ? h("div", { class: "meta" }, d.source_filename) : null,
            ),
            h("td", {}, h("span", { class: "case-tag" }, d.case_identifier)),
            h("td", {}, formatDate(d.interview_date)),
            h("td", { class: "num" }, d.segment_count ?? "—"),
            h("td", { class: "num" }, d.codable_count ?? "—"),
            assignments ? h("td", { class: "num" }, unitsCell(assignments.get(d.id))) : null,
            owner
              ? h(
                  "td",
                  {},
                  h(
                    "button",
                    {
                      type: "button",
                      class: "btn btn-small",
                      "aria-label": `Edit ${d.title}`,
                      onclick: () => openDocumentDialog({ services: state.services, projectId: project.id, document: d, cases: state.data.cases, onSaved: () => state.reload() }),
                    },
                    "Edit",
                  ),
                )
              : null,
          ),
        ),
      ),
    ),
  );
}

function unitsCell(row) {
  if (!row) return h("span", { class: "muted" }, "—");
  const complete = row.done === row.total;
  return h(
    "span",
    { class: ["units", complete ? "is-complete" : null], title: `${row.done} of ${row.total} of your units done` },
    `${row.done} / ${row.total}`,
    complete ? " ✓" : "",
  );
}

function formatAttribute(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(+value.toFixed(2));
  if (/^\d{4}-\d{2}-\d{2}$/.test(String(value))) return formatDate(value);
  return String(value);
}

function casesPanel(state) {
  const { cases, attributes, documents, project } = state.data;
  const importButton =
    project.role === "owner"
      ? h(
          "button",
          {
            type: "button",
            class: "btn",
            onclick: () =>
              openCaseImportDialog({
                attributes,
                onImport: async (form) => {
                  const result = await state.services.projects.importCaseAttributes(project.id, form);
                  announce(
                    `${result.created.length} cases created, ${result.updated.length} updated, ` +
                      `${result.unchanged.length} unchanged.`,
                  );
                  await state.reload();
                },
              }),
          },
          "Import case attributes…",
        )
      : null;
  if (!cases.length) return h("div", {}, h("div", { class: "toolbar" }, importButton), h("div", { class: "empty" }, "No cases yet."));
  return CasesTable({ state, cases, attributes, documents, importButton });
}

const attributeLabel = (name) => name.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());

/** The cases, sortable by every column and filtered by attribute values and text; the view is kept in
 * `state.casesView` while the page is open. */
function CasesTable({ state, cases, attributes, documents, importButton }) {
  const docCount = new Map();
  for (const d of documents) docCount.set(d.case, (docCount.get(d.case) ?? 0) + 1);
  const rows = cases.map((c) => ({ ...c, transcripts: docCount.get(c.id) ?? 0 }));
  const names = attributes.length ? attributes.map((a) => a.name) : [...new Set(cases.flatMap((c) => Object.keys(c.attributes ?? {})))];
  const view = (state.casesView ??= { sort: { column: "identifier", direction: 1 }, filters: {}, text: "" });
  const choices = filterChoices(cases, attributes);
  const tableSlot = h("div", {});
  const count = h("p", { class: "muted small", role: "status", id: "cases-count" });

  const sortButton = (column, label) => {
    const active = view.sort.column === column;
    return h(
      "button",
      {
        type: "button",
        class: "sort-button",
        onclick: () => {
          view.sort = { column, direction: active ? -view.sort.direction : 1 };
          renderTable();
        },
      },
      label,
      h("span", { class: "sort-mark", "aria-hidden": "true" }, active ? (view.sort.direction > 0 ? " ▲" : " ▼") : ""),
    );
  };
  const header = (column, label, extra = {}) =>
    h(
      "th",
      {
        scope: "col",
        ...extra,
        "aria-sort": view.sort.column === column ? (view.sort.direction > 0 ? "ascending" : "descending") : null,
      },
      sortButton(column, label),
    );

  function renderTable() {
    const visible = visibleCases([...rows], view);
    count.textContent = `Showing ${visible.length} of ${rows.length} cases`;
    mount(
      tableSlot,
      h(
        "div",
        { class: "table-wrap", role: "region", "aria-label": "Cases (table)", tabindex: "0" },
        h(
          "table",
          { class: "table", "aria-label": "Cases and their attributes" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              header("identifier", "Case"),
              names.map((n) => header(n, attributeLabel(n))),
              header("transcripts", "Transcripts", { class: "num" }),
            ),
          ),
          h(
            "tbody",
            {},
            visible.map((c) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, h("span", { class: "case-tag" }, c.identifier), c.description ? h("div", { class: "meta" }, c.description) : null),
                names.map((n) => h("td", {}, formatAttribute(c.attributes?.[n]))),
                h("td", { class: "num" }, c.transcripts),
              ),
            ),
          ),
        ),
      ),
    );
  }

  const textFilter = h("input", {
    type: "search",
    id: "cases-find",
    value: view.text,
    placeholder: "Case id or description",
    oninput: (event) => {
      view.text = event.target.value;
      renderTable();
    },
  });
  const filters = h(
    "div",
    { class: "field-row cases-filters" },
    h("div", { class: "field" }, h("label", { for: "cases-find" }, "Find"), textFilter),
    Object.entries(choices).map(([name, values]) =>
      h(
        "div",
        { class: "field" },
        h("label", { for: `cases-filter-${name}` }, attributeLabel(name)),
        h(
          "select",
          {
            id: `cases-filter-${name}`,
            onchange: (event) => {
              view.filters = { ...view.filters, [name]: event.target.value };
              renderTable();
            },
          },
          h("option", { value: "" }, "any"),
          values.map((v) => h("option", { value: v, selected: view.filters[name] === v }, v)),
        ),
      ),
    ),
  );
  renderTable();
  return h("div", {}, h("div", { class: "toolbar cases-toolbar" }, importButton, count), filters, tableSlot);
}

function codebookPanel(state) {
  const { codebook, project } = state.data;
  const canEdit = canEditCodebook(project.role);
  const save = (codeId) => async (fields) => {
    if (codeId) await state.services.projects.updateCode(project.id, codeId, fields);
    else await state.services.projects.createCode(project.id, fields);
    announce(codeId ? "Code saved." : "Code created.");
    await state.reload();
  };
  const tree = CodebookTree({
    codebook,
    canEdit,
    // A new code starts with a colour no other code has (the server's suggestion), so codes stay apart.
    onAdd: () => openCodeDialog({ flatCodes: codebook.flat, suggestedColour: codebook.suggested_colour, onSave: save(null) }),
    onAddChild: (parent) => openCodeDialog({ parentId: parent.id, flatCodes: codebook.flat, suggestedColour: codebook.suggested_colour, onSave: save(null) }),
    onEdit: (code) => openCodeDialog({ code, flatCodes: codebook.flat, onSave: save(code.id) }),
    onMerge: (code) =>
      openMergeDialog({
        code,
        flatCodes: codebook.flat,
        onMerge: async (fields) => {
          const target = await state.services.projects.mergeCode(project.id, code.id, fields);
          announce(`“${code.name}” merged into “${target.name}”.`);
          await state.reload();
        },
      }),
    exportUrl: (format) => state.services.projects.codebookExportUrl(project.id, format),
    usage: codebook.usage,
    onPassages: (code) => state.showPassages({ all: [code.id] }),
    onImport: () =>
      openImportDialog({
        onImport: async (format, form) => {
          const result = await state.services.projects.importCodes(project.id, format, form);
          announce(`${result.codes_added} codes imported: codebook version ${result.version}.`);
          await state.reload();
        },
      }),
    onSplit: (code) =>
      openSplitDialog({
        code,
        onSplit: async (fields) => {
          const created = await state.services.projects.splitCode(project.id, code.id, fields);
          announce(`“${code.name}” split into ${created.map((c) => `“${c.name}”`).join(", ")}.`);
          await state.reload();
        },
      }),
  });
  if (project.role !== "owner") return tree;
  const proposals = ProposalList({
    decide: (proposalId, decision) => state.services.projects.decideProposal(project.id, proposalId, decision),
    proposals: state.data.proposals ?? [],
    codes: codebook.codes,
    onDecided: () => state.reload(),
  });
  return proposals ? h("div", { class: "analysis" }, proposals, tree) : tree;
}

/**
 * A panel that keeps itself up to date (plan, analysis, adjudication, exports): mounted into a fresh root
 * on each render, and stopped (``state.stopPanel``) when the page renders again.
 */
const livePanel = (Panel) => (state) => {
  const root = h("div", { class: "analysis" });
  const { project, members, attributes } = state.data;
  const { documents } = state.data;
  state.stopPanel = Panel({ services: state.services, projectId: project.id, project, role: project.role, members, attributes, documents, root });
  return root;
};

/** Search, passages and matrices; what was asked last stays while the page is open (`state.explore`). */
function explorePanel(state) {
  state.explore ??= {};
  return ExplorePanel({ services: state.services, project: state.data.project, data: state.data, view: state.explore, root: h("div", { class: "analysis" }) });
}

const PANELS = {
  work: livePanel(MyWorkPanel),
  documents: documentsPanel,
  cases: casesPanel,
  codebook: codebookPanel,
  members: livePanel(MembersPanel),
  plan: livePanel(PlanPanel),
  analysis: livePanel(AnalysisPanel),
  adjudication: livePanel(AdjudicationPanel),
  explore: explorePanel,
  exports: livePanel(ExportsPanel),
};

/** "Secondary pass of <parent> · <code>", the parent a link back to its Explore tab. */
function secondaryOfLine(parent) {
  const { parent_project: project, parent_code: code } = parent;
  return h(
    "p",
    { class: "secondary-of", id: "secondary-of" },
    "Secondary pass of ",
    h("a", { href: `/projects/${project.id}/#explore` }, project.name),
    ` · ${code.path}`,
  );
}

/** The tab in the URL; else "My work" for coders, the transcripts for everyone else. */
function currentTab(role = null) {
  const hash = window.location.hash.replace("#", "");
  if (PANELS[hash]) return hash;
  return role === "coder" ? "work" : "documents";
}

export async function ProjectOverviewPage({ services, root, projectId }) {
  const state = { services, data: null, tab: currentTab() };
  mount(root, spinner("Loading project…"));

  const render = () => {
    const { project, documents, cases, codebook, members } = state.data;
    const { assignments } = state.data;
    const tabs = tabsFor(project.role, Boolean(assignments));
    if (!window.location.hash) state.tab = currentTab(project.role);
    if (!tabs.some(([key]) => key === state.tab)) state.tab = "documents";
    state.stopPanel?.(); // a live panel (analysis, exports) stops refreshing when it is replaced
    state.stopPanel = null;
    const owner = project.role === "owner";
    const started = assignments && [...assignments.values()].some((r) => r.done);
    const allDone = assignments && [...assignments.values()].every((r) => r.done === r.total);
    const counts = { documents: documents.length, cases: cases.length, codebook: codebook.codes.length, members: members.length };
    const tablist = h(
      "div",
      { class: "tabs", role: "tablist", "aria-label": "Project sections" },
      tabs.map(([key, label]) =>
        h(
          "button",
          {
            type: "button",
            role: "tab",
            id: `tab-${key}`,
            "aria-selected": String(state.tab === key),
            "aria-controls": `panel-${key}`,
            tabindex: state.tab === key ? "0" : "-1",
            class: "tab",
            onclick: () => select(key, true),
          },
          label,
          key in counts ? h("span", { class: "count" }, String(counts[key])) : null,
        ),
      ),
    );
    tablist.addEventListener("keydown", (event) => {
      const keys = tabs.map(([k]) => k);
      const i = keys.indexOf(state.tab);
      const move = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: keys.length - 1 - i }[event.key];
      if (move === undefined) return;
      event.preventDefault();
      select(keys[(i + move + keys.length) % keys.length], true);
    });
    mount(
      root,
      h(
        "div",
        { class: "page-head project-head" },
        h(
          "div",
          {},
          h("h1", {}, project.name),
          state.data.secondaryOf ? secondaryOfLine(state.data.secondaryOf) : null,
          project.description ? h("p", { class: "muted lede" }, project.description) : null,
        ),
        h(
          "div",
          { class: "head-actions" },
          h("span", { class: ["badge", `badge-role-${project.role}`], title: ROLE_HELP[project.role] }, `You: ${roleLabel(project.role)}`),
          // On "My work" the panel carries the button (with its message); one screen never shows two.
          state.tab === "work"
            ? null
            : canCode(project.role) && (assignments || !owner)
            ? allDone
              ? h("span", { class: "muted small" }, "All your units are submitted.")
              : startCodingButton({
                  services,
                  projectId: project.id,
                  label: started ? "Continue coding" : "Start coding",
                  onNothingLeft: (error) => announce(error?.message ?? "There is nothing left for you to code.", { tone: error ? "error" : "info" }),
                })
            : owner && documents.length
              ? h("a", { class: "btn", href: `/projects/${project.id}/documents/${documents[0].id}/` }, "Open the first transcript")
              : null,
        ),
      ),
      tablist,
      h(
        "section",
        { class: "tab-panel", role: "tabpanel", id: `panel-${state.tab}`, "aria-labelledby": `tab-${state.tab}`, tabindex: "-1" },
        PANELS[state.tab](state),
      ),
    );
  };

  const select = (key, focus) => {
    state.tab = key;
    history.replaceState(null, "", `#${key}`);
    render();
    if (focus) document.getElementById(`tab-${key}`)?.focus();
  };

  /** Open the Explore tab on the passages of a code query (from the codebook). */
  state.showPassages = (query) => {
    state.explore = { mode: "passages", passages: { all: [], any: [], none: [], page: 1, ...query } };
    select("explore", true);
  };

  state.reload = async () => {
    state.data = await services.projects.loadOverview(projectId);
    setTitle(state.data.project.name);
    setBreadcrumbs([{ label: "Projects", href: "/projects/" }, { label: state.data.project.name }]);
    render();
  };

  window.addEventListener("hashchange", () => {
    const tab = currentTab();
    if (tab !== state.tab && state.data) select(tab, false);
  });

  try {
    await state.reload();
  } catch (error) {
    setBreadcrumbs([{ label: "Projects", href: "/projects/" }, { label: "Project" }]);
    mount(root, h("h1", {}, "Project"), errorBox(error));
  }
}
