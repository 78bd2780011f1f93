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
}
