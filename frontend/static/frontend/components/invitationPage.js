/** Where an invitation link lands: who invites to which project; join when signed in, or sign in with the
 * organisation's identity provider (when the server has single sign-on) and come back here, or choose a name
 * and password (unless the server has passwords turned off). */
import { urls } from "../domain/routes.js";
import { actionForm, field } from "./accountPage.js";
import { errorBox, h, mount, setTitle } from "./dom.js";

export async function InvitationPage({ services, root, token }) {
  setTitle("Invitation");
  const card = h("div", { class: "login-card" });
  mount(root, card);
  let invitation;
  try {
    invitation = await services.team.openInvitation(token);
  } catch (error) {
    mount(card, h("h1", {}, "This invitation cannot be used"), errorBox(error), h("p", { class: "fine-print" }, h("a", { href: "/login/" }, "Sign in")));
    return;
  }
  let me = null;
  try {
    me = await services.auth.currentUser();
  } catch {
    me = null; // not signed in
  }
  const lede = h("p", { class: "login-lede" }, `${invitation.invited_by} invites you to “${invitation.project}” as ${invitation.role}.`);
  const join = (result) => window.location.assign(result.next);
  if (me) {
    const form = actionForm("Join the project", `Join as ${me.username}`, [], async () => join(await services.team.acceptInvitation(token)));
    mount(card, h("h1", {}, "Join the project"), lede, form);
    return;
  }
  const ssoName = root.dataset.ssoName || "";
  const passwords = root.dataset.passwords !== "false";
  const here = window.location.pathname;
  const sso = ssoName
    ? h("p", {}, h("a", { class: "btn btn-primary btn-block", href: `/oidc/authenticate/?${new URLSearchParams({ next: here })}` }, `Sign in with ${ssoName}`))
    : null;
  if (!passwords) {
    mount(card, h("h1", {}, "Join the project"), lede, h("p", { class: "muted" }, `For ${invitation.email}. Sign in, then join here.`), sso);
    return;
  }
  const suggested = invitation.email.split("@")[0].replace(/[^\w.@+-]/g, "");
  const form = actionForm(
    "Create your account",
    "Create account and join",
    [
      field("name", "Your name", { type: "text", autocomplete: "name" }),
      field("username", "Username", { type: "text", autocomplete: "username", value: suggested, autocapitalize: "none", spellcheck: "false" }),
      field("password", "Password", { type: "password", autocomplete: "new-password" }),
    ],
    async (f) => join(await services.team.register(token, { name: f.elements.name.value, username: f.elements.username.value, password: f.elements.password.value })),
  );
  mount(
    card,
    h("h1", {}, "Join the project"),
    lede,
    sso,
    h("p", { class: "muted" }, `For ${invitation.email}. ${ssoName ? "Or choose" : "Choose"} a name and a password (at least 10 characters).`),
    form,
    h("p", { class: "fine-print" }, "Already have an account? ", h("a", { href: urls.login(here) }, "Sign in first")),
  );
}
