/** Segments and codings in the reader: timestamps, navigation, and grouping codings by segment. */

/** "1:02:03" or "12:03" from milliseconds; "" when the transcript has no timestamps. */
export function formatTimestamp(ms) {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return "";
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (v) => String(v).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/**
 * The index of the next codable segment after `index` (step +1) or before it (step -1); `index` itself
 * when there is none. With `index` -1 and step +1, the first codable segment.
 */
export function stepCodable(segments, index, step) {
  for (let i = index + step; i >= 0 && i < segments.length; i += step) {
    if (segments[i].codable) return i;
  }
  return index;
}

/** Codings grouped by segment id: `Map<segmentId, coding[]>`, each list in creation order. */
export function groupBySegment(items, key = "segment") {
  const map = new Map();
  for (const item of items) {
    const id = item[key];
    if (id == null) continue;
    if (!map.has(id)) map.set(id, []);
    map.get(id).push(item);
  }
  return map;
}

/** Split a segment's codings into the caller's and everyone else's (visible to owners/adjudicators). */
export function splitByCoder(codings, userId) {
  const mine = [];
  const others = [];
  for (const c of codings) (c.coder === userId ? mine : others).push(c);
  return { mine, others };
}

/** True when the coding is a span (part of the segment) rather than the whole segment. */
export const isSpan = (coding) => coding.span_start != null && coding.span_end != null;

/** Progress through a document: codable segments that have at least one of the caller's codings. */
export function codingProgress(segments, codingsBySegment, userId) {
  const codable = segments.filter((s) => s.codable);
  const done = codable.filter((s) => (codingsBySegment.get(s.id) ?? []).some((c) => c.coder === userId));
  return { done: done.length, total: codable.length };
}
