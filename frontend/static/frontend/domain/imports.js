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

// --- Before an import: who interviewed, and each file's title, case and date ------------------------------

/**
 * The speakers across the previewed files: `[{speaker, turns, files, interviewer}]` in order of first
 * appearance. `interviewer` starts as the server recognised it (every turn of theirs context).
 */
export function previewSpeakers(files) {
  const rows = new Map();
  for (const file of files ?? []) {
    if (file.status === "failed") continue;
    const inFile = new Set();
    for (const segment of file.segments ?? []) {
      if (!segment.speaker) continue;
      const row = rows.get(segment.speaker) ?? { speaker: segment.speaker, turns: 0, files: 0, interviewer: true };
      row.turns += 1;
      row.interviewer &&= segment.codable === false;
      if (!inFile.has(segment.speaker)) {
        inFile.add(segment.speaker);
        row.files += 1;
      }
      rows.set(segment.speaker, row);
    }
  }
  return [...rows.values()];
}

/** A file's turns with the chosen interviewers: `{turns, codable}` (a turn with no speaker stays codable). */
export function turnCounts(file, interviewers) {
  const segments = file.segments ?? [];
  return { turns: segments.length, codable: segments.filter((s) => !(s.speaker && interviewers.has(s.speaker))).length };
}

/**
 * The import request for the previewed files: options (the chosen interviewers' turns are context; the
 * built-in interviewer labels give way to the choice) and each file's details as the owner left them.
 * `rows`: `[{filename, title, case, interview_date}]`. Returns `{options, details, error}`; `error` says
 * what to fix before sending.
 */
export function importRequest({ segmentation, interviewers, rows }) {
  const details = {};
  for (const row of rows) {
    const title = String(row.title ?? "").trim();
    const kase = String(row.case ?? "").trim();
    if (!title) return { error: `${row.filename}: give the transcript a title.` };
    if (!kase) return { error: `${row.filename}: say which case (participant) it belongs to.` };
    if (row.interview_date && !/^\d{4}-\d{2}-\d{2}$/.test(row.interview_date)) {
      return { error: `${row.filename}: the interview date must be a date like 2022-03-14.` };
    }
    details[row.filename] = { title, case: kase, interview_date: row.interview_date || null };
  }
  return {
    options: { segmentation, exclude_interviewer: true, interviewer_labels: [], interviewer_speakers: [...interviewers] },
    details,
    error: null,
  };
}
