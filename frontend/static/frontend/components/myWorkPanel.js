/**
 * "My work": the caller's units across the project's transcripts, what is submitted and what is next,
 * and "Start coding", which asks the queue for the next unit (claiming one from the pool in a pool plan)
 * and opens it in the reader.
 */
import { urls } from "../domain/routes.js";
import { errorBox, h, mount, spinner, timeAgo } from "./dom.js";

/** The button that opens the caller's next unit; `label` e.g. "Start coding". */
export function startCodingButton({ services, projectId, label, onNothingLeft }) {
  const button = h(
    "button",
    {
      type: "button",
      class: "btn btn-primary",
      id: "start-coding",
      onclick: async () => {
        button.disabled = true;
        try {
          const url = await services.work.nextUnitUrl(projectId);
          if (url) window.location.assign(url);
          else onNothingLeft?.();
        } catch (error) {
          onNothingLeft?.(error);
        } finally {
          button.disabled = false;
        }
      },
    },
    label,
  );
  return button;
}

function workTable(projectId, rows) {
  return h(
    "div",
    { class: "table-wrap", role: "region", "aria-label": "Your units per transcript (table)", tabindex: "0" },
    h(
      "table",
      { class: "table", "aria-label": "Your units per transcript" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Transcript"),
          h("th", { scope: "col" }, "Case"),
          h("th", { scope: "col", class: "num" }, "Submitted"),
          h("th", { scope: "col" }, "Last activity"),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Open")),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) => {
          const complete = row.done === row.total;
          return h(
            "tr",
            {},
            h("th", { scope: "row" }, h("a", { class: "doc-link", href: urls.reader(projectId, row.document, row.nextSegment) }, row.title)),
            h("td", {}, row.case ? h("span", { class: "case-tag" }, row.case) : "—"),
            h("td", { class: "num" }, h("span", { class: ["units", complete ? "is-complete" : null] }, `${row.done} of ${row.total}`, complete ? " ✓" : "")),
            h("td", {}, timeAgo(row.lastActivity)),
            h(
              "td",
              {},
              h(
                "a",
                { class: "btn btn-small", href: urls.reader(projectId, row.document, row.nextSegment), "aria-label": `${complete ? "Review" : "Continue"} ${row.title}` },
                complete ? "Review" : "Continue",
              ),
            ),
          );
        }),
      ),
    ),
  );
}

/** Mounts into `root`; returns nothing to stop (the view does not poll). */
export function MyWorkPanel({ services, projectId, documents, root }) {
  mount(root, spinner("Loading your work…"));
  const message = h("div", { class: "work-message", role: "status" });
  const nothingLeft = (error) =>
    mount(message, error ? errorBox(error) : h("p", { class: "notice notice-ok" }, "There is nothing left for you to code in this project. Thank you!"));
  services.work
    .load(projectId, documents)
    .then(({ rows, totals }) => {
      const started = totals.done > 0;
      const pct = totals.total ? Math.round((100 * totals.done) / totals.total) : 0;
      mount(
        root,
        h(
          "section",
          { class: "analysis-block work-summary", "aria-labelledby": "work-title" },
          h("h2", { id: "work-title" }, "My work"),
          totals.total
            ? h(
                "div",
                { class: "progress" },
                h("div", { class: "progress-bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(totals.total), "aria-valuenow": String(totals.done), "aria-label": "Your units submitted" }, h("span", { style: { width: `${pct}%` } })),
                h("span", { class: "progress-text" }, `You have submitted ${totals.done} of your ${totals.total} units; ${totals.remaining} to go.`),
              )
            : h("p", { class: "muted" }, "You hold no units yet. Start coding takes your first unit from the queue."),
          h("div", { class: "toolbar" }, startCodingButton({ services, projectId, label: started ? "Continue coding" : "Start coding", onNothingLeft: nothingLeft })),
          message,
        ),
        rows.length ? workTable(projectId, rows) : null,
      );
    })
    .catch((error) => mount(root, errorBox(error)));
  return () => {};
}
