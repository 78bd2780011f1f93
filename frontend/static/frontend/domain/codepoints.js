/**
 * Offsets between the browser's strings (UTF-16 code units) and the API's (Unicode code points).
 *
 * The API stores every offset (segment start/end, coding span_start/span_end) as a count of code points
 * into the document's normalised text, as Python's `str` indexes it. JavaScript strings index UTF-16 code
 * units: an emoji outside the Basic Multilingual Plane is two units but one code point. Combining marks
 * (e + U+0301) are separate code points in both, so they need no special case; we only count.
 */

/** Number of code points in `text`. */
export function codePointLength(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/**
 * Convert a UTF-16 offset into `text` to a code-point offset. An offset that falls between the two halves
 * of a surrogate pair is rounded down to the start of that character, so a selection never splits one.
 */
export function utf16ToCodePoint(text, utf16Offset) {
  if (!Number.isInteger(utf16Offset) || utf16Offset < 0 || utf16Offset > text.length) {
    throw new RangeError(`UTF-16 offset ${utf16Offset} is outside the text (length ${text.length}).`);
  }
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (units + ch.length > utf16Offset) break;
    units += ch.length;
    points += 1;
  }
  return points;
}

/** Convert a code-point offset into `text` to a UTF-16 offset (for slicing or building a DOM Range). */
export function codePointToUtf16(text, codePointOffset) {
  if (!Number.isInteger(codePointOffset) || codePointOffset < 0) {
    throw new RangeError(`Code-point offset ${codePointOffset} is not a non-negative integer.`);
  }
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (points === codePointOffset) return units;
    units += ch.length;
    points += 1;
  }
  if (points === codePointOffset) return units;
  throw new RangeError(`Code-point offset ${codePointOffset} is outside the text (${points} code points).`);
}

/** `text` sliced by code-point offsets, like Python's `text[start:end]`. */
export function sliceCodePoints(text, start, end) {
  return Array.from(text).slice(start, end).join("");
}

/**
 * A selection inside a segment's text (UTF-16 offsets relative to that text) as an API span: absolute
 * code-point offsets into the document, `[segment.start + a, segment.start + b)`. Returns null for an
 * empty or whitespace-only selection. Leading and trailing whitespace is trimmed from the span.
 */
export function selectionToSpan(segment, utf16Start, utf16End) {
  const text = segment.text;
  let a = Math.min(utf16Start, utf16End);
  let b = Math.max(utf16Start, utf16End);
  while (a < b && /\s/.test(text[a])) a += 1;
  while (b > a && /\s/.test(text[b - 1])) b -= 1;
  if (a === b) return null;
  const start = segment.start + utf16ToCodePoint(text, a);
  const end = segment.start + utf16ToCodePoint(text, b);
  if (end <= start) return null;
  return { start, end };
}

/**
 * Cut a segment's text into runs at span boundaries, so spans can be drawn as marks. `spans` hold absolute
 * code-point offsets `{start, end, ...}`; each run reports the text and the spans that cover it.
 * Overlapping spans are fine: a run is covered by every span that contains it.
 */
export function spanRuns(segment, spans) {
  const chars = Array.from(segment.text);
  const n = chars.length;
  const local = spans
    .map((span) => ({
      span,
      start: Math.max(0, span.start - segment.start),
      end: Math.min(n, span.end - segment.start),
    }))
    .filter((s) => s.end > s.start);
  const cuts = new Set([0, n]);
  for (const s of local) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((x, y) => x - y);
  const runs = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const start = points[i];
    const end = points[i + 1];
    runs.push({
      text: chars.slice(start, end).join(""),
      start,
      end,
      spans: local.filter((s) => s.start <= start && end <= s.end).map((s) => s.span),
    });
  }
  return runs;
}
