import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  agreementOverall,
  agreementPerCode,
  alphaVerdict,
  formatCoefficient,
  progressView,
  runInProgress,
} from "../static/frontend/domain/analysis.js";
import { AnalysisRepository } from "../static/frontend/repositories/analysisRepository.js";
import { AnalysisService } from "../static/frontend/services/analysisService.js";
import { HttpClient } from "../static/frontend/repositories/http.js";
import { ApiError } from "../static/frontend/domain/errors.js";

const coefficient = (value, low = null, high = null) => ({ value, reason: null, ci: low === null ? null : { low, high } });

describe("alpha verdicts (Krippendorff 2004)", () => {
  test("by the point and, above 0.8, by the interval's lower bound", () => {
    assert.equal(alphaVerdict(coefficient(0.85, 0.81, 0.9)), "reliable");
    assert.equal(alphaVerdict(coefficient(0.8)), "reliable");
    assert.equal(alphaVerdict(coefficient(0.85, 0.6, 0.95)), "uncertain");
    assert.equal(alphaVerdict(coefficient(0.7, 0.6, 0.8)), "tentative");
    assert.equal(alphaVerdict(coefficient(0.667)), "tentative");
    assert.equal(alphaVerdict(coefficient(0.666)), "unreliable");
    assert.equal(alphaVerdict({ value: null, reason: "no variation" }), "undefined");
    assert.equal(alphaVerdict(undefined), "undefined");
  });

  test("coefficients print with their interval or their reason", () => {
    assert.equal(formatCoefficient(coefficient(0.81234, 0.7, 0.9)), "0.812 [0.700, 0.900]");
    assert.equal(formatCoefficient(coefficient(0.5)), "0.500");
    assert.equal(formatCoefficient({ value: null, reason: "one coder" }), "undefined (one coder)");
    assert.equal(formatCoefficient(null), "—");
  });
});

describe("agreement results", () => {
  const result = {
    overall: { alpha_masi: coefficient(0.74, 0.65, 0.81), alpha_jaccard: coefficient(0.72, 0.63, 0.8) },
    per_code: [
      { code: "Harm reduction > Naloxone", n_applied: 12, measures: { krippendorff_alpha: { ...coefficient(0.9, 0.85, 0.95), p_below: { "0.667": 0.0 } } } },
      { code: "Coercive treatment", n_applied: 4, measures: { krippendorff_alpha: { ...coefficient(0.31, 0.1, 0.6), p_below: { "0.667": 0.97 } } } },
      { code: "Never applied", n_applied: 0, measures: { krippendorff_alpha: { value: null, reason: "no variation", ci: null } } },
    ],
  };

  test("overall: MASI first, with verdicts", () => {
    const rows = agreementOverall(result);
    assert.deepEqual(rows.map((r) => [r.key, r.verdict]), [["alpha_masi", "tentative"], ["alpha_jaccard", "tentative"]]);
  });

  test("per code: weakest first, undefined last", () => {
    const rows = agreementPerCode(result);
    assert.deepEqual(rows.map((r) => r.code), ["Coercive treatment", "Harm reduction > Naloxone", "Never applied"]);
    assert.equal(rows[0].verdict, "unreliable");
    assert.equal(rows[0].p_below, 0.97);
    assert.equal(rows[2].verdict, "undefined");
  });
});

test("progress adds percentages and totals", () => {
  const view = progressView({
    per_coder: [
      { coder_id: 1, username: "ana", assigned: 40, done: 10, remaining: 30, last_activity: null },
      { coder_id: 2, username: "ben", assigned: 0, done: 0, remaining: 0, last_activity: null },
    ],
    double_coded: { units: 8, complete: 2, pending: 6 },
    pool_open_slots: 3,
  });
  assert.deepEqual(view.coders.map((c) => c.percent), [25, 0]);
  assert.deepEqual(view.total, { assigned: 40, done: 10, percent: 25 });
  assert.deepEqual(view.doubleCoded, { units: 8, complete: 2, pending: 6 });
  assert.equal(view.openSlots, 3);
});

test("a run is in progress while one is pending or running", () => {
  assert.equal(runInProgress([{ status: "done" }, { status: "pending" }]), true);
  assert.equal(runInProgress([{ status: "done" }, { status: "failed" }]), false);
  assert.equal(runInProgress([]), false);
});

describe("the analysis repository and service", () => {
  function fakeHttp(routes) {
    const calls = [];
    return {
      calls,
      firstPage(path, params) {
        return HttpClient.prototype.firstPage.call(this, path, params);
      },
      get: async (path, params) => {
        calls.push(["GET", path, params]);
        if (!(path in routes)) throw new ApiError("Not found", { status: 404 });
        return routes[path];
      },
      post: async (path, body) => {
        calls.push(["POST", path, body]);
        return { id: 9, status: "pending" };
      },
    };
  }

  test("no run yet is null, not an error; the figure is the saturation run's SVG", async () => {
    const http = fakeHttp({
      "/projects/3/progress/": { per_coder: [] },
      "/projects/3/analysis/saturation/latest/": { id: 5, result: { suggested_wording: "Saturation was reached at 4+2." } },
      "/projects/3/analysis/agreement/runs/": { results: [{ status: "running" }] },
      "/projects/3/analysis/saturation/runs/": { results: [{ status: "done" }] },
      "/projects/3/analysis/spans/runs/": { results: [] },
    });
    const service = new AnalysisService({ analysis: new AnalysisRepository(http) });
    const view = await service.load(3);
    assert.equal(view.agreement, null);
    assert.equal(view.saturation.wording, "Saturation was reached at 4+2.");
    assert.equal(view.saturation.figure, "/api/v1/projects/3/analysis/saturation/runs/5/figures/accumulation.svg");
    assert.equal(view.spans, null);
    assert.deepEqual(view.computing, { agreement: true, saturation: false, spans: false });
    await service.requestRun(3, "agreement");
    assert.deepEqual(http.calls.at(-1), ["POST", "/projects/3/analysis/agreement/runs/", {}]);
    assert.throws(() => service.requestRun(3, "kappa"), /unknown analysis kind/);
  });

  test("other errors are not swallowed", async () => {
    const http = { get: async () => { throw new ApiError("Server error", { status: 500 }); } };
    await assert.rejects(new AnalysisRepository(http).latest(1, "agreement"), /Server error/);
  });
});

describe("agreement over time", () => {
  test("windows and codebook versions become rows with verdicts", async () => {
    const { agreementDrift } = await import("../static/frontend/domain/analysis.js");
    const entry = (value, units) => ({ overall: { alpha_masi: { value, reason: null, ci: null } }, counts: { n_pairable_units: units } });
    const drift = agreementDrift({
      drift: {
        window_days: 7,
        by_window: [{ from: "2026-01-01T00:00:00+00:00", ...entry(0.55, 8) }, { from: "2026-01-08T00:00:00+00:00", ...entry(null, 1) }],
        by_codebook_version: [{ codebook_version: 2, ...entry(0.81, 12) }],
      },
    });
    assert.equal(drift.windowDays, 7);
    assert.deepEqual(drift.windows.map((r) => [r.label, r.units, r.verdict]), [["2026-01-01", 8, "unreliable"], ["2026-01-08", 1, "undefined"]]);
    assert.deepEqual(drift.versions.map((r) => [r.label, r.verdict]), [["Codebook version 2", "reliable"]]);
    assert.deepEqual(agreementDrift(undefined), { windowDays: null, windows: [], versions: [] });
  });
});

describe("the pulse", () => {
  const response = (status, tag, body) => ({ status, ok: status < 400, headers: { get: () => tag }, text: async () => (body === undefined ? "" : JSON.stringify(body)) });

  test("sends its tag back and reports no change on 304", async () => {
    const seen = [];
    const replies = [response(200, '"a1"', { pulse: "a1" }), response(304, '"a1"'), response(200, '"b2"', { pulse: "b2" })];
    const http = new HttpClient({ fetchFn: async (url, init) => { seen.push([url, init.headers["If-None-Match"]]); return replies.shift(); } });
    const repo = new AnalysisRepository(http);
    const first = await repo.pulse(3, null);
    assert.deepEqual([first.changed, first.tag], [true, '"a1"']);
    assert.deepEqual(await repo.pulse(3, first.tag), { changed: false, tag: '"a1"' });
    assert.equal((await repo.pulse(3, first.tag)).tag, '"b2"');
    assert.deepEqual(seen, [["/api/v1/projects/3/analysis/pulse/", undefined], ["/api/v1/projects/3/analysis/pulse/", '"a1"'], ["/api/v1/projects/3/analysis/pulse/", '"a1"']]);
  });

  test("a signed-out pulse is an error, not a silent no-change", async () => {
    const http = new HttpClient({ fetchFn: async () => response(401, null) });
    await assert.rejects(new AnalysisRepository(http).pulse(3, '"a1"'), (error) => error.status === 401);
  });
});

describe("agreement on spans", () => {
  const run = {
    overall: { u_alpha: coefficient(0.61, 0.4, 0.8), cu_alpha: coefficient(null) },
    per_code: [{ code: "Policy > Diversion", binary_u_alpha: { ...coefficient(0.7), counts: { units_per_coder: [2, 3], coded_share: 0.125 } }, k_u_alpha: coefficient(0.5) }],
    per_document: [{ id: 8, title: "Interview 1", u_alpha: coefficient(0.6), cu_alpha: coefficient(0.5), binary_u_alpha: { ...coefficient(0.9), counts: { continuum_length: 120, units_per_coder: [1, 2], coded_share: 0.5 } } }],
    gamma: { pooled: coefficient(0.42), per_document: [{ id: 8, ...coefficient(0.42) }] },
  };

  test("overall coefficients in a fixed order, gamma pooled last", async () => {
    const { spanOverall } = await import("../static/frontend/domain/analysis.js");
    assert.deepEqual(spanOverall(run).map((r) => r.key), ["u_alpha", "cu_alpha", "gamma"]);
    assert.equal(spanOverall({ overall: {} }).length, 0);
  });

  test("per code and per document rows carry their counts and gamma", async () => {
    const { spanPerCode, spanPerDocument, formatShare } = await import("../static/frontend/domain/analysis.js");
    const [code] = spanPerCode(run);
    assert.deepEqual(code.unitsPerCoder, [2, 3]);
    assert.equal(formatShare(code.codedShare), "12.5%");
    assert.equal(formatShare(null), "—");
    const [doc] = spanPerDocument(run);
    assert.equal(doc.gamma.value, 0.42);
    assert.equal(doc.length, 120);
    assert.equal(spanPerDocument({ per_document: [{ id: 1, title: "x" }] })[0].gamma, null);
  });

  test("the alignment's text alternative lists every span in text order", async () => {
    const { alignmentRows } = await import("../static/frontend/domain/analysis.js");
    const rows = alignmentRows({
      tracks: [
        { username: "ben", spans: [{ start: 5, end: 9, label: "A" }] },
        { username: "ana", spans: [{ start: 5, end: 9, label: "A" }, { start: 0, end: 3, label: "B" }] },
      ],
    });
    assert.deepEqual(rows.map((r) => [r.coder, r.start]), [["ana", 0], ["ana", 5], ["ben", 5]]);
  });
});

test("saturationSummary reads the order, the first run, the power, the envelope and the interviews left out", async () => {
  const { saturationSummary } = await import("../static/frontend/domain/analysis.js");
  const result = {
    order_by: "sequence",
    guest: { first_run_percent: 7 },
    planning: { fugard_potts: { prevalence: 0.125, power_at_n_for_prevalence: 0.83222784, n_for_prevalence: 12 } },
    order_effects: { envelope: { minimum: [1, 2], maximum: [3, 4], min_max_over: "all orders" } },
    excluded_interviews: [{ interview: "P09", reason: "not coded yet" }],
  };
  assert.deepEqual(saturationSummary(result), {
    orderBy: "sequence",
    orderWords: "analysis sequence (the order numbers set on the transcripts)",
    firstRunPercent: "7%",
    power: { value: "0.832", n: 12, prevalence: "12.5%" },
    envelope: { minimum: [1, 2], maximum: [3, 4], over: "all orders" },
    excluded: [{ interview: "P09", reason: "not coded yet" }],
  });
  const bare = saturationSummary({ order_by: "conducted", guest: { first_run_percent: null }, planning: { fugard_potts: null } });
  assert.equal(bare.orderWords, "date conducted");
  assert.equal(bare.firstRunPercent, null);
  assert.equal(bare.power, null);
  assert.equal(bare.envelope, null);
  assert.deepEqual(bare.excluded, []);
  assert.equal(saturationSummary(null), null);
});
