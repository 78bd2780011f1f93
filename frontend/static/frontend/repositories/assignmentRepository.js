/**
 * Assignments: which units (segments) the caller is to code. `mine()` lists the caller's assignments in
 * queue order; `next()` is the queue (`GET …/queue/next/`) that hands out the next unit.
 */
export class AssignmentRepository {
  constructor(http) {
    this.http = http;
  }

  /** `[{segment, document, document_title, order, status: "assigned"|"done"|"open", ...}]` */
  mine(projectId, { status } = {}) {
    return this.http.list(`/projects/${projectId}/assignments/`, { status });
  }

  /** `{unit, progress}`: the caller's next unit (claimed from the pool in a pool plan), or `unit: null`. */
  next(projectId) {
    return this.http.get(`/projects/${projectId}/queue/next/`);
  }

  /** Per coder and per document: assigned, done, remaining (a coder gets their own only). */
  progress(projectId) {
    return this.http.get(`/projects/${projectId}/progress/`);
  }

  done(projectId, segmentId) {
    return this.http.post(`/projects/${projectId}/assignments/${segmentId}/done/`);
  }

  reopen(projectId, segmentId) {
    return this.http.post(`/projects/${projectId}/assignments/${segmentId}/reopen/`);
  }

  /** The applied plan, or null when there is none yet. */
  async plan(projectId) {
    try {
      return await this.http.get(`/projects/${projectId}/assignment-plan/`);
    } catch (error) {
      if (error.status === 404) return null;
      throw error;
    }
  }

  previewPlan(projectId, body) {
    return this.http.post(`/projects/${projectId}/assignment-plan/preview/`, body);
  }

  applyPlan(projectId, body) {
    return this.http.request("PUT", `/projects/${projectId}/assignment-plan/`, { body });
  }
}
