/** Accounts, members and invitations: checks a form can make before asking the server. */
import { ApiError } from "../domain/errors.js";

const required = (value, message) => {
  const text = String(value ?? "").trim();
  if (!text) throw new ApiError(message, { status: 400 });
  return text;
};

export class TeamService {
  constructor(repositories) {
    this.team = repositories.team;
  }

  account() {
    return this.team.account();
  }

  rename(name) {
    return this.team.updateAccount({ name: String(name ?? "").trim() });
  }

  changePassword(current, next, repeat) {
    required(current, "Enter your current password.");
    required(next, "Enter a new password.");
    if (next !== repeat) throw new ApiError("The new passwords differ; type the same one twice.", { status: 400 });
    return this.team.changePassword(current, next);
  }

  tokens() {
    return this.team.tokens();
  }

  createToken(name) {
    return this.team.createToken(required(name, "Give the token a name, e.g. the script that will use it."));
  }

  revokeToken(tokenId) {
    return this.team.revokeToken(tokenId);
  }

  users(search) {
    return this.team.users(String(search ?? "").trim());
  }

  createUser({ username, email, name }) {
    return this.team.createUser({
      username: required(username, "Enter a username."),
      email: required(email, "Enter their email address: the link to choose a password goes there."),
      name: String(name ?? "").trim(),
    });
  }

  setActive(userId, isActive) {
    return this.team.setActive(userId, isActive);
  }

  /** A new set-password link for an existing user: mailed to them and returned to show once. */
  passwordLink(userId) {
    return this.team.passwordLink(userId);
  }

  members(projectId) {
    return this.team.members(projectId);
  }

  changeMemberRole(projectId, membershipId, role) {
    return this.team.changeMemberRole(projectId, membershipId, role);
  }

  removeMember(projectId, membershipId) {
    return this.team.removeMember(projectId, membershipId);
  }

  invitations(projectId) {
    return this.team.invitations(projectId);
  }

  invite(projectId, email, role) {
    return this.team.invite(projectId, required(email, "Enter the email address to invite."), role);
  }

  changeInvitationRole(projectId, invitationId, role) {
    return this.team.changeInvitationRole(projectId, invitationId, role);
  }

  revokeInvitation(projectId, invitationId) {
    return this.team.revokeInvitation(projectId, invitationId);
  }

  resendInvitation(projectId, invitationId) {
    return this.team.resendInvitation(projectId, invitationId);
  }

  openInvitation(token) {
    return this.team.openInvitation(token);
  }

  acceptInvitation(token) {
    return this.team.acceptInvitation(token);
  }

  register(token, { username, name, password }) {
    return this.team.register(token, {
      username: required(username, "Choose a username."),
      name: required(name, "Enter your name as your team should see it."),
      password: required(password, "Choose a password."),
    });
  }
}
