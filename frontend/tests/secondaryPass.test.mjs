import assert from "node:assert/strict";
import { test } from "node:test";

import { secondaryPassBody } from "../static/frontend/domain/explore.js";

test("a secondary pass is asked for with the passages view's query, its name and who joins", () => {
  const query = { all: [7], any: [], none: [9], page: 3, source: "final_else_coders", attribute: "4:diversion", subcodes: false };
  assert.deepEqual(secondaryPassBody(query, { name: "  Themes in harm  ", members: ["3", 5] }), {
    code: "7",
    none: "9",
    subcodes: "false",
    source: "final_else_coders",
    attribute: ["4:diversion"],
    name: "Themes in harm",
    members: [3, 5],
  });
  assert.deepEqual(secondaryPassBody({ all: [7], page: 1 }), { code: "7", name: "", members: [] });
});
