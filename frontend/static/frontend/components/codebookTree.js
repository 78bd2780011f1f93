/**
 * The codebook as a PI reads it: themes, codes and sub-codes with their colours, definitions, inclusion
 * and exclusion criteria and examples (MacQueen et al. 1998). Owners get edit controls; nobody else does.
 */
import { codebookFileFormat, mergeTargets, normaliseColour, parseSplitNames, usageSourceText, usageText } from "../domain/codebook.js";
import { h } from "./dom.js";
import { field, openFormDialog } from "./formDialog.js";

const FIELDS = [
  ["definition", "Definition"],
  ["inclusion", "Use when"],
  ["exclusion", "Do not use when"],
  ["typical_example", "Typical example"],
  ["atypical_example", "Atypical example"],
];

function swatch(code) {
  return h("span", {
    class: "swatch",
    style: { background: normaliseColour(code.colour) },
    "aria-hidden": "true",
  });
}

function criteria(code) {
  const rows = FIELDS.filter(([key]) => code[key]).map(([key, label]) =>
    h(
      "div",
      { class: ["criterion", `criterion-${key}`] },
      h("dt", {}, label),
      h("dd", { class: key.endsWith("example") ? "example" : null }, code[key]),
    ),
  );
  return rows.length ? h("dl", { class: "criteria" }, rows) : h("p", { class: "muted" }, "No definition yet.");
}

function codeNode(node, handlers) {
  const { canEdit, onEdit, onAddChild, onMerge, onSplit } = handlers;
  const { code } = node;
  const summary = h(
    "summary",
    {},
    swatch(code),
    h("span", { class: "code-name" }, code.name),
    code.is_active ? null : h("span", { class: "badge badge-inactive" }, "inactive"),
    handlers.usage ? h("span", { class: "code-usage" }, usageText(handlers.usage.byCode.get(code.id), handlers.usage.casesTotal, node.children.length > 0)) : null,
    node.children.length
      ? h("span", { class: "count", title: `${node.children.length} sub-code${node.children.length === 1 ? "" : "s"}` }, `${node.children.length} sub-code${node.children.length === 1 ? "" : "s"}`)
      : null,
  );
  // Every member may read a code's passages (as their role reads codings); editing is the owner's.
  const passages = handlers.onPassages
    ? h("button", { type: "button", class: "btn btn-small btn-ghost", "aria-label": `Passages of ${code.name}`, onclick: () => handlers.onPassages(code) }, "Passages")
    : null;
  const tools = canEdit
    ? h(
        "div",
        { class: "code-tools", "data-testid": "codebook-edit" },
        passages,
        h("button", { type: "button", class: "btn btn-small", onclick: () => onEdit(code) }, "Edit"),
        h(
          "button",
          { type: "button", class: "btn btn-small btn-ghost", onclick: () => onAddChild(code) },
          "Add sub-code",
        ),
        // A merged code is inactive and points at its target; merging or splitting it again makes no sense.
        onSplit && code.is_active
          ? h("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => onSplit(code) }, "Split…")
          : null,
        onMerge && code.is_active
          ? h("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => onMerge(code) }, "Merge into…")
          : null,
      )
    : passages && h("div", { class: "code-tools" }, passages);
  return h(
    "li",
    { class: ["code-node", `depth-${node.depth}`, code.is_active ? null : "is-inactive"] },
    h(
      "details",
      { open: node.depth === 0 ? true : undefined, style: { "--code-colour": normaliseColour(code.colour) } },
      summary,
      h("div", { class: "code-body" }, criteria(code), tools),
      node.children.length
        ? h(
            "ul",
            { class: "code-children" },
            node.children.map((child) => codeNode(child, handlers)),
          )
        : null,
    ),
  );
}

export function CodebookTree({
  codebook,
  canEdit,
  onEdit,
  onAddChild,
  onAdd,
  onMerge = null,
  onSplit = null,
  onImport = null,
  exportUrl = null,
  usage = null,
  onPassages = null,
}) {
  // `usage`: the usage API's answer; each code then says how often it is used, not only its sub-codes.
  const counts = usage ? { byCode: new Map(usage.codes.map((row) => [row.code, row])), casesTotal: usage.cases_total } : null;
  const handlers = { canEdit, onEdit, onAddChild, onMerge, onSplit, onPassages, usage: counts };
  // Everyone may download the codebook (CSV for spreadsheets, .qdc for NVivo, ATLAS.ti and MAXQDA).
  const downloads = exportUrl
    ? h(
        "span",
        { class: "downloads" },
        "Download: ",
        h("a", { href: exportUrl("csv"), download: "" }, "CSV"),
        " · ",
        h("a", { href: exportUrl("qdc"), download: "" }, "REFI-QDA (.qdc)"),
      )
    : null;
  const head = h(
    "div",
    { class: "section-head" },
    h(
      "div",
      {},
      h("h2", {}, codebook.name || "Codebook"),
      h(
        "p",
        { class: "muted" },
        `Version ${codebook.version} · ${codebook.codes.length} codes`,
        codebook.codes.some((c) => !c.is_active)
          ? ` · ${codebook.codes.filter((c) => !c.is_active).length} inactive`
          : "",
        usage ? ` · ${usageSourceText(usage.source)}` : "",
      ),
    ),
    h(
      "div",
      { class: "toolbar" },
      downloads,
      canEdit && onImport
        ? h("button", { type: "button", class: "btn", "data-testid": "codebook-edit", onclick: onImport }, "Import codes…")
        : null,
      canEdit
        ? h("button", { type: "button", class: "btn btn-primary", "data-testid": "codebook-edit", onclick: onAdd }, "New theme or code")
        : null,
    ),
  );
  if (!codebook.tree.length) {
    return h("div", {}, head, h("div", { class: "empty" }, "The codebook is empty."));
  }
  return h(
    "div",
    {},
    head,
    h(
      "ul",
      { class: "code-tree", "aria-label": "Codebook" },
      codebook.tree.map((node) => codeNode(node, handlers)),
    ),
  );
}

const RATIONALE_HINT = "Recorded in the codebook's version history and the audit trail.";

/** The required rationale of a merge or split (`prefix`-rationale). */
const rationaleField = (prefix) =>
  field(
    `${prefix}-rationale`,
    "Rationale",
    h("textarea", { id: `${prefix}-rationale`, name: "rationale", rows: "2", required: true, "aria-describedby": `${prefix}-rationale-hint` }),
    RATIONALE_HINT,
  );

/** The dialog to create or edit a code. `onSave(fields)` returns a promise; its error is shown here. */
export function openCodeDialog({ code = null, parentId = null, flatCodes, suggestedColour = null, onSave }) {
  const isNew = !code;
  const codeField = (name, label, input, hint) => field(`code-${name}`, label, input, hint);
  const text = (name, value, rows = 3) =>
    h("textarea", { id: `code-${name}`, name, rows: String(rows) }, value ?? "");
  const parentSelect = h(
    "select",
    { id: "code-parent", name: "parent" },
    h("option", { value: "" }, "— none (a theme) —"),
    flatCodes
      .filter((e) => !code || e.code.id !== code.id)
      .map((e) =>
        h(
          "option",
          { value: String(e.code.id), selected: (code ? code.parent : parentId) === e.code.id },
          `${"\u2003".repeat(e.depth)}${e.code.name}`,
        ),
      ),
  );
  const content = [
    h(
      "div",
      { class: "field-row" },
      codeField("name", "Name", h("input", { id: "code-name", name: "name", required: true, value: code?.name ?? "" })),
      codeField(
        "colour",
        "Colour",
        h("input", { id: "code-colour", name: "colour", type: "color", value: normaliseColour(code?.colour ?? suggestedColour, "#1d4ed8") }),
      ),
    ),
    codeField("parent", "Parent", parentSelect),
    codeField("definition", "Definition", text("definition", code?.definition, 3)),
    h(
      "div",
      { class: "field-row" },
      codeField("inclusion", "Use when (inclusion)", text("inclusion", code?.inclusion)),
      codeField("exclusion", "Do not use when (exclusion)", text("exclusion", code?.exclusion)),
    ),
    h(
      "div",
      { class: "field-row" },
      codeField("typical_example", "Typical example", text("typical_example", code?.typical_example, 2)),
      codeField("atypical_example", "Atypical example", text("atypical_example", code?.atypical_example, 2)),
    ),
    isNew
      ? null
      : h(
          "div",
          { class: "field field-check" },
          h("input", { id: "code-active", name: "is_active", type: "checkbox", checked: code.is_active }),
          h("label", { for: "code-active" }, "Active (coders can apply it)"),
        ),
    codeField(
      "rationale",
      "Rationale for this change",
      h("input", { id: "code-rationale", name: "rationale", "aria-describedby": "code-rationale-hint" }),
      RATIONALE_HINT,
    ),
  ];
  return openFormDialog({
    label: isNew ? "New code" : "Edit code",
    title: isNew ? "New code" : `Edit “${code.name}”`,
    content,
    submitLabel: isNew ? "Create code" : "Save changes",
    focus: "#code-name",
    onSubmit: (form) => {
      const fields = Object.fromEntries([...new FormData(form).entries()].filter(([key]) => key !== "is_active"));
      if (!isNew) fields.is_active = form.querySelector("#code-active").checked;
      return onSave(fields);
    },
  });
}

/**
 * Merge `code` into another: its codings, sub-codes and memos move to the target, and it is deactivated
 * (one new codebook version). `onMerge({target, rationale})` returns a promise.
 */
export function openMergeDialog({ code, flatCodes, onMerge }) {
  const targets = mergeTargets(flatCodes, code);
  const select = h(
    "select",
    { id: "merge-target", name: "target", required: true },
    h("option", { value: "" }, "— choose the code to keep —"),
    targets.map((e) => h("option", { value: String(e.code.id) }, `${"\u2003".repeat(e.depth)}${e.code.name}`)),
  );
  const content = [
    h(
      "p",
      { class: "muted" },
      `Every coding, sub-code and memo of “${code.name}” moves to the code you choose; “${code.name}” then `,
      "stays in the codebook as inactive, pointing to it. A coding that would repeat one the same coder ",
      "already made with that code is removed instead.",
    ),
    field("merge-target", "Merge into", select),
    rationaleField("merge"),
  ];
  return openFormDialog({
    label: "Merge code",
    title: `Merge “${code.name}” into…`,
    content,
    submitLabel: "Merge",
    focus: "#merge-target",
    onSubmit: (form) => onMerge({ target: form.querySelector("#merge-target").value, rationale: form.querySelector("#merge-rationale").value }),
  });
}

/**
 * Split `code` into new sub-codes, named one per line; the original keeps its codings (valid at the coarser
 * level), and may be deactivated. `onSplit({names, rationale, deactivateOriginal})` returns a promise.
 */
export function openSplitDialog({ code, onSplit }) {
  const content = [
    h(
      "p",
      { class: "muted" },
      `The new codes become sub-codes of “${code.name}”, which keeps its codings: coders can recode them into `,
      "the finer codes.",
    ),
    field(
      "split-names",
      "New codes, one per line",
      h("textarea", { id: "split-names", name: "names", rows: "4", required: true }),
    ),
    h(
      "div",
      { class: "field field-check" },
      h("input", { id: "split-deactivate", name: "deactivate_original", type: "checkbox" }),
      h("label", { for: "split-deactivate" }, `Deactivate “${code.name}” (coders then apply only the new codes)`),
    ),
    rationaleField("split"),
  ];
  return openFormDialog({
    label: "Split code",
    title: `Split “${code.name}”`,
    content,
    submitLabel: "Split",
    focus: "#split-names",
    onSubmit: (form) => {
      const { names, error } = parseSplitNames(form.querySelector("#split-names").value);
      if (error) return Promise.reject(new Error(error));
      return onSplit({
        names,
        rationale: form.querySelector("#split-rationale").value,
        deactivateOriginal: form.querySelector("#split-deactivate").checked,
      });
    },
  });
}

/**
 * Add the codes of a CSV or REFI-QDA (.qdc) codebook file as one new version: all or nothing, the server
 * names the row or element at fault. `onImport(format, formData)` returns a promise.
 */
export function openImportDialog({ onImport }) {
  const content = [
    h(
      "p",
      { class: "muted" },
      "A CSV with a “path” column (Theme > Code > Sub-code) and any of the codebook's fields, or a .qdc file ",
      "from NVivo, ATLAS.ti or MAXQDA. New codes may sit under codes the codebook already has; a code it ",
      "already has is refused, and then nothing is imported.",
    ),
    field("import-file", "Codebook file", h("input", { id: "import-file", name: "file", type: "file", accept: ".csv,.qdc", required: true })),
    rationaleField("import"),
  ];
  return openFormDialog({
    label: "Import codes",
    title: "Import codes",
    content,
    submitLabel: "Import",
    focus: "#import-file",
    onSubmit: (form) => {
      const file = form.querySelector("#import-file").files[0];
      const format = codebookFileFormat(file?.name);
      if (!format) return Promise.reject(new Error("Choose a .csv or .qdc file."));
      return onImport(format, new FormData(form));
    },
  });
}
