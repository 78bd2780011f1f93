import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { ApiError } from "../static/frontend/domain/errors.js";
import { AuthService, safeNext } from "../static/frontend/services/authService.js";
import { CodingSession } from "../static/frontend/services/codingService.js";
import { byAnalysisOrder, cleanCodeFields, ProjectService } from "../static/frontend/services/projectService.js";

const CODES = [
  { id: 1, parent: null, name: "Harm reduction", path: "Harm reduction", position: 0, colour: "#004D40", is_active: true },
  { id: 2, parent: 1, name: "HR1 Named", path: "Harm reduction / HR1 Named", position: 0, colour: "#00796B", is_active: true },
  { id: 3, parent: 1, name: "HR9 Retired", path: "Harm reduction / HR9 Retired", position: 1, colour: "#999999", is_active: false },
];
const SEGMENTS = [
  { id: 20, position: 1, speaker: "P01", start: 30, end: 60, codable: true, text: "Second answer" },
  { id: 10, position: 0, speaker: "Interviewer", start: 0, end: 25, codable: false, text: "A question?" },
  { id: 30, position: 2, speaker: "P01", start: 61, end: 90, codable: true, text: "Third 😀 answer" },
];

/** In-memory repositories with the API's behaviour for codings and memos. */
function fakeRepos({ role = "coder", userId = 7, codings = [], assignments = null } = {}) {
  let nextId = 100;
  const calls = [];
  const state = { codings: [...codings], memos: [] };
  return {
    calls,
    state,
    auth: { me: async () => ({ id: userId, username: "ana" }), login: async (u) => ({ username: u }) },
    projects: {
      get: async (id) => ({ id, name: "Demo", role }),
      list: async () => [{ id: 1 }],
      members: async () => [
        { id: 1, username: "zed", role: "coder" },
        { id: 2, username: "pi", role: "owner" },
        { id: 3, username: "amy", role: "coder" },
      ],
    },
    documents: {
      get: async (p, id) => ({ id, title: "Interview P01", text: "" }),
      segments: async () => SEGMENTS,
      list: async () => [
        { id: 6, title: "B", analysis_order: 2 },
        { id: 5, title: "A", analysis_order: 1 },
        { id: 9, title: "C", analysis_order: 3 },
      ],
    },
    cases: { list: async () => [{ identifier: "P02" }, { identifier: "P01" }], attributes: async () => [] },
    codebook: {
      get: async () => ({ id: 1, name: "CB", version: 3, codes: CODES }),
      createCode: async (p, fields) => {
        calls.push(["createCode", p, fields]);
        return { id: 50, ...fields };
      },
      updateCode: async (p, id, fields) => {
        calls.push(["updateCode", p, id, fields]);
        return { id, ...fields };
      },
      mergeCode: async (p, id, fields) => {
        calls.push(["mergeCode", p, id, fields]);
        return { id: fields.target, name: "Target" };
      },
      splitCode: async (p, id, fields) => {
        calls.push(["splitCode", p, id, fields]);
        return fields.new_codes.map((c, i) => ({ id: 100 + i, ...c }));
      },
    },
    codings: {
      listForDocument: async () => state.codings,
      create: async (p, { segment, code, span }) => {
        calls.push(["createCoding", p, segment, code, span]);
        const same = state.codings.find(
          (c) => c.segment === segment && c.code === code && c.coder === userId && (c.span_start ?? null) === (span?.start ?? null),
        );
        if (same) return same;
        const coding = { id: nextId++, segment, code, coder: userId, coder_username: "ana", span_start: span?.start ?? null, span_end: span?.end ?? null };
        state.codings.push(coding);
        return coding;
      },
      remove: async (p, id) => {
        calls.push(["removeCoding", p, id]);
        state.codings = state.codings.filter((c) => c.id !== id);
        return null;
      },
    },
    assignments:
      assignments === null
        ? undefined
        : {
            mine: async () => {
              if (assignments instanceof Error) throw assignments;
              return assignments;
            },
            // The queue: the first unit not done, in order (a document plan).
            next: async () => {
              calls.push(["next"]);
              const open = [...assignments].sort((a, b) => a.order - b.order).find((a) => a.status !== "done");
              const progress = { assigned: assignments.length, done: assignments.filter((a) => a.status === "done").length };
              return { unit: open ? { segment: { id: open.segment }, document: { id: open.document }, assignment: { status: open.status } } : null, progress };
            },
            done: async (p, segment) => {
              calls.push(["done", segment]);
              assignments.find((a) => a.segment === segment).status = "done";
              return { segment, status: "done" };
            },
            reopen: async (p, segment) => {
              calls.push(["reopen", segment]);
              assignments.find((a) => a.segment === segment).status = "assigned";
              return { segment, status: "assigned" };
            },
          },
    memos: {
      listForSegment: async (p, segment) => state.memos.filter((m) => m.segment === segment),
      create: async (p, { text, segment }) => {
        const memo = { id: nextId++, text, segment, author: userId, author_username: "ana" };
        state.memos.push(memo);
        return memo;
      },
      remove: async (p, id) => {
        state.memos = state.memos.filter((m) => m.id !== id);
        return null;
      },
    },
  };
}

describe("AuthService", () => {
  test("refuses an empty form before calling the API", async () => {
    const service = new AuthService(fakeRepos());
    await assert.rejects(service.login("  ", "x"), /username and password/);
    assert.equal(await service.login(" ana ", "pw"), "/projects/");
  });

  test("login goes where the server says, and only to a path on this site", async () => {
    const asked = [];
    const repos = { auth: { login: async (_u, _p, next) => (asked.push(next), { next }) } };
    const service = new AuthService(repos);
    assert.equal(await service.login("ana", "pw", "?next=/projects/3/"), "/projects/3/");
    assert.equal(await service.login("ana", "pw", "?next=/%09/evil.example/"), "/projects/");
    assert.deepEqual(asked, ["/projects/3/", "/\t/evil.example/"]);
  });

  test("safeNext only allows same-site paths", () => {
    assert.equal(safeNext("?next=/projects/1/"), "/projects/1/");
    assert.equal(safeNext("?next=//evil.example/"), "/projects/");
    assert.equal(safeNext("?next=https://evil.example/"), "/projects/");
    assert.equal(safeNext("?next=/\\evil.example"), "/projects/");
    assert.equal(safeNext("?next=/login/"), "/projects/");
    assert.equal(safeNext("?next=/%09/evil.example/"), "/projects/");
    assert.equal(safeNext("?next=/%0a/evil.example/"), "/projects/");
    assert.equal(safeNext(""), "/projects/");
  });
});

describe("ProjectService", () => {
  test("overview: documents in analysis order, members by role, codebook as a tree", async () => {
    const overview = await new ProjectService(fakeRepos()).loadOverview(1);
    assert.deepEqual(overview.documents.map((d) => d.id), [5, 6, 9]);
    assert.deepEqual(overview.cases.map((c) => c.identifier), ["P01", "P02"]);
    assert.deepEqual(overview.members.map((m) => m.username), ["pi", "amy", "zed"]);
    assert.equal(overview.codebook.tree.length, 1);
    assert.deepEqual(overview.codebook.flat.map((e) => e.code.id), [1, 2, 3]);
  });

  test("byAnalysisOrder puts documents without an order last", () => {
    const docs = [{ id: 1, title: "x", analysis_order: null }, { id: 2, title: "y", analysis_order: 4 }];
    assert.deepEqual(docs.sort(byAnalysisOrder).map((d) => d.id), [2, 1]);
  });

  test("code writes are cleaned: trimmed, parent as a number or null, unknown keys dropped", async () => {
    assert.deepEqual(cleanCodeFields({ name: "  X ", parent: "", evil: 1, is_active: false }), {
      name: "X",
      parent: null,
      is_active: false,
    });
    const repos = fakeRepos();
    await new ProjectService(repos).updateCode(1, 2, { parent: "4", rationale: " why " });
    assert.deepEqual(repos.calls[0], ["updateCode", 1, 2, { parent: 4, rationale: "why" }]);
  });

  test("merge and split send what the API takes: a numeric target, the new codes by name, trimmed rationale", async () => {
    const repos = fakeRepos();
    const service = new ProjectService(repos);
    await service.mergeCode(1, 2, { target: "7", rationale: " same idea " });
    await service.splitCode(1, 2, { names: ["Treatment", "Diversion"], rationale: " finer ", deactivateOriginal: 1 });
    assert.deepEqual(repos.calls, [
      ["mergeCode", 1, 2, { target: 7, rationale: "same idea" }],
      [
        "splitCode",
        1,
        2,
        { new_codes: [{ name: "Treatment" }, { name: "Diversion" }], rationale: "finer", deactivate_original: true },
      ],
    ]);
  });
});

describe("CodingSession", () => {
  let repos;
  let session;
  let events;

  beforeEach(async () => {
    repos = fakeRepos({ codings: [{ id: 1, segment: 30, code: 2, coder: 8, coder_username: "ben", span_start: null, span_end: null }] });
    session = new CodingSession(repos, { projectId: "1", documentId: "5" });
    events = [];
    session.onChange((what) => events.push(what));
    await session.load();
  });

  test("loads segments in order and selects the first codable one", () => {
    assert.deepEqual(session.segments.map((s) => s.id), [10, 20, 30]);
    assert.equal(session.currentSegment.id, 20);
    assert.equal(session.codebookVersion, 3);
    assert.deepEqual(events, ["loaded"]);
    assert.deepEqual(session.neighbours, { previous: null, next: { id: 6, title: "B", analysis_order: 2 } });
  });

  test("step moves between codable segments only", () => {
    session.step(1);
    assert.equal(session.currentSegment.id, 30);
    session.step(1);
    assert.equal(session.currentSegment.id, 30);
    session.step(-1);
    assert.equal(session.currentSegment.id, 20);
    session.step(-1);
    assert.equal(session.currentSegment.id, 20); // the interviewer's turn is skipped
  });

  test("apply adds the caller's coding once (idempotent) and emits", async () => {
    await session.apply(20, 2);
    await session.apply(20, 2);
    assert.equal(session.codingsSplit(20).mine.length, 1);
    assert.ok(events.includes("codings"));
  });

  test("toggle applies, then removes the same whole-segment code", async () => {
    assert.equal((await session.toggle(20, 2)).action, "applied");
    assert.ok(session.mySegmentCoding(20, 2));
    assert.equal((await session.toggle(20, 2)).action, "removed");
    assert.equal(session.mySegmentCoding(20, 2), undefined);
    assert.deepEqual(repos.calls.map((c) => c[0]), ["createCoding", "removeCoding"]);
  });

  test("a span coding carries code-point offsets and never toggles off", async () => {
    const result = await session.toggle(30, 2, { start: 67, end: 68 });
    assert.equal(result.action, "applied");
    assert.deepEqual(repos.calls[0], ["createCoding", 1, 30, 2, { start: 67, end: 68 }]);
    assert.equal(session.codingsSplit(30).mine[0].span_start, 67);
  });

  test("inactive codes cannot be applied, and nothing is sent", async () => {
    await assert.rejects(session.apply(20, 3), (error) => error instanceof ApiError && /inactive/.test(error.message));
    assert.equal(repos.calls.length, 0);
  });

  test("context segments (interviewer turns) cannot be coded", async () => {
    await assert.rejects(session.apply(10, 2), /context/);
  });

  test("other coders' codings are visible but not removable", async () => {
    const { mine, others } = session.codingsSplit(30);
    assert.deepEqual([mine.length, others.length], [0, 1]);
    await assert.rejects(session.remove(1), /your own/);
  });

  test("memos: load, add (trimmed, non-empty), delete", async () => {
    assert.equal(session.memosFor(20), null);
    assert.deepEqual(await session.loadMemos(20), []);
    await assert.rejects(session.addMemo(20, "   "), /empty/);
    const memo = await session.addMemo(20, "  Echoes P03 on diversion. ");
    assert.equal(memo.text, "Echoes P03 on diversion.");
    assert.equal(session.memosFor(20).length, 1);
    await session.deleteMemo(20, memo.id);
    assert.equal(session.memosFor(20).length, 0);
  });
});

describe("CodingSession for a viewer", () => {
  test("cannot code or write memos", async () => {
    const session = new CodingSession(fakeRepos({ role: "viewer" }), { projectId: 1, documentId: 5 });
    await session.load();
    assert.equal(session.canCode, false);
    await assert.rejects(session.apply(20, 2), /does not allow/);
    await assert.rejects(session.addMemo(20, "x"), /does not allow/);
  });
});

describe("CodingSession with assignments", () => {
  const units = [
    { segment: 20, document: 5, order: 1, status: "done" },
    { segment: 30, document: 5, order: 2, status: "assigned" },
    { segment: 99, document: 6, order: 3, status: "assigned" },
  ];

  test("starts at the first unfinished unit and blocks segments that are not the coder's", async () => {
    const repos = fakeRepos({ assignments: units });
    const session = new CodingSession(repos, { projectId: 1, documentId: 5 });
    await session.load();
    assert.equal(session.currentSegment.id, 30);
    assert.equal(session.hasAssignments, true);
    assert.equal(session.blockedReason(30), null);
    assert.match(session.blockedReason(20), /reopen/);
    await assert.rejects(session.apply(20, 2), /reopen/);
    await session.apply(30, 2);
    assert.equal(repos.calls.length, 1);
  });

  test("a coder without units in this document is told so, before any request", async () => {
    const repos = fakeRepos({ assignments: [{ segment: 99, document: 6, order: 1, status: "assigned" }] });
    const session = new CodingSession(repos, { projectId: 1, documentId: 5 });
    await session.load();
    assert.equal(session.hasAssignments, false);
    await assert.rejects(session.apply(20, 2), /not assigned to you/);
    assert.equal(repos.calls.length, 0);
  });

  test("owners code outside the plan; an unreadable plan leaves the decision to the API", async () => {
    const owner = new CodingSession(fakeRepos({ role: "owner", assignments: [] }), { projectId: 1, documentId: 5 });
    await owner.load();
    assert.equal(owner.assignments, null);
    await owner.apply(20, 2);

    const coder = new CodingSession(fakeRepos({ assignments: new Error("403") }), { projectId: 1, documentId: 5 });
    await coder.load();
    assert.equal(coder.assignments, null);
    assert.equal(coder.blockedReason(20), null);
  });
});

describe("ProjectService with assignments", () => {
  test("the overview says where the coder continues and counts their units per transcript", async () => {
    const overview = await new ProjectService(
      fakeRepos({
        assignments: [
          { segment: 1, document: 5, order: 1, status: "done" },
          { segment: 2, document: 6, order: 2, status: "assigned" },
        ],
      }),
    ).loadOverview(1);
    assert.equal(overview.continueDocument, 6);
    assert.deepEqual(overview.assignments.get(5), { total: 1, done: 1, firstOpen: null });
  });

  test("no plan, or not allowed to list: no assignment column", async () => {
    const none = await new ProjectService(fakeRepos({ assignments: [] })).loadOverview(1);
    assert.equal(none.assignments, null);
    const denied = await new ProjectService(fakeRepos({ assignments: new Error("403") })).loadOverview(1);
    assert.equal(denied.assignments, null);
  });
});

describe("CodingSession: submitting units and moving through the queue", () => {
  const fresh = () => [
    { segment: 20, document: 5, order: 1, status: "assigned" },
    { segment: 30, document: 5, order: 2, status: "assigned" },
    { segment: 99, document: 6, order: 3, status: "assigned" },
  ];

  test("submit marks the unit done; the queue's next unit in this transcript is selected", async () => {
    const repos = fakeRepos({ assignments: fresh() });
    const session = new CodingSession(repos, { projectId: 1, documentId: 5 });
    await session.load();
    assert.equal(session.currentSegment.id, 20);
    await session.submit(20);
    assert.equal(session.unitStatus(20), "done");
    assert.deepEqual(session.documentUnits, { total: 2, done: 1 });
    assert.deepEqual(session.totals, { assigned: 3, done: 1 });
    const next = await session.nextUnit();
    assert.equal(next.url, null);
    assert.equal(session.currentSegment.id, 30);
    await assert.rejects(session.submit(20), /already submitted/);
  });

  test("the next unit in another transcript is a URL to open; none left is null", async () => {
    const units = fresh();
    units[0].status = "done";
    units[1].status = "done";
    const repos = fakeRepos({ assignments: units });
    const session = new CodingSession(repos, { projectId: 1, documentId: 5 });
    await session.load();
    assert.deepEqual(await session.nextUnit().then((n) => n.url), "/projects/1/documents/6/?segment=99");
    units[2].status = "done";
    assert.equal(await session.nextUnit(), null);
  });

  test("the page opens at the unit it was sent to; reopen gives a submitted unit back", async () => {
    const units = fresh();
    units[1].status = "done";
    const repos = fakeRepos({ assignments: units });
    const session = new CodingSession(repos, { projectId: 1, documentId: 5, segmentId: "30" });
    await session.load();
    assert.equal(session.currentSegment.id, 30);
    await session.reopen(30);
    assert.equal(session.unitStatus(30), "assigned");
    assert.deepEqual(repos.calls.at(-1), ["reopen", 30]);
    await assert.rejects(session.submit(10), /not assigned to you/);
  });

  test("a span from the keyboard grows by words and is the target of the next code", async () => {
    const repos = fakeRepos({ assignments: fresh() });
    const session = new CodingSession(repos, { projectId: 1, documentId: 5, segmentId: 30 });
    await session.load();
    assert.equal(session.target.span, null);
    assert.equal(session.moveSpan("end", 1, "word"), true);
    assert.equal(session.target.span.text, "Third");
    session.moveSpan("end", 1, "word");
    assert.equal(session.target.span.text, "Third 😀 answer");
    const { coding } = await session.applyToTarget(2);
    assert.deepEqual([coding.span_start, coding.span_end], [61, 75]);
    session.step(-1);
    assert.equal(session.target.span, null, "a span belongs to its segment");
  });
});

describe("TranscriptService.saveTranscript", async () => {
  const { TranscriptService } = await import("../static/frontend/services/transcriptService.js");
  const recorder = () => {
    const calls = [];
    return {
      calls,
      repos: {
        documents: {
          setInterviewers: async (p, id, names) => calls.push(["setInterviewers", id, names]),
          update: async (p, id, fields) => (calls.push(["update", id, fields]), { id, ...fields }),
        },
        cases: { create: async (p, { identifier }) => (calls.push(["createCase", identifier]), { id: 77, identifier }) },
      },
    };
  };

  test("who interviewed goes first (it may be refused); a new case identifier makes the case", async () => {
    const { calls, repos } = recorder();
    await new TranscriptService(repos).saveTranscript(
      1,
      { id: 5 },
      { title: "Interview P20", caseIdentifier: "P20", interviewDate: "2022-04-03", analysisOrder: "4", interviewers: new Set(["Sarah"]) },
      [{ id: 3, identifier: "P03" }],
    );
    assert.deepEqual(calls, [
      ["setInterviewers", 5, ["Sarah"]],
      ["createCase", "P20"],
      ["update", 5, { title: "Interview P20", case: 77, interview_date: "2022-04-03", analysis_order: 4 }],
    ]);
  });

  test("unchanged speakers are not sent; an existing case is reused; no date is null", async () => {
    const { calls, repos } = recorder();
    await new TranscriptService(repos).saveTranscript(1, { id: 5 }, { title: "T", caseIdentifier: "P03", interviewDate: "", analysisOrder: "", interviewers: null }, [{ id: 3, identifier: "P03" }]);
    assert.deepEqual(calls, [["update", 5, { title: "T", case: 3, interview_date: null }]]);
  });
});
