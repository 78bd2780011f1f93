"""Reads of plans, a coder's queue and progress.

Blind rules here: a coder sees only their own assignments and progress. Nothing a coder can read says
how many coders a unit has, whether it is in the reliability sample, or how far a colleague has got
(that would tell them whose codes their own will be compared with). Owners and adjudicators see all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet
from rest_framework.exceptions import NotFound

from annotate.projects.models import Membership, Role

from .models import Assignment, AssignmentPlan, AssignmentStatus, PlanCoder, Unit


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
