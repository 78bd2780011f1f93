/** Instance administrators: every account, searchable; create one with a link where its owner chooses the
 * password; give an existing one a new set-password link; deactivate (signed out at once) and reactivate. */
import { actionForm, field } from "./accountPage.js";
import { setBreadcrumbs } from "./appHeader.js";
import { announce, errorBox, formatDate, h, mount, scrollBox, setTitle } from "./dom.js";

export async function UsersPage({ services, root }) {
  setTitle("Users");
  setBreadcrumbs([{ label: "Projects", href: "/projects/" }, { label: "Users" }]);
  const listSlot = h("div", {});
  const errors = h("div", { "aria-live": "assertive" });
  const created = h("div", {});
  const search = h("input", { id: "user-search", type: "search", autocomplete: "off" });

  async function renderList() {
    const users = await services.team.users(search.value);
    const rows = users.map((u) =>
      h(
        "tr",
        {},
        h("td", {}, u.username),
        h("td", {}, u.name || "—"),
        h("td", {}, u.email || "—"),
        h("td", {}, u.is_active ? "Active" : "Deactivated"),
        h("td", {}, u.single_sign_on ? "Single sign-on" : "Password"),
        h("td", {}, formatDate(u.last_login)),
        h(
          "td",
          {},
          h(
            "button",
            {
              type: "button",
              class: "btn btn-small",
              onclick: async () => {
                mount(errors);
                try {
                  await services.team.setActive(u.id, !u.is_active);
                  announce(u.is_active ? `${u.username} is deactivated and signed out.` : `${u.username} is active again.`);
                  await renderList();
                } catch (error) {
                  mount(errors, errorBox(error));
                }
              },
            },
            `${u.is_active ? "Deactivate" : "Reactivate"} ${u.username}`,
          ),
          u.is_active
            ? h(
                "button",
                {
                  type: "button",
                  class: "btn btn-small btn-ghost",
                  onclick: async () => {
                    mount(errors);
                    try {
                      const issued = await services.team.passwordLink(u.id);
                      const mailed = issued.mailed_to ? `mailed to ${issued.mailed_to}; ` : "";
                      mount(created, h("div", { class: "alert", role: "status" }, h("p", {}, `${u.username} sets a new password at this link (${mailed}shown only now; it stops working once used):`), h("p", { class: "secret", "data-testid": "password-link" }, issued.link)));
                      created.scrollIntoView({ block: "nearest" });
                    } catch (error) {
                      mount(errors, errorBox(error));
                    }
                  },
                },
                `New password link for ${u.username}`,
              )
            : null,
        ),
      ),
    );
    mount(listSlot, scrollBox("Users", h("table", { class: "data-table" }, h("thead", {}, h("tr", {}, ["Username", "Name", "Email", "State", "Signs in with", "Last sign-in", "Actions"].map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows)), "table-wrap"));
  }

  const createForm = actionForm(
    "New account",
    "Create account",
    [field("new-username", "Username", { type: "text", autocomplete: "off" }), field("new-email", "Email", { type: "email", autocomplete: "off" }), field("new-name", "Name", { type: "text", autocomplete: "off" })],
    async (form) => {
      const user = await services.team.createUser({ username: form.elements["new-username"].value, email: form.elements["new-email"].value, name: form.elements["new-name"].value });
      form.reset();
      mount(created, h("div", { class: "alert", role: "status" }, h("p", {}, `${user.username} chooses their password at this link (mailed to them; shown only now):`), h("p", { class: "secret" }, user.link)));
      await renderList();
    },
  );
  const searchForm = h("form", { role: "search", class: "toolbar", onsubmit: (event) => { event.preventDefault(); renderList(); } }, h("label", { for: "user-search", class: "panel-label" }, "Search users"), search, h("button", { type: "submit", class: "btn" }, "Search"));

  mount(
    root,
    h("div", { class: "page-head" }, h("h1", {}, "Users"), h("p", { class: "muted" }, "Accounts are never deleted: codings and the audit trail refer to them. Deactivate instead.")),
    h("section", { "aria-labelledby": "create-heading" }, h("h2", { id: "create-heading" }, "Create an account"), createForm, created),
    h("section", { "aria-labelledby": "list-heading" }, h("h2", { id: "list-heading" }, "Everyone"), searchForm, errors, listSlot),
  );
  await renderList();
}
