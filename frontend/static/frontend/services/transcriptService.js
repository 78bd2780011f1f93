/** Transcripts as an owner manages them: importing (preview, then the job), and editing one later. */
export class TranscriptService {
  constructor(repositories) {
    this.repos = repositories;
  }

  previewImport(projectId, files, options) {
    return this.repos.documents.previewImport(projectId, files, options);
  }

  startImport(projectId, files, options, details) {
    return this.repos.documents.startImport(projectId, files, options, details);
  }

  importJob(projectId, jobId) {
    return this.repos.documents.importJob(projectId, jobId);
  }

  speakers(projectId, documentId) {
    return this.repos.documents.speakers(projectId, documentId);
  }

  /**
   * Save an edited transcript: who interviewed first (the server may refuse it, and then nothing else
   * changes), then its title, case (created when the identifier is new), date and analysis order.
   * `interviewers`: the chosen set, or null when the speakers were not changed.
   */
  async saveTranscript(projectId, document, { title, caseIdentifier, interviewDate, analysisOrder, interviewers }, cases) {
    if (interviewers !== null) await this.repos.documents.setInterviewers(projectId, document.id, [...interviewers]);
    let kase = cases.find((c) => c.identifier === caseIdentifier);
    if (!kase) kase = await this.repos.cases.create(projectId, { identifier: caseIdentifier });
    const fields = { title, case: kase.id, interview_date: interviewDate || null };
    if (analysisOrder) fields.analysis_order = Number(analysisOrder);
    return this.repos.documents.update(projectId, document.id, fields);
  }
}
