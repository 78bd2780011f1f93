/**
 * Editing a transcript after its import (owners): its title, case, interview date and place in the
 * analysis order, and who interviewed (their turns are context, every other speaker's codable). The
 * server refuses, with the reason, a change that would hide a coding or a submitted unit.
 */
import { errorBox, h, mount } from "./dom.js";
import { field, openFormDialog } from "./formDialog.js";

export function openDocumentDialog({ services, projectId, document, cases, onSaved }) {
  const transcripts = services.transcripts;
  const caseOf = cases.find((c) => c.id === document.case);
  const speakersSlot = h("fieldset", { class: "import-speakers" }, h("legend", {}, "Who interviewed? Their turns are context, not coded."), h("p", { class: "muted small" }, "Loading speakers…"));
  const state = { speakers: null, interviewers: new Set() };
  transcripts
    .speakers(projectId, document.id)
    .then((speakers) => {
      state.speakers = speakers;
      state.interviewers = new Set(speakers.filter((s) => s.turns > 0 && s.codable === 0).map((s) => s.speaker));
      mount(
        speakersSlot,
        h("legend", {}, "Who interviewed? Their turns are context, not coded."),
        speakers.length
          ? speakers.map((s) =>
              h(
                "label",
                { class: "check" },
                h("input", {
                  type: "checkbox",
                  name: "interviewer",
                  value: s.speaker,
                  checked: state.interviewers.has(s.speaker),
                }),
                ` ${s.speaker} `,
                h("span", { class: "meta" }, `${s.turns} turn${s.turns === 1 ? "" : "s"}${s.codings ? `, ${s.codings} coding${s.codings === 1 ? "" : "s"}` : ""}`),
              ),
            )
          : h("p", { class: "muted small" }, "This transcript has no speaker labels."),
      );
    })
    .catch((error) => mount(speakersSlot, errorBox(error)));

  const content = [
    field("document-title", "Title", h("input", { id: "document-title", required: true, maxlength: "255", value: document.title })),
    h(
      "div",
      { class: "field-row" },
      field("document-case", "Case", h("input", { id: "document-case", required: true, maxlength: "100", list: "document-case-list", value: caseOf?.identifier ?? document.case_identifier ?? "" }), "An existing case, or a new identifier."),
      field("document-date", "Interview date", h("input", { id: "document-date", type: "date", value: document.interview_date ?? "" })),
      field("document-order", "Analysis order", h("input", { id: "document-order", type: "number", min: "1", value: document.analysis_order ?? "" })),
    ),
    h("datalist", { id: "document-case-list" }, cases.map((c) => h("option", { value: c.identifier }))),
    speakersSlot,
  ];

  return openFormDialog({
    label: `Edit ${document.title}`,
    title: `Edit “${document.title}”`,
    content,
    submitLabel: "Save",
    focus: "#document-title",
    onSubmit: async (form) => {
      const value = (id) => form.querySelector(id).value.trim();
      if (!value("#document-title")) throw new Error("Give the transcript a title.");
      const identifier = value("#document-case");
      if (!identifier) throw new Error("Say which case (participant) the transcript belongs to.");
      let interviewers = null;
      if (state.speakers) {
        const chosen = new Set([...form.querySelectorAll("input[name=interviewer]:checked")].map((i) => i.value));
        const changed = chosen.size !== state.interviewers.size || [...chosen].some((s) => !state.interviewers.has(s));
        if (changed) interviewers = chosen;
      }
      await transcripts.saveTranscript(
        projectId,
        document,
        {
          title: value("#document-title"),
          caseIdentifier: identifier,
          interviewDate: value("#document-date"),
          analysisOrder: value("#document-order"),
          interviewers,
        },
        cases,
      );
      await onSaved?.();
    },
  });
}
