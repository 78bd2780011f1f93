"""Statements that ride with the audit events of a change: before the events (no view of the chain) or
after them (the chain locked: every other writer of the project has committed or waits)."""

import pytest
from django.db import connection, transaction

from annotate.audit.models import AuditEvent
from annotate.audit.selectors import audit_chain_breaks
from annotate.audit.services import audit_append_statements
from annotate.coding_loop.round_trip import with_audit_events
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory()


def test_reads_before_the_events_do_not_see_them_and_reads_after_do(project):
    count = ("SELECT COUNT(*) FROM audit_auditevent WHERE project_id = %s", [project.id])
    start = AuditEvent.objects.filter(project=project).count()
    event = {"actor": project.created_by, "action": "test.note", "object_type": "test", "object_id": 1}
    with transaction.atomic(), connection.cursor() as cursor:
        (before,), (after,) = with_audit_events(
            cursor, project_id=project.id, events=[event, event], before=[count], after=[count]
        )
    assert before == [(start,)]
    assert after == [(start + 2,)]
    assert AuditEvent.objects.filter(project=project).count() == start + 2
    assert list(audit_chain_breaks(project_id=project.id)) == []


@pytest.mark.django_db(transaction=True)  # outside any transaction: the check can be seen to refuse
def test_append_statements_are_only_made_inside_the_change_s_transaction(project):
    event = {"actor": project.created_by, "action": "test.note", "object_type": "test", "object_id": 1}
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_append_statements(project_id=project.id, events=[event])
