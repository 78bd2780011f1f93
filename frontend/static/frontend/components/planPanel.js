/**
 * The assignment plan (owners apply it; adjudicators read it): units (whole transcripts or single
 * segments), coders and weights, coders per unit, a reliability sample (optionally stratified by a case
 * attribute). Preview first, then apply exactly what was previewed (same seed). Once applied, only the
 * coders and their weights can change: a re-plan moves unstarted work only.
 */
import { planBody, plannable, previewRows } from "../domain/plan.js";
import { announce, errorBox, h, mount, scrollBox, spinner } from "./dom.js";

function field(id, label, control, hint) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("p", { class: "hint" }, hint) : null);
}

function previewSection(preview) {
  if (!preview) return null;
  const rows = previewRows(preview);
  return h(
    "div",
    { class: "plan-preview", role: "status" },
    preview.units !== undefined
      ? h("p", {}, `${preview.units} units (${preview.segments} segments); ${preview.double_coded_units} double-coded (${Math.round(preview.double_coded_share * 100)}%). Seed ${preview.seed}.`)
      : h("p", {}, `Re-plan: ${preview.segments_moved} unstarted segments move; done and started work stays.`),
    scrollBox("Preview per coder", h(
      "table",
      { class: "data-table", "aria-label": "Preview per coder" },
      h("thead", {}, h("tr", {}, ["Coder", "Weight", "Segments", "Units", "Most they may hold"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, h("th", { scope: "row" }, r.username), h("td", {}, String(r.weight)), h("td", {}, String(r.segments)), h("td", {}, r.units === null ? "—" : String(r.units)), h("td", {}, String(r.quota))))),
    )),
    (preview.per_stratum ?? []).some((s) => s.stratum)
      ? h("p", { class: "muted small" }, "Per stratum (double-coded of units): ", preview.per_stratum.map((s) => `${s.stratum} ${s.double_coded}/${s.units}`).join(" · "))
      : null,
  );
}

export function PlanPanel({ services, project, members, attributes, root }) {
  const plans = services.plans;
  const owner = project.role === "owner";
  const state = { plan: null, preview: null, form: null, mayReopen: project.coders_may_reopen !== false };

  const render = () => {
    const { plan, form } = state;
    const fixed = plan !== null; // applied: only coders and weights may change
    const coderRows = plannable(members).map((m) =>
      h(
        "div",
        { class: "plan-coder" },
        h("label", { class: "check" }, h("input", { type: "checkbox", checked: form.coders.has(m.user), disabled: !owner, onchange: (e) => { if (e.target.checked) form.coders.set(m.user, 1); else form.coders.delete(m.user); state.preview = null; render(); } }), ` ${m.username} (${m.role})`),
        form.coders.has(m.user)
          ? h("input", { type: "number", min: "0.1", step: "0.1", value: String(form.coders.get(m.user)), "aria-label": `Weight of ${m.username}`, class: "weight", disabled: !owner, onchange: (e) => { form.coders.set(m.user, e.target.value); state.preview = null; } })
          : null,
      ),
    );
    const body = planBody(form);
    mount(
      root,
      h(
        "section",
        { class: "analysis-block", "aria-labelledby": "plan-title" },
        h("h2", { id: "plan-title" }, fixed ? `Assignment plan (revision ${plan.revision})` : "Assignment plan"),
        fixed ? h("p", { class: "muted" }, "Applied. Only the coders and their weights can change now: a re-plan moves unstarted work only.") : null,
        field("plan-units", "Units", h("select", { id: "plan-units", disabled: fixed || !owner, onchange: (e) => { form.unit_type = e.target.value; state.preview = null; } }, [["document", "Whole transcripts (a coder codes a transcript in order)"], ["segment", "Single segments from a pool"]].map(([v, t]) => h("option", { value: v, selected: form.unit_type === v }, t)))),
        h("fieldset", { class: "plan-coders" }, h("legend", {}, "Coders and weights"), coderRows),
        h(
          "div",
          { class: "field-row" },
          field("plan-overlap", "Coders per double-coded unit", h("input", { id: "plan-overlap", type: "number", min: "1", value: String(form.overlap), disabled: fixed || !owner, onchange: (e) => { form.overlap = e.target.value; state.preview = null; } })),
          field("plan-sample", "Reliability sample (%)", h("input", { id: "plan-sample", type: "number", min: "1", max: "100", placeholder: "every unit", value: form.sample_percent, disabled: fixed || !owner, onchange: (e) => { form.sample_percent = e.target.value; state.preview = null; render(); } }), "Empty: every unit gets that many coders."),
          field("plan-stratify", "Stratified by", h("select", { id: "plan-stratify", disabled: fixed || !owner || form.sample_percent === "", onchange: (e) => { form.stratify_by = e.target.value; state.preview = null; } }, [["", "(no strata)"], ...attributes.map((a) => [a.name, a.name])].map(([v, t]) => h("option", { value: v, selected: form.stratify_by === v }, t)))),
        ),
        body.error ? h("p", { class: "hint" }, body.error) : null,
        owner
          ? h(
              "div",
              { class: "decision-buttons" },
              h("button", { type: "button", class: "btn", disabled: Boolean(body.error), onclick: async () => {
                try {
                  state.preview = await plans.preview(project.id, body.body);
                  form.seed = state.preview.seed ?? form.seed;
                  render();
                } catch (error) {
                  announce(error.message, { tone: "error", timeout: 8000 });
                }
              } }, "Preview"),
              h("button", { type: "button", class: "btn btn-primary", disabled: !state.preview, onclick: async () => {
                try {
                  await plans.apply(project.id, planBody(form).body);
                  announce(fixed ? "Re-planned." : "Plan applied: coders have work waiting.");
                  await load();
                } catch (error) {
                  announce(error.message, { tone: "error", timeout: 8000 });
                }
              } }, fixed ? "Apply re-plan" : "Apply plan"),
            )
          : null,
        previewSection(state.preview),
      ),
      submissionsSection(),
    );
  };

  // Whether a coder may take back a unit they submitted (until it is adjudicated): a project setting.
  const submissionsSection = () =>
    h(
      "section",
      { class: "analysis-block", "aria-labelledby": "submissions-title" },
      h("h2", { id: "submissions-title" }, "Submitted units"),
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          id: "coders-may-reopen",
          checked: state.mayReopen,
          disabled: !owner,
          onchange: async (event) => {
            const wanted = event.target.checked;
            try {
              const updated = await plans.setCodersMayReopen(project.id, wanted);
              state.mayReopen = updated.coders_may_reopen;
              announce(wanted ? "Coders may reopen the units they submitted." : "Submitted units are now final.");
            } catch (error) {
              event.target.checked = !wanted;
              announce(error.message, { tone: "error", timeout: 8000 });
            }
          },
        }),
        " Coders may reopen a unit they submitted to change its codes (until it is adjudicated)",
      ),
      h("p", { class: "hint" }, "Turn this off to make every submission final, e.g. once agreement has been reported."),
    );

  const load = async () => {
    state.plan = await plans.plan(project.id);
    const p = state.plan;
    state.form = p
      ? {
          unit_type: p.unit_type,
          coders: new Map(p.coders.filter((c) => c.active !== false).map((c) => [c.user, c.weight])),
          overlap: p.overlap,
          sample_percent: p.sample_fraction === null ? "" : String(Math.round(p.sample_fraction * 10000) / 100),
          stratify_by: p.stratify_by,
          seed: p.seed,
        }
      : { unit_type: "document", coders: new Map(plannable(members).filter((m) => m.role === "coder").map((m) => [m.user, 1])), overlap: 2, sample_percent: "20", stratify_by: "", seed: null };
    state.preview = null;
    render();
  };

  mount(root, spinner("Loading the plan…"));
  load().catch((error) => mount(root, errorBox(error)));
  return () => {};
}
