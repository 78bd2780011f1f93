/** Reading a unit for adjudication: who applied which code, and where the coders differ. Pure. */

/** Rows of the side-by-side table: one per code involved, with each coder's applications of it. */
export function codeMatrix(unit) {
  const disputed = new Set(unit.disputed_codes ?? []);
  const byId = new Map((unit.codes ?? []).map((code) => [code.id, code]));
  const ids = new Set();
  for (const coder of unit.coders ?? []) for (const c of coder.codings) ids.add(c.code_id);
  const rows = [...ids].map((id) => ({
    code: byId.get(id) ?? { id, name: `code ${id}`, path: `code ${id}` },
    disputed: disputed.has(id),
    cells: (unit.coders ?? []).map((coder) => coder.codings.filter((c) => c.code_id === id)),
  }));
  // Disputed codes first (they are the decision), then the codebook's order.
  const order = new Map((unit.codes ?? []).map((code, i) => [code.id, i]));
  return rows.sort((a, b) => Number(b.disputed) - Number(a.disputed) || (order.get(a.code.id) ?? 0) - (order.get(b.code.id) ?? 0));
}

/** A coder as the adjudicator sees them: "Coder A (ana)", or only "Coder A" when names are hidden. */
export function coderName(coder) {
  return coder.username ? `${coder.label} (${coder.username})` : coder.label;
}

/** The decisions one can take from the side-by-side view, as request bodies with their button labels. */
export function decisionChoices(unit) {
  const letters = (unit.coders ?? []).map((c) => c.label.replace(/^Coder /, ""));
  return [
    ...letters.map((letter, i) => ({ label: `Accept ${coderName(unit.coders[i])}`, body: { method: "accept_coder", coder: letter } })),
    { label: "Union of all coders", body: { method: "union" } },
    { label: "Intersection (what all agree on)", body: { method: "intersection" } },
  ];
}

/** The unit's current decision, if any (revising it sends its id as ``supersedes``). */
export function currentDecision(unit) {
  return (unit.decisions ?? []).find((d) => d.is_current) ?? null;
}

/** "¶12 · Interview P07 (P07)": a queue item by the reader's numbering, its transcript and case. */
export function queueItemTitle(item) {
  const where = item.where ?? {};
  if (!where.document_title) return `Unit ${item.order}`;
  return `¶${where.segment_number} · ${where.document_title}${where.case ? ` (${where.case})` : ""}`;
}

/** The unit's heading: "Interview P07 (P07), ¶12 · Participant 7". */
export function unitTitle(segment) {
  return `${segment.document_title}${segment.case ? ` (${segment.case})` : ""}, ¶${segment.segment_number}${segment.speaker ? ` · ${segment.speaker}` : ""}`;
}

/** Whether a decision (a request body) needs a rationale: its final set is no coder's (the server's rule,
 * which it states per method in `rationale_required`). */
export function needsRationale(unit, body) {
  return Boolean(unit.rationale_required?.[body.method]);
}
