/**
 * What can be exported, in which formats and with which options (mirrors annotate/exports). Pure.
 * The server decides what each role may export; the list here only hides what a role can never get.
 */

export const EXPORT_KINDS = [
  { kind: "codings", label: "Codings (one row per coding)", formats: ["csv", "xlsx", "jsonl"], options: ["which", "segment_text"] },
  { kind: "matrix", label: "Code × case matrix", formats: ["csv", "html", "md"], options: ["source"] },
  { kind: "quotations", label: "Quotations per code", formats: ["csv", "html", "md"], options: ["source"] },
  { kind: "qdpx", label: "REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA", formats: ["qdpx"], options: [], analysts: true, holds: "The whole project: transcripts, cases and attributes, the codebook, every coder's codings, the final coding (as its own user) and memos." },
  { kind: "qdc", label: "REFI-QDA codebook (.qdc)", formats: ["qdc"], options: [], holds: "The codebook: every code with its definition, criteria, examples and colour." },
  { kind: "analysis_report", label: "Agreement and saturation report (methods appendix)", formats: ["html"], options: [], analysts: true, holds: "The latest agreement and saturation runs, with their parameters, inputs and figures." },
  { kind: "audit", label: "Audit trail with chain hashes", formats: ["csv", "jsonl"], options: [], analysts: true, holds: "Every event of the research record, each with the hash that chains it to the one before." },
];

/** Which codings a codings export holds. */
export const WHICH = [
  ["both", "Every coder's codings and the final coding"],
  ["final_else_raw", "Final coding where decided, else every coder's"],
  ["final", "Final (adjudicated) coding of decided units only"],
  ["raw", "Every coder's codings, per coder"],
];

/** What a matrix or quotations are drawn from. */
export const SOURCE = [
  ["final_else_raw", "Final coding where decided, else every coder's"],
  ["final", "Final (adjudicated) coding of decided units only"],
  ["raw", "Every coder's codings"],
];

/** What the chosen export will hold: `{text, warning}`, from the preview's `contents` (or the kind). */
export function contentsNotice(kind, contents) {
  const spec = EXPORT_KINDS.find((k) => k.kind === kind);
  if (!contents || !contents.which) return { text: spec?.holds ?? "", warning: false };
  return { text: contents.summary, warning: contents.units_left_out > 0 };
}

export const isAnalyst = (role) => role === "owner" || role === "adjudicator";

export function exportKindsFor(role) {
  return EXPORT_KINDS.filter((k) => !k.analysts || isAnalyst(role));
}

/** The request body's ``params`` for a kind, from the form's values (only the options the kind has). */
export function exportParams(kind, values) {
  const spec = EXPORT_KINDS.find((k) => k.kind === kind);
  if (!spec) throw new Error(`unknown export kind ${kind}`);
  const params = {};
  if (spec.options.includes("which")) params.which = values.which ?? "both";
  if (spec.options.includes("segment_text")) params.segment_text = Boolean(values.segment_text);
  if (spec.options.includes("source")) params.source = values.source ?? "final_else_raw";
  return params;
}

export function exportsInProgress(jobs) {
  return (jobs ?? []).some((job) => job.status === "pending" || job.status === "running");
}

/** "12.3 MB", "840 kB", "512 B". */
export function formatSize(bytes) {
  if (!bytes) return "—";
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} B`;
}
