/** The codebook as the UI needs it: a tree from the API's flat list, a picker filter, readable colours. */

const byPosition = (a, b) => a.position - b.position || a.name.localeCompare(b.name) || a.id - b.id;

/**
 * Build the code tree from the API's flat list (`parent` ids). Returns root nodes `{code, children, depth}`
 * in position order. A code whose parent is missing from the list is treated as a root, never dropped.
 */
export function buildCodeTree(codes) {
  const nodes = new Map(codes.map((code) => [code.id, { code, children: [], depth: 0 }]));
  const roots = [];
  for (const node of nodes.values()) {
    const parent = node.code.parent == null ? null : nodes.get(node.code.parent);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const sortAndDepth = (list, depth) => {
    list.sort((a, b) => byPosition(a.code, b.code));
    for (const node of list) {
      node.depth = depth;
      sortAndDepth(node.children, depth + 1);
    }
  };
  sortAndDepth(roots, 0);
  return roots;
}

/** The tree in reading order (depth first), each entry `{code, depth, hasChildren}`. */
export function flattenCodeTree(roots) {
  const out = [];
  const walk = (list) => {
    for (const node of list) {
      out.push({ code: node.code, depth: node.depth, hasChildren: node.children.length > 0 });
      walk(node.children);
    }
  };
  walk(roots);
  return out;
}

/** Lower-case, accents removed: "Ibáñez" matches "ibanez". */
export function foldText(text) {
  return String(text ?? "")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();
}

/**
 * The picker's list for a query: codes whose name or path contain every word of the query (in any order),
 * in tree order. Codes whose own name starts with the query come first, so typing "HR1" + Enter applies HR1.
 * Inactive codes stay in the list (marked), unless `includeInactive` is false.
 */
export function filterCodes(flatCodes, query, { includeInactive = true } = {}) {
  const words = foldText(query).split(/\s+/).filter(Boolean);
  const entries = flatCodes.filter((entry) => includeInactive || entry.code.is_active);
  if (!words.length) return entries;
  const matches = entries.filter((entry) => {
    const haystack = foldText(`${entry.code.path ?? ""} ${entry.code.name}`);
    return words.every((w) => haystack.includes(w));
  });
  const q = foldText(query).trim();
  const rank = (entry) => {
    const name = foldText(entry.code.name);
    if (name.startsWith(q)) return 0;
    if (name.includes(q)) return 1;
    return 2;
  };
  return matches
    .map((entry, index) => ({ entry, index, r: rank(entry) }))
    .sort((a, b) => a.r - b.r || a.index - b.index)
    .map((x) => x.entry);
}

/** The first entry that can be applied (active), at or after `from`, moving by `step` (±1). -1 if none. */
export function nextApplicable(entries, from, step) {
  for (let i = from; i >= 0 && i < entries.length; i += step) {
    if (entries[i].code.is_active) return i;
  }
  return -1;
}

const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** A safe `#rrggbb` for a code's colour; the fallback for anything else (the API accepts free text). */
export function normaliseColour(colour, fallback = "#64748b") {
  const m = HEX.exec(String(colour ?? "").trim());
  if (!m) return fallback;
  let hex = m[1].toLowerCase();
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join("");
  return `#${hex}`;
}

function relativeLuminance(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  const channel = (v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** WCAG contrast ratio between two colours. */
export function contrastRatio(a, b) {
  const la = relativeLuminance(normaliseColour(a));
  const lb = relativeLuminance(normaliseColour(b));
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Black or white text, whichever reads better on `background` (WCAG contrast). */
export function readableTextColour(background) {
  const bg = normaliseColour(background);
  return contrastRatio(bg, "#ffffff") >= contrastRatio(bg, "#111827") ? "#ffffff" : "#111827";
}

/**
 * The codes a code can be merged into: active codes other than itself and its own descendants (the
 * server refuses those: its children move to the target), in tree order.
 */
export function mergeTargets(flatCodes, code) {
  const below = new Set([code.id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const { code: other } of flatCodes) {
      if (other.parent != null && below.has(other.parent) && !below.has(other.id)) {
        below.add(other.id);
        grew = true;
      }
    }
  }
  return flatCodes.filter((entry) => entry.code.is_active && !below.has(entry.code.id));
}

/**
 * The new codes of a split, one name per line: trimmed, blank lines dropped. Returns `{names, error}`;
 * `error` says what to fix (no name, a repeated name, a name too long) so the dialog can say it before
 * anything is sent.
 */
export function parseSplitNames(text) {
  const names = String(text ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (!names.length) return { names, error: "Name at least one new code, one per line." };
  const seen = new Set();
  for (const name of names) {
    const key = foldText(name);
    if (seen.has(key)) return { names, error: `“${name}” is named twice.` };
    seen.add(key);
    if (name.length > 200) return { names, error: `“${name.slice(0, 40)}…” is longer than 200 characters.` };
  }
  return { names, error: null };
}

/** The codebook exchange format of a file, by its name: "csv", "qdc" (REFI-QDA), or null for anything else. */
export function codebookFileFormat(fileName) {
  const match = /\.(csv|qdc)$/i.exec(String(fileName ?? "").trim());
  return match ? match[1].toLowerCase() : null;
}

const USAGE_SOURCES = {
  coders: "every coder's codings",
  mine: "your own codings",
  final: "the final (adjudicated) coding",
};

/** "Counted from every coder's codings" for the usage API's `source`. */
export const usageSourceText = (source) => `Counted from ${USAGE_SOURCES[source] ?? source}.`;

/**
 * A code's usage as the codebook shows it: "24 codings · 11 of 16 cases"; a code with sub-codes is
 * counted with them ("… with its sub-codes"). `row` from `GET …/codebook/usage/`; null when unknown.
 */
export function usageText(row, casesTotal, hasChildren = false) {
  if (!row) return null;
  const codings = hasChildren ? row.codings_with_children : row.codings;
  const cases = hasChildren ? row.cases_with_children : row.cases;
  if (!codings) return "not used yet";
  const plural = (n, one, many) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
  return `${plural(codings, "coding", "codings")} · ${cases} of ${casesTotal} ${casesTotal === 1 ? "case" : "cases"}${hasChildren ? " with its sub-codes" : ""}`;
}
