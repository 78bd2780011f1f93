/** The Plan tab's use cases: the applied plan, a preview, applying it, and whether submissions are final. */
export class PlanService {
  constructor(repositories) {
    this.repos = repositories;
  }

  /** The applied plan, or null when there is none yet. */
  plan(projectId) {
    return this.repos.assignments.plan(projectId);
  }

  preview(projectId, body) {
    return this.repos.assignments.previewPlan(projectId, body);
  }

  apply(projectId, body) {
    return this.repos.assignments.applyPlan(projectId, body);
  }

  /** Whether coders may reopen a unit they submitted; the project as it now stands. */
  setCodersMayReopen(projectId, allowed) {
    return this.repos.projects.update(projectId, { coders_may_reopen: Boolean(allowed) });
  }
}
