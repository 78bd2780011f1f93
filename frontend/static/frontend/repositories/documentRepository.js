/** /api/v1/projects/<id>/documents/, their segments, and transcript imports (background jobs). */
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

  /** Start an import of ``files`` (File objects: transcripts and/or .zip batches); the job, with its report. */
  startImport(projectId, files, options = {}) {
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    form.append("options", JSON.stringify(options));
    return this.http.postForm(`/projects/${projectId}/imports/`, form);
  }

  importJob(projectId, jobId) {
    return this.http.get(`/projects/${projectId}/imports/${jobId}/`);
  }
}
