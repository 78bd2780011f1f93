/** /api/v1/projects/<id>/cases/ and the attribute definitions that describe them. */
export class CaseRepository {
  constructor(http) {
    this.http = http;
  }

  list(projectId) {
    return this.http.list(`/projects/${projectId}/cases/`);
  }

  attributes(projectId) {
    return this.http.list(`/projects/${projectId}/attributes/`);
  }
}
