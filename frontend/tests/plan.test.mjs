import assert from "node:assert/strict";
import { test } from "node:test";

import { planBody, plannable, previewRows } from "../static/frontend/domain/plan.js";

const form = (over = {}) => ({
  unit_type: "document",
  coders: new Map([[11, 1], [12, "2"], [13, 1]]),
  overlap: "2",
  sample_percent: "25",
  stratify_by: "role",
  seed: null,
  ...over,
});

test("the body carries coders with weights, overlap and the sample as a fraction", () => {
  assert.deepEqual(planBody(form()).body, {
    unit_type: "document",
    coders: [{ user: 11, weight: 1 }, { user: 12, weight: 2 }, { user: 13, weight: 1 }],
    overlap: 2,
    sample_fraction: 0.25,
    stratify_by: "role",
  });
  // Without a sample every unit gets `overlap` coders, and strata do not apply.
  assert.deepEqual(planBody(form({ sample_percent: "" })).body.sample_fraction, null);
  assert.equal(planBody(form({ sample_percent: "" })).body.stratify_by, "");
  // The preview's seed goes with the apply, so the plan applied is the plan previewed.
  assert.equal(planBody(form({ seed: 42 })).body.seed, 42);
});

test("what to fix, said before asking the server", () => {
  assert.match(planBody(form({ coders: new Map() })).error, /at least one coder/);
  assert.match(planBody(form({ overlap: "0" })).error, /whole number/);
  assert.match(planBody(form({ overlap: "4" })).error, /at least 4 coders/);
  assert.match(planBody(form({ sample_percent: "150" })).error, /percentage/);
});

test("coders and adjudicators can be planned; owners and viewers are not offered", () => {
  const members = [
    { user: 1, role: "owner" },
    { user: 2, role: "coder" },
    { user: 3, role: "adjudicator" },
    { user: 4, role: "viewer" },
  ];
  assert.deepEqual(plannable(members).map((m) => m.user), [2, 3]);
});

test("preview rows read both a new plan's and a re-plan's per-coder lines", () => {
  assert.deepEqual(previewRows({ per_coder: [{ username: "ana", weight: 1, segments: 40, units: 4, quota: 4 }] }), [
    { username: "ana", weight: 1, segments: 40, units: 4, quota: 4 },
  ]);
  assert.equal(previewRows({ per_coder: [{ username: "ben", weight: 1, segments: 3, quota: 5 }] })[0].units, null);
});

test("code proposals: the codebook repository's paths and bodies", async () => {
  const { CodebookRepository } = await import("../static/frontend/repositories/codebookRepository.js");
  const calls = [];
  const http = {
    list: async (path) => (calls.push(["LIST", path]), []),
    post: async (path, body) => (calls.push(["POST", path, body]), {}),
  };
  const repo = new CodebookRepository(http);
  await repo.proposals(2);
  await repo.propose(2, { name: "Coercive treatment", definition: "Treatment as a condition", segment: 40, parent: null });
  await repo.decideProposal(2, 7, { decision: "accept", target: null, note: "Yes" });
  assert.deepEqual(calls, [
    ["LIST", "/projects/2/codebook/proposals/"],
    ["POST", "/projects/2/codebook/proposals/", { name: "Coercive treatment", definition: "Treatment as a condition", segment: 40, parent: null }],
    ["POST", "/projects/2/codebook/proposals/7/decide", { decision: "accept", target: null, note: "Yes" }],
  ]);
});
