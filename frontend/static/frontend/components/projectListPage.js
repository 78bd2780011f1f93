/** The projects the signed-in user belongs to, and a new project (its creator becomes its owner). */
import { urls } from "../domain/routes.js";
import { setBreadcrumbs } from "./appHeader.js";
import { errorBox, h, mount, setTitle, spinner, timeAgo } from "./dom.js";
import { field, openFormDialog } from "./formDialog.js";

function openNewProjectDialog(services) {
  return openFormDialog({
    label: "New project",
    title: "New project",
    content: [
      field("project-name", "Name", h("input", { id: "project-name", name: "name", required: true, maxlength: "200", autocomplete: "off" }), "E.g. “Prosecutors and harm reduction, 2022”."),
      field("project-description", "Description", h("textarea", { id: "project-description", name: "description", rows: "3" }), "Optional: the study, its question, its ethics approval."),
    ],
    submitLabel: "Create project",
    focus: "#project-name",
    onSubmit: async (form) => {
      const name = form.querySelector("#project-name").value.trim();
      if (!name) throw new Error("Give the project a name.");
      const project = await services.projects.createProject({ name, description: form.querySelector("#project-description").value.trim() });
      window.location.assign(urls.project(project.id, "documents"));
    },
  });
}

export async function ProjectListPage({ services, root }) {
  setTitle("Projects");
  setBreadcrumbs([{ label: "Projects" }]);
  mount(root, spinner("Loading projects…"));
  let projects;
  try {
    projects = await services.projects.listProjects();
  } catch (error) {
    mount(root, h("h1", {}, "Projects"), errorBox(error));
    return;
  }
  const cards = projects.map((p) =>
    h(
      "li",
      { class: "project-card" },
      h("a", { href: `/projects/${p.id}/`, class: "project-link" }, h("h2", {}, p.name)),
      p.description ? h("p", { class: "muted" }, p.description) : null,
      h("p", { class: "meta" }, "Created ", timeAgo(p.created_at)),
    ),
  );
  mount(
    root,
    h(
      "div",
      { class: "page-head project-head" },
      h(
        "div",
        {},
        h("h1", {}, "Projects"),
        h("p", { class: "muted" }, "Studies you are a member of. Open one to see its transcripts and codebook."),
      ),
      h("div", { class: "head-actions" }, h("button", { type: "button", class: "btn btn-primary", onclick: () => openNewProjectDialog(services) }, "New project")),
    ),
    projects.length
      ? h("ul", { class: "project-grid", "aria-label": "Your projects" }, cards)
      : h(
          "div",
          { class: "empty" },
          h("p", {}, "You are not a member of any project yet."),
          h("p", { class: "muted" }, "Ask your PI to add you, or start a study of your own with “New project”."),
        ),
  );
}
