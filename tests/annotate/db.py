"""Helpers for tests that check what the database holds, refuses, and records in the audit trail."""

from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection, transaction

from annotate.audit.models import AuditEvent


def constraints_immediate() -> None:
    """Django creates foreign keys DEFERRABLE INITIALLY DEFERRED; a test transaction never commits, so a
    deferred check would never run. Checking at each statement makes a dangling reference fail here."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@contextmanager
def rejected(match: str):
    """The block's write must fail with an IntegrityError naming ``match`` (a constraint name or the
    trigger's message); the savepoint keeps the test's transaction usable afterwards."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        yield


def audit_mark() -> int:
    """The newest audit event's id: pass it to ``audit_since`` to see what a call wrote."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def audit_since(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=mark).order_by("sequence", "id"))


def actions_since(mark: int) -> list[str]:
    return [event.action for event in audit_since(mark)]
