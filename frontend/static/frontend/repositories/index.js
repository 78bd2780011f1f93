/** All repositories over one HttpClient: the composition root for data access. */
import { AdjudicationRepository } from "./adjudicationRepository.js";
import { AnalysisRepository } from "./analysisRepository.js";
import { AssignmentRepository } from "./assignmentRepository.js";
import { AuthRepository } from "./authRepository.js";
import { CaseRepository } from "./caseRepository.js";
import { CodebookRepository } from "./codebookRepository.js";
import { CodingRepository } from "./codingRepository.js";
import { DocumentRepository } from "./documentRepository.js";
import { ExploreRepository } from "./exploreRepository.js";
import { ExportRepository } from "./exportRepository.js";
import { HttpClient } from "./http.js";
import { MemoRepository } from "./memoRepository.js";
import { ProjectRepository } from "./projectRepository.js";
import { TeamRepository } from "./teamRepository.js";

export function createRepositories(http = new HttpClient()) {
  return {
    http,
    auth: new AuthRepository(http),
    projects: new ProjectRepository(http),
    cases: new CaseRepository(http),
    documents: new DocumentRepository(http),
    codebook: new CodebookRepository(http),
    codings: new CodingRepository(http),
    memos: new MemoRepository(http),
    assignments: new AssignmentRepository(http),
    analysis: new AnalysisRepository(http),
    exports: new ExportRepository(http),
    explore: new ExploreRepository(http),
    adjudication: new AdjudicationRepository(http),
    team: new TeamRepository(http),
  };
}
