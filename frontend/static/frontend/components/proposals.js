/**
 * Code proposals (a thematic pass): the coder's form in the reader, and the owner's list of pending
 * proposals in the codebook tab, each accepted (it becomes a code), merged into an existing code, or
 * rejected, always with a note for the coder.
 */
import { announce, h, timeAgo } from "./dom.js";

/** A collapsible "Propose a new code" form for the segment the coder is on. */
export function ProposalForm({ propose, themes, currentSegmentId }) {
  const name = h("input", { id: "proposal-name", type: "text", maxlength: "200", required: true });
  const definition = h("textarea", { id: "proposal-definition", rows: "3", required: true, placeholder: "What the code captures, and when to use it" });
  const parent = h("select", { id: "proposal-parent" }, h("option", { value: "" }, "(a new theme)"), themes.map((t) => h("option", { value: String(t.id) }, t.name)));
  const form = h(
    "form",
    {
      class: "proposal-form",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await propose({
            name: name.value.trim(),
            definition: definition.value.trim(),
            segment: currentSegmentId() ?? null,
            parent: parent.value ? Number(parent.value) : null,
          });
          announce(`Proposed “${name.value.trim()}”: the PI will decide.`);
          name.value = "";
          definition.value = "";
          details.open = false;
        } catch (error) {
          announce(error.message, { tone: "error", timeout: 8000 });
        }
      },
    },
    h("div", { class: "field" }, h("label", { for: "proposal-name" }, "Name"), name),
    h("div", { class: "field" }, h("label", { for: "proposal-definition" }, "Definition"), definition),
    h("div", { class: "field" }, h("label", { for: "proposal-parent" }, "Under"), parent),
    h("button", { type: "submit", class: "btn btn-small" }, "Send proposal"),
  );
  const details = h("details", { class: "proposal" }, h("summary", {}, "Propose a new code"), form);
  return details;
}

/** The owner's pending proposals, with the decisions; ``onDecided`` reloads the codebook. */
export function ProposalList({ decide, proposals, codes, onDecided }) {
  const pending = proposals.filter((p) => p.status === "pending");
  if (!pending.length) return null;
  const decideWith = (proposal, decision, note, target = null) => async () => {
    if (!note.value.trim()) {
      announce("Write a note for the coder first.", { tone: "error" });
      note.focus();
      return;
    }
    try {
      await decide(proposal.id, { decision, target, note: note.value.trim() });
      announce(`${decision === "reject" ? "Rejected" : decision === "merge" ? "Merged" : "Accepted"} “${proposal.name}”.`);
      await onDecided();
    } catch (error) {
      announce(error.message, { tone: "error", timeout: 8000 });
    }
  };
  return h(
    "section",
    { class: "analysis-block proposals", "aria-labelledby": "proposals-title" },
    h("h2", { id: "proposals-title" }, `Proposed codes (${pending.length})`),
    pending.map((proposal) => {
      const note = h("input", { type: "text", "aria-label": `Note on ${proposal.name}`, placeholder: "A note for the coder (required)" });
      const target = h("select", { "aria-label": `Merge ${proposal.name} into` }, codes.filter((c) => c.is_active).map((c) => h("option", { value: String(c.id) }, c.path ?? c.name)));
      return h(
        "div",
        { class: "proposal-item" },
        h("strong", {}, proposal.name),
        h("span", { class: "meta" }, ` proposed by ${proposal.proposed_by}, `, timeAgo(proposal.created_at)),
        h("p", {}, proposal.definition),
        h(
          "div",
          { class: "decision-buttons" },
          note,
          h("button", { type: "button", class: "btn btn-small btn-primary", onclick: decideWith(proposal, "accept", note) }, "Accept"),
          target,
          h("button", { type: "button", class: "btn btn-small", onclick: () => decideWith(proposal, "merge", note, Number(target.value))() }, "Merge into"),
          h("button", { type: "button", class: "btn btn-small btn-ghost", onclick: decideWith(proposal, "reject", note) }, "Reject"),
        ),
      );
    }),
  );
}
