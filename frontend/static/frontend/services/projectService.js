/** The project list and the project overview: everything a PI needs to find their way. */
import { assignmentsByDocument, nextAssignedDocument } from "../domain/assignments.js";
import { buildCodeTree, flattenCodeTree } from "../domain/codebook.js";

export const byAnalysisOrder = (a, b) =>
  (a.analysis_order ?? Number.MAX_SAFE_INTEGER) - (b.analysis_order ?? Number.MAX_SAFE_INTEGER) ||
  String(a.title).localeCompare(String(b.title)) ||
  a.id - b.id;

const ROLE_ORDER = { owner: 0, adjudicator: 1, coder: 2, viewer: 3 };

export class ProjectService {
  constructor(repositories) {
    this.repos = repositories;
  }

  listProjects() {
    return this.repos.projects.list();
  }

  createProject(fields) {
    return this.repos.projects.create(fields);
  }

  /** Project, documents (analysis order), cases with attributes, members by role, codebook tree. */
  async loadOverview(projectId) {
    const { projects, documents, cases, codebook, assignments, explore } = this.repos;
    const [project, docs, caseList, attributes, members, book, mine, proposals, usage, passes] = await Promise.all([
      projects.get(projectId),
      documents.list(projectId),
      cases.list(projectId),
      cases.attributes(projectId),
      projects.members(projectId),
      codebook.get(projectId),
      // Viewers may not list assignments and a project may have no plan yet: then there are none to show.
      assignments ? assignments.mine(projectId).catch(() => null) : null,
      codebook.proposals ? codebook.proposals(projectId).catch(() => []) : [],
      // How often each code is used, counted as the caller's role may (their own codings, for a coder).
      codebook.usage ? codebook.usage(projectId).catch(() => null) : null,
      // A secondary pass names its parent project and code in its header.
      explore?.secondaryPasses ? explore.secondaryPasses(projectId).catch(() => null) : null,
    ]);
    const tree = buildCodeTree(book.codes ?? []);
    return {
      project,
      documents: [...docs].sort(byAnalysisOrder),
      cases: [...caseList].sort((a, b) => String(a.identifier).localeCompare(String(b.identifier))),
      attributes,
      members: [...members].sort(
        (a, b) =>
          (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || a.username.localeCompare(b.username),
      ),
      codebook: { ...book, tree, flat: flattenCodeTree(tree), usage },
      assignments: mine && mine.length ? assignmentsByDocument(mine) : null,
      continueDocument: mine && mine.length ? nextAssignedDocument(mine) : null,
      proposals: proposals ?? [],
      secondaryOf: passes?.parent ?? null,
    };
  }

  /** `form`: the sheet and how to read its columns (`caseImportDialog`). */
  importCaseAttributes(projectId, form) {
    return this.repos.cases.importAttributes(projectId, form);
  }

  codebookExportUrl(projectId, format) {
    return this.repos.codebook.exportUrl(projectId, format);
  }

  importCodes(projectId, format, form) {
    return this.repos.codebook.importCodes(projectId, format, form);
  }

  /** A coder proposes a code on the segment they read (a thematic pass). */
  proposeCode(projectId, fields) {
    return this.repos.codebook.propose(projectId, fields);
  }

  /** The owner accepts, merges or rejects a proposal, with a note for the coder. */
  decideProposal(projectId, proposalId, decision) {
    return this.repos.codebook.decideProposal(projectId, proposalId, decision);
  }

  createCode(projectId, fields) {
    return this.repos.codebook.createCode(projectId, cleanCodeFields(fields));
  }

  updateCode(projectId, codeId, fields) {
    return this.repos.codebook.updateCode(projectId, codeId, cleanCodeFields(fields));
  }

  mergeCode(projectId, codeId, { target, rationale }) {
    return this.repos.codebook.mergeCode(projectId, codeId, {
      target: Number(target),
      rationale: String(rationale ?? "").trim(),
    });
  }

  /** `names`: the new codes' names (see `parseSplitNames`). */
  splitCode(projectId, codeId, { names, rationale, deactivateOriginal }) {
    return this.repos.codebook.splitCode(projectId, codeId, {
      new_codes: names.map((name) => ({ name })),
      rationale: String(rationale ?? "").trim(),
      deactivate_original: Boolean(deactivateOriginal),
    });
  }
}

/** Trimmed strings; empty `parent` becomes null; unknown keys dropped. */
export function cleanCodeFields(fields) {
  const allowed = [
    "name",
    "parent",
    "definition",
    "inclusion",
    "exclusion",
    "typical_example",
    "atypical_example",
    "colour",
    "is_active",
    "rationale",
  ];
  const out = {};
  for (const key of allowed) {
    if (!(key in fields)) continue;
    let value = fields[key];
    if (typeof value === "string") value = value.trim();
    if (key === "parent") value = value === "" || value == null ? null : Number(value);
    out[key] = value;
  }
  return out;
}
