/** /api/v1/projects/<id>/cases/ and the attribute definitions that describe them. */
export class CaseRepository {
  constructor(http) {
    this.http = http;
  }

  list(projectId) {
    return this.http.list(`/projects/${projectId}/cases/`);
  }

  /** A new case (owners): `{identifier, description}`. */
  create(projectId, fields) {
    return this.http.post(`/projects/${projectId}/cases/`, fields);
  }

  attributes(projectId) {
    return this.http.list(`/projects/${projectId}/attributes/`);
  }

  /** `form`: FormData with `file`, `column_types` (JSON), `id_column`, `date_format` (owners). */
  importAttributes(projectId, form) {
    return this.http.postForm(`/projects/${projectId}/cases/import/`, form);
  }
}
