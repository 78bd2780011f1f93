"""Submitting a unit (its codes become the coder's rating) and taking a submitted unit back; submitting
the last slot of a double-coded unit makes agreement due, of a transcript's last unit, saturation."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from annotate.analysis.services import analysis_schedule_automatic, automatic_run_overdue_before
from annotate.assignments.models import Assignment, AssignmentStatus, Unit
from annotate.audit.services import audit_record
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.core.models import JobStatus
from annotate.core.sql import constant, db_datetime_param, execute_batch
from annotate.projects.models import Project

from .round_trip import with_audit_events
from .tables import AGREEMENT_RUN, ASSIGNMENT, SATURATION_RUN, UNIT

ASSIGNED, DONE = constant(AssignmentStatus.ASSIGNED), constant(AssignmentStatus.DONE)


def _held(*, project_id: int, user, segment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(project_id=project_id, coder=user, segment_id=segment_id)
        .first()
    )
    if assignment is None:
        raise ApplicationError("You hold no assignment of this unit.", status=404)
    return assignment


def assignment_done(*, project_id: int, user, segment_id: int) -> Assignment:
    """Mark one's unit done: the coder's codings on it become their rating. Idempotent.

    This is a step of every coder's loop (next → codes → done), so it is two round trips: the guarded
    UPDATE both locks and changes the row (a concurrent duplicate waits for it, then finds the unit done
    and changes nothing); then the audit event with the one query that says whether analysis is now due."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        (rows,) = execute_batch(
            cursor,
            [
                (
                    f"UPDATE {ASSIGNMENT} SET status = {DONE}, done_at = %s, last_activity_at = %s "  # noqa: S608
                    f"WHERE project_id = %s AND coder_id = %s AND segment_id = %s AND status = {ASSIGNED} "
                    "RETURNING id, unit_id",
                    [db_datetime_param(now), db_datetime_param(now), project_id, user.pk, segment_id],
                )
            ],
        )
        row = rows[0] if rows else None
        if row is None:  # not held, or already done
            return _held(project_id=project_id, user=user, segment_id=segment_id)
        assignment = Assignment(
            id=row[0],
            project_id=project_id,
            unit_id=row[1],
            segment_id=segment_id,
            coder=user,
            status=AssignmentStatus.DONE,
            done_at=now,
            last_activity_at=now,
        )
        # The due-analysis read goes after the audit event, on purpose: the event holds the project's chain
        # lock, so every other "done" of the project has committed or waits, and the read sees them all.
        # Read before it, two coders finishing a unit's (or a transcript's) last slots together would each
        # see the other's as pending, and the analysis would never be scheduled. One round trip for both.
        _, (due_rows,) = with_audit_events(
            cursor,
            project_id=project_id,
            events=[
                {
                    "actor": user,
                    "action": "assignment.done",
                    "obj": assignment,
                    "before": {"segment": segment_id, "status": AssignmentStatus.ASSIGNED},
                    "after": {"segment": segment_id, "status": AssignmentStatus.DONE},
                }
            ],
            after=[_analysis_due_statement(project_id=project_id, unit_id=assignment.unit_id)],
        )
        assert due_rows is not None  # a SELECT: it has rows
        due = _analysis_due(due_rows[0])
        if due:
            analysis_schedule_automatic(project_id=project_id, kinds=due)
    return assignment


def _analysis_due_statement(*, project_id: int, unit_id: int) -> tuple[str, list]:
    """What finishing a unit makes due, in one query (``_analysis_due`` reads it): the unit's planned
    coders; whether its transcript is complete (NULL while the unit itself has coders to finish); and
    whether an automatic agreement or saturation run is already pending and not overdue (then nothing
    more is needed: while coders work, one almost always is)."""
    pending = f"automatic AND status = {constant(JobStatus.PENDING)} AND project_id = %s AND created_at >= %s"
    overdue_before = db_datetime_param(automatic_run_overdue_before())
    return (
        "SELECT u.planned_coders, "  # noqa: S608
        f"  CASE WHEN EXISTS (SELECT 1 FROM {ASSIGNMENT} a "
        f"                    WHERE a.unit_id = u.id AND a.status <> {DONE}) THEN NULL "
        f"  ELSE NOT EXISTS (SELECT 1 FROM {ASSIGNMENT} a "
        f"                   JOIN {UNIT} v ON v.id = a.unit_id "
        f"                   WHERE v.document_id = u.document_id AND a.status <> {DONE}) END, "
        f"  EXISTS (SELECT 1 FROM {AGREEMENT_RUN} WHERE {pending}), "
        f"  EXISTS (SELECT 1 FROM {SATURATION_RUN} WHERE {pending}) "
        f"FROM {UNIT} u WHERE u.id = %s",
        [project_id, overdue_before, project_id, overdue_before, unit_id],
    )


def _analysis_due(row) -> list[str]:
    """Agreement is due when this completed a unit with two or more planned coders, saturation when it
    completed the unit's transcript; either only if no automatic run of its kind is pending already.
    Both runs are debounced (analysis_schedule_automatic)."""
    planned_coders, document_complete, agreement_pending, saturation_pending = row
    if document_complete is None:  # the unit itself still has coders to finish
        return []
    return [
        *(["agreement"] if planned_coders >= 2 and not agreement_pending else []),
        *(["saturation"] if document_complete and not saturation_pending else []),
    ]


def assignment_reopen(*, project_id: int, user, segment_id: int) -> Assignment:
    """Take a done unit back to change its codes, until the unit is adjudicated. Idempotent."""
    with transaction.atomic():
        assignment = _held(project_id=project_id, user=user, segment_id=segment_id)
        if assignment.status == AssignmentStatus.ASSIGNED:
            return assignment
        # Read afresh, under the assignment's lock: an adjudication that committed while this waited for
        # the lock is seen here (the joined row of ``_held`` may predate it).
        if Unit.objects.filter(pk=assignment.unit_id, adjudicated_at__isnull=False).exists():
            raise ConflictError("This unit has been adjudicated; it can no longer be reopened.")
        if not Project.objects.filter(pk=project_id, coders_may_reopen=True).exists():
            raise ConflictError(
                "Submitted units are final in this project: the PI does not allow reopening them. "
                "Ask the PI if a code needs changing."
            )
        now = timezone.now()
        assignment.status = AssignmentStatus.ASSIGNED
        assignment.done_at = None
        assignment.claimed_at = now
        assignment.last_activity_at = now
        assignment.save(update_fields=["status", "done_at", "claimed_at", "last_activity_at"])
        audit_record(
            project_id=project_id,
            actor=user,
            action="assignment.reopen",
            obj=assignment,
            before={"segment": segment_id, "status": AssignmentStatus.DONE},
            after={"segment": segment_id, "status": AssignmentStatus.ASSIGNED},
        )
    return assignment
