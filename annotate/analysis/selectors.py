"""Reads for analysis runs: the runs themselves, and the snapshots of codings the statistics consume."""

import datetime as dt
import hashlib
import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Max, QuerySet
from django.utils import timezone
from rest_framework.exceptions import NotFound

from annotate.adjudication.models import Decision, FinalCoding
from annotate.assignments.models import Assignment, AssignmentStatus
from annotate.audit.models import AuditEvent
from annotate.codebook.models import Code
from annotate.codebook.selectors import code_paths, codebook_current_version, codebook_get
from annotate.coding.models import Coding
from annotate.coding.selectors import coding_ratings_snapshot
from annotate.documents.models import Document, Segment
from workers.stats.agreement import MultiCodeRatings
from workers.stats.saturation import SaturationInputError, analysis_order

from .models import AgreementRun, AnalysisSettings, SaturationRun, SpanAgreementRun


def _top_level(parents: Mapping[int, int | None], code_id: int) -> int:
    """The top-level code above ``code_id`` (its theme, or semantic domain), itself if it has no parent."""
    parent = parents[code_id]
    while parent is not None:
        code_id, parent = parent, parents[parent]
    return code_id


def run_list(*, model, project_id: int) -> QuerySet:
    return model.objects.filter(project_id=project_id).order_by("-created_at", "-id")


def run_get(*, model, project_id: int, run_id: int):
    run = model.objects.filter(project_id=project_id, pk=run_id).first()
    if run is None:
        raise NotFound("Run not found in this project.")
    return run


def run_latest_done(*, model, project_id: int):
    run = model.objects.filter(project_id=project_id, status="done").order_by("-finished_at", "-id").first()
    if run is None:
        raise NotFound("No completed run yet.")
    return run


def _digest(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class SaturationInterviews:
    """The interviews a saturation run analyses, in analysis order, and those it leaves out."""

    documents: list[tuple[int, str, str]]  # (id, case identifier, title), in analysis order
    order_by: str  # the order actually used: "sequence" or "conducted"
    excluded: list[dict]  # {"interview", "reason"}, in the project's document order


def _interview_label(identifier: str, title: str, clash: bool) -> str:
    return f"{identifier}: {title}" if clash else identifier


def _coding_incomplete(slots: list[tuple[int, int | None, str]], segments: set[int], mode: str, coder_id):
    """Why an interview's coding is not complete for the source (``None``: complete). ``slots`` are its
    assignments as (segment, coder, status); ``segments`` its codable segments."""
    if not segments:
        return "no codable segments"
    if mode == "coder":
        done = {seg for seg, coder, status in slots if coder == coder_id and status == AssignmentStatus.DONE}
        if not any(coder == coder_id for _, coder, _ in slots):
            return "not assigned to this coder"
        if done < segments:
            return f"this coder has finished {len(done & segments)} of {len(segments)} segments"
        return None
    if not slots:
        return "not in the assignment plan yet"
    n_done = sum(status == AssignmentStatus.DONE for _, _, status in slots)
    if n_done == 0:
        return "not coded yet"
    covered = {seg for seg, _, _ in slots}
    if n_done < len(slots) or covered < segments:
        return f"coding in progress: {n_done} of {len(slots)} coder assignments done"
    return None


def saturation_interviews(
    *, project_id: int, coder_mode: str = "union", coder_id: int | None = None, order_by: str = "auto"
) -> SaturationInterviews:
    """The interviews whose coding is complete for the source (SATURATION.md §1.1), in analysis order (§1.2).

    ``union``: every coder assignment on the interview's codable segments is done, and every such segment
    has one; ``coder``: that coder has finished every codable segment; ``adjudicated``: the interviews with
    any adjudicated coding. Order: the documents' analysis order (their sequence), refused when two
    included interviews share a number; or the conducted date with ``order_by="conducted"``. Raises
    ``SaturationInputError`` (``duplicate_sequence``) for the caller to turn into a 400.
    """
    rows = list(
        Document.objects.filter(project_id=project_id)
        .order_by("analysis_order", "id")
        .values_list("id", "case__identifier", "title", "analysis_order", "interview_date")
    )
    identifiers = [r[1] for r in rows]
    clash = len(set(identifiers)) != len(identifiers)  # several transcripts of one case
    reasons: dict[int, str | None] = {}
    if coder_mode == "adjudicated":
        decided = set(
            Decision.objects.filter(project_id=project_id, is_current=True).values_list(
                "segment__document_id", flat=True
            )
        )
        reasons = {r[0]: (None if r[0] in decided else "not adjudicated yet") for r in rows}
    else:
        segments: dict[int, set[int]] = {r[0]: set() for r in rows}
        for seg_id, doc_id in Segment.objects.filter(
            document__project_id=project_id, codable=True
        ).values_list("id", "document_id"):
            segments[doc_id].add(seg_id)
        slots: dict[int, list] = {r[0]: [] for r in rows}
        for seg_id, doc_id, coder, state in Assignment.objects.filter(project_id=project_id).values_list(
            "segment_id", "segment__document_id", "coder_id", "status"
        ):
            slots[doc_id].append((seg_id, coder, state))
        reasons = {r[0]: _coding_incomplete(slots[r[0]], segments[r[0]], coder_mode, coder_id) for r in rows}
    included = [r for r in rows if reasons[r[0]] is None]
    excluded = [
        {"interview": _interview_label(r[1], r[2], clash), "reason": reasons[r[0]]}
        for r in rows
        if reasons[r[0]] is not None
    ]
    try:
        order, used = analysis_order(
            [r[0] for r in included],
            sequence=[r[3] for r in included],
            conducted_on=[r[4] for r in included],
            order_by=order_by,  # type: ignore[arg-type]  # checked by saturation_params_validate
        )
    except SaturationInputError as exc:
        if exc.code != "duplicate_sequence":
            raise
        holders: dict[int, list[str]] = {}
        for r in included:
            holders.setdefault(r[3], []).append(_interview_label(r[1], r[2], clash))
        detail = "; ".join(f"{n} on {', '.join(h)}" for n, h in sorted(holders.items()) if len(h) > 1)
        raise SaturationInputError("duplicate_sequence", detail) from None
    documents = [(included[i][0], _interview_label(included[i][1], included[i][2], clash), included[i][2])
                 for i in order]  # fmt: skip
    return SaturationInterviews(documents=documents, order_by=used, excluded=excluded)


@dataclass(frozen=True)
class SaturationInput:
    incidence: np.ndarray  # interviews x codes, bool, rows in analysis order
    interview_labels: list[str]
    code_labels: list[str]  # code paths, "Theme > Code"
    parent_of: Mapping[Hashable, Hashable | None]  # code path -> its parent's path (the stats' type)
    snapshot: dict
    order_by: str  # the order actually used
    excluded: list[dict]  # interviews left out and why


def saturation_input(
    *, project_id: int, coder_mode: str = "union", coder_id: int | None = None, order_by: str = "auto"
) -> SaturationInput:
    """Which codes occur in which interview, over the interviews of :func:`saturation_interviews`.

    ``coder_mode``: ``union`` (a code occurs if any coder applied it), ``coder`` (one coder's codings),
    ``adjudicated`` (the final coding).
    """
    codebook = codebook_get(project_id=project_id)
    paths = code_paths(codebook=codebook)
    parents = dict(Code.objects.filter(codebook=codebook).values_list("id", "parent_id"))
    chosen = saturation_interviews(
        project_id=project_id, coder_mode=coder_mode, coder_id=coder_id, order_by=order_by
    )
    documents = chosen.documents
    row = {doc_id: i for i, (doc_id, _, _) in enumerate(documents)}
    pairs_q: QuerySet[Any, tuple[int, int]]
    if coder_mode == "adjudicated":
        pairs_q = FinalCoding.objects.filter(project_id=project_id, decision__is_current=True).values_list(
            "segment__document_id", "code_id"
        )
    else:
        codings = Coding.objects.filter(project_id=project_id)
        if coder_mode == "coder":
            codings = codings.filter(coder_id=coder_id)
        pairs_q = codings.values_list("segment__document_id", "code_id")
    pairs = sorted(p for p in set(pairs_q) if p[0] in row)
    code_ids = sorted({code_id for _, code_id in pairs})
    column = {code_id: j for j, code_id in enumerate(code_ids)}
    incidence = np.zeros((len(documents), len(code_ids)), dtype=bool)
    for doc_id, code_id in pairs:
        incidence[row[doc_id], column[code_id]] = True
    labels = [paths[c] for c in code_ids]
    parent_of: dict[Hashable, Hashable | None] = {
        paths[c]: (paths[parents[c]] if parents[c] is not None else None) for c in paths
    }
    version = codebook_current_version(codebook=codebook)
    snapshot = {
        "taken_at": timezone.now().isoformat(),
        "codebook_version": version.number,
        "coder_mode": coder_mode,
        "coder": coder_id,
        "order_by": chosen.order_by,
        "interviews": len(documents),
        "interviews_excluded": len(chosen.excluded),
        "codes_observed": len(code_ids),
        "incidences": int(incidence.sum()),
        "input_hash": _digest({"documents": [d[0] for d in documents], "pairs": pairs}),
    }
    interview_labels = [label for _, label, _ in documents]
    return SaturationInput(
        incidence, interview_labels, labels, parent_of, snapshot, chosen.order_by, chosen.excluded
    )


@dataclass(frozen=True)
class AgreementInput:
    ratings: MultiCodeRatings
    code_labels: list[str]
    coder_labels: list[str]
    unit_completed_at: list  # per unit: when its last rating was completed (for drift)
    snapshot: dict


def agreement_input(*, project_id: int, params: dict) -> AgreementInput:
    """Ratings (done assignments and their codes) as the engine's arrays, in three queries."""

    snap = coding_ratings_snapshot(
        project_id=project_id, document_ids=params.get("documents"), coder_ids=params.get("coders")
    )
    codebook = codebook_get(project_id=project_id)
    paths = code_paths(codebook=codebook)
    parents = dict(Code.objects.filter(codebook=codebook).values_list("id", "parent_id"))
    code_ids = [int(c) for c in snap.code_ids]
    coding_code = snap.coding_code.astype(np.int64)
    if params.get("level") == "theme":
        themes = sorted({_top_level(parents, c) for c in code_ids})
        theme_index = {t: i for i, t in enumerate(themes)}
        mapping = np.array([theme_index[_top_level(parents, c)] for c in code_ids], dtype=np.int64)
        coding_code = mapping[coding_code] if len(coding_code) else coding_code
        code_ids = themes
    keep = np.ones(len(coding_code), dtype=bool)
    if params.get("codes"):
        wanted = [i for i, c in enumerate(code_ids) if c in set(params["codes"])]
        remap = np.full(len(code_ids), -1, dtype=np.int64)
        remap[wanted] = np.arange(len(wanted))
        coding_code = remap[coding_code] if len(coding_code) else coding_code
        keep = coding_code >= 0
        code_ids = [code_ids[i] for i in wanted]
    ratings = MultiCodeRatings(
        snap.rated,
        snap.coding_unit.astype(np.int64)[keep],
        snap.coding_coder.astype(np.int64)[keep],
        coding_code[keep],
        max(1, len(code_ids)),
    )
    usernames = dict(
        get_user_model().objects.filter(pk__in=[int(c) for c in snap.coder_ids]).values_list("pk", "username")
    )
    done: dict[int, dt.datetime] = {}
    for segment_id, done_at in Assignment.objects.filter(
        project_id=project_id, status=AssignmentStatus.DONE, segment_id__in=[int(u) for u in snap.unit_ids]
    ).values_list("segment_id", "done_at"):
        assert done_at is not None  # a done assignment has its time (a check constraint)
        done[segment_id] = max(done_at, done.get(segment_id, done_at))
    version = codebook_current_version(codebook=codebook)
    snapshot = {
        "taken_at": timezone.now().isoformat(),
        "codebook_version": version.number,
        **snap.counts,
        "codes_reported": len(code_ids),
        "input_hash": snap.digest,
    }
    return AgreementInput(
        ratings=ratings,
        code_labels=[paths[c] for c in code_ids],
        coder_labels=[usernames[int(c)] for c in snap.coder_ids],
        unit_completed_at=[done.get(int(u)) for u in snap.unit_ids],
        snapshot=snapshot,
    )


def last_unit_done_at(*, project_id: int) -> dt.datetime | None:
    """When a coder last marked a unit of the project done (what schedules automatic runs)."""
    return Assignment.objects.filter(project_id=project_id, status=AssignmentStatus.DONE).aggregate(
        last=Max("done_at")
    )["last"]


def codebook_version_times(*, project_id: int) -> list[tuple[int, object]]:
    """(number, created_at) of every codebook version, oldest first."""
    codebook = codebook_get(project_id=project_id)
    return list(codebook.versions.order_by("number").values_list("number", "created_at"))


def analysis_settings_get(*, project_id: int):

    return AnalysisSettings.objects.filter(project_id=project_id).first() or AnalysisSettings(
        project_id=project_id
    )


def agreement_summary(result: dict) -> dict:
    """What a coder may see of an agreement result: coefficients only. No counts, prevalences, pairwise or
    per-coder figures, which, next to one's own codes, would reveal a colleague's."""

    def coefficient(c: dict) -> dict:
        ci = c.get("ci") or {}
        return {
            "value": c.get("value"),
            "reason": c.get("reason"),
            "ci_low": ci.get("low"),
            "ci_high": ci.get("high"),
        }

    return {
        "overall": {name: coefficient(c) for name, c in result["overall"].items()},
        "per_code": [
            {"code": row["code"], "krippendorff_alpha": coefficient(row["measures"]["krippendorff_alpha"])}
            for row in result["per_code"]
            if "krippendorff_alpha" in row["measures"]
        ],
    }


def analysis_pulse(*, project_id: int) -> str:
    """A short tag that changes whenever what the PI's dashboard shows may have changed: a write to the
    research record (every one appends to the project's audit chain) or an analysis run that was
    requested, started or finished. Three indexed aggregates; the dashboard asks for it every few
    seconds and refreshes only when it changes."""
    head = AuditEvent.objects.filter(project_id=project_id).aggregate(m=Max("sequence"))["m"] or 0
    parts = [str(head)]
    for model in (AgreementRun, SaturationRun, SpanAgreementRun):
        runs = model.objects.filter(project_id=project_id).aggregate(
            newest=Max("id"), started=Max("started_at"), finished=Max("finished_at")
        )
        parts += [
            str(runs["newest"] or 0),
            runs["started"].isoformat() if runs["started"] else "",
            runs["finished"].isoformat() if runs["finished"] else "",
        ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SpanInput:
    """Span codings as the span engine's tuples, with the labels and counts a span run reports."""

    doc_lengths: list[int]
    spans: list[tuple[int, int, int, int, int]]  # (document, coder, code, start, end) as 0-based indices
    coders: list[dict]  # {"id", "username"}
    codes: list[dict]  # {"id", "label"}
    parents: list[int]  # per code: the index of its top-level code's domain (for Cu-alpha)
    domains: list[str]  # the domains' labels
    documents: list[dict]  # {"id", "title"}
    excluded: list[dict]  # {"document", "reason"}
    snapshot: dict


def _span_document_reason(slots: list[tuple[int, str]], coder_ids: list[int]) -> str | None:
    """Why a document does not enter a span run (``None``: it does): every chosen coder must have
    finished every assignment they hold on it, and hold at least one."""
    for coder in coder_ids:
        mine = [state for who, state in slots if who == coder]
        if not mine:
            return "not assigned to every chosen coder"
        if any(state != AssignmentStatus.DONE for state in mine):
            return "coding not finished by every chosen coder"
    return None


def span_agreement_input(*, project_id: int, params: dict) -> SpanInput:
    """Character-span codings of the chosen coders on the documents every one of them has finished.

    Coders: ``params["coders"]`` or every member who marked a span. Codes: ``params["codes"]`` or every
    code of the codebook. A coder's span codings are read on the documents whose assignments that coder
    has all done, so a coder who marked nothing in a finished document marked it all as gap."""
    codebook = codebook_get(project_id=project_id)
    paths = code_paths(codebook=codebook)
    parents_of = dict(Code.objects.filter(codebook=codebook).values_list("id", "parent_id"))
    code_ids = sorted(params.get("codes") or paths, key=lambda c: (paths[c], c))
    span_codings = Coding.objects.filter(project_id=project_id, span_start__isnull=False)
    coder_ids = sorted(params.get("coders") or set(span_codings.values_list("coder_id", flat=True)))
    usernames = dict(get_user_model().objects.filter(pk__in=coder_ids).values_list("pk", "username"))
    chosen_docs = Document.objects.filter(project_id=project_id)
    if params.get("documents"):
        chosen_docs = chosen_docs.filter(pk__in=params["documents"])
    documents = list(chosen_docs.order_by("analysis_order", "id").values_list("id", "title", "text_length"))
    slots: dict[int, list[tuple[int, str]]] = {d[0]: [] for d in documents}
    for doc_id, coder, state in Assignment.objects.filter(
        project_id=project_id, coder_id__in=coder_ids
    ).values_list("segment__document_id", "coder_id", "status"):
        if doc_id in slots:
            slots[doc_id].append((coder, state))
    reasons = {d[0]: _span_document_reason(slots[d[0]], coder_ids) for d in documents}
    included = [d for d in documents if reasons[d[0]] is None]
    doc_index = {d[0]: i for i, d in enumerate(included)}
    coder_index = {c: i for i, c in enumerate(coder_ids)}
    code_index = {c: i for i, c in enumerate(code_ids)}
    rows = sorted(
        span_codings.filter(
            coder_id__in=coder_ids, code_id__in=code_ids, segment__document_id__in=list(doc_index)
        ).values_list("segment__document_id", "coder_id", "code_id", "span_start", "span_end")
    )
    spans = [
        (doc_index[d], coder_index[c], code_index[k], int(s or 0), int(e or 0))  # spans: never null here
        for d, c, k, s, e in rows
    ]
    domain_ids = sorted({_top_level(parents_of, c) for c in code_ids}, key=lambda c: (paths[c], c))
    domain_index = {c: i for i, c in enumerate(domain_ids)}
    snapshot = {
        "taken_at": timezone.now().isoformat(),
        "codebook_version": codebook_current_version(codebook=codebook).number,
        "documents": len(included),
        "documents_excluded": len(documents) - len(included),
        "coders": len(coder_ids),
        "codes": len(code_ids),
        "spans": len(spans),
        "input_hash": _digest({"documents": [d[0] for d in included], "spans": rows}),
    }
    return SpanInput(
        doc_lengths=[d[2] for d in included],
        spans=spans,
        coders=[{"id": c, "username": usernames.get(c, str(c))} for c in coder_ids],
        codes=[{"id": c, "label": paths[c]} for c in code_ids],
        parents=[domain_index[_top_level(parents_of, c)] for c in code_ids],
        domains=[paths[c] for c in domain_ids],
        documents=[{"id": d[0], "title": d[1]} for d in included],
        excluded=[
            {"document": d[1], "reason": reasons[d[0]]} for d in documents if reasons[d[0]] is not None
        ],
        snapshot=snapshot,
    )


def span_alignment(*, project_id: int, document_id: int, coder_ids: list[int]) -> dict:
    """One document's text and the span codings of the given coders on it, for the alignment view."""
    document = Document.objects.filter(project_id=project_id, pk=document_id).first()
    if document is None:
        raise NotFound("Document not found in this project.")
    paths = code_paths(codebook=codebook_get(project_id=project_id))
    usernames = dict(get_user_model().objects.filter(pk__in=coder_ids).values_list("pk", "username"))
    rows = (
        Coding.objects.filter(
            project_id=project_id,
            segment__document_id=document_id,
            coder_id__in=coder_ids,
            span_start__isnull=False,
        )
        .order_by("span_start", "span_end", "code_id")
        .values_list("coder_id", "code_id", "span_start", "span_end")
    )
    tracks: dict[int, list[dict]] = {c: [] for c in coder_ids}
    for coder, code, start, end in rows:
        tracks[coder].append(
            {"code": code, "label": paths[code], "start": start, "end": end, "text": document.text[start:end]}
        )
    return {
        "document": {"id": document.id, "title": document.title, "length": document.text_length},
        "text": document.text,
        "tracks": [{"coder": c, "username": usernames.get(c, str(c)), "spans": tracks[c]} for c in coder_ids],
    }
