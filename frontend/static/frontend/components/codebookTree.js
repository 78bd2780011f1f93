/**
 * The codebook as a PI reads it: themes, codes and sub-codes with their colours, definitions, inclusion
 * and exclusion criteria and examples (MacQueen et al. 1998). Owners get edit controls; nobody else does.
 */
import { normaliseColour } from "../domain/codebook.js";
import { h } from "./dom.js";

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

function codeNode(node, { canEdit, onEdit, onAddChild }) {
  const { code } = node;
  const summary = h(
    "summary",
    {},
    swatch(code),
    h("span", { class: "code-name" }, code.name),
    code.is_active ? null : h("span", { class: "badge badge-inactive" }, "inactive"),
    node.children.length ? h("span", { class: "count" }, `${node.children.length}`) : null,
  );
  const tools = canEdit
    ? h(
        "div",
        { class: "code-tools", "data-testid": "codebook-edit" },
        h("button", { type: "button", class: "btn btn-small", onclick: () => onEdit(code) }, "Edit"),
        h(
          "button",
          { type: "button", class: "btn btn-small btn-ghost", onclick: () => onAddChild(code) },
          "Add sub-code",
        ),
      )
    : null;
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
            node.children.map((child) => codeNode(child, { canEdit, onEdit, onAddChild })),
          )
        : null,
    ),
  );
}

export function CodebookTree({ codebook, canEdit, onEdit, onAddChild, onAdd }) {
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
      ),
    ),
    canEdit
      ? h(
          "div",
          { class: "toolbar", "data-testid": "codebook-edit" },
          h("button", { type: "button", class: "btn btn-primary", onclick: onAdd }, "New theme or code"),
        )
      : null,
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
      codebook.tree.map((node) => codeNode(node, { canEdit, onEdit, onAddChild })),
    ),
  );
}

/** The dialog to create or edit a code. `onSave(fields)` returns a promise; its error is shown here. */
export function openCodeDialog({ code = null, parentId = null, flatCodes, onSave }) {
  const isNew = !code;
  const errorSlot = h("div", { "aria-live": "assertive" });
  const field = (name, label, input, hint) =>
    h(
      "div",
      { class: "field" },
      h("label", { for: `code-${name}` }, label),
      input,
      hint ? h("p", { class: "hint", id: `code-${name}-hint` }, hint) : null,
    );
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
  const form = h(
    "form",
    { method: "dialog", class: "dialog-form" },
    h("h2", {}, isNew ? "New code" : `Edit “${code.name}”`),
    errorSlot,
    h(
      "div",
      { class: "field-row" },
      field("name", "Name", h("input", { id: "code-name", name: "name", required: true, value: code?.name ?? "" })),
      field(
        "colour",
        "Colour",
        h("input", { id: "code-colour", name: "colour", type: "color", value: normaliseColour(code?.colour, "#1d4ed8") }),
      ),
    ),
    field("parent", "Parent", parentSelect),
    field("definition", "Definition", text("definition", code?.definition, 3)),
    h(
      "div",
      { class: "field-row" },
      field("inclusion", "Use when (inclusion)", text("inclusion", code?.inclusion)),
      field("exclusion", "Do not use when (exclusion)", text("exclusion", code?.exclusion)),
    ),
    h(
      "div",
      { class: "field-row" },
      field("typical_example", "Typical example", text("typical_example", code?.typical_example, 2)),
      field("atypical_example", "Atypical example", text("atypical_example", code?.atypical_example, 2)),
    ),
    isNew
      ? null
      : h(
          "div",
          { class: "field field-check" },
          h("input", { id: "code-active", name: "is_active", type: "checkbox", checked: code.is_active }),
          h("label", { for: "code-active" }, "Active (coders can apply it)"),
        ),
    field(
      "rationale",
      "Rationale for this change",
      h("input", { id: "code-rationale", name: "rationale", "aria-describedby": "code-rationale-hint" }),
      "Recorded in the codebook's version history and the audit trail.",
    ),
    h(
      "div",
      { class: "dialog-actions" },
      h("button", { type: "button", class: "btn", value: "cancel", onclick: () => dialog.close() }, "Cancel"),
      h("button", { type: "submit", class: "btn btn-primary" }, isNew ? "Create code" : "Save changes"),
    ),
  );
  const dialog = h("dialog", { class: "dialog", "aria-label": isNew ? "New code" : "Edit code" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const fields = Object.fromEntries(
      [...data.entries()].filter(([key]) => key !== "is_active"),
    );
    if (!isNew) fields.is_active = form.querySelector("#code-active").checked;
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    errorSlot.replaceChildren();
    try {
      await onSave(fields);
      dialog.close();
    } catch (error) {
      errorSlot.replaceChildren(h("div", { class: "alert alert-error", role: "alert" }, error.message));
      submit.disabled = false;
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  form.querySelector("#code-name").focus();
  return dialog;
}
