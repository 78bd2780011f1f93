/**
 * The transcript: segments in order, interviewer turns as muted context, each codable segment with its
 * codes (chips), its span marks, and the span being chosen for the next code. Clicking selects a
 * segment; selecting text inside one makes it the span the next code goes to.
 */
import { normaliseColour } from "../../domain/codebook.js";
import { selectionToSpan, spanRuns } from "../../domain/codepoints.js";
import { formatTimestamp, isSpan } from "../../domain/segments.js";
import { h } from "../dom.js";
import { chip } from "./chip.js";

/** `onSpanSelected(segmentId, {start, end})` after a mouse (or touch) selection inside a segment. */
export function TranscriptView({ session, onSpanSelected }) {
  const segmentEls = new Map();

  const spansFor = (segment) => {
    const marks = session
      .codingsFor(segment.id)
      .filter(isSpan)
      .map((c) => ({ start: c.span_start, end: c.span_end, coding: c }));
    const target = session.span?.segmentId === segment.id ? session.span : null;
    return target ? [...marks, { start: target.start, end: target.end, pending: true }] : marks;
  };

  function segmentText(segment) {
    const p = h("p", { class: "seg-text" });
    for (const run of spanRuns(segment, spansFor(segment))) {
      const marks = run.spans.filter((s) => !s.pending);
      const pending = run.spans.some((s) => s.pending);
      let node = run.text;
      if (marks.length) {
        const codes = marks.map((s) => session.codeById.get(s.coding.code));
        node = h(
          "mark",
          {
            class: ["span-mark", marks.length > 1 ? "is-overlap" : null],
            style: { "--mark": normaliseColour(codes[0]?.colour) },
            title: codes.map((c) => c?.name).join(", "),
          },
          node,
        );
      }
      if (pending) node = h("span", { class: "span-target", title: "The next code goes to this span" }, node);
      p.append(node);
    }
    return p;
  }

  function segmentChips(segment) {
    const { mine, others } = session.codingsSplit(segment.id);
    if (!mine.length && !others.length) return null;
    return h(
      "div",
      { class: "seg-chips" },
      mine.map((c) => chip(session.codeById.get(c.code), c)),
      others.map((c) => chip(session.codeById.get(c.code), c, { coder: c.coder_username })),
    );
  }

  function renderSegment(segment, index) {
    const selected = index === session.currentIndex;
    const time = formatTimestamp(segment.start_time_ms);
    const memos = session.memosFor(segment.id);
    const status = segment.codable ? session.unitStatus(segment.id) : null;
    const blocked = segment.codable && session.canCode ? session.blockedReason(segment.id) : null;
    const li = h(
      "li",
      {
        class: [
          "segment",
          segment.codable ? "is-codable" : "is-context",
          selected ? "is-selected" : null,
          blocked && status !== "done" ? "is-unassigned" : null,
          status === "done" ? "is-submitted" : null,
        ],
        dataset: { segmentId: String(segment.id), index: String(index) },
        tabindex: segment.codable ? (selected ? "0" : "-1") : null,
        "aria-current": selected ? "true" : null,
        "aria-label": segment.codable ? null : `${segment.speaker || "Context"} (context, not coded)`,
      },
      h(
        "div",
        { class: "seg-gutter" },
        h("span", { class: "speaker" }, segment.speaker || "—"),
        time ? h("span", { class: "time" }, time) : null,
        h("span", { class: "segno" }, `¶${segment.position + 1}`),
        memos?.length ? h("span", { class: "memo-flag", title: `${memos.length} memo(s)` }, "✎") : null,
        status === "done" ? h("span", { class: "seg-status is-done" }, "submitted") : null,
        blocked && status !== "done" ? h("span", { class: "seg-status" }, "not your unit") : null,
      ),
      h("div", { class: "seg-main" }, segmentText(segment), segment.codable ? segmentChips(segment) : null),
    );
    segmentEls.set(segment.id, li);
    return li;
  }

  const element = h(
    "ol",
    { class: "segments", "aria-label": "Transcript segments" },
    session.segments.map((s, i) => renderSegment(s, i)),
  );

  function refreshSegment(segmentId) {
    const index = session.segments.findIndex((s) => s.id === segmentId);
    const old = segmentEls.get(segmentId);
    if (index < 0 || !old) return;
    const hadFocus = old === document.activeElement;
    const fresh = renderSegment(session.segments[index], index);
    old.replaceWith(fresh);
    if (hadFocus) fresh.focus({ preventScroll: true });
  }

  function focusCurrent({ smooth = true } = {}) {
    const segment = session.currentSegment;
    const el = segment && segmentEls.get(segment.id);
    if (!el) return;
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest", behavior: smooth ? "smooth" : "auto" });
  }

  element.addEventListener("click", (event) => {
    if (event.target.closest("button, a")) return;
    const li = event.target.closest(".segment.is-codable");
    if (!li) return;
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return; // a text selection is handled on mouseup
    session.selectSegmentId(Number(li.dataset.segmentId));
  });

  // A text selection inside one codable segment becomes the span the next code goes to.
  element.addEventListener("mouseup", () => {
    if (!session.canCode) return;
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const container = range.commonAncestorContainer;
    const textEl = (container.nodeType === Node.ELEMENT_NODE ? container : container.parentElement)?.closest(".seg-text");
    const li = textEl?.closest(".segment.is-codable");
    if (!textEl || !li) return;
    const offsetOf = (node, offset) => {
      const r = document.createRange();
      r.setStart(textEl, 0);
      r.setEnd(node, offset);
      return r.toString().length;
    };
    const segment = session.segments.find((s) => s.id === Number(li.dataset.segmentId));
    const span = selectionToSpan(segment, offsetOf(range.startContainer, range.startOffset), offsetOf(range.endContainer, range.endOffset));
    if (span) onSpanSelected(segment.id, span);
  });

  return { element, refreshSegment, focusCurrent, segmentEl: (id) => segmentEls.get(id) };
}
