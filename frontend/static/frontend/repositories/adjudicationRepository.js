/** Adjudication: the queue of ready units, one unit side by side, decisions, and the bulk actions. */
export class AdjudicationRepository {
  constructor(http) {
    this.http = http;
  }

  /** Ready units of a kind ("disagreement", "unanimous", "single_coded"), undecided ones by default. */
  /** How many units of a kind wait for a decision (the queue's count, without reading it). */
  async openCount(projectId, kind = "disagreement") {
    const page = await this.http.get(`/projects/${projectId}/adjudication/queue/`, { kind, status: "open", page_size: 1 });
    return Array.isArray(page) ? page.length : (page?.count ?? 0);
  }

  queue(projectId, { kind = "disagreement", status = "open" } = {}) {
    return this.http.list(`/projects/${projectId}/adjudication/queue/`, { kind, status });
  }

  unit(projectId, segmentId) {
    return this.http.get(`/projects/${projectId}/adjudication/units/${segmentId}/`);
  }

  /** ``{method: "accept_coder"|"union"|"intersection"|"custom", coder?, codings?, rationale, supersedes?}`` */
  decide(projectId, segmentId, decision) {
    return this.http.post(`/projects/${projectId}/adjudication/units/${segmentId}/decide`, decision);
  }

  bulkPreview(projectId, kind, m = null) {
    return this.http.post(`/projects/${projectId}/adjudication/bulk/preview`, { kind, m });
  }

  bulkApply(projectId, kind, m = null) {
    return this.http.post(`/projects/${projectId}/adjudication/bulk/apply`, { kind, m });
  }
}
