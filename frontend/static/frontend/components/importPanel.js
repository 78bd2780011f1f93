/**
 * Importing transcripts (owners): choose files or .zip batches and a segmentation; the import runs as a
 * background job; each file's outcome is listed (imported, already there, or why it failed). A case is
 * made from each file name's leading id (P07_interview.docx → P07).
 */
import { ACCEPTED_FILES, importRunning, importSummary, SEGMENTATIONS } from "../domain/imports.js";
import { announce, h, mount } from "./dom.js";

export const POLL_MS = 1500;

function reportList(job) {
  return h(
    "ul",
    { class: "import-report", "aria-label": "Import report" },
    (job.report ?? []).map((entry) =>
      h("li", { class: `import-${entry.status}` }, h("strong", {}, entry.filename), `: ${entry.status}`, entry.message ? ` (${entry.message})` : ""),
    ),
  );
}

/** A panel that imports into ``projectId`` and calls ``onImported`` when a job has added documents. */
export function ImportPanel({ services, projectId, onImported }) {
  const root = h("section", { class: "analysis-block import-panel", "aria-labelledby": "import-title" });
  const repo = services.repositories.documents;
  const state = { job: null, timer: null };
  const fileInput = h("input", { type: "file", id: "import-files", multiple: true, accept: ACCEPTED_FILES });
  const segmentation = h("select", { id: "import-segmentation" }, SEGMENTATIONS.map(([value, label]) => h("option", { value }, label)));
  const interviewerContext = h("input", { type: "checkbox", id: "import-interviewer-context", checked: true });

  const follow = async () => {
    state.job = await repo.importJob(projectId, state.job.id);
    render();
    if (importRunning(state.job)) state.timer = setTimeout(follow, POLL_MS);
    else if (state.job.files_imported) onImported?.();
  };

  const render = () =>
    mount(
      root,
      h("h2", { id: "import-title" }, "Import transcripts"),
      h("p", { class: "muted small" }, "Word, PDF, text, Markdown, WebVTT/SRT captions or CSV; several at once, or .zip batches. A case is made from each file name's leading id (P07_interview.docx → P07)."),
      h(
        "form",
        {
          onsubmit: async (event) => {
            event.preventDefault();
            if (!fileInput.files.length) {
              announce("Choose one or more files first.", { tone: "error" });
              return;
            }
            try {
              clearTimeout(state.timer);
              state.job = await repo.startImport(projectId, [...fileInput.files], { segmentation: segmentation.value, exclude_interviewer: interviewerContext.checked });
              fileInput.value = "";
              render();
              await follow();
            } catch (error) {
              announce(error.message, { tone: "error", timeout: 8000 });
            }
          },
        },
        h("div", { class: "field-row" }, h("div", { class: "field" }, h("label", { for: "import-files" }, "Files"), fileInput), h("div", { class: "field" }, h("label", { for: "import-segmentation" }, "Segments"), segmentation)),
        h("label", { class: "check", for: "import-interviewer-context" }, interviewerContext, " Interviewer turns are context (shown, not coded)"),
        h("button", { type: "submit", class: "btn btn-primary" }, "Import"),
      ),
      state.job
        ? h(
            "div",
            { class: "import-status", role: "status" },
            importRunning(state.job) ? h("p", {}, `Importing… ${state.job.progress}%`) : h("p", {}, h("strong", {}, importSummary(state.job)), state.job.error ? ` (${state.job.error})` : ""),
            reportList(state.job),
          )
        : null,
    );
  render();
  return root;
}
