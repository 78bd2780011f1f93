/**
 * The coding session behind the transcript reader: one document's segments, the codebook, the caller's
 * codings and memos, and the rules for changing them. No DOM here: components subscribe to changes.
 */
import { assignmentBlock, assignmentIndex } from "../domain/assignments.js";
import { buildCodeTree, flattenCodeTree } from "../domain/codebook.js";
import { ApiError } from "../domain/errors.js";
import { canCode, seesAllCodings } from "../domain/roles.js";
import { sliceCodePoints } from "../domain/codepoints.js";
import { groupBySegment, isSpan, splitByCoder, stepCodable } from "../domain/segments.js";
import { firstWordSpan, moveSpanEdge, textUnits } from "../domain/spans.js";
import { shortcutCodes, unitUrl } from "../domain/work.js";
import { byAnalysisOrder } from "./projectService.js";

export class CodingSession {
  constructor(repositories, { projectId, documentId, segmentId = null }) {
    this.repos = repositories;
    this.projectId = Number(projectId);
    this.documentId = Number(documentId);
    this.openAtSegmentId = segmentId == null ? null : Number(segmentId); // e.g. the unit the queue handed out
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
    this.totals = null; // {assigned, done} over all the caller's units in the project, or null
    this.shortcuts = []; // [{key: "1", code}]: the number keys, fixed while the page is open
    this.span = null; // {segmentId, start, end}: the span the next code goes to (document code points)
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
    const [assignments, usage] = await Promise.all([this.loadAssignments(), this.loadUsage()]);
    this.assignments = assignments;
    this.shortcuts = shortcutCodes(this.flatCodes, usage);
    this.currentIndex = this.firstWorkIndex();
    this.emit("loaded");
    return this;
  }

  /**
   * The caller's assignments in this document, or null when unknown. An owner codes anything; an owner
   * who is also one of the plan's coders submits their own units like any coder.
   */
  async loadAssignments() {
    if (!this.canCode || !this.repos.assignments) return null;
    let mine;
    try {
      mine = await this.repos.assignments.mine(this.projectId);
    } catch {
      return null; // no plan readable: let the API decide, and show its message
    }
    if (this.role === "owner" && !mine.length) return null;
    this.totals = { assigned: mine.length, done: mine.filter((a) => a.status === "done").length };
    return assignmentIndex(mine, this.documentId);
  }

  /** How often the caller has applied each code in this project (`Map<codeId, n>`), for the number keys. */
  async loadUsage() {
    if (!this.canCode || !this.repos.codebook.usage) return new Map();
    try {
      const usage = await this.repos.codebook.usage(this.projectId, { source: "mine" });
      return new Map((usage.codes ?? []).map((row) => [row.code, row.codings]));
    } catch {
      return new Map(); // without counts the keys follow the codebook's order
    }
  }

  /** Start where the queue sent the caller; else at the first unit still to code; else the first codable. */
  firstWorkIndex() {
    const asked = this.segments.findIndex((s) => s.id === this.openAtSegmentId);
    if (asked >= 0) return asked;
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

  /** "assigned", "done", or null when the segment is not one of the caller's units (or that is unknown). */
  unitStatus(segmentId) {
    return this.assignments?.get(segmentId) ?? null;
  }

  /** This transcript's units of the caller: `{total, done}` (zeros when they hold none here). */
  get documentUnits() {
    const statuses = [...(this.assignments?.values() ?? [])];
    return { total: statuses.length, done: statuses.filter((s) => s === "done").length };
  }

  /** Mark the caller's unit done: their codes on it become their rating. */
  async submit(segmentId) {
    const status = this.unitStatus(segmentId);
    if (status === "done") throw new ApiError("You have already submitted this unit.", { status: 409 });
    if (status !== "assigned") throw new ApiError("This unit is not assigned to you, so there is nothing to submit.", { status: 403 });
    await this.repos.assignments.done(this.projectId, segmentId);
    this.assignments.set(segmentId, "done");
    if (this.totals) this.totals = { ...this.totals, done: this.totals.done + 1 };
    this.emit("assignments");
  }

  /** Take back a submitted unit to change its codes (while the PI allows it and it is not adjudicated). */
  async reopen(segmentId) {
    if (this.unitStatus(segmentId) !== "done") return;
    if (this.project?.coders_may_reopen === false) {
      throw new ApiError("Submitted units are final in this project: the PI does not allow reopening them.", { status: 409 });
    }
    await this.repos.assignments.reopen(this.projectId, segmentId);
    this.assignments.set(segmentId, "assigned");
    if (this.totals) this.totals = { ...this.totals, done: Math.max(0, this.totals.done - 1) };
    this.emit("assignments");
  }

  /**
   * Ask the queue for the caller's next unit. In this transcript: select it and return `{unit, url: null}`;
   * in another: return `{unit, url}` to open; nothing left: null.
   */
  async nextUnit() {
    const { unit, progress } = await this.repos.assignments.next(this.projectId);
    if (progress) this.totals = { assigned: progress.assigned, done: progress.done };
    if (!unit) return null;
    if (unit.document.id !== this.documentId) return { unit, url: unitUrl(this.projectId, unit) };
    this.assignments ??= new Map();
    this.assignments.set(unit.segment.id, unit.assignment.status); // a pool claim adds a unit
    this.emit("assignments");
    this.selectSegmentId(unit.segment.id);
    return { unit, url: null };
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
    this.span = null; // a span belongs to its segment
    this.emit("selection");
  }

  // --- The target of the next code: the current segment, or a span inside it -------------------------

  /** Where the next code goes: `{segment, span: null}` or `{segment, span: {start, end, text}}`. */
  get target() {
    const segment = this.currentSegment;
    if (!segment) return null;
    if (!this.span || this.span.segmentId !== segment.id) return { segment, span: null };
    const { start, end } = this.span;
    return { segment, span: { start, end, text: sliceCodePoints(segment.text, start - segment.start, end - segment.start) } };
  }

  /** Make `{start, end}` (document code points inside `segmentId`) the target, selecting its segment. */
  setSpan(segmentId, { start, end }) {
    this.selectSegmentId(segmentId);
    this.span = { segmentId, start, end };
    this.emit("target");
  }

  clearSpan() {
    if (!this.span) return;
    this.span = null;
    this.emit("target");
  }

  /**
   * Grow or shrink the span from the keyboard: move its `edge` ("start" or "end") by one `granularity`
   * ("word" or "sentence") in `direction` (+1/-1). With no span yet, start one on the segment's first word.
   * Returns false when the segment has no words to select.
   */
  moveSpan(edge, direction, granularity = "word") {
    const segment = this.currentSegment;
    if (!segment?.codable) return false;
    const local = (span) => ({ start: span.start - segment.start, end: span.end - segment.start });
    let span = this.span?.segmentId === segment.id ? local(this.span) : null;
    if (!span) {
      span = firstWordSpan(segment.text);
      if (!span) return false;
      if (!(edge === "end" && direction > 0 && granularity === "sentence")) {
        this.span = { segmentId: segment.id, start: segment.start + span.start, end: segment.start + span.end };
        this.emit("target");
        return true;
      }
    }
    const moved = moveSpanEdge(textUnits(segment.text, granularity), span, edge, direction);
    this.span = { segmentId: segment.id, start: segment.start + moved.start, end: segment.start + moved.end };
    this.emit("target");
    return true;
  }

  /** Apply (or, on a whole segment, toggle) a code on the current target. */
  applyToTarget(codeId) {
    const target = this.target;
    const span = target?.span ? { start: target.span.start, end: target.span.end } : null;
    return this.toggle(target?.segment.id, codeId, span);
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
