import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { caseImportFields, csvHeader, initialColumnTypes } from "../static/frontend/domain/cases.js";

describe("case-attribute sheets", () => {
  test("the header: byte-order mark dropped, quoted names whole, only the first record", () => {
    assert.deepEqual(csvHeader('\uFEFFparticipant_id, role ,"years, in office","say ""hi"""\r\nP01,x,1,y'), [
      "participant_id",
      "role",
      "years, in office",
      'say "hi"',
    ]);
    assert.deepEqual(csvHeader('"a\nb",c\nd'), ["a\nb", "c"]);
    assert.deepEqual(csvHeader(""), []);
  });

  test("columns start as the project's attribute of that name, else text; participant_id identifies", () => {
    const attributes = [{ name: "years_in_office", type: "number" }, { name: "region", type: "choice" }];
    assert.deepEqual(initialColumnTypes(["participant_id", "region", "years_in_office", "notes"], attributes), {
      idColumn: "participant_id",
      types: { region: "choice", years_in_office: "number", notes: "text" },
    });
    assert.equal(initialColumnTypes(["case", "region"], attributes).idColumn, "case");
  });

  test("the request leaves out the id column and ignored columns, and needs one attribute", () => {
    const { fields, error } = caseImportFields({
      idColumn: "participant_id",
      types: { region: "choice", notes: "ignore", participant_id: "text" },
      dateFormat: "",
    });
    assert.equal(error, null);
    assert.deepEqual(fields, { column_types: '{"region":"choice"}', id_column: "participant_id", date_format: "%Y-%m-%d" });
    assert.match(caseImportFields({ idColumn: "p", types: { notes: "ignore" } }).error, /at least one/);
    assert.match(caseImportFields({ idColumn: "", types: { a: "text" } }).error, /identifies/);
  });
});

describe("the cases table", async () => {
  const { compareValues, filterChoices, visibleCases } = await import("../static/frontend/domain/cases.js");
  const rows = [
    { identifier: "P10", description: "", transcripts: 1, attributes: { role: "Policy staff", years: 2, since: "2019-03-01" } },
    { identifier: "P2", description: "Rural county", transcripts: 2, attributes: { role: "Elected prosecutor", years: 11, since: "2012-01-01" } },
    { identifier: "P1", description: "", transcripts: 1, attributes: { role: "Elected prosecutor", since: "2020-11-01" } },
  ];
  const ids = (list) => list.map((r) => r.identifier);

  test("ids sort as people count (P2 before P10); numbers and dates by value; empty values last both ways", () => {
    assert.deepEqual(ids(visibleCases([...rows])), ["P1", "P2", "P10"]);
    assert.deepEqual(ids(visibleCases([...rows], { sort: { column: "years", direction: 1 } })), ["P10", "P2", "P1"]);
    assert.deepEqual(ids(visibleCases([...rows], { sort: { column: "years", direction: -1 } })), ["P2", "P10", "P1"]);
    assert.deepEqual(ids(visibleCases([...rows], { sort: { column: "since", direction: -1 } })), ["P1", "P10", "P2"]);
    assert.equal(compareValues(null, 3, -1), 1);
  });

  test("filters by attribute value and by text in the id or description", () => {
    assert.deepEqual(ids(visibleCases([...rows], { filters: { role: "Elected prosecutor" } })), ["P1", "P2"]);
    assert.deepEqual(ids(visibleCases([...rows], { text: "rural" })), ["P2"]);
    assert.deepEqual(ids(visibleCases([...rows], { filters: { role: "" } })), ["P1", "P2", "P10"]);
  });

  test("choice and short text attributes offer their values to filter by", () => {
    const attributes = [{ name: "role", type: "choice" }, { name: "years", type: "number" }];
    assert.deepEqual(filterChoices(rows, attributes), { role: ["Elected prosecutor", "Policy staff"] });
  });
});
