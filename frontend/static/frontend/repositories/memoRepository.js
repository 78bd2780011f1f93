/** /api/v1/projects/<id>/memos/: notes on segments, codes and cases. */
export class MemoRepository {
  constructor(http) {
    this.http = http;
  }

  listForSegment(projectId, segmentId) {
    return this.http.list(`/projects/${projectId}/memos/`, { segment: segmentId });
  }

  list(projectId, filters = {}) {
    return this.http.list(`/projects/${projectId}/memos/`, filters);
  }

  create(projectId, { text, segment = null, code = null, case: caseId = null }) {
    return this.http.post(`/projects/${projectId}/memos/`, { text, segment, code, case: caseId });
  }

  update(projectId, memoId, text) {
    return this.http.patch(`/projects/${projectId}/memos/${memoId}/`, { text });
  }

  remove(projectId, memoId) {
    return this.http.delete(`/projects/${projectId}/memos/${memoId}/`);
  }
}
