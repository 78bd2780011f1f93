import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  buildCodeTree,
  codebookFileFormat,
  contrastRatio,
  filterCodes,
  flattenCodeTree,
  foldText,
  mergeTargets,
  nextApplicable,
  normaliseColour,
  parseSplitNames,
  readableTextColour,
} from "../static/frontend/domain/codebook.js";
import {
  assignmentBlock,
  assignmentIndex,
  assignmentsByDocument,
  nextAssignedDocument,
} from "../static/frontend/domain/assignments.js";
import { ApiError, errorMessage } from "../static/frontend/domain/errors.js";
import { canCode, canEditCodebook, roleLabel, seesAllCodings } from "../static/frontend/domain/roles.js";
import { route, urls } from "../static/frontend/domain/routes.js";
import {
  codingProgress,
  formatTimestamp,
  groupBySegment,
  isSpan,
  splitByCoder,
  stepCodable,
} from "../static/frontend/domain/segments.js";

const code = (id, name, extra = {}) => ({
  id,
  name,
  parent: null,
  path: name,
  position: 0,
  colour: "#004D40",
  is_active: true,
  definition: "",
  ...extra,
});

const CODES = [
  code(3, "HR2 Overdose prevention", { parent: 1, position: 1, path: "Harm reduction / HR2 Overdose prevention" }),
  code(1, "Harm reduction", { position: 0 }),
  code(2, "HR1 Harm reduction named", { parent: 1, position: 0, path: "Harm reduction / HR1 Harm reduction named" }),
  code(4, "Public health", { position: 1 }),
  code(5, "PH1 Old approach", { parent: 4, is_active: false, path: "Public health / PH1 Old approach" }),
  code(6, "Orphan", { parent: 99, position: 5 }),
];

describe("codebook tree", () => {
  test("nests children under parents in position order; orphans become roots", () => {
    const roots = buildCodeTree(CODES);
    assert.deepEqual(
      roots.map((n) => n.code.name),
      ["Harm reduction", "Public health", "Orphan"],
    );
    assert.deepEqual(
      roots[0].children.map((n) => n.code.name),
      ["HR1 Harm reduction named", "HR2 Overdose prevention"],
    );
    assert.equal(roots[0].children[0].depth, 1);
  });

  test("flattens depth first with depth and hasChildren", () => {
    const flat = flattenCodeTree(buildCodeTree(CODES));
    assert.deepEqual(
      flat.map((e) => [e.code.id, e.depth, e.hasChildren]),
      [
        [1, 0, true],
        [2, 1, false],
        [3, 1, false],
        [4, 0, true],
        [5, 1, false],
        [6, 0, false],
      ],
    );
  });
});

describe("filterCodes", () => {
  const flat = flattenCodeTree(buildCodeTree(CODES));

  test("empty query lists everything in tree order", () => {
    assert.equal(filterCodes(flat, "").length, CODES.length);
  });

  test("matches every word against name and path, accent- and case-insensitively", () => {
    assert.deepEqual(
      filterCodes(flat, "harm OVERDOSE").map((e) => e.code.id),
      [3],
    );
    assert.equal(foldText("Ibáñez"), "ibanez");
    const accented = flattenCodeTree(buildCodeTree([code(9, "Émigré")]));
    assert.equal(filterCodes(accented, "emigre").length, 1);
  });

  test("codes whose name starts with the query come first (type HR2, press Enter)", () => {
    assert.deepEqual(
      filterCodes(flat, "hr2").map((e) => e.code.id),
      [3],
    );
    assert.deepEqual(
      filterCodes(flat, "harm").map((e) => e.code.id),
      [1, 2, 3],
    );
    // "named" is inside HR1's name but HR1 does not start with it; order stays by tree.
    assert.deepEqual(
      filterCodes(flat, "reduction").map((e) => e.code.id),
      [1, 2, 3],
    );
  });

  test("inactive codes are listed unless excluded", () => {
    assert.deepEqual(
      filterCodes(flat, "ph1").map((e) => e.code.id),
      [5],
    );
    assert.deepEqual(filterCodes(flat, "ph1", { includeInactive: false }), []);
  });

  test("nextApplicable skips inactive codes in both directions", () => {
    const entries = [code(1, "a"), code(2, "b", { is_active: false }), code(3, "c")].map((c) => ({ code: c }));
    assert.equal(nextApplicable(entries, 1, 1), 2);
    assert.equal(nextApplicable(entries, 1, -1), 0);
    assert.equal(nextApplicable([{ code: code(2, "b", { is_active: false }) }], 0, 1), -1);
  });
});

describe("colours", () => {
  test("normaliseColour accepts #rgb and #rrggbb and falls back otherwise", () => {
    assert.equal(normaliseColour("#ABC"), "#aabbcc");
    assert.equal(normaliseColour("004D40"), "#004d40");
    assert.equal(normaliseColour("red; background:url(x)"), "#64748b");
    assert.equal(normaliseColour(null, "#000000"), "#000000");
  });

  test("readable text: white on dark codes, dark on light codes, always AA", () => {
    assert.equal(readableTextColour("#004D40"), "#ffffff");
    assert.equal(readableTextColour("#FFEB3B"), "#111827");
    for (const bg of ["#004D40", "#0D47A1", "#FFEB3B", "#E65100", "#9E9E9E", "#ffffff", "#000000"]) {
      assert.ok(contrastRatio(bg, readableTextColour(bg)) >= 4.5, bg);
    }
  });

  test("contrastRatio matches WCAG's black on white", () => {
    assert.equal(Math.round(contrastRatio("#000000", "#ffffff")), 21);
    assert.equal(contrastRatio("#777777", "#777777"), 1);
  });
});

describe("errors", () => {
  test("the API's detail is the message", () => {
    assert.equal(errorMessage(400, { detail: "The code 'X' is deactivated." }), "The code 'X' is deactivated.");
  });

  test("fallbacks by status, never an HTML page", () => {
    assert.match(errorMessage(403, null), /permission/);
    assert.match(errorMessage(502, "<html>Bad gateway</html>"), /server/);
    assert.match(errorMessage(418, {}), /HTTP 418/);
  });

  test("ApiError keeps status and fields", () => {
    const error = new ApiError("Nope", { status: 401, fields: { name: ["required"] } });
    assert.ok(error instanceof Error);
    assert.equal(error.isUnauthenticated, true);
    assert.deepEqual(error.fields, { name: ["required"] });
  });
});

describe("roles", () => {
  test("who codes, who edits the codebook, who sees everyone's codings", () => {
    assert.deepEqual(["owner", "adjudicator", "coder", "viewer"].map(canCode), [true, true, true, false]);
    assert.deepEqual(["owner", "adjudicator", "coder", "viewer"].map(canEditCodebook), [true, false, false, false]);
    assert.deepEqual(["owner", "adjudicator", "coder", "viewer"].map(seesAllCodings), [true, true, false, false]);
    assert.equal(roleLabel("owner"), "Owner (PI)");
    assert.equal(roleLabel("stranger"), "stranger");
  });
});

describe("routes", () => {
  test("parses every page", () => {
    assert.deepEqual(route("/projects/"), { page: "projects" });
    assert.deepEqual(route("/"), { page: "projects" });
    assert.deepEqual(route("/login/"), { page: "login" });
    assert.deepEqual(route("/projects/7/"), { page: "project", projectId: 7 });
    assert.deepEqual(route("/projects/7/documents/12/"), { page: "reader", projectId: 7, documentId: 12 });
    assert.deepEqual(route("/projects/x/"), { page: "not-found" });
  });

  test("builds URLs", () => {
    assert.equal(urls.reader(1, 2), "/projects/1/documents/2/");
    assert.equal(urls.project(1, "codebook"), "/projects/1/#codebook");
    assert.equal(urls.login("/projects/1/#codebook"), "/login/?next=%2Fprojects%2F1%2F%23codebook");
  });
});

describe("segments", () => {
  const segments = [
    { id: 10, codable: false },
    { id: 11, codable: true },
    { id: 12, codable: false },
    { id: 13, codable: true },
  ];

  test("formatTimestamp", () => {
    assert.equal(formatTimestamp(null), "");
    assert.equal(formatTimestamp(0), "0:00");
    assert.equal(formatTimestamp(723_000), "12:03");
    assert.equal(formatTimestamp(3_723_500), "1:02:03");
  });

  test("stepCodable skips context segments and stops at the ends", () => {
    assert.equal(stepCodable(segments, -1, 1), 1);
    assert.equal(stepCodable(segments, 1, 1), 3);
    assert.equal(stepCodable(segments, 3, 1), 3);
    assert.equal(stepCodable(segments, 3, -1), 1);
    assert.equal(stepCodable(segments, 1, -1), 1);
  });

  test("grouping, splitting by coder, spans and progress", () => {
    const codings = [
      { id: 1, segment: 11, coder: 7, span_start: null, span_end: null },
      { id: 2, segment: 11, coder: 8, span_start: 3, span_end: 9 },
      { id: 3, segment: 13, coder: 8, span_start: null, span_end: null },
    ];
    const grouped = groupBySegment(codings);
    assert.deepEqual(grouped.get(11).map((c) => c.id), [1, 2]);
    const { mine, others } = splitByCoder(grouped.get(11), 7);
    assert.deepEqual([mine.map((c) => c.id), others.map((c) => c.id)], [[1], [2]]);
    assert.equal(isSpan(codings[0]), false);
    assert.equal(isSpan(codings[1]), true);
    assert.deepEqual(codingProgress(segments, grouped, 7), { done: 1, total: 2 });
    assert.deepEqual(codingProgress(segments, grouped, 8), { done: 2, total: 2 });
  });
});

describe("assignments", () => {
  const mine = [
    { segment: 11, document: 1, order: 2, status: "done" },
    { segment: 13, document: 1, order: 3, status: "assigned" },
    { segment: 21, document: 2, order: 1, status: "done" },
    { segment: 22, document: 2, order: 4, status: "assigned" },
  ];

  test("index per document; unknown stays null", () => {
    const index = assignmentIndex(mine, 1);
    assert.deepEqual([...index.entries()], [[11, "done"], [13, "assigned"]]);
    assert.equal(assignmentIndex(null, 1), null);
  });

  test("coders may code only their own, unfinished units; owners anything", () => {
    const index = assignmentIndex(mine, 1);
    assert.equal(assignmentBlock("coder", index, 13), null);
    assert.match(assignmentBlock("coder", index, 12), /not assigned to you/);
    assert.match(assignmentBlock("adjudicator", index, 11), /reopen/);
    assert.equal(assignmentBlock("owner", index, 12), null);
    assert.equal(assignmentBlock("coder", null, 12), null); // unknown: the API decides
  });

  test("per-document counts and where to continue", () => {
    const byDoc = assignmentsByDocument(mine);
    assert.deepEqual(byDoc.get(1), { total: 2, done: 1, firstOpen: 13 });
    assert.deepEqual(byDoc.get(2), { total: 2, done: 1, firstOpen: 22 });
    assert.equal(nextAssignedDocument(mine), 1); // order 3 (doc 1) comes before order 4 (doc 2)
    assert.equal(nextAssignedDocument([{ segment: 1, document: 5, order: 1, status: "done" }]), null);
    assert.equal(nextAssignedDocument(null), null);
  });
});

describe("merging and splitting codes", () => {
  const codes = [
    { id: 1, name: "Harm", parent: null, position: 0, is_active: true },
    { id: 2, name: "Harm reduction", parent: 1, position: 0, is_active: true },
    { id: 3, name: "Naloxone", parent: 2, position: 0, is_active: true },
    { id: 4, name: "Diversion", parent: null, position: 1, is_active: true },
    { id: 5, name: "Old", parent: null, position: 2, is_active: false },
  ];
  const flat = flattenCodeTree(buildCodeTree(codes));

  test("a code merges into active codes outside its own subtree", () => {
    assert.deepEqual(mergeTargets(flat, codes[1]).map((e) => e.code.id), [1, 4]);
    assert.deepEqual(mergeTargets(flat, codes[0]).map((e) => e.code.id), [4]);
    assert.deepEqual(mergeTargets(flat, codes[3]).map((e) => e.code.id), [1, 2, 3]);
  });

  test("split names: one per line, trimmed, blank lines dropped, repeats and empties refused", () => {
    assert.deepEqual(parseSplitNames(" Treatment \n\n Diversion\r\n"), { names: ["Treatment", "Diversion"], error: null });
    assert.match(parseSplitNames(" \n ").error, /at least one/);
    assert.match(parseSplitNames("Naloxone\nnaloxone").error, /named twice/);
    assert.match(parseSplitNames("x".repeat(201)).error, /longer than 200/);
  });
});

test("a codebook file's format comes from its name: csv or qdc, any case, nothing else", () => {
  assert.equal(codebookFileFormat("codebook.CSV"), "csv");
  assert.equal(codebookFileFormat("from NVivo.qdc "), "qdc");
  assert.equal(codebookFileFormat("codebook.xlsx"), null);
  assert.equal(codebookFileFormat("csv"), null);
  assert.equal(codebookFileFormat(undefined), null);
});

describe("code usage in the codebook", async () => {
  const { usageText, usageSourceText } = await import("../static/frontend/domain/codebook.js");
  const row = { codings: 3, cases: 2, codings_with_children: 24, cases_with_children: 11 };

  test("a code: its codings and the cases it occurs in, of all cases", () => {
    assert.equal(usageText(row, 16), "3 codings · 2 of 16 cases");
    assert.equal(usageText({ ...row, codings: 1, cases: 1 }, 1), "1 coding · 1 of 1 case");
  });

  test("a theme is counted with its sub-codes; unused and unknown say so", () => {
    assert.equal(usageText(row, 16, true), "24 codings · 11 of 16 cases with its sub-codes");
    assert.equal(usageText({ ...row, codings: 0 }, 16), "not used yet");
    assert.equal(usageText(null, 16), null);
    assert.equal(usageSourceText("mine"), "Counted from your own codings.");
  });
});
