/**
 * Assignments as the reader needs them. A plan gives each coder their units; a coder (or adjudicator) may
 * code only the segments assigned to them, an owner may code anything. `null` assignments mean "unknown"
 * (no plan visible, or the list could not be read): the UI then lets the API decide.
 */

/** `Map<segmentId, status>` for one document, or null when unknown. */
export function assignmentIndex(assignments, documentId = null) {
  if (!Array.isArray(assignments)) return null;
  const map = new Map();
  for (const a of assignments) {
    if (documentId == null || a.document === documentId) map.set(a.segment, a.status);
  }
  return map;
}

/** Why the caller may not code this segment, or null when they may (as far as the UI knows). */
export function assignmentBlock(role, index, segmentId) {
  if (role === "owner" || index === null) return null;
  const status = index.get(segmentId);
  if (status === undefined) return "This unit is not assigned to you.";
  if (status === "done") return "You marked this unit done; reopen it to change its codes.";
  return null;
}

/** Per document: how many units the caller holds and how many are done. */
export function assignmentsByDocument(assignments) {
  const out = new Map();
  for (const a of assignments ?? []) {
    const row = out.get(a.document) ?? { total: 0, done: 0, firstOpen: null };
    row.total += 1;
    if (a.status === "done") row.done += 1;
    else if (row.firstOpen === null) row.firstOpen = a.segment;
    out.set(a.document, row);
  }
  return out;
}

/** The document to continue in: the first (queue order) with an unfinished assignment. */
export function nextAssignedDocument(assignments) {
  const sorted = [...(assignments ?? [])].sort((a, b) => a.order - b.order);
  return sorted.find((a) => a.status !== "done")?.document ?? null;
}
