"""Reads for adjudication: the coders' ratings of each unit, the queue, the final coding, and how each
coder agrees with the final coding.

A coder's **rating** of a unit is the set of their codings on its segment, as ``(code, span_start,
span_end)`` triples (span None: segment-level), taken from done assignments only (AGREEMENT.md §1). A unit
is **ready** when all its planned coders are done. A ready unit is

- ``single_coded`` when one coder was planned for it;
- ``unanimous`` when every coder's set is the same (codes and spans);
- ``disagreement`` otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from rest_framework.exceptions import NotFound

from annotate.assignments.models import Assignment, AssignmentStatus, Unit
from annotate.codebook.models import Code
from annotate.codebook.selectors import code_paths
from annotate.coding.models import Coding
from annotate.documents.models import Segment
from annotate.memos.models import Memo
from annotate.projects.models import Membership, Role
from workers.stats.agreement import cohen_kappa, percent_agreement

from .models import AdjudicationSettings, Decision, FinalCoding, Provenance

Element = tuple[int, int | None, int | None]  # (code id, span start, span end)

KIND_SINGLE = "single_coded"
KIND_UNANIMOUS = "unanimous"
KIND_DISAGREEMENT = "disagreement"
KINDS = (KIND_DISAGREEMENT, KIND_UNANIMOUS, KIND_SINGLE)


def coder_label(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA": the anonymous name of a unit's coder (by slot order)."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


@dataclass
class UnitRatings:
    """One unit and the done coders' sets on it (coders in slot order)."""

    unit_id: int
    segment_id: int
    document_id: int
    order: int
    planned_coders: int
    adjudicated_at: Any
    current_decision_id: int | None
    coders: list[int] = field(default_factory=list)  # done coders, in slot order
    sets: dict[int, frozenset[Element]] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return len(self.coders) >= self.planned_coders

    @property
    def kind(self) -> str:
        if self.planned_coders == 1:
            return KIND_SINGLE
        return KIND_UNANIMOUS if len(set(self.sets.values())) <= 1 else KIND_DISAGREEMENT

    @property
    def codes_involved(self) -> set[int]:
        return {element[0] for s in self.sets.values() for element in s}

    def code_elements(self, coder: int, code_id: int) -> frozenset[Element]:
        return frozenset(e for e in self.sets[coder] if e[0] == code_id)

    @property
    def disputed_codes(self) -> set[int]:
        """Codes whose applications (presence or spans) differ between coders."""
        return {
            code
            for code in self.codes_involved
            if len({self.code_elements(c, code) for c in self.coders}) > 1
        }

    def majority(self, m: int) -> tuple[frozenset[Element] | None, str]:
        """The set held by at least ``m`` coders, or (None, why not)."""
        counts = Counter(self.sets[c] for c in self.coders)
        held = [s for s, n in counts.items() if n >= m]
        if not held:
            return None, "no_majority"
        if len(held) > 1:
            return None, "tied"
        return held[0], ""

    def agreeing(self, final: frozenset[Element]) -> list[int]:
        """The ids of the coders whose set is ``final``, ascending."""
        return sorted(c for c in self.coders if self.sets[c] == final)


def unit_ratings(
    *,
    project_id: int,
    segment_ids: list[int] | None = None,
    document_id: int | None = None,
    ready_only: bool = True,
    lock: bool = False,
) -> list[UnitRatings]:
    """The project's units (optionally some), with the done coders' sets, in queue order. Three queries.
    With ``lock`` (inside a transaction) the units and their assignments are locked for update, so no
    coder can reopen them, and no other adjudication decide them, until the caller commits."""
    units = Unit.objects.filter(project_id=project_id)
    if segment_ids is not None:
        units = units.filter(segment_id__in=segment_ids)
    if document_id is not None:
        units = units.filter(document_id=document_id)
    if lock:
        # Lock the units first (then their slots), always in id order, as ``decision_decide`` does.
        locked = list(units.select_for_update().order_by("id").values_list("id", flat=True))
        list(
            Assignment.objects.select_for_update()
            .filter(unit_id__in=locked)
            .order_by("unit_id", "slot")
            .values_list("id", flat=True)
        )
    current = Decision.objects.filter(unit_id=OuterRef("pk"), is_current=True).values("id")[:1]
    units = units.annotate(
        done=Count("assignments", filter=Q(assignments__status=AssignmentStatus.DONE)),
        current_decision_id=Subquery(current),
    )
    if ready_only:
        units = units.filter(done__gte=F("planned_coders"))
    rows = list(
        units.order_by("order").values(
            "id",
            "segment_id",
            "document_id",
            "order",
            "planned_coders",
            "adjudicated_at",
            "current_decision_id",
        )
    )
    result = {
        row["id"]: UnitRatings(
            unit_id=row["id"],
            segment_id=row["segment_id"],
            document_id=row["document_id"],
            order=row["order"],
            planned_coders=row["planned_coders"],
            adjudicated_at=row["adjudicated_at"],
            current_decision_id=row["current_decision_id"],
        )
        for row in rows
    }
    if not result:
        return []
    by_segment = {u.segment_id: u for u in result.values()}
    done = Assignment.objects.filter(
        project_id=project_id, status=AssignmentStatus.DONE, unit_id__in=list(result)
    ).order_by("unit_id", "slot")
    for unit_id, coder_id in done.values_list("unit_id", "coder_id"):
        result[unit_id].coders.append(coder_id)
        result[unit_id].sets[coder_id] = frozenset()
    elements: dict[tuple[int, int], set[Element]] = defaultdict(set)
    codings = Coding.objects.filter(project_id=project_id, segment_id__in=list(by_segment)).values_list(
        "segment_id", "coder_id", "code_id", "span_start", "span_end"
    )
    for segment_id, coder_id, code_id, start, end in codings:
        if coder_id in by_segment[segment_id].sets:
            elements[(segment_id, coder_id)].add((code_id, start, end))
    for (segment_id, coder_id), items in elements.items():
        by_segment[segment_id].sets[coder_id] = frozenset(items)
    return list(result.values())


# --- the queue ---------------------------------------------------------------------------------------


def adjudication_queue(
    *,
    project_id: int,
    kind: str = KIND_DISAGREEMENT,
    status: str = "open",
    document_id: int | None = None,
    code_id: int | None = None,
    coder_pair: tuple[int, int] | None = None,
) -> list[UnitRatings]:
    """Ready units of one kind, in queue order. ``status``: "open" (no decision yet), "decided", "all".

    Filters: ``code_id``: for disagreements, units where the coders differ on that code; otherwise units
    where it was applied. ``coder_pair``: units both coders rated; for disagreements, where the two differ.
    """
    result = []
    for unit in unit_ratings(project_id=project_id, document_id=document_id):
        if unit.kind != kind:
            continue
        decided = unit.current_decision_id is not None
        if (status == "open" and decided) or (status == "decided" and not decided):
            continue
        if code_id is not None:
            codes = unit.disputed_codes if kind == KIND_DISAGREEMENT else unit.codes_involved
            if code_id not in codes:
                continue
        if coder_pair is not None:
            a, b = coder_pair
            if a not in unit.sets or b not in unit.sets:
                continue
            if kind == KIND_DISAGREEMENT and unit.sets[a] == unit.sets[b]:
                continue
        result.append(unit)
    return result


EXCERPT_LENGTH = 150
NEIGHBOUR_TURNS = 2  # turns shown before and after a unit being decided


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """The start of a passage, cut at a word boundary with an ellipsis when it is longer than ``limit``.

    >>> excerpt("We stopped charging possession. It keeps people alive.", 30)
    'We stopped charging…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:—–-")
    return (cut or text[:limit]) + "…"


def queue_item_details(*, project_id: int, segment_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Where each queue item is: transcript, case, segment number (¶ position + 1, as the reader numbers
    it), speaker and an excerpt of the text. One query for a page of the queue; texts are cut from the
    transcripts in the database."""

    rows = (
        Segment.objects.filter(pk__in=segment_ids, document__project_id=project_id)
        .annotate(
            passage=Substr("document__text", F("start_offset") + 1, F("end_offset") - F("start_offset"))
        )
        .values("id", "position", "speaker", "passage", "document__title", "document__case__identifier")
    )
    return {
        row["id"]: {
            "document_title": row["document__title"],
            "case": row["document__case__identifier"],
            "segment_number": row["position"] + 1,
            "speaker": row["speaker"],
            "excerpt": excerpt(row["passage"] or ""),
        }
        for row in rows
    }


# --- settings and roles ------------------------------------------------------------------------------


def adjudication_settings_get(*, project_id: int) -> AdjudicationSettings:
    """The project's settings; the defaults (unsaved) until an owner changes them."""
    found = AdjudicationSettings.objects.filter(project_id=project_id).first()
    return found or AdjudicationSettings(project_id=project_id)


# --- decisions ---------------------------------------------------------------------------------------


def decision_history(*, unit_id: int) -> QuerySet[Decision]:
    """Every decision on the unit, oldest first (the revision chain), with its final codings."""
    return (
        Decision.objects.filter(unit_id=unit_id)
        .select_related("adjudicator", "decided_by")
        .prefetch_related("final_codings")
        .order_by("created_at", "id")
    )


def final_codings_visible(*, membership: Membership, document_id: int | None = None) -> QuerySet[FinalCoding]:
    """The final codings (of current decisions) this member may see: owners, adjudicators and viewers
    all of them; a coder those of units they were assigned, until the project is released (then all,
    as with the coders' own codings)."""
    qs = FinalCoding.objects.filter(project_id=membership.project_id, decision__is_current=True)
    if document_id is not None:
        qs = qs.filter(segment__document_id=document_id)
    if membership.role == Role.CODER and membership.project.codings_released_at is None:
        assigned = Assignment.objects.filter(
            project_id=membership.project_id, coder_id=membership.user_id
        ).values("segment_id")
        qs = qs.filter(segment_id__in=assigned)
    return qs.select_related("decision", "decision__adjudicator", "code").order_by(
        "segment_id", "code_id", "span_start", "span_end", "id"
    )


# --- the contract for exports ------------------------------------------------------------------------


class FinalCodingRow(TypedDict):
    """One row of ``final_coding_rows``."""

    segment_id: int
    code_id: int
    span_start: int | None
    span_end: int | None
    decision_id: int
    provenance: str
    adjudicator_id: int | None
    adjudicator_username: str | None
    rationale: str
    decided_at: dt.datetime


def final_coding_rows(*, project_id: int) -> Iterator[FinalCodingRow]:
    """One dict per final coding of the current decisions, streamed (no models), in segment order:
    segment_id, code_id, span_start, span_end, provenance, decision_id, adjudicator_id,
    adjudicator_username, rationale, decided_at."""
    qs = (
        FinalCoding.objects.filter(project_id=project_id, decision__is_current=True)
        .order_by("segment_id", "code_id", "span_start", "span_end", "id")
        .values(
            "segment_id",
            "code_id",
            "span_start",
            "span_end",
            "decision_id",
            provenance=F("decision__provenance"),
            adjudicator_id=F("decision__adjudicator_id"),
            adjudicator_username=F("decision__adjudicator__username"),
            rationale=F("decision__rationale"),
            decided_at=F("decision__created_at"),
        )
    )
    yield from qs.iterator(chunk_size=2000)


def final_sets_by_segment(*, project_id: int) -> dict[int, set[tuple[int, int | None, int | None]]]:
    """segment id → its final set of (code id, span start, span end), for every segment with a current
    decision (an empty set when the decision is "nothing applies")."""
    result: dict[int, set[Element]] = {
        segment_id: set()
        for segment_id in Decision.objects.filter(project_id=project_id, is_current=True).values_list(
            "segment_id", flat=True
        )
    }
    rows = FinalCoding.objects.filter(project_id=project_id, decision__is_current=True).values_list(
        "segment_id", "code_id", "span_start", "span_end"
    )
    for segment_id, code_id, start, end in rows.iterator(chunk_size=2000):
        result[segment_id].add((code_id, start, end))
    return result


# --- coders against the final coding -----------------------------------------------------------------


def coder_agreement_with_final(*, project_id: int, coder_id: int | None = None) -> list[dict[str, Any]]:
    """Per coder, per code: percent agreement and Cohen's kappa between the coder and the final coding,
    on the units both cover (the coder's done units that have a current decision).

    Per code the data are binary (applied to the unit, on the segment or on any span of it, or not), one
    row per unit, the coder and the final coding as the two raters. Single-coded units are left out: their
    final coding is the coder's own set, so they would only inflate the agreement. Also reported per
    coder: the share of units whose whole set (codes and spans) equals the final set.
    """
    finals = {
        row["segment_id"]: row["id"]
        for row in Decision.objects.filter(project_id=project_id, is_current=True)
        .exclude(provenance=Provenance.SINGLE_CODED)
        .values("segment_id", "id")
    }
    final_sets: dict[int, set[Element]] = {segment_id: set() for segment_id in finals}
    for segment_id, code_id, start, end in FinalCoding.objects.filter(
        decision_id__in=list(finals.values())
    ).values_list("segment_id", "code_id", "span_start", "span_end"):
        final_sets[segment_id].add((code_id, start, end))
    done = Assignment.objects.filter(
        project_id=project_id, status=AssignmentStatus.DONE, segment_id__in=list(finals)
    )
    if coder_id is not None:
        done = done.filter(coder_id=coder_id)
    covered: dict[int, list[int]] = defaultdict(list)  # coder → segments, in segment order
    for segment_id, coder in done.order_by("segment_id").values_list("segment_id", "coder_id"):
        covered[coder].append(segment_id)
    coder_sets: dict[tuple[int, int], set[Element]] = defaultdict(set)
    codings = Coding.objects.filter(project_id=project_id, segment_id__in=list(finals))
    if coder_id is not None:
        codings = codings.filter(coder_id=coder_id)
    for segment_id, coder, code_id, start, end in codings.values_list(
        "segment_id", "coder_id", "code_id", "span_start", "span_end"
    ):
        coder_sets[(coder, segment_id)].add((code_id, start, end))
    codes = list(
        Code.objects.filter(codebook__project_id=project_id).order_by("position", "id").values("id", "name")
    )
    usernames = dict(get_user_model().objects.filter(pk__in=list(covered)).values_list("pk", "username"))
    code_index = {code["id"]: j for j, code in enumerate(codes)}
    rows = []
    for coder in sorted(covered):
        segments = covered[coder]
        # units × codes, 0/1: the coder's and the final coding's application of each code to each unit.
        matrices = np.zeros((2, len(segments), len(codes)), dtype=np.int64)
        for i, segment_id in enumerate(segments):
            for rater, elements in enumerate(
                (coder_sets.get((coder, segment_id), ()), final_sets[segment_id])
            ):
                for element in elements:
                    matrices[rater, i, code_index[element[0]]] = 1
        per_code = []
        for j, code in enumerate(codes):
            ratings = np.stack([matrices[0, :, j], matrices[1, :, j]], axis=1)
            pa = percent_agreement(ratings, n_categories=2)
            kappa = cohen_kappa(ratings, n_categories=2)
            per_code.append(
                {
                    "code_id": code["id"],
                    "code_name": code["name"],
                    "n_units": len(segments),
                    "coder_applied": int(ratings[:, 0].sum()),
                    "final_applied": int(ratings[:, 1].sum()),
                    "percent_agreement": pa.value,
                    "percent_agreement_reason": pa.reason,
                    "cohen_kappa": kappa.value,
                    "cohen_kappa_reason": kappa.reason,
                }
            )
        exact = sum(coder_sets.get((coder, s), set()) == final_sets[s] for s in segments)
        rows.append(
            {
                "coder_id": coder,
                "username": usernames.get(coder, ""),
                "n_units": len(segments),
                "exact_set_agreement": exact / len(segments),
                "codes": per_code,
            }
        )
    return rows


def unit_get_for_adjudication(*, project_id: int, segment_id: int) -> UnitRatings:
    units = unit_ratings(project_id=project_id, segment_ids=[segment_id], ready_only=False)
    if not units:
        raise NotFound("This segment is not a unit of the project's assignment plan.")
    return units[0]


def unit_adjudication_view(*, project_id: int, segment_id: int) -> dict[str, Any]:
    """Everything an adjudicator needs to decide a unit: the segment, each done coder's codes and spans
    side by side (as "Coder A/B/…", with names unless the project hides them), the codebook entries
    involved, the memos on the segment, and the unit's decisions (the revision chain)."""

    unit = unit_get_for_adjudication(project_id=project_id, segment_id=segment_id)
    hidden = adjudication_settings_get(project_id=project_id).hide_coder_names
    segment = Segment.objects.select_related("document__case").get(pk=segment_id)
    text = segment.document.text
    usernames = dict(get_user_model().objects.filter(pk__in=unit.coders).values_list("pk", "username"))
    labels = {user: coder_label(i) for i, user in enumerate(unit.coders)}

    def who(user_id: int | None) -> dict[str, Any]:
        if user_id is None:
            return {"label": None, "user_id": None, "username": None}
        if user_id in labels:
            label = f"Coder {labels[user_id]}"
            if hidden:
                return {"label": label, "user_id": None, "username": None}
            return {"label": label, "user_id": user_id, "username": usernames.get(user_id)}
        name = get_user_model().objects.filter(pk=user_id).values_list("username", flat=True).first()
        return {"label": name, "user_id": user_id, "username": name}

    def elements(items) -> list[dict[str, Any]]:
        return [
            {
                "code_id": code,
                "span_start": start,
                "span_end": end,
                "text": text[start:end] if start is not None else None,
            }
            for code, start, end in sorted(
                items, key=lambda e: (e[0], -1 if e[1] is None else e[1], -1 if e[2] is None else e[2])
            )
        ]

    history = list(decision_history(unit_id=unit.unit_id))
    code_ids = set(unit.codes_involved)
    for decision in history:
        code_ids |= {f.code_id for f in decision.final_codings.all()}
    codes = Code.objects.filter(id__in=code_ids).select_related("codebook").order_by("position", "id")
    paths = code_paths(codebook=codes[0].codebook) if code_ids else {}
    memos = (
        Memo.objects.filter(project_id=project_id, segment_id=segment_id)
        .select_related("author")
        .order_by("created_at", "id")
    )
    neighbours = Segment.objects.filter(
        document_id=segment.document_id,
        position__gte=segment.position - NEIGHBOUR_TURNS,
        position__lte=segment.position + NEIGHBOUR_TURNS,
    ).exclude(pk=segment.pk)
    sets = [unit.sets[c] for c in unit.coders]
    return {
        "unit_id": unit.unit_id,
        "segment": {
            "id": segment.pk,
            "document_id": segment.document_id,
            "document_title": segment.document.title,
            "case": segment.document.case.identifier,
            "position": segment.position,
            "segment_number": segment.position + 1,
            "speaker": segment.speaker,
            "start_offset": segment.start_offset,
            "end_offset": segment.end_offset,
            "text": text[segment.start_offset : segment.end_offset],
        },
        # The turns around the unit, interviewer turns (context) included, so it is read in its place.
        "neighbours": [
            {
                "id": n.pk,
                "segment_number": n.position + 1,
                "speaker": n.speaker,
                "codable": n.codable,
                "before": n.position < segment.position,
                "text": text[n.start_offset : n.end_offset],
            }
            for n in neighbours.order_by("position")
        ],
        # Which decisions need a rationale (their final set is no coder's): the UI asks for it first.
        "rationale_required": {
            "accept_coder": False,
            "union": bool(sets) and not unit.agreeing(frozenset().union(*sets)),
            "intersection": bool(sets) and not unit.agreeing(frozenset.intersection(*sets)),
        },
        "planned_coders": unit.planned_coders,
        "ready": unit.ready,
        "kind": unit.kind if unit.ready else None,
        "hide_coder_names": hidden,
        "coders": [{**who(c), "codings": elements(unit.sets[c])} for c in unit.coders],
        "disputed_codes": sorted(unit.disputed_codes),
        "codes": [
            {
                "id": code.pk,
                "name": code.name,
                "path": paths.get(code.pk, code.name),
                "definition": code.definition,
                "inclusion": code.inclusion,
                "exclusion": code.exclusion,
                "is_active": code.is_active,
            }
            for code in codes
        ],
        "memos": [
            {
                "id": m.pk,
                "author": who(m.author_id)
                if m.author_id in labels
                else {"label": m.author.username, "user_id": m.author_id, "username": m.author.username},
                "text": m.text,
                "created_at": m.created_at,
            }
            for m in memos
        ],
        "decisions": [
            {
                "id": d.pk,
                "is_current": d.is_current,
                "supersedes": d.supersedes_id,
                "provenance": d.provenance,
                "method": d.method,
                "adjudicator": d.adjudicator.username if d.adjudicator else None,
                "decided_by": d.decided_by.username,
                "accepted_coder": who(d.accepted_coder_id)["label"] if d.accepted_coder_id else None,
                "agreed_with": [who(c)["label"] for c in d.agreed_with],
                "rationale": d.rationale,
                "decided_at": d.created_at,
                "codings": elements({(f.code_id, f.span_start, f.span_end) for f in d.final_codings.all()}),
            }
            for d in history
        ],
    }
