/**
 * The Members tab. Everyone sees who is in the project; owners also invite by email with a role, see
 * pending invitations (copy the link, resend, revoke, change the role), change members' roles and remove
 * members (their codings stay).
 */
import { ROLE_HELP, ROLE_LABELS, roleLabel } from "../domain/roles.js";
import { announce, errorBox, formatDate, h, mount, scrollBox } from "./dom.js";

function roleSelect(id, label, value, onchange) {
  return h(
    "select",
    { id, "aria-label": label, onchange: (event) => onchange(event.target.value) },
    Object.entries(ROLE_LABELS).map(([role, text]) => h("option", { value: role, selected: role === value }, text)),
  );
}

/** A link with a Copy button: shown to the owner, since not every instance can send mail. */
function linkBox(label, link) {
  const copy = h(
    "button",
    {
      type: "button",
      class: "btn btn-small",
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(link);
          announce("Link copied.");
        } catch {
          announce("Select the link and copy it.", { tone: "error" });
        }
      },
    },
    "Copy link",
  );
  return h("div", { class: "alert", role: "status" }, h("p", {}, label), h("p", { class: "secret", "data-testid": "invitation-link" }, link), copy);
}

export function MembersPanel({ services, projectId, role, members, root }) {
  const isOwner = role === "owner";
  const errors = h("div", { class: "panel-error", "aria-live": "assertive" });
  const issued = h("div", {});
  const invitationsSlot = h("div", {});
  let current = members;

  const act = async (work, message) => {
    mount(errors);
    try {
      const result = await work();
      if (message) announce(message);
      await refresh();
      return result;
    } catch (error) {
      mount(errors, errorBox(error));
      return null;
    }
  };

  function memberList() {
    return h(
      "ul",
      { class: "member-list", "aria-label": "Members" },
      current.map((m) =>
        h(
          "li",
          { class: "member" },
          h("span", { class: "avatar", "aria-hidden": "true" }, m.username.slice(0, 2).toUpperCase()),
          h("div", {}, h("div", { class: "member-name" }, m.username), h("div", { class: "meta" }, ROLE_HELP[m.role] ?? "")),
          isOwner
            ? h(
                "div",
                { class: "row-actions" },
                roleSelect(`member-role-${m.id}`, `Role of ${m.username}`, m.role, (next) =>
                  act(() => services.team.changeMemberRole(projectId, m.id, next), `${m.username} is now ${roleLabel(next)}.`),
                ),
                h(
                  "button",
                  {
                    type: "button",
                    class: "btn btn-small btn-ghost",
                    onclick: () => {
                      // eslint-disable-next-line no-alert
                      if (window.confirm(`Remove ${m.username}? Their codings stay; their unfinished units go back to the plan.`)) {
                        act(() => services.team.removeMember(projectId, m.id), `${m.username} was removed.`);
                      }
                    },
                  },
                  `Remove ${m.username}`,
                ),
              )
            : h("span", { class: ["badge", `badge-role-${m.role}`] }, roleLabel(m.role)),
        ),
      ),
    );
  }

  const membersSlot = h("div", {}, memberList());

  function invitationTable(invitations) {
    if (!invitations.length) return h("p", { class: "muted" }, "No invitations yet.");
    const rows = invitations.map((inv) => {
      const pending = inv.state === "pending" || inv.state === "expired";
      return h(
        "tr",
        {},
        h("td", {}, inv.email),
        h("td", {}, inv.state === "pending" ? roleSelect(`invitation-role-${inv.id}`, `Role for ${inv.email}`, inv.role, (next) => act(() => services.team.changeInvitationRole(projectId, inv.id, next), "Role changed.")) : roleLabel(inv.role)),
        h("td", {}, inv.state, inv.state === "accepted" && inv.accepted_by ? ` (${inv.accepted_by})` : ""),
        h("td", {}, formatDate(inv.expires_at)),
        h(
          "td",
          { class: "row-actions" },
          pending
            ? h("button", { type: "button", class: "btn btn-small", onclick: () => act(async () => show(await services.team.resendInvitation(projectId, inv.id)), "A new link was sent.") }, `Resend to ${inv.email}`)
            : null,
          inv.state === "pending"
            ? h("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => act(() => services.team.revokeInvitation(projectId, inv.id), "Invitation revoked.") }, `Revoke ${inv.email}`)
            : null,
        ),
      );
    });
    return scrollBox(
      "Invitations",
      h(
        "table",
        { class: "data-table" },
        h("thead", {}, h("tr", {}, ["Email", "Role", "State", "Link works until", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows),
      ),
      "table-wrap",
    );
  }

  function show(invitation) {
    mount(issued, linkBox(`Invitation for ${invitation.email}: the link was mailed; you can also send it yourself. It is shown only now.`, invitation.link));
  }

  async function refresh() {
    current = await services.team.members(projectId);
    mount(membersSlot, memberList());
    if (isOwner) mount(invitationsSlot, invitationTable(await services.team.invitations(projectId)));
  }

  const parts = [h("h2", {}, "Members"), errors, membersSlot];
  if (isOwner) {
    const email = h("input", { id: "invite-email", type: "email", autocomplete: "off", required: true });
    const form = h(
      "form",
      {
        class: "stack",
        novalidate: true,
        onsubmit: async (event) => {
          event.preventDefault();
          const invitation = await act(() => services.team.invite(projectId, email.value, form.elements.role.value), "Invitation sent.");
          if (invitation) {
            show(invitation);
            email.value = "";
          }
        },
      },
      h("div", { class: "field-row" },
        h("div", { class: "field" }, h("label", { for: "invite-email" }, "Email"), email),
        h("div", { class: "field" }, h("label", { for: "invite-role" }, "Role"), h("select", { id: "invite-role", name: "role" }, Object.entries(ROLE_LABELS).map(([value, text]) => h("option", { value, selected: value === "coder" }, text)))),
      ),
      h("button", { type: "submit", class: "btn btn-primary" }, "Send invitation"),
    );
    parts.push(h("h2", {}, "Invite someone"), form, issued, h("h2", {}, "Invitations"), invitationsSlot);
    services.team.invitations(projectId).then((list) => mount(invitationsSlot, invitationTable(list)), (error) => mount(errors, errorBox(error)));
  }
  mount(root, ...parts);
  return () => {};
}
