/** The PI's analysis tab: progress, the latest agreement and saturation, and asking for a new run. */
import {
  agreementDrift,
  agreementOverall,
  agreementPerCode,
  progressView,
  runInProgress,
  saturationSummary,
  spanOverall,
  spanPerCode,
  spanPerDocument,
} from "../domain/analysis.js";
import { RUN_KINDS } from "../repositories/analysisRepository.js";

export class AnalysisService {
  constructor(repositories) {
    this.repos = repositories;
  }

  async load(projectId) {
    const { analysis, adjudication } = this.repos;
    const [progress, agreement, saturation, agreementRuns, saturationRuns, awaiting, spans, spanRuns] = await Promise.all([
      analysis.progress(projectId).catch(() => null),
      analysis.latest(projectId, "agreement"),
      analysis.latest(projectId, "saturation"),
      analysis.recent(projectId, "agreement"),
      analysis.recent(projectId, "saturation"),
      adjudication ? adjudication.openCount(projectId).catch(() => null) : null,
      analysis.latest(projectId, "spans"),
      analysis.recent(projectId, "spans"),
    ]);
    return {
      progress: progress ? progressView(progress) : null,
      agreement: agreement && {
        run: agreement,
        overall: agreementOverall(agreement.result),
        perCode: agreementPerCode(agreement.result),
        counts: agreement.result?.counts ?? {},
        drift: agreementDrift(agreement.result),
        driftFigure: analysis.figureUrl(projectId, agreement.id, "drift", "agreement"),
      },
      awaitingAdjudication: awaiting,
      saturation: saturation && {
        run: saturation,
        wording: saturation.result?.suggested_wording ?? "",
        summary: saturationSummary(saturation.result),
        figure: analysis.figureUrl(projectId, saturation.id, "accumulation"),
      },
      spans: spans && {
        run: spans,
        overall: spanOverall(spans.result),
        perCode: spanPerCode(spans.result),
        perDocument: spanPerDocument(spans.result),
        coders: spans.result?.coders ?? [],
        excluded: spans.result?.excluded_documents ?? [],
      },
      computing: {
        agreement: runInProgress(agreementRuns),
        saturation: runInProgress(saturationRuns),
        spans: runInProgress(spanRuns),
      },
    };
  }

  /** Where the dashboard's live updates stream from (an `EventSource` URL). */
  eventsUrl(projectId) {
    return this.repos.analysis.eventsUrl(projectId);
  }

  /** `{changed, tag}`: whether to load again (the pulse changed since `tag`). */
  pulse(projectId, tag) {
    return this.repos.analysis.pulse(projectId, tag);
  }

  requestRun(projectId, kind, params = {}) {
    if (!RUN_KINDS.includes(kind)) throw new Error(`unknown analysis kind ${kind}`);
    return this.repos.analysis.request(projectId, kind, params);
  }

  /** Two coders' spans on one document, with its text. */
  alignment(projectId, documentId, coderIds) {
    return this.repos.analysis.alignment(projectId, documentId, coderIds);
  }
}
