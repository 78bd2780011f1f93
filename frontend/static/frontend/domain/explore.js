/** Pure helpers of the Explore tab: request parameters, filter choices, and the wording of counts. */

export const EXPLORE_VIEWS = [
  ["search", "Search"],
  ["passages", "Passages"],
  ["matrices", "Matrices"],
  ["words", "Words"],
];

export const SOURCE_LABELS = {
  mine: "Your own codings",
  coders: "Every coder's codings",
  final: "Final coding (adjudicated units)",
  final_else_coders: "Final coding, else the coders'",
};

/** The sources a member may read: coders and viewers see colleagues' codings only after release. */
export function sourcesFor(role, released) {
  if (role === "owner" || role === "adjudicator" || released) return ["final_else_coders", "final", "coders", "mine"];
  return role === "coder" ? ["mine", "final"] : ["final"];
}

export const plural = (n, one, many) => `${Number(n).toLocaleString("en")} ${n === 1 ? one : many}`;

/** "11 of 16 participants": the cases found among the cases searched. */
export function casesFoundText(found, total) {
  return `${found} of ${total} ${total === 1 ? "participant" : "participants"}`;
}

/** The case-attribute filter's choices, `attributeId:value`: a choice attribute's values, else the values the
 * cases have. */
export function attributeOptions(attributes, cases) {
  const options = [];
  for (const a of attributes ?? []) {
    const values = a.choices?.length
      ? a.choices
      : [...new Set((cases ?? []).map((c) => c.attributes?.[a.name]).filter((v) => v !== null && v !== undefined && v !== ""))].sort();
    for (const v of values) options.push({ value: `${a.id}:${v}`, label: `${a.name}: ${v}` });
  }
  return options;
}

const clean = (params) => Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ""));

/** The search request's parameters from the form's values. */
export function searchParams(form) {
  return clean({
    q: (form.q ?? "").trim(),
    role: form.role,
    attribute: form.attribute,
    document: form.document,
    code: form.code,
    source: form.code ? form.source : undefined,
    page: form.page > 1 ? form.page : undefined,
  });
}

/** A code query as the passages API reads it: lists of ids joined by commas. */
export function passageParams(query) {
  const ids = (list) => (list ?? []).filter(Boolean).join(",");
  return clean({
    code: ids(query.all),
    any: ids(query.any),
    none: ids(query.none),
    subcodes: query.subcodes === false ? "false" : undefined,
    case: query.case,
    attribute: query.attribute,
    role: query.role,
    source: query.source,
    coder: query.coder,
    page: query.page > 1 ? query.page : undefined,
  });
}

/** The request that opens a secondary pass on a code query's passages: the query as the passages API reads
 * it (without its page), a name and the user ids of the members who join. */
export function secondaryPassBody(query, { name = "", members = [] } = {}) {
  const { page: _page, attribute, ...params } = passageParams({ ...query, page: undefined });
  return { ...params, ...(attribute ? { attribute: [attribute] } : {}), name: String(name).trim(), members: members.map(Number) };
}

/** "00:12:05" from milliseconds, or "". */
export function clock(ms) {
  if (ms === null || ms === undefined) return "";
  const s = Math.floor(ms / 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** "P03, Interview P03, ¶12, 00:12:05": how a quotation is cited. */
export function citation(row) {
  const time = clock(row.start_time_ms);
  return [row.case.identifier, row.document.title, `¶${row.segment_number}`, time].filter(Boolean).join(", ");
}

export const MATRIX_KINDS = [
  ["code-case", "Code × case"],
  ["code-attribute", "Code × case attribute"],
  ["cooccurrence", "Code co-occurrence"],
];

/** A heat-map intensity in [0, 1]: the share of the largest value. */
export function heat(value, max) {
  if (!max || !value) return 0;
  return Math.round((value / max) * 100) / 100;
}
