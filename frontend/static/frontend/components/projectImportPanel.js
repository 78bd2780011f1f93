/**
 * Start a study from another tool (owners of an empty project): a REFI-QDA project (.qdpx) from NVivo,
 * ATLAS.ti or MAXQDA brings its transcripts, cases, codebook, codings and memos. The import runs as a
 * background job, followed here; its coders arrive as inactive placeholder accounts, never matched to
 * existing ones by name.
 */
import { importRunning, projectImportSummary } from "../domain/imports.js";
import { announce, h, mount } from "./dom.js";
import { POLL_MS } from "./importPanel.js";

export function ProjectImportPanel({ services, projectId, onImported }) {
  const root = h("section", { class: "analysis-block import-panel", "aria-labelledby": "qdpx-import-title" });
  const exports = services.exports;
  const state = { job: null, timer: null };
  const fileInput = h("input", { type: "file", id: "qdpx-file", accept: ".qdpx" });

  const follow = async () => {
    state.job = await exports.projectImportJob(projectId, state.job.id);
    render();
    if (importRunning(state.job)) state.timer = setTimeout(follow, POLL_MS);
    else if (state.job.status === "done") onImported?.();
  };

  const status = (job) => {
    if (importRunning(job)) return h("p", {}, `Importing ${job.file_name}… ${job.progress ?? 0}%`);
    if (job.status === "done") return h("p", {}, h("strong", {}, "Imported: "), projectImportSummary(job.result));
    return h("div", { class: "alert alert-error", role: "alert" }, `The import failed: ${job.error || "unknown error"}. Nothing was imported.`);
  };

  const render = () =>
    mount(
      root,
      h("h2", { id: "qdpx-import-title" }, "Or start from another tool"),
      h("p", { class: "muted small" }, "A REFI-QDA project (.qdpx) from NVivo, ATLAS.ti or MAXQDA: its transcripts, cases, codebook, codings and memos. Only into an empty project; its coders arrive as inactive placeholder accounts."),
      h(
        "form",
        {
          onsubmit: async (event) => {
            event.preventDefault();
            const file = fileInput.files[0];
            if (!file || !/\.qdpx$/i.test(file.name)) {
              announce("Choose a .qdpx file first.", { tone: "error" });
              return;
            }
            try {
              clearTimeout(state.timer);
              state.job = await exports.startProjectImport(projectId, file);
              fileInput.value = "";
              render();
              await follow();
            } catch (error) {
              announce(error.message, { tone: "error", timeout: 8000 });
            }
          },
        },
        h("div", { class: "field" }, h("label", { for: "qdpx-file" }, "REFI-QDA project"), fileInput),
        h("button", { type: "submit", class: "btn" }, "Import project"),
      ),
      state.job ? h("div", { class: "import-status", role: "status" }, status(state.job)) : null,
    );
  render();
  return root;
}
