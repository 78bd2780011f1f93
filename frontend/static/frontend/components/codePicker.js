/**
 * The code picker: a filter box over the codebook (an ARIA combobox with a listbox). Type to filter,
 * ↑/↓ to move, Enter to apply (or remove, when the code is already applied), Esc to clear or leave.
 * Inactive codes are listed, marked, and cannot be chosen.
 */
import { filterCodes, nextApplicable, normaliseColour } from "../domain/codebook.js";
import { h, mount } from "./dom.js";

export function CodePicker({ entries, isApplied, onChoose, onEscape, label = "Apply a code" }) {
  let query = "";
  let visible = entries;
  let active = nextApplicable(visible, 0, 1);
  let disabled = false;

  const input = h("input", {
    id: "code-filter",
    type: "text",
    class: "picker-input",
    role: "combobox",
    autocomplete: "off",
    spellcheck: "false",
    "aria-autocomplete": "list",
    "aria-expanded": "true",
    "aria-controls": "code-options",
    "aria-describedby": "code-filter-hint",
    placeholder: "Type to filter codes…",
  });
  const list = h("ul", { id: "code-options", role: "listbox", class: "picker-list", "aria-label": "Codes" });
  const hint = h(
    "p",
    { id: "code-filter-hint", class: "hint" },
    h("kbd", {}, "↑"),
    h("kbd", {}, "↓"),
    " choose · ",
    h("kbd", {}, "Enter"),
    " apply / remove · ",
    h("kbd", {}, "Esc"),
    " back to transcript",
  );
  const element = h(
    "div",
    { class: "picker" },
    h("label", { for: "code-filter", class: "panel-label" }, label),
    input,
    list,
    hint,
  );

  const optionId = (entry) => `code-opt-${entry.code.id}`;

  function renderList() {
    if (!visible.length) {
      mount(list, h("li", { class: "picker-empty", role: "presentation" }, `No code matches “${query}”.`));
      input.removeAttribute("aria-activedescendant");
      return;
    }
    mount(
      list,
      visible.map((entry, index) => {
        const { code } = entry;
        const applied = isApplied(code.id);
        return h(
          "li",
          {
            id: optionId(entry),
            role: "option",
            class: [
              "picker-option",
              index === active ? "is-active" : null,
              code.is_active ? null : "is-inactive",
              applied ? "is-applied" : null,
            ],
            "aria-selected": String(index === active),
            "aria-disabled": code.is_active ? null : "true",
            "aria-checked": applied ? "true" : "false",
            style: { "--depth": String(query ? 0 : entry.depth) },
            title: code.definition || code.name,
            onmousedown: (event) => event.preventDefault(), // keep focus in the filter box
            onclick: () => choose(index),
          },
          h("span", { class: "swatch", style: { background: normaliseColour(code.colour) }, "aria-hidden": "true" }),
          h(
            "span",
            { class: "option-text" },
            h("span", { class: ["option-name", entry.hasChildren ? "is-theme" : null] }, code.name),
            query && code.path && code.path !== code.name
              ? h("span", { class: "option-path" }, code.path.split(" / ").slice(0, -1).join(" / "))
              : null,
          ),
          code.is_active ? null : h("span", { class: "badge badge-inactive" }, "inactive"),
          applied ? h("span", { class: "option-check", "aria-label": "applied" }, "✓") : null,
        );
      }),
    );
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", optionId(visible[active]));
      list.querySelector(".is-active")?.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function setQuery(value) {
    query = value;
    visible = filterCodes(entries, query);
    active = nextApplicable(visible, 0, 1);
    renderList();
  }

  function move(step) {
    if (!visible.length) return;
    const start = active < 0 ? (step > 0 ? 0 : visible.length - 1) : active + step;
    const next = nextApplicable(visible, start, step);
    if (next >= 0) active = next;
    renderList();
  }

  function choose(index) {
    if (disabled) return;
    const entry = visible[index];
    if (!entry) return;
    active = index;
    onChoose(entry.code);
  }

  input.addEventListener("input", () => setQuery(input.value));
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      move(1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(-1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0) choose(active);
      else if (visible.length) onChoose(visible[0].code); // an inactive match: let the session say why
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (input.value) {
        input.value = "";
        setQuery("");
      } else {
        onEscape?.();
      }
    }
  });

  renderList();
  return {
    element,
    input,
    refresh: renderList,
    focus() {
      // Also move the document's selection into the box: after a span is highlighted in the transcript
      // while the box already has focus, typing would otherwise go to the (read-only) highlighted text.
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    },
    clear: () => {
      input.value = "";
      setQuery("");
    },
    setDisabled(value) {
      disabled = value;
      input.disabled = value;
      // A list that cannot be used is not shown (faded, it would be hard to read and still in the way).
      list.hidden = value;
      hint.hidden = value;
      element.classList.toggle("is-disabled", value);
    },
  };
}
