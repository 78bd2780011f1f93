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
