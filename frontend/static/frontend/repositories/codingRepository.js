/** /api/v1/projects/<id>/codings/: the caller's (or, for owners/adjudicators, everyone's) codings. */
export class CodingRepository {
  constructor(http) {
    this.http = http;
  }

  listForDocument(projectId, documentId) {
    return this.http.list(`/projects/${projectId}/codings/`, { document: documentId });
  }

  /** Apply a code to a segment, or to a span `{start, end}` (code points into the document) inside it. */
  create(projectId, { segment, code, span = null }) {
    const body = { segment, code };
    if (span) {
      body.span_start = span.start;
      body.span_end = span.end;
    }
    return this.http.post(`/projects/${projectId}/codings/`, body);
  }

  remove(projectId, codingId) {
    return this.http.delete(`/projects/${projectId}/codings/${codingId}/`);
  }
}
