/** /api/v1/projects/<id>/documents/, their segments, and transcript imports (background jobs). */

function importForm(files, options, details) {
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  form.append("options", JSON.stringify(options));
  if (details && Object.keys(details).length) form.append("details", JSON.stringify(details));
  return form;
}
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

  /**
   * Start an import of ``files`` (File objects: transcripts and/or .zip batches) with the import
   * ``options`` and, per file uploaded one by one, ``details`` ({name: {title, case, interview_date}});
   * the job, with its report.
   */
  startImport(projectId, files, options = {}, details = null) {
    return this.http.postForm(`/projects/${projectId}/imports/`, importForm(files, options, details));
  }

  /** What an import of these files would store, file by file (speakers, turns, title, case); writes nothing. */
  previewImport(projectId, files, options = {}, details = null) {
    return this.http.postForm(`/projects/${projectId}/documents/preview`, importForm(files, options, details));
  }

  /** `{title, case, interview_date, analysis_order}` (any of them; owners). */
  update(projectId, documentId, fields) {
    return this.http.patch(`/projects/${projectId}/documents/${documentId}/`, fields);
  }

  /** `[{speaker, turns, codable, codings}]`: who speaks in a transcript. */
  speakers(projectId, documentId) {
    return this.http.get(`/projects/${projectId}/documents/${documentId}/speakers/`);
  }

  /** Say who interviewed: their turns become context, every other speaker's codable (owners). */
  setInterviewers(projectId, documentId, interviewers) {
    return this.http.request("PUT", `/projects/${projectId}/documents/${documentId}/speakers/`, { body: { interviewers } });
  }

  importJob(projectId, jobId) {
    return this.http.get(`/projects/${projectId}/imports/${jobId}/`);
  }
}
