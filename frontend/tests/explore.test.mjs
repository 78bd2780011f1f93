import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { attributeOptions, casesFoundText, citation, clock, heat, passageParams, searchParams, sourcesFor } from "../static/frontend/domain/explore.js";

describe("explore", () => {
  it("words the cases found", () => {
    assert.equal(casesFoundText(11, 16), "11 of 16 participants");
    assert.equal(casesFoundText(0, 1), "0 of 1 participant");
  });

  it("offers colleagues' codings only to analysts or after release", () => {
    assert.deepEqual(sourcesFor("coder", false), ["mine", "final"]);
    assert.deepEqual(sourcesFor("viewer", false), ["final"]);
    assert.equal(sourcesFor("owner", false)[0], "final_else_coders");
    assert.ok(sourcesFor("coder", true).includes("coders"));
  });

  it("builds the requests' parameters", () => {
    assert.deepEqual(searchParams({ q: "  harm ", role: "", code: "", source: "final", page: 1 }), { q: "harm" });
    assert.deepEqual(searchParams({ q: "harm", code: 4, source: "mine", page: 2 }), { q: "harm", code: 4, source: "mine", page: 2 });
    assert.deepEqual(passageParams({ all: [3, 5], none: [7], any: [], subcodes: false, case: 9 }), { code: "3,5", none: "7", subcodes: "false", case: 9 });
  });

  it("lists attribute values as filter choices", () => {
    const attributes = [{ id: 1, name: "policy", choices: ["diversion", "non-prosecution"] }, { id: 2, name: "region", choices: [] }];
    const cases = [{ attributes: { region: "South" } }, { attributes: { region: "Midwest" } }, { attributes: {} }];
    assert.deepEqual(attributeOptions(attributes, cases).map((o) => o.value), ["1:diversion", "1:non-prosecution", "2:Midwest", "2:South"]);
  });

  it("cites a passage and scales a heat map", () => {
    assert.equal(clock(3_725_000), "01:02:05");
    assert.equal(citation({ case: { identifier: "P03" }, document: { title: "Interview P03" }, segment_number: 12, start_time_ms: null }), "P03, Interview P03, ¶12");
    assert.equal(heat(5, 10), 0.5);
    assert.equal(heat(3, 0), 0);
  });
});

describe("answers that arrive out of order", () => {
  it("only the newest question's answer is current", async () => {
    const { newestOnly } = await import("../static/frontend/components/dom.js");
    const ask = newestOnly();
    const first = ask();
    const second = ask();
    assert.equal(first(), false, "an older question's answer is dropped");
    assert.equal(second(), true);
    const third = ask();
    assert.equal(second(), false);
    assert.equal(third(), true);
  });
});
