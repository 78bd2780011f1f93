import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { readerKeyAction } from "../static/frontend/domain/readerKeys.js";

const press = (key, mods = {}, options = {}) => readerKeyAction({ key, ...mods }, options);

describe("readerKeyAction", () => {
  test("reading keys move between segments, for every role", () => {
    assert.deepEqual(press("j"), { type: "step", direction: 1 });
    assert.deepEqual(press("ArrowUp", {}, { canCode: false }), { type: "step", direction: -1 });
    assert.equal(press("s", {}, { canCode: false }), null);
  });

  test("shift and arrows move the span's end by a word or a sentence; with alt, its start", () => {
    assert.deepEqual(press("ArrowRight", { shiftKey: true }), { type: "span", edge: "end", direction: 1, granularity: "word" });
    assert.deepEqual(press("ArrowUp", { shiftKey: true }), { type: "span", edge: "end", direction: -1, granularity: "sentence" });
    assert.deepEqual(press("ArrowLeft", { shiftKey: true, altKey: true }), { type: "span", edge: "start", direction: -1, granularity: "word" });
  });

  test("numbers, submit, memo, the filter and Esc", () => {
    assert.deepEqual(press("3"), { type: "shortcut", key: "3" });
    assert.equal(press("0"), null);
    assert.deepEqual(press("s"), { type: "submit" });
    assert.deepEqual(press("Enter"), { type: "pick" });
    assert.deepEqual(press("Escape"), { type: "clear-span" });
    assert.deepEqual(press("m"), { type: "memo" });
  });

  test("keys with Ctrl or Cmd stay the browser's (copy, find, reload)", () => {
    assert.equal(press("c", { ctrlKey: true }), null);
    assert.equal(press("s", { metaKey: true }), null);
    assert.equal(press("j", { altKey: true }), null);
  });
});
