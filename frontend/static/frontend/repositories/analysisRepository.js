/** Progress and the analysis runs (agreement, saturation, agreement on spans) of a project. */
import { API_ROOT } from "./http.js";

export const RUN_KINDS = ["agreement", "saturation", "spans"];

export class AnalysisRepository {
  constructor(http) {
    this.http = http;
  }

  progress(projectId) {
    return this.http.get(`/projects/${projectId}/progress/`);
  }

  /** The latest completed run with its result, or null when there is none yet. */
  async latest(projectId, kind) {
    try {
      return await this.http.get(`/projects/${projectId}/analysis/${kind}/latest/`);
    } catch (error) {
      if (error.status === 404) return null;
      throw error;
    }
  }

  /** The newest runs (any state), newest first. */
  recent(projectId, kind) {
    return this.http.firstPage(`/projects/${projectId}/analysis/${kind}/runs/`, { page_size: 5 });
  }

  request(projectId, kind, params = {}) {
    return this.http.post(`/projects/${projectId}/analysis/${kind}/runs/`, params);
  }

  /** One document's text and the given coders' spans on it (the alignment view). */
  alignment(projectId, documentId, coderIds) {
    return this.http.get(`/projects/${projectId}/analysis/spans/alignment/`, { document: documentId, coders: coderIds.join(",") });
  }

  figureUrl(projectId, runId, figure, kind = "saturation") {
    return `${API_ROOT}/projects/${projectId}/analysis/${kind}/runs/${runId}/figures/${figure}.svg`;
  }

  /** The dashboard's live updates: server-sent events, one `pulse` event (id = the tag) per change. */
  eventsUrl(projectId) {
    return `${API_ROOT}/projects/${projectId}/analysis/events/`;
  }

  /** Whether the dashboard's figures may have changed since `tag` (see HttpClient.getIfChanged). */
  pulse(projectId, tag) {
    return this.http.getIfChanged(`/projects/${projectId}/analysis/pulse/`, tag);
  }
}
