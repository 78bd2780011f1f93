/**
 * /api/v1/projects/<id>/codebook/: the current codebook, its codes and versions.
 *
 * Merge/split and code proposals are being added to the API; add them here (`merge`, `split`, `propose`)
 * next to the code writes they resemble.
 */
export class CodebookRepository {
  constructor(http) {
    this.http = http;
  }

  /** `{id, name, version, codes: [...]}`: every code, active or not. */
  get(projectId) {
    return this.http.get(`/projects/${projectId}/codebook/`);
  }

  createCode(projectId, fields) {
    return this.http.post(`/projects/${projectId}/codebook/codes/`, fields);
  }

  updateCode(projectId, codeId, fields) {
    return this.http.patch(`/projects/${projectId}/codebook/codes/${codeId}/`, fields);
  }

  versions(projectId) {
    return this.http.list(`/projects/${projectId}/codebook/versions/`);
  }
}
