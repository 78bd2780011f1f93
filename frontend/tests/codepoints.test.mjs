import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  codePointLength,
  codePointToUtf16,
  selectionToSpan,
  sliceCodePoints,
  spanRuns,
  utf16ToCodePoint,
} from "../static/frontend/domain/codepoints.js";

const EMOJI = "I felt 😀 then 👩🏽‍⚕️ came"; // 😀 is 2 UTF-16 units; 👩🏽‍⚕️ is 5 code points, 7 units
const COMBINING = "cafe\u0301 noir"; // "café" with a combining acute accent: 5 code points, 5 units

describe("codePointLength", () => {
  test("counts astral characters once", () => {
    assert.equal(codePointLength("😀"), 1);
    assert.equal("😀".length, 2);
    assert.equal(codePointLength(EMOJI), Array.from(EMOJI).length);
  });

  test("counts a combining mark as its own code point, like Python", () => {
    assert.equal(codePointLength(COMBINING), 10);
  });

  test("empty string", () => {
    assert.equal(codePointLength(""), 0);
  });
});

describe("utf16ToCodePoint / codePointToUtf16", () => {
  test("plain ASCII is the identity", () => {
    for (let i = 0; i <= 5; i += 1) {
      assert.equal(utf16ToCodePoint("hello", i), i);
      assert.equal(codePointToUtf16("hello", i), i);
    }
  });

  test("offsets after an emoji shift by one per astral character", () => {
    const text = "a😀b";
    assert.equal(utf16ToCodePoint(text, 0), 0);
    assert.equal(utf16ToCodePoint(text, 1), 1);
    assert.equal(utf16ToCodePoint(text, 3), 2); // after the emoji
    assert.equal(utf16ToCodePoint(text, 4), 3);
    assert.equal(codePointToUtf16(text, 2), 3);
    assert.equal(codePointToUtf16(text, 3), 4);
  });

  test("an offset inside a surrogate pair rounds down to the character's start", () => {
    assert.equal(utf16ToCodePoint("a😀b", 2), 1);
  });

  test("ZWJ sequences and skin tones are several code points", () => {
    const doctor = "👩🏽‍⚕️";
    assert.equal(doctor.length, 7);
    assert.equal(utf16ToCodePoint(doctor, doctor.length), 5);
    assert.equal(codePointToUtf16(doctor, 5), 7);
  });

  test("combining marks: UTF-16 and code points agree", () => {
    assert.equal(utf16ToCodePoint(COMBINING, 5), 5);
    assert.equal(codePointToUtf16(COMBINING, 5), 5);
  });

  test("round trip at every character boundary", () => {
    let units = 0;
    let points = 0;
    for (const ch of EMOJI) {
      assert.equal(utf16ToCodePoint(EMOJI, units), points);
      assert.equal(codePointToUtf16(EMOJI, points), units);
      units += ch.length;
      points += 1;
    }
    assert.equal(utf16ToCodePoint(EMOJI, units), points);
  });

  test("out-of-range offsets throw", () => {
    assert.throws(() => utf16ToCodePoint("abc", 4), RangeError);
    assert.throws(() => utf16ToCodePoint("abc", -1), RangeError);
    assert.throws(() => codePointToUtf16("a😀", 3), RangeError);
  });
});

describe("sliceCodePoints", () => {
  test("slices like Python's str", () => {
    assert.equal(sliceCodePoints("a😀b", 1, 2), "😀");
    assert.equal(sliceCodePoints(COMBINING, 0, 5), "cafe\u0301");
  });
});

describe("selectionToSpan", () => {
  test("adds the segment's document offset and converts to code points", () => {
    // The segment starts at code point 100 of the document.
    const segment = { start: 100, end: 100 + codePointLength(EMOJI), text: EMOJI };
    const from = EMOJI.indexOf("then"); // UTF-16 index 10 (the emoji before it is 2 units)
    const to = from + "then".length;
    assert.equal(from, 10);
    const span = selectionToSpan(segment, from, to);
    assert.deepEqual(span, { start: 109, end: 113 });
    assert.equal(sliceCodePoints(EMOJI, span.start - 100, span.end - 100), "then");
  });

  test("a selection covering an emoji maps to one code point", () => {
    const segment = { start: 0, end: 3, text: "a😀b" };
    assert.deepEqual(selectionToSpan(segment, 1, 3), { start: 1, end: 2 });
  });

  test("backwards selections are normalised", () => {
    const segment = { start: 10, end: 15, text: "hello" };
    assert.deepEqual(selectionToSpan(segment, 4, 1), { start: 11, end: 14 });
  });

  test("whitespace at the edges is trimmed; blank selections give null", () => {
    const segment = { start: 0, end: 11, text: "  café  ok " };
    assert.deepEqual(selectionToSpan(segment, 0, 8), { start: 2, end: 6 });
    assert.equal(selectionToSpan(segment, 6, 8), null);
    assert.equal(selectionToSpan(segment, 3, 3), null);
  });

  test("combining marks stay with their base letter's offsets", () => {
    const segment = { start: 50, end: 60, text: COMBINING };
    assert.deepEqual(selectionToSpan(segment, 0, 5), { start: 50, end: 55 });
  });
});

describe("spanRuns", () => {
  const segment = { start: 100, end: 109, text: "ab😀cdefg" }; // 9 code points

  test("no spans: one run with the whole text", () => {
    const runs = spanRuns(segment, []);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].text, segment.text);
    assert.deepEqual(runs[0].spans, []);
  });

  test("cuts at code-point boundaries, never inside a surrogate pair", () => {
    const span = { start: 102, end: 104 }; // "😀c"
    const runs = spanRuns(segment, [span]);
    assert.deepEqual(
      runs.map((r) => [r.text, r.spans.length]),
      [
        ["ab", 0],
        ["😀c", 1],
        ["defg", 0],
      ],
    );
  });

  test("overlapping spans cover the shared run twice", () => {
    const a = { start: 100, end: 104 };
    const b = { start: 103, end: 106 };
    const runs = spanRuns(segment, [a, b]);
    assert.deepEqual(
      runs.map((r) => [r.text, r.spans.length]),
      [
        ["ab😀", 1],
        ["c", 2],
        ["de", 1],
        ["fg", 0],
      ],
    );
    assert.equal(runs.map((r) => r.text).join(""), segment.text);
  });

  test("spans outside the segment are clipped or ignored", () => {
    const runs = spanRuns(segment, [{ start: 50, end: 101 }, { start: 200, end: 210 }]);
    assert.deepEqual(
      runs.map((r) => [r.text, r.spans.length]),
      [
        ["a", 1],
        ["b😀cdefg", 0],
      ],
    );
  });
});
