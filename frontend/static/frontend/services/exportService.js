/** The Exports tab's use cases: what an export will hold, asking for one, and the recent exports. */
import { exportParams } from "../domain/exports.js";

export class ExportService {
  constructor(repositories) {
    this.repos = repositories;
  }

  recent(projectId) {
    return this.repos.exports.recent(projectId);
  }

  /** The request body for `kind` and `format` from the form's values. */
  body(kind, format, values) {
    return { kind, format, params: exportParams(kind, values) };
  }

  /** `{kind, format, params, contents}`: what the export would hold, before it runs. */
  preview(projectId, kind, format, values) {
    return this.repos.exports.preview(projectId, this.body(kind, format, values));
  }

  request(projectId, kind, format, values) {
    return this.repos.exports.request(projectId, this.body(kind, format, values));
  }
}
