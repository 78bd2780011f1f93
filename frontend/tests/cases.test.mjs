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
