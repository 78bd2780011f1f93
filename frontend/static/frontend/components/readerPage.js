/**
 * The transcript reader and coding view. Segments in order; interviewer turns as muted context; the
 * selected segment's codes, a keyboard-first code picker and memos in the side panel.
 *
 * Keys in the transcript: j / ↓ next segment, k / ↑ previous, / or c to pick a code, m to write a memo.
 */
import { normaliseColour, readableTextColour } from "../domain/codebook.js";
import { selectionToSpan, sliceCodePoints, spanRuns } from "../domain/codepoints.js";
import { roleLabel } from "../domain/roles.js";
import { codingProgress, formatTimestamp, groupBySegment, isSpan } from "../domain/segments.js";
import { CodingSession } from "../services/codingService.js";
import { setBreadcrumbs } from "./appHeader.js";
import { announce, errorBox, formatDate, h, mount, setTitle, spinner, timeAgo } from "./dom.js";
import { CodePicker } from "./codePicker.js";
import { ProposalForm } from "./proposals.js";

function chip(code, coding, { onRemove = null, coder = null } = {}) {
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

export async function ReaderPage({ services, root, projectId, documentId }) {
  const session = new CodingSession(services.repositories, { projectId, documentId });
  mount(root, spinner("Loading transcript…"));
  try {
    await session.load();
  } catch (error) {
    setBreadcrumbs([{ label: "Projects", href: "/projects/" }, { label: "Transcript" }]);
    mount(root, h("h1", {}, "Transcript"), errorBox(error));
    return;
  }

  const { project, document: doc } = session;
  setTitle(doc.title, project.name);
  setBreadcrumbs([
    { label: "Projects", href: "/projects/" },
    { label: project.name, href: `/projects/${project.id}/` },
    { label: doc.title },
  ]);

  let pendingSpan = null; // {segmentId, start, end, text}
  const segmentEls = new Map();
  const panelError = h("div", { class: "panel-error", "aria-live": "assertive" });
  const showError = (error) => {
    mount(panelError, errorBox(error));
    announce(error.message, { tone: "error" });
  };
  const clearError = () => mount(panelError);
  const run = async (fn) => {
    clearError();
    try {
      return await fn();
    } catch (error) {
      showError(error);
      return undefined;
    }
  };

  // --- Transcript --------------------------------------------------------------------------------------
  const spansFor = (segment) =>
    session
      .codingsFor(segment.id)
      .filter(isSpan)
      .map((c) => ({ start: c.span_start, end: c.span_end, coding: c }));

  function segmentText(segment) {
    const p = h("p", { class: "seg-text" });
    for (const run of spanRuns(segment, spansFor(segment))) {
      if (!run.spans.length) {
        p.append(run.text);
        continue;
      }
      const codes = run.spans.map((s) => session.codeById.get(s.coding.code));
      const colour = normaliseColour(codes[0]?.colour);
      p.append(
        h(
          "mark",
          {
            class: ["span-mark", run.spans.length > 1 ? "is-overlap" : null],
            style: { "--mark": colour },
            title: codes.map((c) => c?.name).join(", "),
          },
          run.text,
        ),
      );
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
    const blocked = segment.codable && session.canCode ? session.blockedReason(segment.id) : null;
    const done = segment.codable && session.assignments?.get(segment.id) === "done";
    const li = h(
      "li",
      {
        class: [
          "segment",
          segment.codable ? "is-codable" : "is-context",
          selected ? "is-selected" : null,
          blocked && !done ? "is-unassigned" : null,
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
        segment.codable ? h("span", { class: "segno" }, `¶${segment.position + 1}`) : null,
        memos?.length ? h("span", { class: "memo-flag", title: `${memos.length} memo(s)` }, "✎") : null,
        done ? h("span", { class: "seg-status is-done" }, "done") : null,
        blocked && !done ? h("span", { class: "seg-status" }, "not yours") : null,
      ),
      h("div", { class: "seg-main" }, segmentText(segment), segment.codable ? segmentChips(segment) : null),
    );
    segmentEls.set(segment.id, li);
    return li;
  }

  const list = h(
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

  list.addEventListener("click", (event) => {
    if (event.target.closest("button, a")) return;
    const li = event.target.closest(".segment.is-codable");
    if (!li) return;
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return; // a text selection is handled on mouseup
    session.selectSegmentId(Number(li.dataset.segmentId));
  });

  // Span selection: highlight text inside one codable segment, then pick a code.
  list.addEventListener("mouseup", () => {
    if (!session.canCode) return;
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const textEl = range.commonAncestorContainer.nodeType === Node.ELEMENT_NODE
      ? range.commonAncestorContainer.closest(".seg-text")
      : range.commonAncestorContainer.parentElement?.closest(".seg-text");
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
    if (!span) return;
    pendingSpan = { segmentId: segment.id, ...span, text: sliceCodePoints(segment.text, span.start - segment.start, span.end - segment.start) };
    if (session.currentSegment?.id !== segment.id) session.selectSegmentId(segment.id);
    else renderPanel();
    picker?.focus();
  });

  list.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, button")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    if (key === "j" || key === "ArrowDown") {
      event.preventDefault();
      session.step(1);
    } else if (key === "k" || key === "ArrowUp") {
      event.preventDefault();
      session.step(-1);
    } else if ((key === "/" || key === "c" || key === "Enter") && session.canCode) {
      event.preventDefault();
      picker?.focus();
    } else if (key === "m" && session.canCode) {
      event.preventDefault();
      document.getElementById("memo-text")?.focus();
    }
  });

  // --- Side panel ---------------------------------------------------------------------------------------
  const picker = session.canCode
    ? CodePicker({
        entries: session.flatCodes,
        isApplied: (codeId) => {
          const seg = session.currentSegment;
          return Boolean(seg && session.mySegmentCoding(seg.id, codeId));
        },
        onChoose: (code) => chooseCode(code),
        onEscape: () => focusCurrent(),
      })
    : null;

  async function chooseCode(code) {
    const segment = session.currentSegment;
    const span = pendingSpan && pendingSpan.segmentId === segment?.id ? pendingSpan : null;
    const result = await run(() => session.toggle(segment?.id, code.id, span ? { start: span.start, end: span.end } : null));
    if (!result) return;
    if (span) pendingSpan = null;
    picker.clear();
    announce(result.action === "applied" ? `Applied ${code.name}${span ? " to the selected span" : ""}.` : `Removed ${code.name}.`);
  }

  async function removeCoding(coding) {
    const code = session.codeById.get(coding.code);
    const ok = await run(() => session.remove(coding.id).then(() => true));
    if (ok) announce(`Removed ${code?.name ?? "code"}.`);
  }

  const panelBody = h("div", { class: "panel-body" });
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
      focusCurrent();
    }
  });

  async function saveMemo() {
    const segment = session.currentSegment;
    if (!segment) return;
    const memo = await run(() => session.addMemo(segment.id, memoText.value));
    if (memo) {
      memoText.value = "";
      announce("Memo saved.");
    }
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
              ? h(
                  "button",
                  {
                    type: "button",
                    class: "link-button",
                    "aria-label": "Delete memo",
                    onclick: () => run(() => session.deleteMemo(segment.id, m.id)),
                  },
                  "Delete",
                )
              : null,
          ),
          h("p", {}, m.text),
        ),
      ),
    );
  }

  function renderPanel() {
    const segment = session.currentSegment;
    if (!segment) {
      mount(panelBody, h("p", { class: "muted" }, "This transcript has no segments."));
      picker?.setDisabled(true);
      return;
    }
    if (pendingSpan && pendingSpan.segmentId !== segment.id) pendingSpan = null;
    const { mine, others } = session.codingsSplit(segment.id);
    const byCoder = groupBySegment(others, "coder_username");
    const blocked = session.canCode ? session.blockedReason(segment.id) : null;
    mount(
      panelBody,
      h(
        "div",
        { class: "panel-head" },
        h("div", { class: "panel-kicker" }, `Segment ¶${segment.position + 1}`),
        h("div", { class: "panel-speaker" }, segment.speaker || "—", segment.start_time_ms != null ? h("span", { class: "time" }, formatTimestamp(segment.start_time_ms)) : null),
      ),
      blocked ? h("p", { class: "notice" }, blocked) : null,
      pendingSpan && !blocked
        ? h(
            "div",
            { class: "span-pending" },
            h("div", { class: "panel-label" }, "Selected span"),
            h("q", {}, pendingSpan.text.length > 160 ? `${pendingSpan.text.slice(0, 160)}…` : pendingSpan.text),
            h(
              "button",
              { type: "button", class: "link-button", onclick: () => { pendingSpan = null; renderPanel(); } },
              "Code the whole segment instead",
            ),
          )
        : null,
      h(
        "div",
        { class: "applied" },
        h("div", { class: "panel-label", id: "applied-label" }, session.canCode ? "Your codes" : "Codes"),
        mine.length
          ? h(
              "div",
              { class: "chip-list", role: "list", "aria-labelledby": "applied-label" },
              mine.map((c) => h("span", { role: "listitem" }, chip(session.codeById.get(c.code), c, { onRemove: session.canCode ? removeCoding : null }))),
            )
          : h("p", { class: "muted small" }, session.canCode ? "None yet. Pick a code below." : "None."),
      ),
      others.length
        ? h(
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
          )
        : null,
    );
    picker?.setDisabled(Boolean(blocked));
    picker?.refresh();
    if (picker) picker.element.querySelector(".panel-label").textContent = pendingSpan ? "Apply a code to the span" : "Apply a code";
    mount(memoSlot, memoList(segment));
  }

  const memoSlot = h("div", { class: "memo-slot" });
  const panel = h(
    "aside",
    { class: "coding-panel", "aria-label": "Coding panel" },
    panelError,
    panelBody,
    picker ? picker.element : h("p", { class: "notice" }, `Read-only: your role is ${roleLabel(session.role)}.`),
    session.canCode
      ? ProposalForm({
          repo: services.repositories.codebook,
          projectId,
          themes: [...session.codeById.values()].filter((c) => c.parent === null && c.is_active),
          currentSegmentId: () => session.currentSegment?.id,
        })
      : null,
    h("div", { class: "memos" }, memoSlot, memoForm),
  );

  // --- Header -------------------------------------------------------------------------------------------
  const progress = h("div", { class: "progress" });
  function renderProgress() {
    const units = session.assignments?.size
      ? session.segments.filter((seg) => session.assignments.has(seg.id))
      : session.segments;
    const { done, total } = codingProgress(units, groupBySegment(session.codings), session.user.id);
    const pct = total ? Math.round((100 * done) / total) : 0;
    mount(
      progress,
      h("div", { class: "progress-bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(total), "aria-valuenow": String(done), "aria-label": "Segments you have coded" }, h("span", { style: { width: `${pct}%` } })),
      h("span", { class: "progress-text" }, session.assignments?.size ? `${done} of your ${total} units coded` : `${done} of ${total} codable segments coded`),
    );
  }
  const { previous, next } = session.neighbours;
  const docNav = h(
    "nav",
    { class: "doc-nav", "aria-label": "Other transcripts" },
    previous ? h("a", { class: "btn btn-small btn-ghost", href: `/projects/${project.id}/documents/${previous.id}/`, rel: "prev" }, "← ", previous.title) : null,
    next ? h("a", { class: "btn btn-small btn-ghost", href: `/projects/${project.id}/documents/${next.id}/`, rel: "next" }, next.title, " →") : null,
  );
  const header = h(
    "header",
    { class: "doc-head" },
    h(
      "div",
      {},
      h("h1", {}, doc.title),
      h(
        "p",
        { class: "meta" },
        h("span", { class: "case-tag" }, doc.case_identifier),
        ` · Interviewed ${formatDate(doc.interview_date)} · ${session.segments.length} segments · codebook v${session.codebookVersion}`,
      ),
    ),
    h("div", { class: "doc-head-side" }, progress, docNav),
  );
  const noUnits =
    session.canCode && session.hasAssignments === false
      ? h(
          "p",
          { class: "notice" },
          "None of this transcript's segments are assigned to you. You can read it; coding happens in your own units. ",
          h("a", { href: `/projects/${project.id}/` }, "See your transcripts"),
        )
      : null;
  const keys = h(
    "p",
    { class: "hint key-help" },
    h("kbd", {}, "j"), "/", h("kbd", {}, "k"), " next/previous segment · ",
    h("kbd", {}, "/"), " pick a code · ",
    h("kbd", {}, "m"), " memo · select text to code a span",
  );

  mount(
    root,
    h(
      "div",
      { class: "reader" },
      h("section", { class: "transcript", "aria-label": "Transcript" }, header, noUnits, session.canCode ? keys : null, list),
      panel,
    ),
  );
  root.classList.add("is-wide");

  function focusCurrent() {
    const seg = session.currentSegment;
    const el = seg && segmentEls.get(seg.id);
    if (el) {
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  let previousId = session.currentSegment?.id;
  session.onChange((what) => {
    if (what === "selection") {
      const prev = previousId;
      previousId = session.currentSegment?.id;
      if (prev != null) refreshSegment(prev);
      if (previousId != null) refreshSegment(previousId);
      clearError();
      renderPanel();
      loadMemos();
      if (!panel.contains(document.activeElement)) focusCurrent();
      else segmentEls.get(previousId)?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } else if (what === "codings") {
      if (session.currentSegment) refreshSegment(session.currentSegment.id);
      renderProgress();
      renderPanel();
    } else if (what === "memos") {
      if (session.currentSegment) refreshSegment(session.currentSegment.id);
      renderPanel();
    }
  });

  function loadMemos() {
    const seg = session.currentSegment;
    if (seg && session.memosFor(seg.id) === null) run(() => session.loadMemos(seg.id));
  }

  renderProgress();
  renderPanel();
  loadMemos();
}
