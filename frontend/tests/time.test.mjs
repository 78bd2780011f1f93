import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { exactTime, parseTime, relativeTime } from "../static/frontend/domain/time.js";

const NOW = new Date(2026, 2, 12, 15, 30, 0); // Thursday 12 March 2026, 15:30 local time
const at = (...parts) => new Date(...parts).toISOString();

describe("relativeTime", () => {
  test("recent times count minutes, then hours today", () => {
    assert.equal(relativeTime(at(2026, 2, 12, 15, 29, 45), NOW, "en-GB"), "just now");
    assert.equal(relativeTime(at(2026, 2, 12, 15, 25, 0), NOW, "en-GB"), "5 min ago");
    assert.equal(relativeTime(at(2026, 2, 12, 13, 10, 0), NOW, "en-GB"), "2 h ago");
  });

  test("earlier days give the time of day, so two events of one day can be told apart", () => {
    assert.equal(relativeTime(at(2026, 2, 11, 14, 5, 0), NOW, "en-GB"), "yesterday at 14:05");
    assert.match(relativeTime(at(2026, 2, 9, 9, 12, 0), NOW, "en-GB"), /^Mon at 09:12$/);
    assert.equal(relativeTime(at(2026, 0, 20, 8, 0, 0), NOW, "en-GB"), "20 Jan, 08:00");
    assert.equal(relativeTime(at(2025, 11, 31, 23, 59, 0), NOW, "en-GB"), "31 Dec 2025, 23:59");
  });

  test("a time slightly ahead of the clock is 'just now'; nothing is a dash", () => {
    assert.equal(relativeTime(at(2026, 2, 12, 15, 30, 20), NOW, "en-GB"), "just now");
    assert.equal(relativeTime(null, NOW), "—");
    assert.equal(relativeTime("not a time", NOW), "—");
  });
});

describe("exactTime and parseTime", () => {
  test("the exact time has the date, the time to the second and the zone", () => {
    const text = exactTime(at(2026, 2, 12, 9, 30, 12), "en-GB");
    assert.match(text, /12 Mar 2026/);
    assert.match(text, /09:30:12/);
  });

  test("plain dates are local midnight; junk is null", () => {
    assert.equal(parseTime("2026-03-12").getHours(), 0);
    assert.equal(parseTime(""), null);
    assert.equal(parseTime("2026-13-45x"), null);
  });
});
