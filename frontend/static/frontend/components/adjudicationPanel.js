/**
 * The adjudication tab (owners and adjudicators): bulk actions for unanimous units, then the queue of
 * disagreements, one unit at a time, side by side, with the codebook entries and memos involved.
 * Keys in a unit: 1–9 accept that coder's version, u union, i intersection, n next unit.
 */
import { codeMatrix, coderName, currentDecision, decisionChoices, needsRationale, queueItemTitle, unitTitle } from "../domain/adjudication.js";
import { announce, errorBox, h, mount, scrollBox, spinner, timeAgo } from "./dom.js";

/** The turns around the unit (interviewer turns as context), so it is read in its place. */
function turn(neighbour) {
  return h(
    "div",
    { class: ["turn", neighbour.codable ? null : "is-context"] },
    h("span", { class: "turn-who" }, neighbour.speaker || "—", " ", h("span", { class: "segno" }, `¶${neighbour.segment_number}`)),
    h("p", {}, neighbour.text),
  );
}

function bulkSection(state) {
  const preview = state.bulk;
  return h(
    "section",
    { class: "analysis-block", "aria-labelledby": "bulk-title" },
    h("h2", { id: "bulk-title" }, "Unanimous units"),
    h("p", { class: "muted" }, "Units where every coder applied the same codes can enter the final coding in one step."),
    preview
      ? h(
          "p",
          {},
          `${preview.units} unanimous units (${preview.final_codings} codings) are ready.`,
          " ",
          h(
            "button",
            {
              type: "button",
              class: "btn btn-primary",
              disabled: preview.units === 0,
              onclick: async () => {
                try {
                  const done = await state.service.acceptUnanimous(state.projectId);
                  announce(`${done.units} unanimous units accepted.`);
                  await state.reload();
                } catch (error) {
                  announce(error.message, { tone: "error", timeout: 8000 });
                }
              },
            },
            "Accept all unanimous units",
          ),
        )
      : null,
  );
}

function queueSection(state) {
  return h(
    "section",
    { class: "analysis-block", "aria-labelledby": "queue-title" },
    h("h2", { id: "queue-title" }, `Disagreements to decide (${state.queue.length})`),
    state.queue.length
      ? h(
          "ol",
          { class: "queue-list" },
          state.queue.map((item) =>
            h(
              "li",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: ["link-button", item.segment_id === state.unit?.segment.id ? "current" : null],
                  onclick: () => state.open(item.segment_id),
                },
                queueItemTitle(item),
              ),
              item.where?.excerpt ? h("span", { class: "queue-excerpt" }, item.where.excerpt) : null,
              h("span", { class: "meta" }, ` ${item.disputed_codes.length} disputed code${item.disputed_codes.length === 1 ? "" : "s"}`),
            ),
          ),
        )
      : h("p", { class: "muted" }, "No disagreement is waiting for a decision."),
  );
}

function unitSection(state) {
  const unit = state.unit;
  if (!unit) return null;
  const matrix = codeMatrix(unit);
  const current = currentDecision(unit);
  const rationale = h("textarea", { id: "rationale", rows: "3", placeholder: "Why this decision (required when it matches no coder)", "aria-describedby": "rationale-why" });
  const why = h("p", { id: "rationale-why", class: "hint", "aria-live": "assertive" });
  rationale.addEventListener("input", () => {
    rationale.removeAttribute("aria-invalid");
    why.textContent = "";
  });
  const decide = async (body) => {
    // A final set that is no coder's needs a reason: ask for it here instead of sending a request that fails.
    if (needsRationale(unit, body) && !rationale.value.trim()) {
      rationale.setAttribute("aria-invalid", "true");
      why.textContent = `Write a rationale first: the ${body.method === "union" ? "union" : "intersection"} is no coder's set, so the record must say why it is the final coding.`;
      rationale.focus();
      return;
    }
    try {
      await state.service.decide(state.projectId, unit.segment.id, body, { rationale: rationale.value, supersedes: current?.id });
      announce("Decided.");
      await state.reload({ next: true });
    } catch (error) {
      announce(error.message, { tone: "error", timeout: 8000 });
    }
  };
  const choices = decisionChoices(unit);
  state.keys = (event) => {
    if (event.target.closest?.("input, textarea, select")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const n = Number(event.key);
    let act = null;
    if (n >= 1 && n <= unit.coders.length) act = () => decide(choices[n - 1].body);
    else if (event.key === "u") act = () => decide({ method: "union" });
    else if (event.key === "i") act = () => decide({ method: "intersection" });
    else if (event.key === "n") act = () => state.openNext();
    if (!act) return;
    // The key is spent here: were it left to the browser, once the rationale field takes focus it would
    // type the letter there.
    event.preventDefault();
    act();
  };
  return h(
    "section",
    { class: "analysis-block unit-view", "aria-labelledby": "unit-title" },
    h("h2", { id: "unit-title" }, unitTitle(unit.segment)),
    h(
      "div",
      { class: "unit-context", "aria-label": "The unit in its transcript" },
      (unit.neighbours ?? []).filter((n) => n.before).map(turn),
      h("blockquote", { class: "segment-text" }, h("span", { class: "turn-who" }, unit.segment.speaker || "—", " ", h("span", { class: "segno" }, `¶${unit.segment.segment_number}`)), h("p", {}, unit.segment.text)),
      (unit.neighbours ?? []).filter((n) => !n.before).map(turn),
    ),
    scrollBox("Codes by coder (table)", h(
      "table",
      { class: "data-table", "aria-label": "Codes by coder" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Code"), unit.coders.map((c) => h("th", { scope: "col" }, coderName(c))))),
      h(
        "tbody",
        {},
        matrix.map((row) =>
          h(
            "tr",
            { class: row.disputed ? "disputed" : null },
            h("th", { scope: "row", title: row.code.definition ?? "" }, row.code.path, row.disputed ? h("span", { class: "verdict verdict-unreliable" }, " disputed") : null),
            row.cells.map((applications) =>
              h(
                "td",
                {},
                applications.length
                  ? applications.map((a) => h("div", {}, a.span_start === null ? "✓ whole segment" : `✓ “${a.text}”`))
                  : h("span", { class: "muted" }, "—"),
              ),
            ),
          ),
        ),
      ),
    )),
    h(
      "details",
      { class: "codebook-entries" },
      h("summary", {}, "Codebook entries involved"),
      unit.codes.map((code) =>
        h(
          "div",
          { class: "entry" },
          h("strong", {}, code.path),
          code.definition ? h("p", {}, code.definition) : null,
          code.inclusion ? h("p", { class: "meta" }, `Use when: ${code.inclusion}`) : null,
          code.exclusion ? h("p", { class: "meta" }, `Not when: ${code.exclusion}`) : null,
        ),
      ),
    ),
    unit.memos.length
      ? h("div", { class: "memos" }, h("h3", {}, "Memos"), unit.memos.map((m) => h("p", {}, h("strong", {}, `${m.author.label}: `), m.text)))
      : null,
    current ? h("p", { class: "muted" }, `Current decision: ${current.method.replace("_", " ")} by ${current.decided_by}, `, timeAgo(current.decided_at), ". A new decision revises it.") : null,
    h("div", { class: "field" }, h("label", { for: "rationale" }, "Rationale"), rationale, why),
    h(
      "div",
      { class: "decision-buttons" },
      choices.map((choice, i) => h("button", { type: "button", class: "btn", onclick: () => decide(choice.body), "aria-keyshortcuts": String(i + 1) }, choice.label)),
      h("button", { type: "button", class: "btn btn-ghost", onclick: () => state.openNext() }, "Skip"),
    ),
  );
}

/** Mounts into ``root``; returns ``stop()`` (removes the keyboard handler). */
export function AdjudicationPanel({ services, projectId, root }) {
  const state = { service: services.adjudication, projectId, queue: [], unit: null, bulk: null, keys: null };
  const render = () => mount(root, bulkSection(state), queueSection(state), unitSection(state));
  state.open = async (segmentId) => {
    try {
      state.unit = await state.service.unit(projectId, segmentId);
      render();
      document.getElementById("unit-title")?.scrollIntoView({ block: "start" });
    } catch (error) {
      announce(error.message, { tone: "error", timeout: 8000 });
    }
  };
  state.openNext = () => {
    const i = state.queue.findIndex((item) => item.segment_id === state.unit?.segment.id);
    const next = state.queue[i + 1] ?? state.queue[0];
    if (next) state.open(next.segment_id);
  };
  state.reload = async ({ next = false } = {}) => {
    const previous = state.unit?.segment.id;
    const [queue, bulk] = await Promise.all([
      state.service.queue(projectId),
      state.service.unanimousPreview(projectId),
    ]);
    state.queue = queue;
    state.bulk = bulk;
    state.unit = null;
    render();
    if (next) {
      const after = queue.find((item) => item.segment_id !== previous);
      if (after) await state.open(after.segment_id);
    }
  };
  const onKey = (event) => state.keys?.(event);
  document.addEventListener("keydown", onKey);
  mount(root, spinner("Loading the adjudication queue…"));
  state.reload().catch((error) => mount(root, errorBox(error)));
  return () => document.removeEventListener("keydown", onKey);
}
