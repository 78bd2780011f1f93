/** Export jobs: request one, follow it, download its file (the job carries its download URL). */
export class ExportRepository {
  constructor(http) {
    this.http = http;
  }

  async recent(projectId) {
    const page = await this.http.get(`/projects/${projectId}/exports/`, { page_size: 20 });
    return Array.isArray(page) ? page : (page?.results ?? []);
  }

  request(projectId, { kind, format, params }) {
    return this.http.post(`/projects/${projectId}/exports/`, { kind, format, params });
  }
}
