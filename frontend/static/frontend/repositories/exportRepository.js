/** Export jobs: request one, follow it, download its file (the job carries its download URL). */
export class ExportRepository {
  constructor(http) {
    this.http = http;
  }

  recent(projectId) {
    return this.http.firstPage(`/projects/${projectId}/exports/`, { page_size: 20 });
  }

  request(projectId, { kind, format, params }) {
    return this.http.post(`/projects/${projectId}/exports/`, { kind, format, params });
  }

  /** What an export with this body would hold (counts and a sentence); writes nothing. */
  preview(projectId, { kind, format, params }) {
    return this.http.post(`/projects/${projectId}/exports/preview`, { kind, format, params });
  }

  /** Import a whole REFI-QDA project (.qdpx) into this empty project: a background job (owners). */
  startProjectImport(projectId, file) {
    const form = new FormData();
    form.append("file", file, file.name);
    return this.http.postForm(`/projects/${projectId}/qdpx-imports/`, form);
  }

  projectImportJob(projectId, jobId) {
    return this.http.get(`/projects/${projectId}/qdpx-imports/${jobId}/`);
  }
}
