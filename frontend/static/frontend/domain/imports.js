/** Transcript imports as the UI shows them. Pure. */

export const SEGMENTATIONS = [
  ["turn", "One segment per speaker turn (recommended)"],
  ["paragraph", "One segment per paragraph"],
  ["sentence", "One segment per sentence"],
];

export const ACCEPTED_FILES = ".txt,.md,.docx,.pdf,.vtt,.srt,.csv,.zip";

export const importRunning = (job) => job && (job.status === "pending" || job.status === "running");

/** "3 imported, 1 already in the project, 1 failed" from a finished job. */
export function importSummary(job) {
  const parts = [`${job.files_imported} imported`];
  if (job.files_duplicate) parts.push(`${job.files_duplicate} already in the project`);
  if (job.files_failed) parts.push(`${job.files_failed} failed`);
  return parts.join(", ");
}

/** "3 documents, 12 codes, 40 codings, 2 coders (as inactive placeholder accounts)" from a finished .qdpx import. */
export function projectImportSummary(result) {
  const count = (n, one, many) => `${n ?? 0} ${(n ?? 0) === 1 ? one : many}`;
  const parts = [
    count(result?.documents, "transcript", "transcripts"),
    count(result?.codes, "code", "codes"),
    count(result?.codings, "coding", "codings"),
    count(result?.memos, "memo", "memos"),
  ];
  if (result?.users) parts.push(`${count(result.users, "coder", "coders")} (as inactive placeholder accounts)`);
  return parts.join(", ");
}
