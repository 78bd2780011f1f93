import assert from "node:assert/strict";
import { test } from "node:test";

import { contentsNotice, EXPORT_KINDS, exportKindsFor, exportParams, exportsInProgress, formatSize } from "../static/frontend/domain/exports.js";
import { ExportRepository } from "../static/frontend/repositories/exportRepository.js";
import { HttpClient } from "../static/frontend/repositories/http.js";

test("owners and adjudicators see every export; coders and viewers not the ones only analysts get", () => {
  assert.equal(exportKindsFor("owner").length, EXPORT_KINDS.length);
  assert.equal(exportKindsFor("adjudicator").length, EXPORT_KINDS.length);
  const coder = exportKindsFor("coder").map((k) => k.kind);
  assert.deepEqual(coder, ["codings", "matrix", "quotations", "qdc"]);
  assert.deepEqual(exportKindsFor("viewer").map((k) => k.kind), coder);
});

test("params carry only the kind's own options", () => {
  const form = { which: "final", segment_text: 1, source: "raw" };
  assert.deepEqual(exportParams("codings", form), { which: "final", segment_text: true });
  assert.deepEqual(exportParams("matrix", form), { source: "raw" });
  assert.deepEqual(exportParams("qdpx", form), {});
  assert.deepEqual(exportParams("codings", {}), { which: "both", segment_text: false });
  assert.deepEqual(exportParams("quotations", {}), { source: "final_else_raw" }, "per unit, never dropping silently");
  assert.throws(() => exportParams("pdf", {}), /unknown export kind/);
});

test("progress and sizes", () => {
  assert.equal(exportsInProgress([{ status: "done" }, { status: "running" }]), true);
  assert.equal(exportsInProgress([{ status: "failed" }]), false);
  assert.equal(formatSize(0), "—");
  assert.equal(formatSize(512), "512 B");
  assert.equal(formatSize(840_000), "840 kB");
  assert.equal(formatSize(12_345_678), "12.3 MB");
});

test("the repository posts kind, format and params and reads a page of jobs", async () => {
  const calls = [];
  const http = {
    get: async (path, params) => (calls.push(["GET", path, params]), { results: [{ id: 1 }] }),
    post: async (path, body) => (calls.push(["POST", path, body]), { id: 2 }),
  };
  http.firstPage = HttpClient.prototype.firstPage.bind(http);
  const repo = new ExportRepository(http);
  assert.deepEqual(await repo.recent(4), [{ id: 1 }]);
  await repo.request(4, { kind: "codings", format: "xlsx", params: { which: "final" } });
  assert.deepEqual(calls, [
    ["GET", "/projects/4/exports/", { page_size: 20 }],
    ["POST", "/projects/4/exports/", { kind: "codings", format: "xlsx", params: { which: "final" } }],
  ]);
});

test("what an export will hold: the server's sentence, a warning when coded units are left out", () => {
  const contents = { which: "final", summary: "From the final coding: … 2 coded units have no final coding yet", units_left_out: 2 };
  assert.deepEqual(contentsNotice("matrix", contents), { text: contents.summary, warning: true });
  assert.equal(contentsNotice("matrix", { ...contents, units_left_out: 0 }).warning, false);
  assert.match(contentsNotice("qdpx", null).text, /whole project/);
});
