"""Statements sent in the same round trip as the audit events of the change they belong to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from annotate.audit.services import audit_append_statements, audit_record_many
from annotate.core.sql import execute_batch

Statement = tuple[str, list[Any]]
Rows = list[tuple] | None


def with_audit_events(
    cursor,
    *,
    project_id: int,
    events: list[dict[str, Any]],
    before: Sequence[Statement] = (),
    after: Sequence[Statement] = (),
) -> tuple[list[Rows], list[Rows]]:
    """Run ``before``, append ``events`` to the project's audit chain, run ``after``: one round trip on
    PostgreSQL, one statement at a time on SQLite. Returns the rows of ``before`` and of ``after``.

    Where a read goes says what it sees. ``before``: reads that need no view of the chain, so that the
    chain's lock (which every other writer of the project waits for) is held only from the events to the
    commit. ``after``: reads that must see every other change of the project committed, since the chain's
    lock is then held (e.g. whether two coders finishing the last slots of a unit together made analysis
    due: read before the events, each would see the other's slot still open)."""
    if connection.vendor == "postgresql":
        appends = audit_append_statements(project_id=project_id, events=events)
        results = execute_batch(cursor, [*before, *appends, *after])
        return results[: len(before)], results[len(before) + len(appends) :]
    first = execute_batch(cursor, list(before)) if before else []
    audit_record_many(project_id=project_id, events=events)
    return first, (execute_batch(cursor, list(after)) if after else [])
