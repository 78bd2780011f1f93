/**
 * The analysis tab (owners and adjudicators): coding progress, units awaiting adjudication, the latest
 * inter-coder agreement (with its course over time and codebook versions), agreement on spans, theme saturation, and
 * buttons to compute them now. While the tab is open the server pushes an event (server-sent events) as
 * soon as a coding, a decision or a run lands, and the tab reloads its figures (at once if visible, else
 * when it is shown again). Where the event stream cannot be opened it asks the server's pulse every few
 * seconds instead (a 304 while nothing changed).
 */
import { formatCoefficient } from "../domain/analysis.js";
import { announce, errorBox, h, mount, scrollBox, spinner, timeAgo } from "./dom.js";
import { spanSection } from "./spanAgreement.js";

export const PULSE_MS = 3_000;

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

function adjudicationSection(awaiting) {
  if (awaiting === null || awaiting === undefined) return null;
  return h(
    "section",
    { class: "analysis-block", "aria-labelledby": "awaiting-title" },
    h("h2", { id: "awaiting-title" }, "Adjudication"),
    awaiting
      ? h("p", {}, h("strong", {}, `${awaiting} unit${awaiting === 1 ? "" : "s"}`), ` where coders disagree await a decision. `, h("a", { href: "#adjudication" }, "Open the queue"))
      : h("p", { class: "muted" }, "No disagreement awaits a decision."),
  );
}

function driftBlock(agreement) {
  const { windows, versions, windowDays } = agreement.drift;
  if (!windows.length && !versions.length) return null;
  const rows = [...windows.map((r) => ({ ...r, label: `${windowDays ?? 7} days from ${r.label}` })), ...versions];
  return h(
    "div",
    { class: "drift" },
    h("h3", {}, "Agreement over time and codebook versions"),
    h("img", { class: "figure", src: agreement.driftFigure, alt: "Krippendorff's alpha (MASI) per week of completed units and per codebook version, with the 0.667 and 0.800 thresholds; the table below has the same figures." }),
    scrollBox("Agreement over time", h(
      "table",
      { class: "data-table", "aria-label": "Agreement over time and codebook versions" },
      h("thead", {}, h("tr", {}, ["Units completed", "α (MASI)", "Verdict", "Units"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, row.label),
            h("td", {}, formatCoefficient(row.coefficient)),
            h("td", {}, h("span", { class: ["verdict", `verdict-${row.verdict}`] }, VERDICT_TEXT[row.verdict])),
            h("td", {}, String(row.units)),
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
    driftBlock(agreement),
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
    saturationFacts(saturation.summary),
    h("img", { class: "figure", src: saturation.figure, alt: "Accumulation of new codes by interview, with the order-randomised band and the lowest and highest curve over orders." }),
    saturationEnvelope(saturation.summary),
    excludedInterviews(saturation.summary),
  );
}

function saturationFacts(summary) {
  if (!summary) return null;
  const fact = (key, label, value) => [h("dt", {}, label), h("dd", { "data-fact": key }, value)];
  const power = summary.power
    ? `${summary.power.value} at n = ${summary.power.n} (codes of prevalence ${summary.power.prevalence})`
    : "not planned (give a prevalence and power to the run)";
  return h(
    "dl",
    { class: "facts", "aria-label": "Saturation run summary" },
    ...fact("order", "Order used", summary.orderWords),
    ...fact("first-run", "New information in the first run (Guest et al. 2020)", summary.firstRunPercent ?? "—"),
    ...fact("power", "Fugard–Potts power at the smallest sample", power),
    ...fact("excluded-count", "Interviews left out", String(summary.excluded.length)),
  );
}

function saturationEnvelope(summary) {
  const envelope = summary?.envelope;
  if (!envelope) return null;
  const interviews = envelope.minimum.map((_, i) => i + 1);
  return h(
    "details",
    { class: "envelope" },
    h("summary", {}, `Lowest and highest number of codes after each interview, over ${envelope.over || "the orders"}`),
    h(
      "table",
      { "aria-label": "Order envelope: minimum and maximum" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Interview"), ...interviews.map((n) => h("th", { scope: "col" }, String(n))))),
      h(
        "tbody",
        {},
        h("tr", {}, h("th", { scope: "row" }, "Minimum"), ...envelope.minimum.map((v) => h("td", {}, String(v)))),
        h("tr", {}, h("th", { scope: "row" }, "Maximum"), ...envelope.maximum.map((v) => h("td", {}, String(v)))),
      ),
    ),
  );
}

function excludedInterviews(summary) {
  if (!summary || summary.excluded.length === 0) return null;
  return h(
    "div",
    { class: "excluded" },
    h("h3", { id: "saturation-excluded" }, "Interviews left out of this run"),
    h(
      "ul",
      { "aria-labelledby": "saturation-excluded" },
      ...summary.excluded.map((e) => h("li", {}, h("strong", {}, e.interview), `: ${e.reason}`)),
    ),
  );
}

/** Mounts into ``root``; returns ``stop()`` to end the refreshing (the tab was left). */
export function AnalysisPanel({ services, projectId, root }) {
  const state = { services, projectId, view: null, timer: null, pulse: null, events: null, stale: false, loading: false, again: false, alignment: null };
  const render = () =>
    mount(
      root,
      progressSection(state.view.progress),
      adjudicationSection(state.view.awaitingAdjudication),
      agreementSection(state),
      spanSection(state),
      saturationSection(state),
    );
  state.render = render;
  state.refresh = async () => {
    try {
      state.view = await services.analysis.load(projectId);
      render();
    } catch (error) {
      state.pulse = null; // the next beat loads again
      mount(root, errorBox(error));
    }
  };
  // The fallback pulse: reload only when the server says something changed since the last look.
  // The first beat (no tag yet) always loads; a failed beat loads anyway if nothing is shown yet.
  const listen = async () => {
    if (document.visibilityState === "visible" || state.view === null) {
      try {
        const { changed, tag } = await services.analysis.pulse(projectId, state.pulse);
        state.pulse = tag;
        if (changed) await state.refresh();
      } catch {
        if (state.view === null) await state.refresh(); // the next beat tries the pulse again
      }
    }
    if (state.timer !== "stopped") state.timer = setTimeout(listen, PULSE_MS);
  };
  // Pushed updates: each event carries the pulse; the browser reconnects by itself (sending the last
  // id, so nothing is re-sent). A stream the server refuses or that cannot open (closed, not
  // reconnecting) hands over to the pulse.
  // One load at a time: an event during a load asks for one more after it, so an older load can never
  // land after a newer one.
  const reload = async () => {
    if (state.loading) {
      state.again = true;
      return;
    }
    state.loading = true;
    try {
      do {
        state.again = false;
        await state.refresh();
      } while (state.again && state.timer !== "stopped");
    } finally {
      state.loading = false;
    }
  };
  const onVisible = () => {
    if (document.visibilityState === "visible" && state.stale) {
      state.stale = false;
      reload();
    }
  };
  const follow = () => {
    if (typeof EventSource === "undefined") return listen();
    const events = new EventSource(services.analysis.eventsUrl(projectId));
    state.events = events;
    events.addEventListener("pulse", (event) => {
      if (event.lastEventId === state.pulse) return;
      state.pulse = event.lastEventId;
      if (document.visibilityState === "visible" || state.view === null) reload();
      else state.stale = true;
    });
    events.addEventListener("error", () => {
      if (events.readyState !== EventSource.CLOSED || state.timer === "stopped") return;
      state.events = null;
      listen(); // its first beat loads
    });
    document.addEventListener("visibilitychange", onVisible);
  };
  mount(root, spinner("Loading analysis…"));
  follow();
  return () => {
    clearTimeout(state.timer);
    state.timer = "stopped";
    state.events?.close();
    document.removeEventListener("visibilitychange", onVisible);
  };
}
