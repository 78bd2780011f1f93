/**
 * What can be exported, in which formats and with which options (mirrors annotate/exports). Pure.
 * The server decides what each role may export; the list here only hides what a role can never get.
 */

export const EXPORT_KINDS = [
  { kind: "codings", label: "Codings (one row per coding)", formats: ["csv", "xlsx", "jsonl"], options: ["which", "segment_text"] },
  { kind: "matrix", label: "Code × case matrix", formats: ["csv", "html", "md"], options: ["source"] },
  { kind: "quotations", label: "Quotations per code", formats: ["csv", "html", "md"], options: ["source"] },
  { kind: "qdpx", label: "REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA", formats: ["qdpx"], options: [], analysts: true },
  { kind: "qdc", label: "REFI-QDA codebook (.qdc)", formats: ["qdc"], options: [] },
  { kind: "analysis_report", label: "Agreement and saturation report (methods appendix)", formats: ["html"], options: [], analysts: true },
  { kind: "audit", label: "Audit trail with chain hashes", formats: ["csv", "jsonl"], options: [], analysts: true },
];

export const WHICH = [
  ["both", "Every coder and the final coding"],
  ["final", "Final (adjudicated) coding only"],
  ["raw", "Every coder's codings"],
];

export const SOURCE = [
  ["auto", "Final coding once there is one, else every coder's"],
  ["final", "Final coding"],
  ["raw", "Every coder's codings"],
];

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
  if (spec.options.includes("source")) params.source = values.source ?? "auto";
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
