/**
 * The coding panel beside the transcript: the current unit and its state (submit, reopen), where the next
 * code goes (the whole segment or a span), the caller's codes, the number keys for their most used codes,
 * the code picker, other coders' codes (owners and adjudicators), a code proposal and memos.
 */
import { normaliseColour, readableTextColour } from "../../domain/codebook.js";
import { roleLabel } from "../../domain/roles.js";
import { formatTimestamp, groupBySegment } from "../../domain/segments.js";
import { CodePicker } from "../codePicker.js";
import { errorBox, h, mount, timeAgo } from "../dom.js";
import { ProposalForm } from "../proposals.js";
import { chip } from "./chip.js";

const quote = (text, max = 140) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * `actions`: `{chooseCode(code), removeCoding(coding), submit(), reopen(), clearSpan(), saveMemo(text),
 * deleteMemo(segmentId, memoId), focusTranscript()}`; each reports its own errors.
 */
export function CodingPanel({ session, services, projectId, actions }) {
  const panelError = h("div", { class: "panel-error", "aria-live": "assertive" });
  const unitSlot = h("div", { class: "unit-slot" });
  const targetSlot = h("div", { class: "target-slot", "aria-live": "polite" });
  const appliedSlot = h("div", { class: "applied-slot" });
  const othersSlot = h("div", { class: "others-slot" });
  const keysSlot = h("div", { class: "shortcut-slot" });
  const memoSlot = h("div", { class: "memo-slot" });

  const picker = session.canCode
    ? CodePicker({
        entries: session.flatCodes,
        isApplied: (codeId) => {
          const segment = session.currentSegment;
          return Boolean(segment && !session.target?.span && session.mySegmentCoding(segment.id, codeId));
        },
        onChoose: (code) => actions.chooseCode(code),
        onEscape: () => actions.focusTranscript(),
      })
    : null;

  const memoText = session.canCode
    ? h("textarea", { id: "memo-text", rows: "3", placeholder: "What strikes you about this passage?", "aria-describedby": "memo-hint" })
    : null;
  const memoForm = session.canCode
    ? h(
        "form",
        { class: "memo-form", onsubmit: (event) => { event.preventDefault(); saveMemo(); } },
        h("label", { for: "memo-text", class: "panel-label" }, "Memo on this segment"),
        memoText,
        h(
          "div",
          { class: "memo-actions" },
          h("span", { id: "memo-hint", class: "hint" }, h("kbd", {}, "Ctrl"), "+", h("kbd", {}, "Enter"), " to save"),
          h("button", { type: "submit", class: "btn btn-small" }, "Save memo"),
        ),
      )
    : null;
  memoText?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      saveMemo();
    } else if (event.key === "Escape") {
      actions.focusTranscript();
    }
  });
  async function saveMemo() {
    if (await actions.saveMemo(memoText.value)) memoText.value = "";
  }

  const element = h(
    "aside",
    { class: "coding-panel", "aria-label": "Coding panel" },
    panelError,
    unitSlot,
    targetSlot,
    appliedSlot,
    keysSlot,
    picker ? picker.element : h("p", { class: "notice" }, `Read-only: your role is ${roleLabel(session.role)}.`),
    othersSlot,
    session.canCode
      ? ProposalForm({
          propose: (fields) => services.projects.proposeCode(projectId, fields),
          themes: [...session.codeById.values()].filter((c) => c.parent === null && c.is_active),
          currentSegmentId: () => session.currentSegment?.id,
        })
      : null,
    h("div", { class: "memos" }, memoSlot, memoForm),
  );

  function renderUnit(segment) {
    const status = session.unitStatus(segment.id);
    const blocked = session.canCode ? session.blockedReason(segment.id) : null;
    const head = h(
      "div",
      { class: "panel-head" },
      h("div", { class: "panel-kicker" }, `Segment ¶${segment.position + 1}`),
      h(
        "div",
        { class: "panel-speaker" },
        segment.speaker || "—",
        segment.start_time_ms != null ? h("span", { class: "time" }, formatTimestamp(segment.start_time_ms)) : null,
      ),
    );
    let state = null;
    if (status === "assigned") {
      state = h(
        "div",
        { class: "unit-state" },
        h("p", { class: "unit-line" }, "Your unit. Submit it when its codes are complete; none is a valid answer."),
        h(
          "button",
          { type: "button", class: "btn btn-primary btn-block", id: "submit-unit", onclick: () => actions.submit() },
          "Submit unit and go to the next ",
          h("kbd", { class: "kbd-on-primary" }, "s"),
        ),
      );
    } else if (status === "done") {
      const reopenable = session.project?.coders_may_reopen !== false;
      state = h(
        "div",
        { class: "unit-state is-done" },
        h("p", { class: "unit-line" }, h("strong", {}, "Submitted. "), reopenable ? "Reopen it to change its codes." : "The PI has made submitted units final."),
        reopenable ? h("button", { type: "button", class: "btn btn-small", id: "reopen-unit", onclick: () => actions.reopen() }, "Reopen unit") : null,
      );
    } else if (blocked) {
      state = h("p", { class: "notice" }, blocked);
    }
    mount(unitSlot, head, state);
  }

  function renderTarget(segment) {
    if (!session.canCode || session.blockedReason(segment.id)) {
      mount(targetSlot);
      return;
    }
    const target = session.target;
    mount(
      targetSlot,
      target?.span
        ? h(
            "div",
            { class: "target is-span" },
            h("div", { class: "panel-label" }, "The next code goes to the span"),
            h("q", {}, quote(target.span.text)),
            h(
              "p",
              { class: "hint" },
              h("kbd", {}, "Shift"), "+", h("kbd", {}, "←"), h("kbd", {}, "→"), " word · ",
              h("kbd", {}, "Shift"), "+", h("kbd", {}, "↑"), h("kbd", {}, "↓"), " sentence · with ", h("kbd", {}, "Alt"), ": its start · ",
              h("kbd", {}, "Esc"), " whole segment",
            ),
            h("button", { type: "button", class: "link-button", onclick: () => actions.clearSpan() }, "Code the whole segment instead"),
          )
        : h(
            "div",
            { class: "target" },
            h("strong", {}, "The next code goes to the whole segment ", `¶${segment.position + 1}`, "."),
            h("span", { class: "hint" }, " Select text, or ", h("kbd", {}, "Shift"), "+", h("kbd", {}, "→"), ", to code a span."),
          ),
    );
  }

  function renderApplied(segment) {
    const { mine } = session.codingsSplit(segment.id);
    mount(
      appliedSlot,
      h(
        "div",
        { class: "applied" },
        h("div", { class: "panel-label", id: "applied-label" }, session.canCode ? "Your codes" : "Codes"),
        mine.length
          ? h(
              "div",
              { class: "chip-list", role: "list", "aria-labelledby": "applied-label" },
              mine.map((c) => h("span", { role: "listitem" }, chip(session.codeById.get(c.code), c, { onRemove: session.canCode ? actions.removeCoding : null }))),
            )
          : h("p", { class: "muted small" }, session.canCode ? "None yet. Pick a code below." : "None."),
      ),
    );
  }

  function renderShortcuts(blocked) {
    if (!session.canCode || !session.shortcuts.length || blocked) {
      mount(keysSlot);
      return;
    }
    mount(
      keysSlot,
      h("div", { class: "panel-label", id: "shortcut-label" }, "Keys for your most used codes"),
      h(
        "ol",
        { class: "shortcut-list", "aria-labelledby": "shortcut-label" },
        session.shortcuts.map(({ key, code }) => {
          const colour = normaliseColour(code.colour);
          return h(
            "li",
            {},
            h(
              "button",
              {
                type: "button",
                class: "shortcut",
                title: code.definition || code.name,
                "aria-keyshortcuts": key,
                onclick: () => actions.chooseCode(code),
              },
              h("kbd", { style: { background: colour, color: readableTextColour(colour), borderColor: colour } }, key),
              h("span", { class: "shortcut-name" }, code.name),
            ),
          );
        }),
      ),
    );
  }

  function renderOthers(segment) {
    const { others } = session.codingsSplit(segment.id);
    if (!others.length) {
      mount(othersSlot);
      return;
    }
    const byCoder = groupBySegment(others, "coder_username");
    mount(
      othersSlot,
      h(
        "div",
        { class: "applied others" },
        h("div", { class: "panel-label" }, "Other coders"),
        [...byCoder.entries()].map(([coder, codings]) =>
          h(
            "div",
            { class: "other-coder" },
            h("span", { class: "coder-name" }, coder),
            h("div", { class: "chip-list" }, codings.map((c) => chip(session.codeById.get(c.code), c, { coder: null }))),
          ),
        ),
      ),
    );
  }

  function memoList(segment) {
    const memos = session.memosFor(segment.id);
    if (memos === null) return h("p", { class: "muted small" }, "Loading memos…");
    if (!memos.length) return null;
    return h(
      "ul",
      { class: "memo-list", "aria-label": "Memos on this segment" },
      memos.map((m) =>
        h(
          "li",
          { class: "memo" },
          h(
            "div",
            { class: "memo-meta" },
            h("strong", {}, m.author_username),
            " · ",
            timeAgo(m.created_at),
            m.author === session.user.id
              ? h("button", { type: "button", class: "link-button", "aria-label": "Delete memo", onclick: () => actions.deleteMemo(segment.id, m.id) }, "Delete")
              : null,
          ),
          h("p", {}, m.text),
        ),
      ),
    );
  }

  function render() {
    const segment = session.currentSegment;
    if (!segment) {
      mount(unitSlot, h("p", { class: "muted" }, "This transcript has no segments."));
      picker?.setDisabled(true);
      return;
    }
    const blocked = session.canCode ? session.blockedReason(segment.id) : null;
    renderUnit(segment);
    renderTarget(segment);
    renderApplied(segment);
    renderShortcuts(blocked);
    renderOthers(segment);
    picker?.setDisabled(Boolean(blocked));
    picker?.refresh();
    if (picker) picker.element.querySelector(".panel-label").textContent = session.target?.span ? "Apply a code to the span" : "Apply a code";
    mount(memoSlot, memoList(segment));
  }

  return {
    element,
    render,
    picker,
    showError: (error) => mount(panelError, errorBox(error)),
    clearError: () => mount(panelError),
    focusMemo: () => memoText?.focus(),
  };
}
