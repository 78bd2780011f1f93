/** /api/v1/projects/<id>/codebook/: the current codebook, its codes, versions and code proposals. */
export class CodebookRepository {
  constructor(http) {
    this.http = http;
  }

  /** `{id, name, version, codes: [...]}`: every code, active or not. */
  get(projectId) {
    return this.http.get(`/projects/${projectId}/codebook/`);
  }

  /**
   * How often each code is used: `{source, cases_total, codes: [{code, codings, segments, cases, …}]}`.
   * `source`: "mine" (the caller's own codings), "coders" (everyone's; owners and adjudicators) or "final".
   */
  usage(projectId, { source } = {}) {
    return this.http.get(`/projects/${projectId}/codebook/usage/`, { source });
  }

  createCode(projectId, fields) {
    return this.http.post(`/projects/${projectId}/codebook/codes/`, fields);
  }

  updateCode(projectId, codeId, fields) {
    return this.http.patch(`/projects/${projectId}/codebook/codes/${codeId}/`, fields);
  }

  /** ``{target, rationale}``: the code's codings, children and memos move to the target (owners). */
  mergeCode(projectId, codeId, fields) {
    return this.http.post(`/projects/${projectId}/codebook/codes/${codeId}/merge`, fields);
  }

  /** ``{new_codes: [{name}], rationale, deactivate_original}``: new sub-codes of the code (owners). */
  splitCode(projectId, codeId, fields) {
    return this.http.post(`/projects/${projectId}/codebook/codes/${codeId}/split`, fields);
  }

  /** Where the codebook downloads as a file: `format` "csv" or "qdc" (the download is audited). */
  exportUrl(projectId, format) {
    return this.http.url(`/projects/${projectId}/codebook/export/${format}`);
  }

  /** `form`: FormData with `file` and `rationale`; adds the file's codes as one new version (owners). */
  importCodes(projectId, format, form) {
    return this.http.postForm(`/projects/${projectId}/codebook/import/${format}`, form);
  }

  versions(projectId) {
    return this.http.list(`/projects/${projectId}/codebook/versions/`);
  }

  /** Proposals of new codes: owners see every one, other members their own. */
  proposals(projectId) {
    return this.http.list(`/projects/${projectId}/codebook/proposals/`);
  }

  /** ``{name, definition, segment?, parent?}``: a coder proposes a code (thematic pass). */
  propose(projectId, fields) {
    return this.http.post(`/projects/${projectId}/codebook/proposals/`, fields);
  }

  /** ``{decision: "accept"|"merge"|"reject", target?, note}`` (owners). */
  decideProposal(projectId, proposalId, decision) {
    return this.http.post(`/projects/${projectId}/codebook/proposals/${proposalId}/decide`, decision);
  }
}
