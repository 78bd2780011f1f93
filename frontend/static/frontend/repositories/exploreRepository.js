/** Search, passages (retrieval) and matrices of a project. */
import { API_ROOT, queryString } from "./http.js";

export class ExploreRepository {
  constructor(http) {
    this.http = http;
  }

  search(projectId, params) {
    return this.http.get(`/projects/${projectId}/search/`, params);
  }

  kwic(projectId, params) {
    return this.http.get(`/projects/${projectId}/kwic/`, params);
  }

  words(projectId, params) {
    return this.http.get(`/projects/${projectId}/words/`, params);
  }

  passages(projectId, params) {
    return this.http.get(`/projects/${projectId}/passages/`, params);
  }

  passagesDownloadUrl(projectId, format, params) {
    return `${API_ROOT}/projects/${projectId}/passages/export.${format}${queryString(params)}`;
  }

  matrix(projectId, kind, params) {
    return this.http.get(`/projects/${projectId}/matrices/${kind}/`, params);
  }

  /** `{parent, passes}`: the pass this project is (or null) and the secondary passes opened from it. */
  secondaryPasses(projectId) {
    return this.http.get(`/projects/${projectId}/secondary-passes/`);
  }

  /** Owners: open a secondary pass on a code query's passages. */
  openSecondaryPass(projectId, body) {
    return this.http.post(`/projects/${projectId}/secondary-passes/`, body);
  }
}
