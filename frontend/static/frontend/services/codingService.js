/**
 * The coding session behind the transcript reader: one document's segments, the codebook, the caller's
 * codings and memos, and the rules for changing them. No DOM here: components subscribe to changes.
 */
import { assignmentBlock, assignmentIndex } from "../domain/assignments.js";
import { buildCodeTree, flattenCodeTree } from "../domain/codebook.js";
import { ApiError } from "../domain/errors.js";
import { canCode, seesAllCodings } from "../domain/roles.js";
import { groupBySegment, isSpan, splitByCoder, stepCodable } from "../domain/segments.js";
import { byAnalysisOrder } from "./projectService.js";

export class CodingSession {
  constructor(repositories, { projectId, documentId }) {
    this.repos = repositories;
    this.projectId = Number(projectId);
    this.documentId = Number(documentId);
    this.listeners = new Set();
    this.user = null;
    this.project = null;
    this.document = null;
    this.documents = [];
    this.segments = [];
    this.codes = [];
    this.codeById = new Map();
    this.flatCodes = [];
    this.codings = [];
    this.memosBySegment = new Map();
    this.assignments = null; // Map<segmentId, status> for this document, or null when unknown
    this.currentIndex = -1;
  }

  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(what) {
    for (const listener of this.listeners) listener(what, this);
  }

  async load() {
    const { auth, projects, documents, codebook, codings } = this.repos;
    const [user, project, document, segments, book, codingList, documentList] = await Promise.all([
      auth.me(),
      projects.get(this.projectId),
      documents.get(this.projectId, this.documentId),
      documents.segments(this.projectId, this.documentId),
      codebook.get(this.projectId),
      codings.listForDocument(this.projectId, this.documentId),
      documents.list(this.projectId),
    ]);
    this.user = user;
    this.project = project;
    this.document = document;
    this.segments = [...segments].sort((a, b) => a.position - b.position);
    this.codes = book.codes ?? [];
    this.codebookVersion = book.version;
    this.codeById = new Map(this.codes.map((c) => [c.id, c]));
    this.flatCodes = flattenCodeTree(buildCodeTree(this.codes));
    this.codings = codingList;
    this.documents = [...documentList].sort(byAnalysisOrder);
    this.assignments = await this.loadAssignments();
    this.currentIndex = this.firstWorkIndex();
    this.emit("loaded");
    return this;
  }

  /** The caller's assignments in this document (coders and adjudicators), or null when unknown. */
  async loadAssignments() {
    if (!this.canCode || this.role === "owner" || !this.repos.assignments) return null;
    try {
      return assignmentIndex(await this.repos.assignments.mine(this.projectId), this.documentId);
    } catch {
      return null; // no plan readable: let the API decide, and show its message
    }
  }

  /** Start at the first segment still to code: assigned and not done; else the first codable one. */
  firstWorkIndex() {
    if (this.assignments) {
      const open = this.segments.findIndex((s) => s.codable && this.assignments.get(s.id) === "assigned");
      if (open >= 0) return open;
      const mine = this.segments.findIndex((s) => s.codable && this.assignments.has(s.id));
      if (mine >= 0) return mine;
    }
    const first = stepCodable(this.segments, -1, 1);
    return first === -1 && this.segments.length ? 0 : first;
  }

  /** Why the caller cannot code this segment (not assigned, done), or null. */
  blockedReason(segmentId) {
    return assignmentBlock(this.role, this.assignments, segmentId);
  }

  /** Whether this document has any units for the caller (null when unknown). */
  get hasAssignments() {
    return this.assignments === null ? null : this.assignments.size > 0;
  }

  get role() {
    return this.project?.role;
  }

  get canCode() {
    return canCode(this.role);
  }

  get seesAll() {
    return seesAllCodings(this.role);
  }

  get currentSegment() {
    return this.segments[this.currentIndex] ?? null;
  }

  /** The documents before and after this one in analysis order. */
  get neighbours() {
    const i = this.documents.findIndex((d) => d.id === this.documentId);
    return { previous: i > 0 ? this.documents[i - 1] : null, next: i >= 0 ? this.documents[i + 1] : null };
  }

  select(index) {
    if (index < 0 || index >= this.segments.length || index === this.currentIndex) return;
    this.currentIndex = index;
    this.emit("selection");
  }

  selectSegmentId(segmentId) {
    this.select(this.segments.findIndex((s) => s.id === segmentId));
  }

  /** Move to the next (+1) or previous (-1) codable segment. */
  step(direction) {
    this.select(stepCodable(this.segments, this.currentIndex, direction));
  }

  codingsFor(segmentId) {
    return groupBySegment(this.codings).get(segmentId) ?? [];
  }

  /** `{mine, others}` for a segment: the caller's codings and (owners/adjudicators) other coders'. */
  codingsSplit(segmentId) {
    return splitByCoder(this.codingsFor(segmentId), this.user?.id);
  }

  /** The caller's whole-segment coding with this code, if any. */
  mySegmentCoding(segmentId, codeId) {
    return this.codingsFor(segmentId).find(
      (c) => c.coder === this.user?.id && c.code === codeId && !isSpan(c),
    );
  }

  /** Check the rules the API enforces, so the UI can say why before a round trip. */
  checkApplicable(segment, code) {
    if (!this.canCode) throw new ApiError("Your role in this project does not allow coding.", { status: 403 });
    if (!segment) throw new ApiError("Choose a segment first.", { status: 400 });
    if (!segment.codable) {
      throw new ApiError("This segment is context (e.g. an interviewer's turn) and is not coded.", {
        status: 400,
      });
    }
    const blocked = this.blockedReason(segment.id);
    if (blocked) throw new ApiError(blocked, { status: 403 });
    if (!code) throw new ApiError("That code is not in the codebook.", { status: 400 });
    if (!code.is_active) {
      throw new ApiError(`The code “${code.name}” is inactive; it can no longer be applied.`, { status: 400 });
    }
  }

  /** Apply `codeId` to the segment (or a span inside it). Idempotent, like the API. */
  async apply(segmentId, codeId, span = null) {
    const segment = this.segments.find((s) => s.id === segmentId);
    const code = this.codeById.get(codeId);
    this.checkApplicable(segment, code);
    const coding = await this.repos.codings.create(this.projectId, { segment: segmentId, code: codeId, span });
    if (!this.codings.some((c) => c.id === coding.id)) this.codings = [...this.codings, coding];
    this.emit("codings");
    return coding;
  }

  async remove(codingId) {
    const coding = this.codings.find((c) => c.id === codingId);
    if (coding && coding.coder !== this.user?.id) {
      throw new ApiError("You can only remove your own codings.", { status: 403 });
    }
    await this.repos.codings.remove(this.projectId, codingId);
    this.codings = this.codings.filter((c) => c.id !== codingId);
    this.emit("codings");
  }

  /**
   * The picker's Enter: apply the code to the whole segment, or remove it if the caller has already
   * applied it there. With a span, always apply (spans of the same code may differ).
   */
  async toggle(segmentId, codeId, span = null) {
    if (!span) {
      const existing = this.mySegmentCoding(segmentId, codeId);
      if (existing) {
        await this.remove(existing.id);
        return { action: "removed", coding: existing };
      }
    }
    const coding = await this.apply(segmentId, codeId, span);
    return { action: "applied", coding };
  }

  memosFor(segmentId) {
    return this.memosBySegment.get(segmentId) ?? null;
  }

  async loadMemos(segmentId) {
    const memos = await this.repos.memos.listForSegment(this.projectId, segmentId);
    this.memosBySegment.set(segmentId, memos);
    this.emit("memos");
    return memos;
  }

  async addMemo(segmentId, text) {
    const body = String(text ?? "").trim();
    if (!body) throw new ApiError("Write something first: the memo is empty.", { status: 400 });
    if (!this.canCode) throw new ApiError("Your role in this project does not allow memos.", { status: 403 });
    const memo = await this.repos.memos.create(this.projectId, { text: body, segment: segmentId });
    this.memosBySegment.set(segmentId, [...(this.memosBySegment.get(segmentId) ?? []), memo]);
    this.emit("memos");
    return memo;
  }

  async deleteMemo(segmentId, memoId) {
    await this.repos.memos.remove(this.projectId, memoId);
    this.memosBySegment.set(
      segmentId,
      (this.memosBySegment.get(segmentId) ?? []).filter((m) => m.id !== memoId),
    );
    this.emit("memos");
  }
}
