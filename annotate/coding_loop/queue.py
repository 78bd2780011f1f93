"""The coder's queue: the next unit, and claims from the pool.

Claim design (pool plans): every unit's slots exist from the moment the plan is applied (status ``open``,
no coder), so "never more coders than planned" is structural (and a trigger refuses a slot beyond the
plan). A claim takes the first open slot in queue order of a unit the coder does not already hold, with
``SELECT … FOR UPDATE SKIP LOCKED``: concurrent claimers never wait for, nor take, the same row. A
coder's own claims are serialised by a lock on their ``PlanCoder`` row (which also carries their quota),
so a double-clicked "next" cannot give one coder two slots. A claim is renewed by every change the coder
makes on the unit; one untouched for ``INTERCODER_CLAIM_TIMEOUT_S`` may be taken by the next claimer
(the audit event names the coder who lost it). On SQLite (the embedded default) ``FOR UPDATE`` is not
available and not needed: the app's transactions are IMMEDIATE, so writers are serialised.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from annotate.assignments.models import Assignment, AssignmentStatus, UnitType
from annotate.core.sql import constant, db_datetime, db_datetime_param, execute_batch, for_update

from .round_trip import with_audit_events
from .tables import ASSIGNMENT, PLAN, PLAN_CODER
from .unit import unit_context, unit_context_statements

# SQL literals for the statements (``annotate.core.sql.constant``): with them written in, the statements'
# generic plans use the partial indexes on status.
OPEN, ASSIGNED = constant(AssignmentStatus.OPEN), constant(AssignmentStatus.ASSIGNED)
SEGMENT = constant(UnitType.SEGMENT)


def _claim_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.INTERCODER_CLAIM_TIMEOUT_S)


_SLOT_COLUMNS = (
    'a.id, a.unit_id, a.segment_id, a."order", a.slot, a.coder_id, a.status, a.claimed_at, '
    "a.last_activity_at, a.done_at"
)


def _slot(row, project_id: int) -> Assignment:
    return Assignment(
        id=row[0],
        project_id=project_id,
        unit_id=row[1],
        segment_id=row[2],
        order=row[3],
        slot=row[4],
        coder_id=row[5],
        status=row[6],
        claimed_at=db_datetime(row[7]),
        last_activity_at=db_datetime(row[8]),
        done_at=db_datetime(row[9]),
    )


def queue_next(*, project_id: int, user) -> Assignment | None:
    """The coder's next unit: the first unit they hold and have not finished, in queue order; in a pool
    plan, when they hold none, a newly claimed one. ``None`` when there is nothing left for them."""
    return _queue_next(project_id=project_id, user=user, reads=lambda _unit: [])[0]


def next_unit(*, project_id: int, user) -> tuple[Assignment | None, dict[str, Any] | None]:
    """``queue/next``: the coder's next unit (as ``queue_next``) and what they see of it
    (``unit.unit_context``), or ``(None, None)`` when nothing is left. A newly claimed unit's context is
    read in the claim's last round trip."""
    assignment, rows = _queue_next(
        project_id=project_id, user=user, reads=lambda a: unit_context_statements(assignment=a, user=user)
    )
    if assignment is None:
        return None, None
    return assignment, unit_context(assignment=assignment, user=user, rows=rows)


def _queue_next(*, project_id: int, user, reads) -> tuple[Assignment | None, list | None]:
    """The next unit, and the statements ``reads(unit)`` run in a newly claimed unit's last round trip:
    ``(unit, their rows)``, the rows None when no unit was newly claimed from the pool (the caller then
    runs them itself).

    Every "next" of every coder runs this, so it is hand-written SQL in one round trip
    (``annotate.core.sql``): lock the coder's plan row (their "next"s queue there, so a double click
    cannot claim twice), read their current unit and how many they hold, and claim an open slot if that
    is what the coder is due (the claim's own conditions say so, read after the lock like the others)."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        planned, current, claimed = execute_batch(
            cursor,
            [
                (
                    f"SELECT pc.quota, p.unit_type FROM {PLAN_CODER} pc "  # noqa: S608
                    f"JOIN {PLAN} p ON p.id = pc.plan_id "
                    "WHERE p.project_id = %s AND pc.user_id = %s AND pc.active "
                    f"ORDER BY pc.id LIMIT 1{for_update(of='pc')}",
                    [project_id, user.pk],
                ),
                (
                    f"SELECT n.held, {_SLOT_COLUMNS} FROM "  # noqa: S608
                    f"(SELECT COUNT(*) AS held FROM {ASSIGNMENT} "
                    " WHERE project_id = %s AND coder_id = %s) n "
                    f"LEFT JOIN (SELECT * FROM {ASSIGNMENT} "
                    f"           WHERE project_id = %s AND coder_id = %s AND status = {ASSIGNED} "
                    '           ORDER BY "order" LIMIT 1) a ON 1 = 1',
                    [project_id, user.pk, project_id, user.pk],
                ),
                _claim_open_statement(project_id=project_id, user=user, now=now),
            ],
        )
        assert current is not None  # a SELECT: it has rows
        held, *unit = current[0]
        result: tuple[Assignment | None, list | None]
        if unit[0] is not None:
            result = (_slot(unit, project_id), None)
        elif not planned or planned[0][1] != UnitType.SEGMENT or held >= planned[0][0]:
            result = (None, None)
        elif claimed:
            slot = _slot(claimed[0], project_id)
            slot.coder, slot.claimed_at = user, now
            # An open slot has no coder and no claim time (the assignment_status_consistent constraint).
            before = {"coder": None, "status": AssignmentStatus.OPEN, "claimed_at": None}
            result = (slot, _audit_claim(slot, before, reads(slot)))
        else:
            result = (_claim_expired(cursor, project_id=project_id, user=user, now=now), None)
    return result


_NOT_MINE = f"a.unit_id NOT IN (SELECT unit_id FROM {ASSIGNMENT} WHERE project_id = %s AND coder_id = %s)"  # noqa: S608


def _claim_open_statement(*, project_id: int, user, now) -> tuple[str, list]:
    """Take the first open slot, in queue order, of a unit the coder does not hold: chosen, locked and
    taken in one statement, if the coder holds no unfinished unit and is under their quota in a pool
    plan. ``SKIP LOCKED``: concurrent claimers never wait for, nor take, the same row."""
    return (
        f"UPDATE {ASSIGNMENT} SET coder_id = %s, status = {ASSIGNED}, claimed_at = %s, "  # noqa: S608
        "last_activity_at = NULL "
        f"WHERE id = (SELECT a.id FROM {ASSIGNMENT} a "
        f"WHERE a.project_id = %s AND a.status = {OPEN} AND {_NOT_MINE} "
        f"AND NOT EXISTS (SELECT 1 FROM {ASSIGNMENT} c "
        f"                WHERE c.project_id = %s AND c.coder_id = %s AND c.status = {ASSIGNED}) "
        f"AND (SELECT COUNT(*) FROM {ASSIGNMENT} h WHERE h.project_id = %s AND h.coder_id = %s) "
        f"    < (SELECT pc.quota FROM {PLAN_CODER} pc "
        f"       JOIN {PLAN} p ON p.id = pc.plan_id "
        f"       WHERE p.project_id = %s AND pc.user_id = %s AND pc.active AND p.unit_type = {SEGMENT}) "
        f'ORDER BY a."order", a.slot LIMIT 1{for_update(skip_locked=True)}) '
        f"RETURNING {_SLOT_COLUMNS.replace('a.', '')}",
        [
            user.pk,
            db_datetime_param(now),
            project_id,
            project_id,
            user.pk,
            project_id,
            user.pk,
            project_id,
            user.pk,
            project_id,
            user.pk,
        ],
    )


def _claim_expired(cursor, *, project_id: int, user, now) -> Assignment | None:
    """No open slot is left: take a slot whose claim has expired, oldest first. Its before-image names
    the coder who loses it."""
    cursor.execute(
        f"SELECT {_SLOT_COLUMNS} FROM {ASSIGNMENT} a "  # noqa: S608
        f"WHERE a.project_id = %s AND a.status = %s AND a.claimed_at < %s AND {_NOT_MINE} "
        f"ORDER BY a.claimed_at, a.id LIMIT 1{for_update(skip_locked=True)}",
        [
            project_id,
            AssignmentStatus.ASSIGNED,
            db_datetime_param(now - _claim_timeout()),
            project_id,
            user.pk,
        ],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    slot = _slot(row, project_id)
    before = {"coder": slot.coder_id, "status": slot.status, "claimed_at": slot.claimed_at}
    cursor.execute(
        f"UPDATE {ASSIGNMENT} SET coder_id = %s, status = %s, claimed_at = %s, "  # noqa: S608
        "last_activity_at = NULL WHERE id = %s",
        [user.pk, AssignmentStatus.ASSIGNED, db_datetime_param(now), slot.id],
    )
    slot.coder, slot.status, slot.claimed_at, slot.last_activity_at = (
        user,
        AssignmentStatus.ASSIGNED,
        now,
        None,
    )
    _audit_claim(slot, before)
    return slot


def _audit_claim(slot: Assignment, before: dict[str, Any], reads=()) -> list | None:
    """The claim's audit event, and the statements ``reads`` in the same round trip, before the event:
    they need no view of the chain, and so do not hold its lock (their rows, or None when there are
    none)."""
    with connection.cursor() as cursor:
        rows, _ = with_audit_events(
            cursor,
            project_id=slot.project_id,
            events=[
                {
                    "actor": slot.coder,
                    "action": "assignment.claim",
                    "obj": slot,
                    "before": before,
                    "after": {"segment": slot.segment_id, "coder": slot.coder_id, "status": slot.status},
                    "reason": "expired claim taken over" if before["coder"] is not None else "",
                }
            ],
            before=list(reads),
        )
    return rows or None
