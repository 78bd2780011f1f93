/**
 * /api/v1/projects/<id>/documents/ and their segments.
 *
 * Imports (documents/preview, import jobs) are being added to the API; they belong here as new methods
 * (e.g. `preview(projectId, file)`, `importJob(projectId, jobId)`) so no component changes shape.
 */
export class DocumentRepository {
  constructor(http) {
    this.http = http;
  }

  list(projectId) {
    return this.http.list(`/projects/${projectId}/documents/`);
  }

  /** One document, with its full normalised `text`. */
  get(projectId, documentId) {
    return this.http.get(`/projects/${projectId}/documents/${documentId}/`);
  }

  segments(projectId, documentId) {
    return this.http.list(`/projects/${projectId}/documents/${documentId}/segments/`);
  }
}
