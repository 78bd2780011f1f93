/** A code on a segment, as a coloured chip (the caller's, removable; or another coder's, outlined). */
import { normaliseColour, readableTextColour } from "../../domain/codebook.js";
import { isSpan } from "../../domain/segments.js";
import { h } from "../dom.js";

export function chip(code, coding, { onRemove = null, coder = null } = {}) {
  const colour = normaliseColour(code?.colour);
  const name = code?.name ?? `Code ${coding.code}`;
  const span = isSpan(coding);
  return h(
    "span",
    {
      class: ["chip", coder ? "chip-other" : null, code && !code.is_active ? "chip-inactive" : null],
      style: coder ? { "--chip": colour } : { background: colour, color: readableTextColour(colour) },
      title: [name, span ? "(span)" : "(whole segment)", coder ? `by ${coder}` : "", code && !code.is_active ? "· inactive" : ""]
        .filter(Boolean)
        .join(" "),
      dataset: { codeId: String(coding.code), codingId: String(coding.id) },
    },
    span ? h("span", { class: "chip-span", "aria-label": "span" }, "❝") : null,
    h("span", { class: "chip-label" }, name),
    coder ? h("span", { class: "chip-coder" }, coder) : null,
    onRemove
      ? h(
          "button",
          {
            type: "button",
            class: "chip-remove",
            "aria-label": `Remove ${name}${span ? " (span)" : ""}`,
            onclick: (event) => {
              event.stopPropagation();
              onRemove(coding);
            },
          },
          "×",
        )
      : null,
  );
}
