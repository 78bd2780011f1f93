/**
 * Secondary passes in the Explore tab: the dialog that opens one on the passages in view (owners), and the
 * list of the passes opened from this project, each a link into its own project.
 */
import { plural, SOURCE_LABELS } from "../domain/explore.js";
import { roleLabel } from "../domain/roles.js";
import { urls } from "../domain/routes.js";
import { field, openFormDialog } from "./formDialog.js";
import { h } from "./dom.js";

/**
 * `answer`: the passages shown (title, total, source); `members`: the project's members; `onOpen({name,
 * members})` opens the pass (a promise). Every member is ticked: they join in their roles.
 */
export function openSecondaryPassDialog({ answer, members, me, codeName, onOpen }) {
  const others = members.filter((m) => m.user !== me);
  const content = [
    h(
      "p",
      { class: "muted small" },
      `The ${plural(answer.passages_total, "passage", "passages")} of ${answer.title}, from ${answer.source_words}, become the transcripts of a new project: `,
      "its own codebook of themes (empty: add them in its Codebook tab), plan, blind coding, agreement, saturation, adjudication and exports.",
    ),
    field("pass-name", "Name", h("input", { id: "pass-name", name: "name", required: true, maxlength: "200", value: `Themes in ${codeName}` })),
    others.length
      ? h(
          "fieldset",
          { class: "plan-coders" },
          h("legend", {}, "Who joins (in the same role)"),
          others.map((m) =>
            h(
              "label",
              { class: "check" },
              h("input", { type: "checkbox", name: "members", value: String(m.user), checked: true }),
              ` ${m.username} `,
              h("span", { class: "meta" }, roleLabel(m.role)),
            ),
          ),
        )
      : null,
  ];
  return openFormDialog({
    label: "Start a secondary pass",
    title: "Start a secondary pass",
    content,
    submitLabel: "Start secondary pass",
    focus: "#pass-name",
    onSubmit: (form) =>
      onOpen({
        name: form.elements.name.value,
        members: [...form.querySelectorAll("input[name=members]:checked")].map((input) => Number(input.value)),
      }),
  });
}

/** The secondary passes opened from this project (`passes` of the links), or null when there are none. */
export function SecondaryPassList(passes) {
  if (!passes?.length) return null;
  return h(
    "section",
    { class: "analysis-block", "aria-labelledby": "secondary-passes-heading" },
    h("h2", { id: "secondary-passes-heading" }, "Secondary passes"),
    h(
      "ul",
      { class: "secondary-passes" },
      passes.map((p) =>
        h(
          "li",
          {},
          p.member ? h("a", { href: urls.project(p.project.id, "codebook") }, p.project.name) : h("span", {}, p.project.name),
          h("span", { class: "muted small" }, ` · ${p.parent_code.path} · ${plural(p.passages, "passage", "passages")} from ${SOURCE_LABELS[p.source]?.toLowerCase() ?? p.source}`),
        ),
      ),
    ),
  );
}
