/** Progress and the analysis runs (agreement, saturation) of a project. */
import { API_ROOT } from "./http.js";

export const RUN_KINDS = ["agreement", "saturation"];

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
  async recent(projectId, kind) {
    const page = await this.http.get(`/projects/${projectId}/analysis/${kind}/runs/`, { page_size: 5 });
    return Array.isArray(page) ? page : (page?.results ?? []);
  }

  request(projectId, kind, params = {}) {
    return this.http.post(`/projects/${projectId}/analysis/${kind}/runs/`, params);
  }

  figureUrl(projectId, runId, figure) {
    return `${API_ROOT}/projects/${projectId}/analysis/saturation/runs/${runId}/figures/${figure}.svg`;
  }
}
