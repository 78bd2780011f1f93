/**
 * Spans chosen from the keyboard: a span inside one segment that grows and shrinks by whole words or
 * whole sentences. Words and sentences come from the browser's own Unicode segmentation
 * (`Intl.Segmenter`), so apostrophes, accents, combining marks and non-Latin scripts split where a reader
 * expects. Offsets here are code points into the segment's text (0 … its length), as the API counts them.
 */
import { utf16ToCodePoint } from "./codepoints.js";

const segmenters = new Map();
function segmenter(granularity) {
  if (!segmenters.has(granularity)) segmenters.set(granularity, new Intl.Segmenter(undefined, { granularity }));
  return segmenters.get(granularity);
}

/**
 * The words (`granularity` "word": word-like pieces only, no spaces or punctuation) or sentences
 * ("sentence": trimmed of surrounding white space) of `text`, as `{start, end}` code-point ranges in order.
 */
export function textUnits(text, granularity) {
  const units = [];
  for (const piece of segmenter(granularity).segment(text)) {
    let a = piece.index;
    let b = piece.index + piece.segment.length;
    if (granularity === "word" && !piece.isWordLike) continue;
    while (a < b && /\s/.test(text[a])) a += 1;
    while (b > a && /\s/.test(text[b - 1])) b -= 1;
    if (a < b) units.push({ start: utf16ToCodePoint(text, a), end: utf16ToCodePoint(text, b) });
  }
  return units;
}

/** The span a keyboard selection starts with: the segment's first word (null for a text with none). */
export function firstWordSpan(text) {
  const [first] = textUnits(text, "word");
  return first ? { start: first.start, end: first.end } : null;
}

/**
 * Move one edge of `span` by one unit (a word or a sentence, from `textUnits`). `edge` "end" with
 * `direction` +1 takes in the next unit, -1 gives back the last one; "start" +1 drops the first unit, -1
 * takes in the one before. The span never becomes empty and never leaves the text: a move that would do
 * either leaves it as it is.
 */
export function moveSpanEdge(units, span, edge, direction) {
  if (edge === "end") {
    if (direction > 0) {
      const next = units.find((u) => u.end > span.end);
      return next ? { start: span.start, end: next.end } : span;
    }
    const earlier = units.filter((u) => u.end < span.end && u.end > span.start);
    return earlier.length ? { start: span.start, end: earlier[earlier.length - 1].end } : span;
  }
  if (direction > 0) {
    const next = units.find((u) => u.start > span.start && u.start < span.end);
    return next ? { start: next.start, end: span.end } : span;
  }
  const before = units.filter((u) => u.start < span.start);
  return before.length ? { start: before[before.length - 1].start, end: span.end } : span;
}
