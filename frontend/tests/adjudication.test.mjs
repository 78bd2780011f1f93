import assert from "node:assert/strict";
import { test } from "node:test";

import { codeMatrix, coderName, currentDecision, decisionChoices } from "../static/frontend/domain/adjudication.js";
import { AdjudicationRepository } from "../static/frontend/repositories/adjudicationRepository.js";

const UNIT = {
  coders: [
    { label: "Coder A", username: "ana", codings: [{ code_id: 1, span_start: null, span_end: null }, { code_id: 2, span_start: 5, span_end: 9, text: "harm" }] },
    { label: "Coder B", username: "ben", codings: [{ code_id: 1, span_start: null, span_end: null }] },
  ],
  disputed_codes: [2],
  codes: [
    { id: 1, name: "Naloxone", path: "Harm reduction > Naloxone" },
    { id: 2, name: "Syringes", path: "Harm reduction > Syringes" },
  ],
  decisions: [{ id: 7, is_current: false }, { id: 8, is_current: true }],
};

test("the side-by-side rows put the disputed codes first, with each coder's applications", () => {
  const rows = codeMatrix(UNIT);
  assert.deepEqual(rows.map((r) => [r.code.id, r.disputed]), [[2, true], [1, false]]);
  assert.deepEqual(rows[0].cells.map((cell) => cell.length), [1, 0]);
  assert.equal(rows[0].cells[0][0].text, "harm");
});

test("coders are named as the unit names them, or by letter only when names are hidden", () => {
  assert.equal(coderName(UNIT.coders[0]), "Coder A (ana)");
  assert.equal(coderName({ label: "Coder B", username: null }), "Coder B");
});

test("the choices are each coder's version, the union and the intersection", () => {
  const bodies = decisionChoices(UNIT).map((c) => c.body);
  assert.deepEqual(bodies, [
    { method: "accept_coder", coder: "A" },
    { method: "accept_coder", coder: "B" },
    { method: "union" },
    { method: "intersection" },
  ]);
  assert.equal(currentDecision(UNIT).id, 8);
  assert.equal(currentDecision({ decisions: [] }), null);
});

test("the repository's paths and bodies", async () => {
  const calls = [];
  const http = {
    list: async (path, params) => (calls.push(["LIST", path, params]), []),
    get: async (path) => (calls.push(["GET", path]), {}),
    post: async (path, body) => (calls.push(["POST", path, body]), {}),
  };
  const repo = new AdjudicationRepository(http);
  await repo.queue(3);
  await repo.unit(3, 40);
  await repo.decide(3, 40, { method: "union", rationale: "" });
  await repo.bulkPreview(3, "unanimous");
  assert.deepEqual(calls, [
    ["LIST", "/projects/3/adjudication/queue/", { kind: "disagreement", status: "open" }],
    ["GET", "/projects/3/adjudication/units/40/"],
    ["POST", "/projects/3/adjudication/units/40/decide", { method: "union", rationale: "" }],
    ["POST", "/projects/3/adjudication/bulk/preview", { kind: "unanimous", m: null }],
  ]);
});

test("queue items and units read by transcript, case and the reader's ¶ number", async () => {
  const { queueItemTitle, unitTitle, needsRationale } = await import("../static/frontend/domain/adjudication.js");
  assert.equal(
    queueItemTitle({ order: 40, where: { document_title: "Interview P07", case: "P07", segment_number: 12 } }),
    "¶12 · Interview P07 (P07)",
  );
  assert.equal(queueItemTitle({ order: 40 }), "Unit 40");
  assert.equal(unitTitle({ document_title: "Interview P07", case: "P07", segment_number: 12, speaker: "P07" }), "Interview P07 (P07), ¶12 · P07");
  const unit = { rationale_required: { accept_coder: false, union: true, intersection: false } };
  assert.equal(needsRationale(unit, { method: "union" }), true);
  assert.equal(needsRationale(unit, { method: "accept_coder", coder: "A" }), false);
  assert.equal(needsRationale({}, { method: "union" }), false);
});
