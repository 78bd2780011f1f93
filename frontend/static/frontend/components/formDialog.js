/** The frame of the UI's modal forms: a labelled field, and a dialog that submits, waits and shows errors. */
import { h } from "./dom.js";

/**
 * A modal form: `content` inside a form with Cancel and `submitLabel`; `onSubmit(form)` returns a promise,
 * and its error is shown in the dialog (which then stays open) until the next submit or another file is
 * chosen. Returns the dialog.
 */
export function openFormDialog({ label, title, content, submitLabel, onSubmit, focus }) {
  const errorSlot = h("div", { "aria-live": "assertive" });
  const form = h(
    "form",
    { method: "dialog", class: "dialog-form" },
    h("h2", {}, title),
    errorSlot,
    content,
    h(
      "div",
      { class: "dialog-actions" },
      h("button", { type: "button", class: "btn", value: "cancel", onclick: () => dialog.close() }, "Cancel"),
      h("button", { type: "submit", class: "btn btn-primary" }, submitLabel),
    ),
  );
  const dialog = h("dialog", { class: "dialog", "aria-label": label }, form);
  // An error about a file no longer applies once another file is chosen.
  form.addEventListener("change", (event) => {
    if (event.target.type === "file") errorSlot.replaceChildren();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    errorSlot.replaceChildren();
    try {
      await onSubmit(form);
      dialog.close();
    } catch (error) {
      errorSlot.replaceChildren(h("div", { class: "alert alert-error", role: "alert" }, error.message));
      submit.disabled = false;
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  form.querySelector(focus)?.focus();
  return dialog;
}

/** A labelled form field; `hint` (optional) is shown under it as `<id>-hint`. */
export const field = (id, label, input, hint) =>
  h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
  );
