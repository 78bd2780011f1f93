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


def run_on_sqlite(script, tmp_path) -> str:
    """Run ``script`` (a path) in a process of its own with the local settings on a fresh SQLite database
    in ``tmp_path`` (the embedded default of ``make run``); its standard output. Fails with its stderr."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="annotate.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'intercoder.sqlite3'}",
        INTERCODER_VAR_DIR=str(tmp_path),
        DJANGO_ALLOWED_HOSTS="testserver",  # the test client's host
    )
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    return run.stdout
