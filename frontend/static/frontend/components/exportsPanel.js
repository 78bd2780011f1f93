/** The exports tab: ask for an export, watch it run, download it. Polls every 2 s while one runs. */
import { exportKindsFor, exportParams, exportsInProgress, formatSize, SOURCE, WHICH } from "../domain/exports.js";
import { announce, errorBox, h, mount, spinner, timeAgo } from "./dom.js";

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
  if (!spec.formats.includes(form.format)) form.format = spec.formats[0];
  const rerender = () => state.render();
  return h(
    "form",
    {
      class: "analysis-block export-form",
      "aria-labelledby": "export-title",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await state.repo.request(state.projectId, { kind: spec.kind, format: form.format, params: exportParams(spec.kind, form) });
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
      optionSelect("export-kind", "What", kinds.map((k) => [k.kind, k.label]), spec.kind, (v) => { form.kind = v; rerender(); }),
      optionSelect("export-format", "Format", spec.formats.map((f) => [f, f.toUpperCase()]), form.format, (v) => { form.format = v; }),
    ),
    spec.options.includes("which") ? optionSelect("export-which", "Codings", WHICH, form.which, (v) => { form.which = v; }) : null,
    spec.options.includes("source") ? optionSelect("export-source", "Counted from", SOURCE, form.source, (v) => { form.source = v; }) : null,
    spec.options.includes("segment_text")
      ? h(
          "label",
          { class: "check" },
          h("input", { type: "checkbox", checked: Boolean(form.segment_text), onchange: (e) => { form.segment_text = e.target.checked; } }),
          " Include each segment's text",
        )
      : null,
    h("div", {}, h("button", { type: "submit", class: "btn btn-primary" }, "Export")),
  );
}

function jobsTable(jobs) {
  if (!jobs.length) return h("p", { class: "muted" }, "No exports yet.");
  return h(
    "table",
    { class: "data-table", "aria-label": "Exports" },
    h("thead", {}, h("tr", {}, ["Export", "Format", "State", "Rows", "Size", "Requested", ""].map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      jobs.map((job) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, job.kind.replace("_", " ")),
          h("td", {}, job.format.toUpperCase()),
          h("td", {}, job.status === "running" ? `running (${job.progress}%)` : job.status, job.error ? h("div", { class: "meta" }, job.error) : null),
          h("td", {}, job.status === "done" ? String(job.row_count) : "—"),
          h("td", {}, formatSize(job.size_bytes)),
          h("td", {}, timeAgo(job.created_at)),
          h("td", {}, job.download_url ? h("a", { class: "btn btn-small", href: job.download_url, download: job.file_name }, "Download") : null),
        ),
      ),
    ),
  );
}

/** Mounts into ``root``; returns ``stop()`` to end the polling. */
export function ExportsPanel({ services, projectId, role, root }) {
  const state = {
    repo: services.repositories.exports,
    projectId,
    role,
    jobs: [],
    form: { kind: "codings", format: "csv", which: "both", source: "auto", segment_text: false },
    timer: null,
  };
  state.render = () => mount(root, requestForm(state), h("section", { class: "analysis-block" }, h("h2", {}, "Your exports"), jobsTable(state.jobs)));
  state.refresh = async () => {
    try {
      state.jobs = await state.repo.recent(projectId);
      state.render();
    } catch (error) {
      mount(root, errorBox(error));
      return;
    }
    clearTimeout(state.timer);
    if (exportsInProgress(state.jobs)) state.timer = setTimeout(state.refresh, POLL_MS);
  };
  mount(root, spinner("Loading exports…"));
  state.refresh();
  return () => clearTimeout(state.timer);
}
