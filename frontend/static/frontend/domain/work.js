/**
 * A coder's work as the "My work" view and the reader show it: their units per transcript, what is done
 * and what is next, and the one-key shortcuts for the codes they use most. Pure.
 */
import { urls } from "./routes.js";

/**
 * Per transcript (queue order), the caller's units: `{document, title, total, done, nextSegment}` where
 * `nextSegment` is the first unit not yet submitted (null when all are). `assignments` come from
 * `GET …/assignments/` (the caller's own, in queue order).
 */
export function workByDocument(assignments) {
  const rows = new Map();
  for (const a of [...(assignments ?? [])].sort((x, y) => x.order - y.order)) {
    const row = rows.get(a.document) ?? { document: a.document, title: a.document_title, total: 0, done: 0, nextSegment: null, lastActivity: null };
    row.total += 1;
    if (a.status === "done") row.done += 1;
    else if (row.nextSegment === null) row.nextSegment = a.segment;
    const activity = a.last_activity_at ?? a.done_at ?? a.claimed_at ?? null;
    if (activity && (!row.lastActivity || activity > row.lastActivity)) row.lastActivity = activity;
    rows.set(a.document, row);
  }
  return [...rows.values()];
}

/** `{total, done, remaining}` over all the caller's units. */
export function workTotals(assignments) {
  const total = (assignments ?? []).length;
  const done = (assignments ?? []).filter((a) => a.status === "done").length;
  return { total, done, remaining: total - done };
}

/** The reader's URL for a unit (`{segment: {id}, document: {id}}` as `queue/next` returns it). */
export function unitUrl(projectId, unit) {
  return urls.reader(projectId, unit.document.id, unit.segment.id);
}

/**
 * Up to `count` codes for the number keys 1…9: the codes the caller has applied most (by `usage`, a
 * `Map<codeId, number>`), then the rest in codebook order. Inactive codes are never given a key.
 * `flatCodes` are the picker's entries (`{code}` in tree order). Returns `[{key: "1", code}, …]`.
 */
export function shortcutCodes(flatCodes, usage = new Map(), count = 9) {
  const order = new Map(flatCodes.map((entry, index) => [entry.code.id, index]));
  const active = flatCodes.map((entry) => entry.code).filter((code) => code.is_active);
  const ranked = [...active].sort(
    (a, b) => (usage.get(b.id) ?? 0) - (usage.get(a.id) ?? 0) || order.get(a.id) - order.get(b.id),
  );
  return ranked.slice(0, count).map((code, index) => ({ key: String(index + 1), code }));
}
