/** /api/v1/projects/ and the project's members. */
export class ProjectRepository {
  constructor(http) {
    this.http = http;
  }

  list() {
    return this.http.list("/projects/");
  }

  /** The project, with the caller's `role` in it. */
  get(projectId) {
    return this.http.get(`/projects/${projectId}/`);
  }

  create({ name, description = "" }) {
    return this.http.post("/projects/", { name, description });
  }

  /** Owners: `{name, description, coders_may_reopen}` (any of them). */
  update(projectId, fields) {
    return this.http.patch(`/projects/${projectId}/`, fields);
  }

  members(projectId) {
    return this.http.list(`/projects/${projectId}/members/`);
  }
}
