/** The adjudication tab's use cases: the queue of disagreements, one unit, deciding it, and accepting every
 * unanimous unit at once. */
export class AdjudicationService {
  constructor(repositories) {
    this.repos = repositories;
  }

  queue(projectId) {
    return this.repos.adjudication.queue(projectId);
  }

  unit(projectId, segmentId) {
    return this.repos.adjudication.unit(projectId, segmentId);
  }

  /** `body` (method, coder…), with the rationale and the decision it revises, if any. */
  decide(projectId, segmentId, body, { rationale, supersedes }) {
    return this.repos.adjudication.decide(projectId, segmentId, { ...body, rationale, supersedes: supersedes ?? null });
  }

  /** What accepting every unanimous unit would do, or null when the server cannot say (no plan yet). */
  unanimousPreview(projectId) {
    return this.repos.adjudication.bulkPreview(projectId, "unanimous").catch(() => null);
  }

  acceptUnanimous(projectId) {
    return this.repos.adjudication.bulkApply(projectId, "unanimous");
  }
}
