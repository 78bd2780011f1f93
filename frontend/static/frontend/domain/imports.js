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
