/**
 * The transcript reader and coding view: the transcript (reader/transcriptView.js) beside the coding
 * panel (reader/codingPanel.js), driven by one coding session (services/codingService.js) and the keys of
 * domain/readerKeys.js. The page takes keyboard focus as it opens, so j/k work at once.
 *
 * The coder's loop: code the unit (keys 1–9, the picker, spans by mouse or Shift+arrows), press s to
 * submit it, and the queue's next unit opens, in this transcript or the next.
 */
import { readerKeyAction } from "../domain/readerKeys.js";
import { CodingSession } from "../services/codingService.js";
import { setBreadcrumbs } from "./appHeader.js";
import { announce, errorBox, formatDate, h, mount, setTitle, spinner } from "./dom.js";
import { CodingPanel } from "./reader/codingPanel.js";
import { TranscriptView } from "./reader/transcriptView.js";

function keyHelp() {
  const k = (key) => h("kbd", {}, key);
  return h(
    "p",
    { class: "hint key-help" },
    k("j"), "/", k("k"), " next/previous · ",
    k("1"), "–", k("9"), " your codes · ",
    k("/"), " pick a code · ",
    k("Shift"), "+", k("→"), " span by word (", k("↓"), " sentence) · ",
    k("s"), " submit unit · ",
    k("m"), " memo",
  );
}

export async function ReaderPage({ services, root, projectId, documentId }) {
  const segmentId = new URLSearchParams(window.location.search).get("segment");
  const session = new CodingSession(services.repositories, { projectId, documentId, segmentId });
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

  const run = async (fn) => {
    panel.clearError();
    try {
      return await fn();
    } catch (error) {
      panel.showError(error);
      announce(error.message, { tone: "error" });
      return undefined;
    }
  };

  const transcript = TranscriptView({
    session,
    onSpanSelected: (id, span) => {
      session.setSpan(id, span);
      panel.picker?.focus();
    },
  });

  async function chooseCode(code) {
    const onSpan = Boolean(session.target?.span);
    const result = await run(() => session.applyToTarget(code.id));
    if (!result) return;
    panel.picker?.clear();
    announce(result.action === "applied" ? `Applied ${code.name}${onSpan ? " to the span" : ""}.` : `Removed ${code.name}.`);
  }

  async function submit() {
    const segment = session.currentSegment;
    if (!segment) return;
    const submitted = await run(() => session.submit(segment.id).then(() => true));
    if (!submitted) return;
    announce(`Submitted ¶${segment.position + 1}.`);
    const next = await run(() => session.nextUnit());
    if (next === undefined) return;
    if (next === null) {
      allDone();
    } else if (next.url) {
      window.location.assign(next.url);
    } else {
      transcript.focusCurrent();
    }
  }

  function allDone() {
    mount(
      doneNotice,
      h(
        "div",
        { class: "notice notice-ok", role: "status" },
        h("strong", {}, "All your units are submitted. "),
        "Thank you! ",
        h("a", { href: `/projects/${project.id}/#work` }, "Back to your work"),
      ),
    );
  }

  const panel = CodingPanel({
    session,
    services,
    projectId,
    actions: {
      chooseCode,
      removeCoding: async (coding) => {
        const code = session.codeById.get(coding.code);
        const ok = await run(() => session.remove(coding.id).then(() => true));
        if (ok) announce(`Removed ${code?.name ?? "code"}.`);
      },
      submit,
      reopen: async () => {
        const segment = session.currentSegment;
        const ok = await run(() => session.reopen(segment.id).then(() => true));
        if (ok) announce(`Reopened ¶${segment.position + 1}: change its codes, then submit it again.`);
      },
      clearSpan: () => {
        session.clearSpan();
        transcript.focusCurrent();
      },
      saveMemo: async (text) => {
        const segment = session.currentSegment;
        if (!segment) return false;
        const memo = await run(() => session.addMemo(segment.id, text));
        if (memo) announce("Memo saved.");
        return Boolean(memo);
      },
      deleteMemo: (id, memoId) => run(() => session.deleteMemo(id, memoId)),
      focusTranscript: () => transcript.focusCurrent(),
    },
  });

  // --- Header: the document, this transcript's and all the caller's units, the neighbouring transcripts --
  const progress = h("div", { class: "progress" });
  function renderProgress() {
    const here = session.documentUnits;
    if (!here.total && !session.totals) {
      mount(progress);
      return;
    }
    const pct = here.total ? Math.round((100 * here.done) / here.total) : 0;
    mount(
      progress,
      h(
        "div",
        { class: "progress-bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(here.total), "aria-valuenow": String(here.done), "aria-label": "Your units in this transcript submitted" },
        h("span", { style: { width: `${pct}%` } }),
      ),
      h(
        "span",
        { class: "progress-text" },
        `${here.done} of your ${here.total} units here submitted`,
        session.totals ? ` · ${session.totals.done} of ${session.totals.assigned} in all` : "",
      ),
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
          "None of this transcript's segments are your units. You can read it; coding happens in your own units. ",
          h("a", { href: `/projects/${project.id}/#work` }, "See your work"),
        )
      : null;
  const doneNotice = h("div", { class: "done-slot" });

  mount(
    root,
    h(
      "div",
      { class: "reader" },
      h("section", { class: "transcript", "aria-label": "Transcript" }, header, noUnits, doneNotice, session.canCode ? keyHelp() : null, transcript.element),
      panel.element,
    ),
  );
  root.classList.add("is-wide");

  // --- Keys --------------------------------------------------------------------------------------------
  transcript.element.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, button")) return;
    const action = readerKeyAction(event, { canCode: session.canCode });
    if (!action) return;
    event.preventDefault();
    if (action.type === "step") session.step(action.direction);
    else if (action.type === "pick") panel.picker?.focus();
    else if (action.type === "memo") panel.focusMemo();
    else if (action.type === "submit") submit();
    else if (action.type === "clear-span") session.clearSpan();
    else if (action.type === "span") {
      if (!session.blockedReason(session.currentSegment?.id) && !session.moveSpan(action.edge, action.direction, action.granularity)) {
        announce("This segment has no words to select.");
      }
    } else if (action.type === "shortcut") {
      const shortcut = session.shortcuts.find((s) => s.key === action.key);
      if (shortcut) chooseCode(shortcut.code);
    }
  });

  // --- Keeping the page in step with the session ---------------------------------------------------------
  let shownId = session.currentSegment?.id;
  session.onChange((what) => {
    const current = session.currentSegment?.id;
    if (what === "selection") {
      const previousId = shownId;
      shownId = current;
      if (previousId != null) transcript.refreshSegment(previousId);
      if (current != null) transcript.refreshSegment(current);
      panel.clearError();
      panel.render();
      loadMemos();
      if (!panel.element.contains(document.activeElement)) transcript.focusCurrent();
      else transcript.segmentEl(current)?.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } else if (what === "codings" || what === "memos" || what === "target") {
      if (current != null) transcript.refreshSegment(current);
      panel.render();
      if (what === "codings") renderProgress();
    } else if (what === "assignments") {
      for (const id of session.assignments?.keys() ?? []) transcript.refreshSegment(id);
      panel.render();
      renderProgress();
    }
  });

  function loadMemos() {
    const segment = session.currentSegment;
    if (segment && session.memosFor(segment.id) === null) run(() => session.loadMemos(segment.id));
  }

  renderProgress();
  panel.render();
  loadMemos();
  transcript.focusCurrent({ smooth: false }); // j/k work at once, and the unit the queue chose is in view
}
