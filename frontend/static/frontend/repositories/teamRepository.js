/** The team's lifecycle: /api/v1/auth/ (account, tokens, users), a project's members and invitations, and
 * what an invitation link opens (/api/v1/invitations/<token>/). */
export class TeamRepository {
  constructor(http) {
    this.http = http;
  }

  account() {
    return this.http.get("/auth/account/");
  }

  updateAccount(fields) {
    return this.http.patch("/auth/account/", fields);
  }

  changePassword(currentPassword, newPassword) {
    return this.http.post("/auth/account/password/", { current_password: currentPassword, new_password: newPassword });
  }

  tokens() {
    return this.http.get("/auth/account/tokens/");
  }

  createToken(name) {
    return this.http.post("/auth/account/tokens/", { name });
  }

  revokeToken(tokenId) {
    return this.http.delete(`/auth/account/tokens/${tokenId}/`);
  }

  users(search = "") {
    return this.http.list("/auth/users/", { search });
  }

  createUser(fields) {
    return this.http.post("/auth/users/", fields);
  }

  setActive(userId, isActive) {
    return this.http.patch(`/auth/users/${userId}/`, { is_active: isActive });
  }

  passwordLink(userId) {
    return this.http.post(`/auth/users/${userId}/password-link/`, {});
  }

  members(projectId) {
    return this.http.list(`/projects/${projectId}/members/`);
  }

  changeMemberRole(projectId, membershipId, role) {
    return this.http.patch(`/projects/${projectId}/members/${membershipId}/`, { role });
  }

  removeMember(projectId, membershipId) {
    return this.http.delete(`/projects/${projectId}/members/${membershipId}/`);
  }

  invitations(projectId) {
    return this.http.list(`/projects/${projectId}/invitations/`);
  }

  invite(projectId, email, role) {
    return this.http.post(`/projects/${projectId}/invitations/`, { email, role });
  }

  changeInvitationRole(projectId, invitationId, role) {
    return this.http.patch(`/projects/${projectId}/invitations/${invitationId}/`, { role });
  }

  revokeInvitation(projectId, invitationId) {
    return this.http.delete(`/projects/${projectId}/invitations/${invitationId}/`);
  }

  resendInvitation(projectId, invitationId) {
    return this.http.post(`/projects/${projectId}/invitations/${invitationId}/resend/`);
  }

  openInvitation(token) {
    return this.http.get(`/invitations/${encodeURIComponent(token)}/`);
  }

  acceptInvitation(token) {
    return this.http.post(`/invitations/${encodeURIComponent(token)}/accept/`);
  }

  register(token, fields) {
    return this.http.post(`/invitations/${encodeURIComponent(token)}/register/`, fields);
  }
}
