import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { shortcutCodes, unitUrl, workByDocument, workTotals } from "../static/frontend/domain/work.js";

const unit = (segment, document, order, status, extra = {}) => ({
  segment,
  document,
  document_title: `Interview ${document}`,
  order,
  status,
  ...extra,
});

describe("workByDocument and workTotals", () => {
  const mine = [
    unit(12, 2, 5, "assigned"),
    unit(10, 1, 1, "done", { done_at: "2026-03-01T10:00:00Z" }),
    unit(11, 1, 2, "assigned", { last_activity_at: "2026-03-01T11:00:00Z" }),
    unit(13, 2, 6, "done"),
  ];

  test("rows follow the queue; the next unit is the first one not submitted", () => {
    const rows = workByDocument(mine);
    assert.deepEqual(
      rows.map((r) => [r.document, r.total, r.done, r.nextSegment]),
      [
        [1, 2, 1, 11],
        [2, 2, 1, 12],
      ],
    );
    assert.equal(rows[0].lastActivity, "2026-03-01T11:00:00Z");
  });

  test("a transcript whose units are all submitted has no next unit", () => {
    const rows = workByDocument([unit(10, 1, 1, "done"), unit(11, 1, 2, "done")]);
    assert.equal(rows[0].nextSegment, null);
  });

  test("totals", () => {
    assert.deepEqual(workTotals(mine), { total: 4, done: 2, remaining: 2 });
    assert.deepEqual(workTotals(null), { total: 0, done: 0, remaining: 0 });
  });

  test("a unit opens the reader at its segment", () => {
    assert.equal(unitUrl(3, { segment: { id: 44 }, document: { id: 7 } }), "/projects/3/documents/7/?segment=44");
  });
});

describe("shortcutCodes", () => {
  const entry = (id, is_active = true) => ({ code: { id, name: `C${id}`, is_active } });
  const flat = [entry(1), entry(2), entry(3, false), entry(4), entry(5)];

  test("the most used codes get the first keys, then codebook order; inactive codes get none", () => {
    const keys = shortcutCodes(flat, new Map([[5, 7], [2, 3], [3, 99]]), 3);
    assert.deepEqual(keys.map((k) => [k.key, k.code.id]), [["1", 5], ["2", 2], ["3", 1]]);
  });

  test("with no history the keys follow the codebook", () => {
    assert.deepEqual(shortcutCodes(flat).map((k) => k.code.id), [1, 2, 4, 5]);
  });
});
