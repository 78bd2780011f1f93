/** The projects the signed-in user belongs to. */
import { setBreadcrumbs } from "./appHeader.js";
import { errorBox, h, mount, setTitle, spinner, timeAgo } from "./dom.js";

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
      { class: "page-head" },
      h("h1", {}, "Projects"),
      h("p", { class: "muted" }, "Studies you are a member of. Open one to see its transcripts and codebook."),
    ),
    projects.length
      ? h("ul", { class: "project-grid", "aria-label": "Your projects" }, cards)
      : h(
          "div",
          { class: "empty" },
          h("p", {}, "You are not a member of any project yet."),
          h("p", { class: "muted" }, "Ask your PI to add you, or create a project through the API."),
        ),
  );
}
