/**
 * The analysis tab (owners and adjudicators): coding progress, the latest inter-coder agreement and
 * theme saturation, refreshed every 20 s while the tab is open, and buttons to compute them now.
 */
import { formatCoefficient } from "../domain/analysis.js";
import { announce, errorBox, h, mount, scrollBox, spinner, timeAgo } from "./dom.js";

export const REFRESH_MS = 20_000;

const VERDICT_TEXT = {
  reliable: "reliable (α ≥ 0.800)",
  tentative: "tentative (0.667 ≤ α < 0.800)",
  unreliable: "unreliable (α < 0.667)",
  uncertain: "uncertain: the interval reaches below 0.667",
  undefined: "undefined",
};

function progressSection(progress) {
  if (!progress || !progress.coders.length) {
    return h("section", { class: "analysis-block" }, h("h2", {}, "Progress"), h("p", { class: "muted" }, "No assignment plan yet."));
  }
  const dc = progress.doubleCoded;
  return h(
    "section",
    { class: "analysis-block", "aria-labelledby": "progress-title" },
    h("h2", { id: "progress-title" }, "Progress"),
    h("p", {}, `${progress.total.done} of ${progress.total.assigned} assigned units done (${progress.total.percent}%).`),
    dc ? h("p", { class: "muted" }, `Double-coded units: ${dc.complete} complete, ${dc.pending} pending.`) : null,
    scrollBox("Progress per coder", h(
      "table",
      { class: "data-table", "aria-label": "Progress per coder" },
      h("thead", {}, h("tr", {}, ["Coder", "Done", "Assigned", "Remaining", "Last activity"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        progress.coders.map((row) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, row.username),
            h("td", {}, h("progress", { max: "100", value: String(row.percent), "aria-label": `${row.percent}%` }), ` ${row.done}`),
            h("td", {}, String(row.assigned)),
            h("td", {}, String(row.remaining)),
            h("td", {}, timeAgo(row.last_activity)),
          ),
        ),
      ),
    )),
  );
}

function runButton(state, kind, label) {
  const busy = state.view?.computing?.[kind];
  return h(
    "button",
    {
      type: "button",
      class: "btn",
      disabled: busy ? "disabled" : undefined,
      onclick: async () => {
        try {
          await state.services.analysis.requestRun(state.projectId, kind);
          announce(`${label}: computing…`);
          await state.refresh();
        } catch (error) {
          announce(error.message, { tone: "error", timeout: 6000 });
        }
      },
    },
    busy ? "Computing…" : `Compute ${label.toLowerCase()} now`,
  );
}

function runMeta(run) {
  return h("p", { class: "muted small" }, `Run ${run.id}${run.automatic ? " (automatic)" : ""}, finished `, timeAgo(run.finished_at), `; seed ${run.seed}.`);
}

function agreementSection(state) {
  const agreement = state.view.agreement;
  const head = h("div", { class: "section-head" }, h("h2", { id: "agreement-title" }, "Inter-coder agreement"), runButton(state, "agreement", "Agreement"));
  if (!agreement) {
    return h("section", { class: "analysis-block", "aria-labelledby": "agreement-title" }, head, h("p", { class: "muted" }, "No agreement run yet: it is computed when double-coded units are complete."));
  }
  const counts = agreement.counts;
  return h(
    "section",
    { class: "analysis-block", "aria-labelledby": "agreement-title" },
    head,
    runMeta(agreement.run),
    h("p", {}, `${counts.n_pairable_units ?? 0} units coded by two or more coders, ${counts.n_coders ?? 0} coders, ${counts.n_codes ?? 0} codes.`),
    h(
      "dl",
      { class: "coefficients" },
      agreement.overall.flatMap((row) => [
        h("dt", {}, row.label),
        h("dd", {}, h("strong", {}, formatCoefficient(row.coefficient)), " ", h("span", { class: ["verdict", `verdict-${row.verdict}`] }, VERDICT_TEXT[row.verdict])),
      ]),
    ),
    scrollBox("Agreement per code", h(
      "table",
      { class: "data-table", "aria-label": "Agreement per code, weakest first" },
      h("caption", {}, "Per code (Krippendorff's alpha, 95% bootstrap interval), weakest first"),
      h("thead", {}, h("tr", {}, ["Code", "α [95% CI]", "Verdict", "P(α < 0.667)", "Applied"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        agreement.perCode.map((row) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, row.code),
            h("td", {}, formatCoefficient(row.alpha)),
            h("td", {}, h("span", { class: ["verdict", `verdict-${row.verdict}`] }, VERDICT_TEXT[row.verdict])),
            h("td", {}, row.p_below === null ? "—" : row.p_below.toFixed(2)),
            h("td", {}, row.applied === null ? "—" : String(row.applied)),
          ),
        ),
      ),
    )),
  );
}

function saturationSection(state) {
  const saturation = state.view.saturation;
  const head = h("div", { class: "section-head" }, h("h2", { id: "saturation-title" }, "Theme saturation"), runButton(state, "saturation", "Saturation"));
  if (!saturation) {
    return h("section", { class: "analysis-block", "aria-labelledby": "saturation-title" }, head, h("p", { class: "muted" }, "No saturation run yet: it is computed when a transcript is fully coded."));
  }
  return h(
    "section",
    { class: "analysis-block", "aria-labelledby": "saturation-title" },
    head,
    runMeta(saturation.run),
    saturation.wording ? h("blockquote", { class: "wording" }, saturation.wording) : null,
    h("img", { class: "figure", src: saturation.figure, alt: "Accumulation of new codes by interview, with the order-randomised band." }),
  );
}

/** Mounts into ``root``; returns ``stop()`` to end the refreshing (the tab was left). */
export function AnalysisPanel({ services, projectId, root }) {
  const state = { services, projectId, view: null, timer: null };
  const render = () => mount(root, progressSection(state.view.progress), agreementSection(state), saturationSection(state));
  state.refresh = async () => {
    try {
      state.view = await services.analysis.load(projectId);
      render();
    } catch (error) {
      mount(root, errorBox(error));
    }
  };
  mount(root, spinner("Loading analysis…"));
  state.refresh();
  state.timer = setInterval(() => {
    if (document.visibilityState === "visible") state.refresh();
  }, REFRESH_MS);
  return () => clearInterval(state.timer);
}
