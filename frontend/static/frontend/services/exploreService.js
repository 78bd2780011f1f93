/** The Explore tab's reads: search, a code query's passages (and their downloads), matrices. */
import { passageParams, searchParams, secondaryPassBody } from "../domain/explore.js";

export class ExploreService {
  constructor(repositories) {
    this.repos = repositories;
  }

  search(projectId, form) {
    return this.repos.explore.search(projectId, searchParams(form));
  }

  /** Keyword-in-context lines of a search (the search form's values). */
  kwic(projectId, form) {
    return this.repos.explore.kwic(projectId, searchParams(form));
  }

  /** The most frequent words of a code query's passages, or of every segment in scope. */
  words(projectId, query) {
    return this.repos.explore.words(projectId, { ...passageParams({ ...query, page: undefined }), stop_words: query.keepStopWords ? "keep" : undefined });
  }

  passages(projectId, query) {
    return this.repos.explore.passages(projectId, passageParams(query));
  }

  /** The link that downloads every passage of `query` as Markdown ("md"), Word ("docx") or CSV ("csv"). */
  passagesDownloadUrl(projectId, format, query) {
    return this.repos.explore.passagesDownloadUrl(projectId, format, passageParams({ ...query, page: undefined }));
  }

  matrix(projectId, kind, params) {
    return this.repos.explore.matrix(projectId, kind, params);
  }

  /** `{parent, passes}` of a project (a project without the endpoint's answer: none). */
  secondaryPasses(projectId) {
    return this.repos.explore.secondaryPasses(projectId);
  }

  /** Open a secondary pass on the passages of `query` (as the Passages view holds it); `name`, `members`. */
  openSecondaryPass(projectId, query, { name, members }) {
    return this.repos.explore.openSecondaryPass(projectId, secondaryPassBody(query, { name, members }));
  }
}
