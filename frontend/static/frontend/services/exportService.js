/** Exports and the .qdpx project import: what an export will hold, asking for one, the recent ones. */
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

  /** Start a whole REFI-QDA project (.qdpx) in this empty project: a background job. */
  startProjectImport(projectId, file) {
    return this.repos.exports.startProjectImport(projectId, file);
  }

  projectImportJob(projectId, jobId) {
    return this.repos.exports.projectImportJob(projectId, jobId);
  }
}
