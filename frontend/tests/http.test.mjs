import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ApiError } from "../static/frontend/domain/errors.js";
import { createRepositories } from "../static/frontend/repositories/index.js";
import { HttpClient, queryString, readCookie } from "../static/frontend/repositories/http.js";

/** A fetch that answers from a list of `[status, body]` and records the calls. */
function fakeFetch(responses) {
  const calls = [];
  const fn = async (url, init) => {
    calls.push({ url, ...init, body: init.body === undefined ? undefined : JSON.parse(init.body) });
    const next = responses.shift();
    if (next instanceof Error) throw next;
    const [status, body] = next;
    return {
      status,
      ok: status >= 200 && status < 300,
      text: async () => (body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body)),
    };
  };
  fn.calls = calls;
  return fn;
}

const client = (responses, cookies = "csrftoken=abc123; sessionid=zzz") => {
  const fetchFn = fakeFetch(responses);
  return { http: new HttpClient({ fetchFn, getCookies: () => cookies }), fetchFn };
};

describe("cookies and query strings", () => {
  test("readCookie finds the CSRF token", () => {
    assert.equal(readCookie("a=1; csrftoken=x%3Dy; b=2", "csrftoken"), "x=y");
    assert.equal(readCookie("", "csrftoken"), null);
  });

  test("queryString skips empty values", () => {
    assert.equal(queryString({ document: 3, coder: null, q: "" }), "?document=3");
    assert.equal(queryString({}), "");
  });
});

describe("HttpClient", () => {
  test("GETs under /api/v1 without a CSRF header", async () => {
    const { http, fetchFn } = client([[200, { ok: true }]]);
    assert.deepEqual(await http.get("/auth/me/"), { ok: true });
    assert.equal(fetchFn.calls[0].url, "/api/v1/auth/me/");
    assert.equal(fetchFn.calls[0].method, "GET");
    assert.equal(fetchFn.calls[0].headers["X-CSRFToken"], undefined);
    assert.equal(fetchFn.calls[0].credentials, "same-origin");
  });

  test("writes send JSON and the CSRF token from the cookie", async () => {
    const { http, fetchFn } = client([[201, { id: 1 }]]);
    await http.post("/projects/1/codings/", { segment: 2, code: 3 });
    const call = fetchFn.calls[0];
    assert.equal(call.method, "POST");
    assert.equal(call.headers["X-CSRFToken"], "abc123");
    assert.equal(call.headers["Content-Type"], "application/json");
    assert.deepEqual(call.body, { segment: 2, code: 3 });
  });

  test("204 returns null", async () => {
    const { http } = client([[204, undefined]]);
    assert.equal(await http.delete("/projects/1/codings/9/"), null);
  });

  test("an API error becomes an ApiError with the API's detail", async () => {
    const { http } = client([[400, { detail: "The code 'HR9' is deactivated; it can no longer be applied." }]]);
    await assert.rejects(http.post("/projects/1/codings/", {}), (error) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 400);
      assert.equal(error.message, "The code 'HR9' is deactivated; it can no longer be applied.");
      return true;
    });
  });

  test("validation errors keep their fields", async () => {
    const { http } = client([[400, { detail: "Invalid input: name: required", fields: { name: ["required"] } }]]);
    await assert.rejects(http.post("/x/", {}), (error) => error.fields.name[0] === "required");
  });

  test("a network failure is a readable ApiError with status 0", async () => {
    const { http } = client([new TypeError("Failed to fetch")]);
    await assert.rejects(http.get("/x/"), (error) => error.status === 0 && /reach the server/.test(error.message));
  });

  test("401 calls onUnauthenticated (the UI sends people to sign in)", async () => {
    const seen = [];
    const http = new HttpClient({
      fetchFn: fakeFetch([[401, { detail: "Authentication credentials were not provided." }]]),
      getCookies: () => "",
      onUnauthenticated: (error) => seen.push(error.status),
    });
    await assert.rejects(http.get("/auth/me/"));
    assert.deepEqual(seen, [401]);
  });

  test("list() follows next links and collects every page", async () => {
    const { http, fetchFn } = client([
      [200, { count: 3, next: "http://testserver/api/v1/projects/1/cases/?page=2&page_size=500", results: [1, 2] }],
      [200, { count: 3, next: null, results: [3] }],
    ]);
    assert.deepEqual(await http.list("/projects/1/cases/"), [1, 2, 3]);
    assert.equal(fetchFn.calls[0].url, "/api/v1/projects/1/cases/?page_size=500");
    assert.equal(fetchFn.calls[1].url, "/api/v1/projects/1/cases/?page=2&page_size=500");
  });

  test("list() accepts an unpaginated array", async () => {
    const { http } = client([[200, [1, 2]]]);
    assert.deepEqual(await http.list("/x/"), [1, 2]);
  });
});

describe("repositories", () => {
  test("codings: create with and without a span, list by document, remove", async () => {
    const { http, fetchFn } = client([[201, {}], [201, {}], [200, { results: [], next: null }], [204]]);
    const repos = createRepositories(http);
    await repos.codings.create(4, { segment: 5, code: 6 });
    await repos.codings.create(4, { segment: 5, code: 6, span: { start: 10, end: 20 } });
    await repos.codings.listForDocument(4, 8);
    await repos.codings.remove(4, 99);
    assert.deepEqual(fetchFn.calls[0].body, { segment: 5, code: 6 });
    assert.deepEqual(fetchFn.calls[1].body, { segment: 5, code: 6, span_start: 10, span_end: 20 });
    assert.equal(fetchFn.calls[2].url, "/api/v1/projects/4/codings/?page_size=500&document=8");
    assert.equal(fetchFn.calls[3].url, "/api/v1/projects/4/codings/99/");
    assert.equal(fetchFn.calls[3].method, "DELETE");
  });

  test("memos, codebook and auth hit their endpoints", async () => {
    const { http, fetchFn } = client([[201, {}], [200, {}], [200, {}], [200, {}]]);
    const repos = createRepositories(http);
    await repos.memos.create(1, { text: "hm", segment: 2 });
    await repos.codebook.updateCode(1, 3, { is_active: false });
    await repos.codebook.get(1);
    await repos.auth.login("ana", "pw");
    assert.deepEqual(fetchFn.calls[0].body, { text: "hm", segment: 2, code: null, case: null });
    assert.equal(fetchFn.calls[1].url, "/api/v1/projects/1/codebook/codes/3/");
    assert.equal(fetchFn.calls[1].method, "PATCH");
    assert.equal(fetchFn.calls[2].url, "/api/v1/projects/1/codebook/");
    assert.equal(fetchFn.calls[3].url, "/api/v1/auth/login/");
  });

  test("assignments: the caller's list, the queue, done and reopen", async () => {
    const { http, fetchFn } = client([[200, { results: [], next: null }], [200, { unit: null }], [200, {}], [200, {}]]);
    const repos = createRepositories(http);
    await repos.assignments.mine(2);
    await repos.assignments.next(2);
    await repos.assignments.done(2, 40);
    await repos.assignments.reopen(2, 40);
    assert.deepEqual(
      fetchFn.calls.map((c) => `${c.method} ${c.url}`),
      [
        "GET /api/v1/projects/2/assignments/?page_size=500",
        "GET /api/v1/projects/2/queue/next/",
        "POST /api/v1/projects/2/assignments/40/done/",
        "POST /api/v1/projects/2/assignments/40/reopen/",
      ],
    );
  });
});
