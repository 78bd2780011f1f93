/** Case-attribute sheets as the import dialog needs them: the header of a CSV, and the request it makes. */

export const ATTRIBUTE_TYPES = ["text", "number", "date", "choice"];
export const IGNORE = "ignore";

/**
 * The column names of a CSV's first record: a byte-order mark dropped, quoted names (with "" for a quote,
 * commas and line breaks inside) read whole, names trimmed.
 */
export function csvHeader(text) {
  const source = String(text ?? "").replace(/^\uFEFF/, "");
  const names = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < source.length; i += 1) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      names.push(cell.trim());
      cell = "";
    } else if (ch === "\n" || ch === "\r") break;
    else cell += ch;
  }
  names.push(cell.trim());
  return names.length === 1 && names[0] === "" ? [] : names;
}

/**
 * What each column of a sheet is at first: the id column (`participant_id` if there is one, else the
 * first), and for every other column the type of the project's attribute of that name, else "text".
 */
export function initialColumnTypes(columns, attributes) {
  const known = new Map(attributes.map((a) => [a.name, a.type]));
  const idColumn = columns.includes("participant_id") ? "participant_id" : columns[0];
  const types = Object.fromEntries(
    columns.filter((c) => c !== idColumn).map((c) => [c, ATTRIBUTE_TYPES.includes(known.get(c)) ? known.get(c) : "text"]),
  );
  return { idColumn, types };
}

/**
 * The API's fields for a sheet: `column_types` (JSON) without the id column and the ignored ones, the id
 * column and the date format. Returns `{fields, error}`; `error` says what to fix before sending.
 */
export function caseImportFields({ idColumn, types, dateFormat }) {
  const columnTypes = Object.fromEntries(
    Object.entries(types).filter(([column, type]) => column !== idColumn && type !== IGNORE),
  );
  if (!idColumn) return { fields: null, error: "Choose the column that identifies each case." };
  if (!Object.keys(columnTypes).length) return { fields: null, error: "Import at least one attribute column." };
  return {
    fields: { column_types: JSON.stringify(columnTypes), id_column: idColumn, date_format: dateFormat || "%Y-%m-%d" },
    error: null,
  };
}

// --- The cases table: sorting and filtering -----------------------------------------------------------------

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const empty = (value) => value === null || value === undefined || value === "";

/** The value a column sorts and filters by: "identifier", "transcripts" or an attribute's name. */
export function caseValue(row, column) {
  if (column === "identifier") return row.identifier;
  if (column === "transcripts") return row.transcripts ?? 0;
  return row.attributes?.[column] ?? null;
}

/**
 * Compare two values of one column: numbers as numbers, ISO dates as dates, text by the reader's
 * alphabet with numbers inside it in order ("P2" before "P10"); empty values always last, whatever
 * `direction` (1 ascending, -1 descending).
 */
export function compareValues(a, b, direction = 1) {
  if (empty(a) || empty(b)) return empty(a) === empty(b) ? 0 : empty(a) ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return direction * (a - b);
  if (ISO_DATE.test(String(a)) && ISO_DATE.test(String(b))) return direction * String(a).localeCompare(String(b));
  return direction * String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
}

/** The categorical attributes' values to filter by: `{name: [value, …]}` for choice attributes and text ones with few values. */
export function filterChoices(cases, attributes, maxValues = 12) {
  const out = {};
  for (const a of attributes) {
    if (a.type !== "choice" && a.type !== "text") continue;
    const values = [...new Set(cases.map((c) => c.attributes?.[a.name]).filter((v) => !empty(v)).map(String))];
    if (values.length && (a.type === "choice" || values.length <= maxValues)) {
      out[a.name] = values.sort((x, y) => x.localeCompare(y, undefined, { numeric: true }));
    }
  }
  return out;
}

/**
 * The rows to show: those matching every attribute filter (`{name: value}`, "" for any) and the text
 * (in the case id or description, any case), sorted by `sort` (`{column, direction}`), ties by case id.
 */
export function visibleCases(rows, { filters = {}, text = "", sort = { column: "identifier", direction: 1 } } = {}) {
  const needle = text.trim().toLocaleLowerCase();
  const kept = rows.filter(
    (row) =>
      Object.entries(filters).every(([name, value]) => !value || String(row.attributes?.[name] ?? "") === value) &&
      (!needle || `${row.identifier} ${row.description ?? ""}`.toLocaleLowerCase().includes(needle)),
  );
  return kept.sort(
    (a, b) =>
      compareValues(caseValue(a, sort.column), caseValue(b, sort.column), sort.direction) ||
      compareValues(a.identifier, b.identifier, 1),
  );
}
