import assert from "node:assert/strict";
import { test } from "node:test";

import { importRunning, importSummary, projectImportSummary } from "../static/frontend/domain/imports.js";
import { HttpClient } from "../static/frontend/repositories/http.js";
import { DocumentRepository } from "../static/frontend/repositories/documentRepository.js";

test("an import's summary names only what happened", () => {
  assert.equal(importSummary({ files_imported: 3, files_duplicate: 0, files_failed: 0 }), "3 imported");
  assert.equal(
    importSummary({ files_imported: 1, files_duplicate: 2, files_failed: 1 }),
    "1 imported, 2 already in the project, 1 failed",
  );
  assert.equal(importRunning({ status: "running" }), true);
  assert.equal(importRunning({ status: "done" }), false);
});

test("files go up as multipart form data with the CSRF header and the options as JSON", async () => {
  let sent;
  const http = new HttpClient({
    fetchFn: async (url, init) => {
      sent = { url, init };
      return new Response(JSON.stringify({ id: 5, status: "pending" }), { status: 202 });
    },
    getCookies: () => "csrftoken=abc",
  });
  const job = await new DocumentRepository(http).startImport(
    9,
    [new File(["P01: hello"], "P01_interview.txt", { type: "text/plain" })],
    { segmentation: "paragraph" },
  );
  assert.equal(job.id, 5);
  assert.equal(sent.url, "/api/v1/projects/9/imports/");
  assert.equal(sent.init.method, "POST");
  assert.equal(sent.init.headers["X-CSRFToken"], "abc");
  assert.equal(sent.init.headers["Content-Type"], undefined); // the browser adds multipart + boundary
  assert.ok(sent.init.body instanceof FormData);
  assert.equal(sent.init.body.get("files").name, "P01_interview.txt");
  assert.deepEqual(JSON.parse(sent.init.body.get("options")), { segmentation: "paragraph" });
});

test("a .qdpx import's summary counts what came in, and says coders are placeholders", () => {
  assert.equal(
    projectImportSummary({ documents: 1, codes: 3, codings: 0, memos: 2, users: 2 }),
    "1 transcript, 3 codes, 0 codings, 2 memos, 2 coders (as inactive placeholder accounts)",
  );
  assert.equal(projectImportSummary({ documents: 2, codes: 1, codings: 1, memos: 1 }), "2 transcripts, 1 code, 1 coding, 1 memo");
});

test("before an import: speakers across files, the interviewers' turns as context, each file's details", async () => {
  const { importRequest, previewSpeakers, turnCounts } = await import("../static/frontend/domain/imports.js");
  const files = [
    { filename: "S01.txt", status: "new", segments: [
      { speaker: "Interviewer", codable: false }, { speaker: "S01", codable: true }, { speaker: "Interviewer", codable: false }, { speaker: "S01", codable: true },
    ] },
    { filename: "sarah.txt", status: "new", segments: [{ speaker: "Sarah", codable: true }, { speaker: "P09", codable: true }, { speaker: "", codable: true }] },
    { filename: "bad.pdf", status: "failed", segments: [] },
  ];
  const speakers = previewSpeakers(files);
  assert.deepEqual(speakers.map((s) => [s.speaker, s.turns, s.files, s.interviewer]), [
    ["Interviewer", 2, 1, true],
    ["S01", 2, 1, false],
    ["Sarah", 1, 1, false],
    ["P09", 1, 1, false],
  ]);
  const interviewers = new Set(["Interviewer", "Sarah"]);
  assert.deepEqual(turnCounts(files[1], interviewers), { turns: 3, codable: 2 });
  const request = importRequest({
    segmentation: "turn",
    interviewers,
    rows: [{ filename: "S01.txt", title: " Interview S01 ", case: "S01", interview_date: "2022-03-14" }],
  });
  assert.deepEqual(request.options, { segmentation: "turn", exclude_interviewer: true, interviewer_labels: [], interviewer_speakers: ["Interviewer", "Sarah"] });
  assert.deepEqual(request.details, { "S01.txt": { title: "Interview S01", case: "S01", interview_date: "2022-03-14" } });
  assert.match(importRequest({ segmentation: "turn", interviewers, rows: [{ filename: "x.txt", title: "", case: "X" }] }).error, /title/);
  assert.match(importRequest({ segmentation: "turn", interviewers, rows: [{ filename: "x.txt", title: "T", case: " " }] }).error, /case/);
});
