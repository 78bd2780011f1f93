/**
 * Reading agreement and saturation results for the PI's analysis tab. Pure: no DOM, no I/O.
 *
 * Verdicts follow Krippendorff (2004): alpha ≥ 0.800 supports conclusions, 0.667 ≤ alpha < 0.800 only
 * tentative ones, below 0.667 none. The interval matters as much as the point: a value above 0.8 whose
 * lower bound is under 0.667 is reported as "uncertain".
 */

export const ALPHA_RELIABLE = 0.8;
export const ALPHA_TENTATIVE = 0.667;

/** "reliable" | "tentative" | "unreliable" | "uncertain" | "undefined" for a coefficient {value, ci}. */
export function alphaVerdict(coefficient) {
  const value = coefficient?.value;
  if (value === null || value === undefined) return "undefined";
  const low = coefficient.ci?.low;
  if (value >= ALPHA_RELIABLE) return low !== null && low !== undefined && low < ALPHA_TENTATIVE ? "uncertain" : "reliable";
  if (value >= ALPHA_TENTATIVE) return "tentative";
  return "unreliable";
}

/** A coefficient as text: "0.812 [0.743, 0.866]", or the reason it is undefined. */
export function formatCoefficient(coefficient) {
  if (!coefficient) return "—";
  if (coefficient.value === null || coefficient.value === undefined) return coefficient.reason ? `undefined (${coefficient.reason})` : "undefined";
  const point = coefficient.value.toFixed(3);
  const { low, high } = coefficient.ci ?? {};
  if (low === null || low === undefined || high === null || high === undefined) return point;
  return `${point} [${low.toFixed(3)}, ${high.toFixed(3)}]`;
}

/** Overall set agreement (MASI first, then Jaccard) with verdicts. */
export function agreementOverall(result) {
  const overall = result?.overall ?? {};
  return [
    ["alpha_masi", "Krippendorff's alpha, MASI distance"],
    ["alpha_jaccard", "Krippendorff's alpha, Jaccard distance"],
  ]
    .filter(([key]) => key in overall)
    .map(([key, label]) => ({ key, label, coefficient: overall[key], verdict: alphaVerdict(overall[key]) }));
}

/** Per-code alpha, weakest first (undefined last): the codes to discuss with coders come first. */
export function agreementPerCode(result) {
  const rows = (result?.per_code ?? []).map((row) => {
    const alpha = row.measures?.krippendorff_alpha;
    return {
      code: row.code,
      applied: row.n_applied ?? null,
      prevalence: row.prevalence ?? null,
      alpha,
      verdict: alphaVerdict(alpha),
      p_below: alpha?.p_below?.["0.667"] ?? null,
    };
  });
  const key = (r) => (r.alpha?.value === null || r.alpha?.value === undefined ? Infinity : r.alpha.value);
  return rows.sort((a, b) => key(a) - key(b) || String(a.code).localeCompare(String(b.code)));
}

/** Progress per coder with a percentage, and the double-coded units' state. */
export function progressView(progress) {
  const coders = (progress?.per_coder ?? []).map((row) => ({
    ...row,
    percent: row.assigned ? Math.round((100 * row.done) / row.assigned) : 0,
  }));
  const assigned = coders.reduce((n, r) => n + r.assigned, 0);
  const done = coders.reduce((n, r) => n + r.done, 0);
  return {
    coders,
    total: { assigned, done, percent: assigned ? Math.round((100 * done) / assigned) : 0 },
    doubleCoded: progress?.double_coded ?? null,
    openSlots: progress?.pool_open_slots ?? 0,
  };
}

/** Whether a run of this kind is still to come: a pending or running one newer than the latest done. */
export function runInProgress(runs) {
  return (runs ?? []).some((run) => run.status === "pending" || run.status === "running");
}

/**
 * Agreement over time and over codebook versions, from the run's `drift`: rows of
 * `{label, coefficient, units, verdict}` for the windows (labelled by their first day) and the versions.
 */
export function agreementDrift(result) {
  const drift = result?.drift ?? {};
  const row = (label, entry) => {
    const coefficient = entry.overall?.alpha_masi ?? null;
    return { label, coefficient, units: entry.counts?.n_pairable_units ?? 0, verdict: alphaVerdict(coefficient) };
  };
  return {
    windowDays: drift.window_days ?? null,
    windows: (drift.by_window ?? []).map((w) => row(String(w.from ?? "").slice(0, 10), w)),
    versions: (drift.by_codebook_version ?? []).map((v) => row(`Codebook version ${v.codebook_version}`, v)),
  };
}

/** The overall span coefficients a span run reports, labelled, in a fixed order. */
export function spanOverall(result) {
  const overall = result?.overall ?? {};
  return [
    ["u_alpha", "uα: where units are and what they are"],
    ["binary_u_alpha", "|uα: coded text against uncoded text (any code)"],
    ["cu_alpha", "cu-α: codes of overlapping units"],
    ["Cu_alpha", "Cu-α: semantic domains (top-level codes) of overlapping units"],
    ["boundary_u_alpha", "uα with boundary distances (Krippendorff 2004)"],
  ]
    .filter(([key]) => key in overall)
    .map(([key, label]) => ({ key, label, coefficient: overall[key] }))
    .concat(result?.gamma ? [{ key: "gamma", label: "γ (Mathet et al. 2015), pooled over documents", coefficient: result.gamma.pooled }] : []);
}

/** Per code: |uα (the code against the rest of the text) and (k)uα (the code on overlaps), with counts. */
export function spanPerCode(result) {
  return (result?.per_code ?? []).map((row) => ({
    code: row.code,
    binary: row.binary_u_alpha ?? null,
    onOverlap: row.k_u_alpha ?? null,
    unitsPerCoder: row.binary_u_alpha?.counts?.units_per_coder ?? [],
    codedShare: row.binary_u_alpha?.counts?.coded_share ?? null,
  }));
}

/** Per document: uα, cu-α and |uα, Mathet's gamma when it was asked for, and the counts. */
export function spanPerDocument(result) {
  const gamma = new Map((result?.gamma?.per_document ?? []).map((g) => [g.id, g]));
  return (result?.per_document ?? []).map((row) => ({
    id: row.id,
    title: row.title,
    uAlpha: row.u_alpha ?? null,
    cuAlpha: row.cu_alpha ?? null,
    binary: row.binary_u_alpha ?? null,
    gamma: gamma.get(row.id) ?? null,
    length: row.binary_u_alpha?.counts?.continuum_length ?? null,
    unitsPerCoder: row.binary_u_alpha?.counts?.units_per_coder ?? [],
    codedShare: row.binary_u_alpha?.counts?.coded_share ?? null,
  }));
}

/** A share (0..1) as a percentage with one decimal, or "—". */
export function formatShare(share) {
  return share === null || share === undefined ? "—" : `${(100 * share).toFixed(1)}%`;
}

/** The alignment view's text alternative: every coder's spans in text order, with the coder's name. */
export function alignmentRows(alignment) {
  const rows = [];
  for (const track of alignment?.tracks ?? []) {
    for (const span of track.spans) rows.push({ coder: track.username, ...span });
  }
  return rows.sort((a, b) => a.start - b.start || a.end - b.end || a.coder.localeCompare(b.coder));
}

const ORDER_WORDS = { sequence: "analysis sequence (the order numbers set on the transcripts)", conducted: "date conducted" };

/** What a saturation run's summary shows, read from its result: the order used, the first run's new
 * information (Guest et al. 2020, as a rounded percentage), the Fugard–Potts power at the smallest sample
 * (when the run was planned), the min–max envelope over orders, and the interviews left out with why. */
export function saturationSummary(result) {
  if (!result) return null;
  const fugard = result.planning?.fugard_potts ?? null;
  const envelope = result.order_effects?.envelope ?? null;
  const firstRun = result.guest?.first_run_percent;
  return {
    orderBy: result.order_by ?? null,
    orderWords: ORDER_WORDS[result.order_by] ?? String(result.order_by ?? "—"),
    firstRunPercent: firstRun === null || firstRun === undefined ? null : `${firstRun}%`,
    power:
      fugard && fugard.power_at_n_for_prevalence !== null && fugard.power_at_n_for_prevalence !== undefined
        ? {
            value: fugard.power_at_n_for_prevalence.toFixed(3),
            n: fugard.n_for_prevalence,
            prevalence: `${Math.round(fugard.prevalence * 1000) / 10}%`,
          }
        : null,
    envelope:
      envelope && envelope.minimum && envelope.maximum
        ? { minimum: envelope.minimum, maximum: envelope.maximum, over: envelope.min_max_over ?? "" }
        : null,
    excluded: (result.excluded_interviews ?? []).map((e) => ({ interview: e.interview, reason: e.reason })),
  };
}
