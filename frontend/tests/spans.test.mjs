import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { sliceCodePoints } from "../static/frontend/domain/codepoints.js";
import { firstWordSpan, moveSpanEdge, textUnits } from "../static/frontend/domain/spans.js";

const TEXT = "We don't prosecute possession. That's harm reduction, plainly! Treatment is voluntary.";
const cut = (text, span) => sliceCodePoints(text, span.start, span.end);

describe("textUnits", () => {
  test("words are word-like pieces: an apostrophe stays inside, punctuation and spaces are left out", () => {
    const words = textUnits(TEXT, "word").map((u) => cut(TEXT, u));
    assert.deepEqual(words.slice(0, 5), ["We", "don't", "prosecute", "possession", "That's"]);
  });

  test("sentences are trimmed of the space between them", () => {
    const sentences = textUnits(TEXT, "sentence").map((u) => cut(TEXT, u));
    assert.deepEqual(sentences, ["We don't prosecute possession.", "That's harm reduction, plainly!", "Treatment is voluntary."]);
  });

  test("offsets are code points: an emoji and a combining mark before a word do not shift it", () => {
    const text = "🙂 cafe\u0301 closed";
    const words = textUnits(text, "word");
    assert.deepEqual(words.map((u) => cut(text, u)), ["cafe\u0301", "closed"]);
    assert.equal(words[0].start, 2); // the emoji is one code point, then a space
  });
});

describe("moveSpanEdge", () => {
  const words = textUnits(TEXT, "word");
  const sentences = textUnits(TEXT, "sentence");

  test("the end grows and shrinks by a word, never past the text or below one word", () => {
    let span = firstWordSpan(TEXT);
    assert.equal(cut(TEXT, span), "We");
    span = moveSpanEdge(words, span, "end", 1);
    span = moveSpanEdge(words, span, "end", 1);
    assert.equal(cut(TEXT, span), "We don't prosecute");
    span = moveSpanEdge(words, span, "end", -1);
    assert.equal(cut(TEXT, span), "We don't");
    span = moveSpanEdge(words, moveSpanEdge(words, span, "end", -1), "end", -1);
    assert.equal(cut(TEXT, span), "We");
    let last = { start: words.at(-1).start, end: words.at(-1).end };
    assert.deepEqual(moveSpanEdge(words, last, "end", 1), last);
  });

  test("the end moves by a sentence, from the middle of one to its end", () => {
    let span = firstWordSpan(TEXT);
    span = moveSpanEdge(sentences, span, "end", 1);
    assert.equal(cut(TEXT, span), "We don't prosecute possession.");
    span = moveSpanEdge(sentences, span, "end", 1);
    assert.equal(cut(TEXT, span), "We don't prosecute possession. That's harm reduction, plainly!");
  });

  test("the start drops or takes in words and sentences, keeping the end", () => {
    let span = moveSpanEdge(sentences, firstWordSpan(TEXT), "end", 1);
    span = moveSpanEdge(sentences, span, "end", 1);
    span = moveSpanEdge(sentences, span, "start", 1);
    assert.equal(cut(TEXT, span), "That's harm reduction, plainly!");
    span = moveSpanEdge(words, span, "start", 1);
    assert.equal(cut(TEXT, span), "harm reduction, plainly!");
    span = moveSpanEdge(words, span, "start", -1);
    span = moveSpanEdge(words, span, "start", -1);
    assert.equal(cut(TEXT, span), "possession. That's harm reduction, plainly!");
    const one = firstWordSpan(TEXT);
    assert.deepEqual(moveSpanEdge(words, one, "start", 1), one, "a span never becomes empty");
  });

  test("a text with no words has no keyboard span", () => {
    assert.equal(firstWordSpan("… — !"), null);
  });
});
