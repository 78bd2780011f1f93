"""Reads of plans, a coder's queue and progress.

Blind rules here: a coder sees only their own assignments and progress. Nothing a coder can read says
how many coders a unit has, whether it is in the reliability sample, or how far a colleague has got
(that would tell them whose codes their own will be compared with). Owners and adjudicators see all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet
from rest_framework.exceptions import NotFound

from annotate.cases.models import AttributeValue
from annotate.codebook.models import CodebookVersion
from annotate.coding.selectors import coding_set_get
from annotate.documents.models import Segment
from annotate.projects.models import Membership, Role

from .models import Assignment, AssignmentPlan, AssignmentStatus, PlanCoder, Unit

NEIGHBOURS = 2  # turns of context on each side of the unit


def plan_get(*, project_id: int) -> AssignmentPlan:
    plan = AssignmentPlan.objects.filter(project_id=project_id).first()
    if plan is None:
        raise NotFound("This project has no assignment plan yet.")
    return plan


def plan_coders(*, plan: AssignmentPlan) -> QuerySet[PlanCoder]:
    return plan.coders.select_related("user").order_by("user__username")


def assignment_list(*, project_id: int, coder_id: int, status: str | None = None) -> QuerySet[Assignment]:
    """One coder's assignments in queue order (callers pass the requesting coder's own id unless they
    are an owner or adjudicator)."""
    qs = Assignment.objects.filter(project_id=project_id, coder_id=coder_id)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("unit__document").order_by("order")


def assignment_held_get(*, project_id: int, user, segment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.filter(project_id=project_id, coder=user, segment_id=segment_id)
        .select_related("unit")
        .first()
    )
    if assignment is None:
        raise NotFound("You hold no assignment of this unit.")
    return assignment


def unit_context(*, assignment: Assignment, user) -> dict[str, Any]:
    """What a coder needs to code a unit: its text, the neighbouring turns, the document's case and its
    attributes, the codebook version in force, and their own codes on it (with the set's version)."""
    segment = Segment.objects.select_related("document__case", "assignment_unit").get(
        pk=assignment.segment_id
    )
    document = segment.document
    text = document.text
    neighbours = list(
        Segment.objects.filter(
            document_id=document.pk,
            position__gte=segment.position - NEIGHBOURS,
            position__lte=segment.position + NEIGHBOURS,
        )
        .exclude(pk=segment.pk)
        .order_by("position")
        .values("id", "position", "speaker", "start_offset", "end_offset", "codable")
    )
    attributes = {
        row["attribute__name"]: next(
            (v for v in (row["text_value"], row["number_value"], row["date_value"]) if v is not None), None
        )
        for row in AttributeValue.objects.filter(case_id=document.case_id).values(
            "attribute__name", "text_value", "number_value", "date_value"
        )
    }
    version = (
        CodebookVersion.objects.filter(codebook__project_id=document.project_id)
        .order_by("-number")
        .values("id", "number", "created_at")
        .first()
    )
    codings, set_version = coding_set_get(coder_id=user.pk, segment_id=segment.pk)
    return {
        "segment": {
            "id": segment.pk,
            "position": segment.position,
            "speaker": segment.speaker,
            "start_offset": segment.start_offset,
            "end_offset": segment.end_offset,
            "text": text[segment.start_offset : segment.end_offset],
        },
        "assignment": {
            "status": assignment.status,
            "claimed_at": assignment.claimed_at,
            "done_at": assignment.done_at,
            "adjudicated": segment.assignment_unit.adjudicated_at is not None,
        },
        "neighbours": [
            {
                **row,
                "text": text[row["start_offset"] : row["end_offset"]],
                "before": row["position"] < segment.position,
            }
            for row in neighbours
        ],
        "document": {
            "id": document.pk,
            "title": document.title,
            "case": {
                "id": document.case_id,
                "identifier": document.case.identifier,
                "attributes": attributes,
            },
        },
        "codebook_version": version,
        "codings": {"version": set_version, "offset_unit": "codepoint", "items": codings},
    }


def queue_counts(*, project_id: int, user) -> dict[str, int]:
    row = Assignment.objects.filter(project_id=project_id, coder=user).aggregate(
        assigned=Count("id"), done=Count("id", filter=Q(status=AssignmentStatus.DONE))
    )
    return {"assigned": row["assigned"], "done": row["done"], "remaining": row["assigned"] - row["done"]}


def progress_get(*, project_id: int, membership: Membership) -> dict[str, Any]:
    """Per coder and per document: assigned, done, remaining, last activity; for owners and
    adjudicators also the double-coded units complete (all their coders done) and pending, and the pool's
    open slots. A constant number of queries whatever the project's size (four for owners and
    adjudicators, two for a coder)."""
    everything = membership.role in (Role.OWNER, Role.ADJUDICATOR)
    qs = Assignment.objects.filter(project_id=project_id, coder__isnull=False)
    if not everything:
        qs = qs.filter(coder_id=membership.user_id)
    aggregates = {
        "assigned": Count("id"),
        "done": Count("id", filter=Q(status=AssignmentStatus.DONE)),
        "last_activity": Max("last_activity_at"),
    }
    per_coder = [
        {**row, "remaining": row["assigned"] - row["done"]}
        for row in qs.values("coder_id", username=F("coder__username"))
        .annotate(**aggregates)
        .order_by("username")
    ]
    per_document = [
        {**row, "remaining": row["assigned"] - row["done"]}
        for row in qs.values(
            "unit__document_id",
            title=F("unit__document__title"),
            analysis_order=F("unit__document__analysis_order"),
        )
        .annotate(**aggregates)
        .order_by("analysis_order", "unit__document_id")
    ]
    for row in per_document:
        row["document_id"] = row.pop("unit__document_id")
        row.pop("analysis_order")
    body: dict[str, Any] = {"per_coder": per_coder, "per_document": per_document}
    if everything:
        units = (
            Unit.objects.filter(project_id=project_id, planned_coders__gt=1)
            .annotate(n_done=Count("assignments", filter=Q(assignments__status=AssignmentStatus.DONE)))
            .aggregate(
                total=Count("id"),
                complete=Count("id", filter=Q(n_done__gte=F("planned_coders"))),
            )
        )
        open_slots = Assignment.objects.filter(project_id=project_id, status=AssignmentStatus.OPEN).count()
        body["double_coded"] = {
            "units": units["total"],
            "complete": units["complete"],
            "pending": units["total"] - units["complete"],
        }
        body["pool_open_slots"] = open_slots
    return body
