/**
 * The exports tab: choose an export and see what it will hold before it runs (the server counts the
 * codings, units, transcripts and cases, and says what is left out), ask for it, watch it run, download
 * it. Polls every 2 s while one runs.
 */
import { contentsNotice, exportKindsFor, exportsInProgress, formatSize, SOURCE, WHICH } from "../domain/exports.js";
import { announce, errorBox, h, mount, scrollBox, spinner, timeAgo } from "./dom.js";

export const POLL_MS = 2000;

function optionSelect(id, label, choices, value, onchange) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("select", { id, onchange: (e) => onchange(e.target.value) }, choices.map(([v, text]) => h("option", { value: v, selected: v === value }, text))),
  );
}

function requestForm(state) {
  const kinds = exportKindsFor(state.role);
  const spec = kinds.find((k) => k.kind === state.form.kind) ?? kinds[0];
  const form = state.form;
  form.kind = spec.kind;
  if (!spec.formats.includes(form.format)) form.format = spec.formats[0];
  const changed = () => {
    state.render();
    state.refreshPreview();
  };
  return h(
    "form",
    {
      class: "analysis-block export-form",
      "aria-labelledby": "export-title",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await state.service.request(state.projectId, spec.kind, form.format, form);
          announce("Export requested: it appears below when it is ready.");
          await state.refresh();
        } catch (error) {
          announce(error.message, { tone: "error", timeout: 8000 });
        }
      },
    },
    h("h2", { id: "export-title" }, "New export"),
    h(
      "div",
      { class: "field-row" },
      optionSelect("export-kind", "What", kinds.map((k) => [k.kind, k.label]), spec.kind, (v) => { form.kind = v; changed(); }),
      optionSelect("export-format", "Format", spec.formats.map((f) => [f, f.toUpperCase()]), form.format, (v) => { form.format = v; changed(); }),
    ),
    spec.options.includes("which") ? optionSelect("export-which", "Codings", WHICH, form.which, (v) => { form.which = v; changed(); }) : null,
    spec.options.includes("source") ? optionSelect("export-source", "Counted from", SOURCE, form.source, (v) => { form.source = v; changed(); }) : null,
    spec.options.includes("segment_text")
      ? h(
          "label",
          { class: "check" },
          h("input", { type: "checkbox", checked: Boolean(form.segment_text), onchange: (e) => { form.segment_text = e.target.checked; } }),
          " Include each segment's text",
        )
      : null,
    state.previewSlot,
    h("div", {}, h("button", { type: "submit", class: "btn btn-primary" }, "Export")),
  );
}

function renderPreview(state) {
  const { preview, previewError } = state;
  if (previewError) {
    mount(state.previewSlot, errorBox(previewError));
    return;
  }
  const notice = contentsNotice(state.form.kind, preview?.kind === state.form.kind ? preview.contents : null);
  mount(
    state.previewSlot,
    notice.text
      ? h(
          "p",
          { class: ["export-contents", notice.warning ? "alert alert-warning" : "notice"], id: "export-contents" },
          h("strong", {}, "This export will hold: "),
          notice.text,
        )
      : null,
  );
}

function jobsTable(jobs) {
  if (!jobs.length) return h("p", { class: "muted" }, "No exports yet.");
  return scrollBox(
    "Exports (table)",
    h(
      "table",
      { class: "data-table", "aria-label": "Exports" },
      h("thead", {}, h("tr", {}, ["Export", "Format", "State", "Rows", "Size", "Requested"].map((t) => h("th", { scope: "col" }, t)), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Download")))),
      h(
        "tbody",
        {},
        jobs.map((job) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, job.kind.replace("_", " "), job.params?.source || job.params?.which ? h("div", { class: "meta" }, (job.params.source || job.params.which).replaceAll("_", " ")) : null),
            h("td", {}, job.format.toUpperCase()),
            h("td", {}, job.status === "running" ? `running (${job.progress}%)` : job.status, job.error ? h("div", { class: "meta" }, job.error) : null),
            h("td", {}, job.status === "done" ? String(job.row_count) : "—"),
            h("td", {}, formatSize(job.size_bytes)),
            h("td", {}, timeAgo(job.created_at)),
            h("td", {}, job.download_url ? h("a", { class: "btn btn-small", href: job.download_url, download: job.file_name }, "Download") : null),
          ),
        ),
      ),
    ),
  );
}

/** Mounts into ``root``; returns ``stop()`` to end the polling. */
export function ExportsPanel({ services, projectId, role, root }) {
  const state = {
    service: services.exports,
    projectId,
    role,
    jobs: [],
    form: { kind: "codings", format: "csv", which: "both", source: "final_else_raw", segment_text: false },
    preview: null,
    previewError: null,
    previewSlot: h("div", { class: "export-preview", "aria-live": "polite" }),
    timer: null,
    asked: 0,
  };
  state.render = () => {
    mount(root, requestForm(state), h("section", { class: "analysis-block" }, h("h2", {}, "Your exports"), jobsTable(state.jobs)));
    renderPreview(state);
  };
  // Ask what the chosen export holds; only the newest answer counts (options may change quickly).
  state.refreshPreview = async () => {
    const asked = ++state.asked;
    const { kind, format } = state.form;
    try {
      const preview = await state.service.preview(projectId, kind, format, state.form);
      if (asked !== state.asked) return;
      state.preview = preview;
      state.previewError = null;
    } catch (error) {
      if (asked !== state.asked) return;
      state.preview = null;
      state.previewError = error;
    }
    renderPreview(state);
  };
  state.refresh = async () => {
    try {
      state.jobs = await state.service.recent(projectId);
      state.render();
    } catch (error) {
      mount(root, errorBox(error));
      return;
    }
    clearTimeout(state.timer);
    if (exportsInProgress(state.jobs)) state.timer = setTimeout(state.refresh, POLL_MS);
  };
  mount(root, spinner("Loading exports…"));
  state.refresh().then(() => state.refreshPreview());
  return () => clearTimeout(state.timer);
}
