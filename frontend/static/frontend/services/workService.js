/** A coder's work in a project: their units per transcript, and the queue that hands out the next one. */
import { unitUrl, workByDocument, workTotals } from "../domain/work.js";

export class WorkService {
  constructor(repositories) {
    this.repos = repositories;
  }

  /**
   * `{rows, totals}`: the caller's units per transcript (queue order) and over the project. `documents`
   * (from the overview) add each transcript's case. No plan, or no units yet: empty.
   */
  async load(projectId, documents = []) {
    let mine;
    try {
      mine = await this.repos.assignments.mine(projectId);
    } catch (error) {
      if (error.status === 404 || error.status === 403) return { rows: [], totals: workTotals([]) };
      throw error;
    }
    const byId = new Map(documents.map((d) => [d.id, d]));
    const rows = workByDocument(mine).map((row) => ({ ...row, case: byId.get(row.document)?.case_identifier ?? null }));
    return { rows, totals: workTotals(mine) };
  }

  /** The reader's URL for the caller's next unit (claimed from the pool in a pool plan), or null. */
  async nextUnitUrl(projectId) {
    const { unit } = await this.repos.assignments.next(projectId);
    return unit ? unitUrl(projectId, unit) : null;
  }
}
