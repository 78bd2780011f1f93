/**
 * Importing transcripts (owners), in two steps. Choose files (or .zip batches) and a segmentation, and
 * preview: the server parses them as the import will and stores nothing. Then say who interviewed (their
 * turns become context, shown but not coded), and give each file its title, case and interview date.
 * Import runs as a background job; each file's outcome is listed.
 */
import { ACCEPTED_FILES, importRequest, importRunning, importSummary, previewSpeakers, SEGMENTATIONS, turnCounts } from "../domain/imports.js";
import { errorBox, h, mount, scrollBox } from "./dom.js";

export const POLL_MS = 1500;

function reportList(job) {
  return h(
    "ul",
    { class: "import-report", "aria-label": "Import report" },
    (job.report ?? []).map((entry) =>
      h(
        "li",
        { class: `import-${entry.status}` },
        h("strong", {}, entry.filename),
        `: ${entry.status}`,
        entry.status === "imported" ? ` as “${entry.title}” (case ${entry.case}${entry.interview_date ? `, ${entry.interview_date}` : ""})` : "",
        entry.message ? ` (${entry.message})` : "",
      ),
    ),
  );
}

/** A panel that imports into ``projectId`` and calls ``onImported`` when a job has added documents. */
export function ImportPanel({ services, projectId, cases = () => [], onImported }) {
  const root = h("section", { class: "analysis-block import-panel", "aria-labelledby": "import-title" });
  const transcripts = services.transcripts;
  const state = { job: null, timer: null, files: [], preview: null, interviewers: new Set(), rows: [], error: null };
  const fileInput = h("input", { type: "file", id: "import-files", multiple: true, accept: ACCEPTED_FILES });
  const segmentation = h("select", { id: "import-segmentation" }, SEGMENTATIONS.map(([value, label]) => h("option", { value }, label)));
  // The project's cases as they are now (the panel outlives reloads), offered in each file's case field.
  const caseList = () => h("datalist", { id: "import-case-list" }, cases().map((c) => h("option", { value: c.identifier })));

  const follow = async () => {
    state.job = await transcripts.importJob(projectId, state.job.id);
    render();
    if (importRunning(state.job)) state.timer = setTimeout(follow, POLL_MS);
    else if (state.job.files_imported) onImported?.();
  };

  const preview = async () => {
    if (!fileInput.files.length) {
      state.error = "Choose one or more files first.";
      render();
      return;
    }
    state.files = [...fileInput.files];
    state.error = null;
    try {
      // With the built-in labels first: the speakers it already takes for interviewers start ticked.
      const answer = await transcripts.previewImport(projectId, state.files, { segmentation: segmentation.value, exclude_interviewer: true });
      state.preview = answer.files;
      const speakers = previewSpeakers(answer.files);
      state.interviewers = new Set(speakers.filter((s) => s.interviewer).map((s) => s.speaker));
      state.rows = answer.files
        .filter((f) => f.status !== "failed" && !f.filename.includes(".zip/"))
        .map((f) => ({ filename: f.filename, title: f.title, case: f.case, interview_date: f.interview_date ?? "" }));
    } catch (error) {
      state.preview = null;
      state.error = error.message;
    }
    render();
  };

  const startImport = async () => {
    const request = importRequest({ segmentation: segmentation.value, interviewers: state.interviewers, rows: state.rows });
    if (request.error) {
      state.error = request.error;
      render();
      return;
    }
    try {
      clearTimeout(state.timer);
      state.job = await transcripts.startImport(projectId, state.files, request.options, request.details);
      state.preview = null;
      state.error = null;
      fileInput.value = "";
      render();
      await follow();
    } catch (error) {
      state.error = error.message;
      render();
    }
  };

  const speakersSection = () => {
    const speakers = previewSpeakers(state.preview);
    if (!speakers.length) return h("p", { class: "muted small" }, "No speaker labels were found: every segment will be codable.");
    return h(
      "fieldset",
      { class: "import-speakers" },
      h("legend", {}, "Who interviewed? Their turns are shown as context and not coded."),
      speakers.map((s) =>
        h(
          "label",
          { class: "check" },
          h("input", {
            type: "checkbox",
            checked: state.interviewers.has(s.speaker),
            onchange: (event) => {
              if (event.target.checked) state.interviewers.add(s.speaker);
              else state.interviewers.delete(s.speaker);
              render();
            },
          }),
          ` ${s.speaker} `,
          h("span", { class: "meta" }, `${s.turns} turn${s.turns === 1 ? "" : "s"}${s.files > 1 ? ` in ${s.files} files` : ""}`),
        ),
      ),
    );
  };

  const fileTable = () =>
    scrollBox(
      "Transcripts to import (table)",
      h(
        "table",
        { class: "data-table import-files", "aria-label": "Transcripts to import" },
        h("thead", {}, h("tr", {}, ["File", "Title", "Case", "Interview date", "Codable turns", "Note"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          state.preview.map((file, index) => {
            const row = state.rows.find((r) => r.filename === file.filename);
            const input = (key, attrs) =>
              h("input", {
                ...attrs,
                value: row[key] ?? "",
                "aria-label": `${attrs.label} of ${file.filename}`,
                oninput: (event) => {
                  row[key] = event.target.value;
                },
              });
            if (!row) {
              return h("tr", { class: `import-${file.status}` }, h("th", { scope: "row" }, file.filename), h("td", { colspan: "5" }, file.message || file.status));
            }
            const counts = turnCounts(file, state.interviewers);
            return h(
              "tr",
              { dataset: { index: String(index) } },
              h("th", { scope: "row" }, file.filename),
              h("td", {}, input("title", { type: "text", label: "Title", maxlength: "255" })),
              h("td", {}, input("case", { type: "text", label: "Case", maxlength: "100", list: "import-case-list" })),
              h("td", {}, input("interview_date", { type: "date", label: "Interview date" })),
              h("td", { class: "num" }, `${counts.codable} of ${counts.turns}`),
              h("td", {}, file.status === "duplicate" ? h("span", { class: "meta" }, file.message) : null),
            );
          }),
        ),
      ),
    );

  const render = () =>
    mount(
      root,
      h("h2", { id: "import-title" }, "Import transcripts"),
      h("p", { class: "muted small" }, "Word, PDF, text, Markdown, WebVTT/SRT captions or CSV; several at once, or .zip batches. Preview first: nothing is stored until you import."),
      h(
        "form",
        { onsubmit: (event) => { event.preventDefault(); preview(); } },
        h("div", { class: "field-row" }, h("div", { class: "field" }, h("label", { for: "import-files" }, "Files"), fileInput), h("div", { class: "field" }, h("label", { for: "import-segmentation" }, "Segments"), segmentation)),
        h("button", { type: "submit", class: ["btn", state.preview ? null : "btn-primary"] }, state.preview ? "Preview again" : "Preview"),
      ),
      caseList(),
      state.error ? errorBox(state.error) : null,
      state.preview
        ? h(
            "div",
            { class: "import-preview" },
            speakersSection(),
            fileTable(),
            h(
              "div",
              { class: "decision-buttons" },
              h("button", { type: "button", class: "btn btn-primary", disabled: !state.rows.length, onclick: startImport }, `Import ${state.rows.length} transcript${state.rows.length === 1 ? "" : "s"}`),
              h("button", { type: "button", class: "btn btn-ghost", onclick: () => { state.preview = null; render(); } }, "Cancel"),
            ),
          )
        : null,
      state.job
        ? h(
            "div",
            { class: "import-status", role: "status" },
            importRunning(state.job)
              ? h("p", {}, `Importing… ${state.job.progress}%`)
              : h("p", { class: state.job.status === "done" ? null : "alert alert-error" }, h("strong", {}, importSummary(state.job)), state.job.error ? ` (${state.job.error})` : ""),
            reportList(state.job),
          )
        : null,
    );
  render();
  return root;
}
