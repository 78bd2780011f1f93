/** The assignment plan form: who codes what, and how much is double-coded. Pure. */

/** Members who can be planned as coders (coders and adjudicators: their codings are ratings). */
export const plannable = (members) => members.filter((m) => m.role === "coder" || m.role === "adjudicator");

/**
 * The request body for preview/apply from the form, or ``{error}`` saying what to fix.
 * ``form``: {unit_type, coders: Map(user → weight), overlap, sample_percent ("" = every unit k times),
 * stratify_by, seed (kept from the preview so that applying does what was previewed)}.
 */
export function planBody(form) {
  const coders = [...form.coders.entries()].map(([user, weight]) => ({ user, weight: Number(weight) || 1 }));
  if (!coders.length) return { error: "Choose at least one coder." };
  const overlap = Number(form.overlap);
  if (!Number.isInteger(overlap) || overlap < 1) return { error: "Coders per double-coded unit must be a whole number, 1 or more." };
  if (overlap > coders.length) return { error: `${overlap} coders per unit needs at least ${overlap} coders in the plan.` };
  let sample = null;
  if (form.sample_percent !== "" && form.sample_percent !== null && form.sample_percent !== undefined) {
    const percent = Number(form.sample_percent);
    if (!(percent > 0 && percent <= 100)) return { error: "The reliability sample is a percentage above 0, at most 100." };
    sample = percent / 100;
  }
  const body = { unit_type: form.unit_type, coders, overlap, sample_fraction: sample, stratify_by: sample === null ? "" : form.stratify_by ?? "" };
  if (form.seed !== null && form.seed !== undefined) body.seed = form.seed;
  return { body };
}

/** One line per coder from a preview (new plan or re-plan). */
export function previewRows(preview) {
  return (preview?.per_coder ?? []).map((row) => ({
    username: row.username,
    weight: row.weight,
    segments: row.segments,
    units: row.units ?? null,
    quota: row.quota,
  }));
}
