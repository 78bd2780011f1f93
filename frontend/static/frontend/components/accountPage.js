/** The Account page: display name, password, and the API tokens the user makes, lists and revokes. */
import { setBreadcrumbs } from "./appHeader.js";
import { announce, errorBox, formatDate, h, mount, scrollBox, setTitle } from "./dom.js";

function field(id, label, attrs = {}) {
  return h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, name: id, ...attrs }));
}

/** A form whose submit runs `work(form)`, showing its error in the form. */
function actionForm(label, submitLabel, fields, work) {
  const errors = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "stack", novalidate: true, "aria-label": label }, ...fields, errors, h("button", { type: "submit", class: "btn btn-primary" }, submitLabel));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    mount(errors);
    try {
      await work(form);
    } catch (error) {
      mount(errors, errorBox(error));
    }
  });
  return form;
}

export async function AccountPage({ services, root }) {
  setTitle("Account");
  setBreadcrumbs([{ label: "Projects", href: "/projects/" }, { label: "Account" }]);
  const account = await services.team.account();
  const tokensSlot = h("div", {});
  const created = h("div", {});

  async function renderTokens() {
    const tokens = await services.team.tokens();
    if (!tokens.length) return mount(tokensSlot, h("p", { class: "muted" }, "No tokens yet."));
    const rows = tokens.map((t) =>
      h(
        "tr",
        {},
        h("td", {}, t.name),
        h("td", { class: "secret" }, `${t.prefix}…`),
        h("td", {}, formatDate(t.created_at)),
        h("td", {}, t.revoked_at ? `Revoked ${formatDate(t.revoked_at)}` : h("button", { type: "button", class: "btn btn-small btn-ghost", onclick: async () => { await services.team.revokeToken(t.id); announce("Token revoked."); await renderTokens(); } }, `Revoke ${t.name}`)),
      ),
    );
    return mount(tokensSlot, scrollBox("Your API tokens", h("table", { class: "data-table" }, h("thead", {}, h("tr", {}, ["Name", "Starts with", "Made", "Actions"].map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows)), "table-wrap"));
  }

  const nameForm = actionForm("Your name", "Save name", [field("account-name", "Name your team sees", { type: "text", value: account.name, autocomplete: "name" })], async (form) => {
    await services.team.rename(form.elements["account-name"].value);
    announce("Name saved.");
  });
  const passwordForm = actionForm(
    "Change password",
    "Change password",
    [
      field("current-password", "Current password", { type: "password", autocomplete: "current-password" }),
      field("new-password", "New password", { type: "password", autocomplete: "new-password" }),
      field("repeat-password", "New password again", { type: "password", autocomplete: "new-password" }),
    ],
    async (form) => {
      await services.team.changePassword(form.elements["current-password"].value, form.elements["new-password"].value, form.elements["repeat-password"].value);
      form.reset();
      announce("Password changed.");
    },
  );
  const tokenForm = actionForm("New API token", "Make token", [field("token-name", "Token name", { type: "text", autocomplete: "off" })], async (form) => {
    const token = await services.team.createToken(form.elements["token-name"].value);
    form.reset();
    mount(created, h("div", { class: "alert", role: "status" }, h("p", {}, `Your new token “${token.name}”. Copy it now: it is shown only this once.`), h("p", { class: "secret", "data-testid": "token-key" }, token.key)));
    await renderTokens();
  });

  mount(
    root,
    h("div", { class: "page-head" }, h("h1", {}, "Account"), h("p", { class: "muted" }, `Signed in as ${account.username}${account.email ? ` (${account.email})` : ""}.`)),
    h("section", { "aria-labelledby": "name-heading" }, h("h2", { id: "name-heading" }, "Name"), nameForm),
    account.passwords
      ? h("section", { "aria-labelledby": "password-heading" }, h("h2", { id: "password-heading" }, "Password"), passwordForm)
      : h("p", { class: "muted" }, "This server signs in through your organisation's identity provider: there is no password here to change."),
    h(
      "section",
      { "aria-labelledby": "tokens-heading" },
      h("h2", { id: "tokens-heading" }, "API tokens"),
      h("p", { class: "muted" }, "Scripts send a token as Authorization: Token <key>. Only a hash of each is kept."),
      tokenForm,
      created,
      tokensSlot,
    ),
  );
  await renderTokens();
}

export { actionForm, field };
