/** Form pieces the Explore views share: a labelled select and a pager. */
import { h } from "./dom.js";

/** A labelled <select> of `options` ([value, text]); `any`: the text of a first, empty option (null: none). */
export function selectField(id, label, options, value, onchange, { any = "any" } = {}) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h(
      "select",
      { id, onchange: (e) => onchange(e.target.value) },
      any === null ? null : h("option", { value: "" }, any),
      options.map(([v, text]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, text)),
    ),
  );
}

/** Previous / Next around "Page n of m"; nothing when there is one page. */
export function pager(page, pages, go, label) {
  if (pages <= 1) return null;
  return h(
    "nav",
    { class: "pager", "aria-label": label },
    h("button", { type: "button", class: "btn btn-small", disabled: page <= 1, onclick: () => go(page - 1) }, "Previous"),
    h("span", { class: "muted small" }, `Page ${page} of ${pages}`),
    h("button", { type: "button", class: "btn btn-small", disabled: page >= pages, onclick: () => go(page + 1) }, "Next"),
  );
}

/** The codebook as select options, indented by depth. */
export const codeOptions = (flat) => flat.map(({ code, depth }) => [code.id, `${"  ".repeat(depth)}${code.name}`]);
