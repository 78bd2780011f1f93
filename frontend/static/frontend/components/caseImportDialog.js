/**
 * Import a case-attribute sheet (CSV): the owner picks the file, then says which column identifies the case
 * and what each other column is (text, number, date, choice, or ignored); columns named like an attribute
 * of the project start with its type. All rows or none: the server lists every bad cell.
 */
import { ATTRIBUTE_TYPES, IGNORE, caseImportFields, csvHeader, initialColumnTypes } from "../domain/cases.js";
import { h } from "./dom.js";
import { field, openFormDialog } from "./formDialog.js";

const HEADER_BYTES = 64 * 1024; // the header is read in the browser; the file itself is sent whole

export function openCaseImportDialog({ attributes, onImport }) {
  let sheet = null; // {columns, idColumn, types}
  const columnsSlot = h("div", { class: "import-columns", "aria-live": "polite" });
  const fileInput = h("input", { id: "cases-file", name: "file", type: "file", accept: ".csv", required: true });
  const dateInput = h("input", { id: "cases-date-format", name: "date_format", value: "%Y-%m-%d" });

  const render = () => {
    if (!sheet) return columnsSlot.replaceChildren();
    const { columns, idColumn, types } = sheet;
    const idSelect = h(
      "select",
      {
        id: "cases-id-column",
        onchange: (event) => {
          sheet.idColumn = event.target.value;
          for (const column of columns) if (column !== sheet.idColumn && !(column in types)) types[column] = "text";
          render();
        },
      },
      columns.map((c) => h("option", { value: c, selected: c === idColumn }, c)),
    );
    const rows = columns
      .filter((c) => c !== idColumn)
      .map((column) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, column),
          h(
            "td",
            {},
            h(
              "select",
              { "aria-label": `Type of ${column}`, onchange: (event) => { types[column] = event.target.value; } },
              [...ATTRIBUTE_TYPES, IGNORE].map((t) => h("option", { value: t, selected: t === types[column] }, t === IGNORE ? "ignore this column" : t)),
            ),
          ),
        ),
      );
    columnsSlot.replaceChildren(
      field("cases-id-column", "Column that identifies the case", idSelect),
      h(
        "table",
        { class: "table", "aria-label": "Attribute columns" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Column"), h("th", { scope: "col" }, "Attribute type"))),
        h("tbody", {}, rows),
      ),
    );
  };

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    const columns = file ? csvHeader(await file.slice(0, HEADER_BYTES).text()) : [];
    sheet = columns.length ? { columns, ...initialColumnTypes(columns, attributes) } : null;
    render();
  });

  const content = [
    h(
      "p",
      { class: "muted" },
      "One row per case. New cases are created, existing ones updated; an empty cell leaves a value as it ",
      "is. Columns the project has no attribute for yet become attributes.",
    ),
    field("cases-file", "Case-attribute sheet (CSV)", fileInput),
    columnsSlot,
    field("cases-date-format", "Date format", dateInput, "As Python writes it: %Y-%m-%d is 2022-04-30."),
  ];
  return openFormDialog({
    label: "Import case attributes",
    title: "Import case attributes",
    content,
    submitLabel: "Import",
    focus: "#cases-file",
    onSubmit: () => {
      if (!sheet) return Promise.reject(new Error("Choose a CSV file with a header row."));
      const { fields, error } = caseImportFields({ ...sheet, dateFormat: dateInput.value });
      if (error) return Promise.reject(new Error(error));
      const form = new FormData();
      form.append("file", fileInput.files[0]);
      for (const [key, value] of Object.entries(fields)) form.append(key, value);
      return onImport(form);
    },
  });
}
