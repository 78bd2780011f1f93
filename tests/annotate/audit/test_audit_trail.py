"""The audit trail is append-only in the database and tamper-evident through its hash chain."""

import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction

from annotate.audit.chain import GENESIS_HASH, event_hash
from annotate.audit.models import AuditEvent
from annotate.audit.selectors import audit_chain_breaks
from annotate.audit.services import audit_record
from annotate.cases.models import Case
from annotate.cases.services import attribute_define, case_create
from annotate.core.exceptions import ApplicationError
from tests.factories import ProjectFactory, UserFactory


@pytest.fixture
def project(db):
    return ProjectFactory(creator=UserFactory(username="pi"))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET reason = 'edited'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "TRUNCATE audit_auditevent CASCADE",
    ],
)
def test_trigger_rejects_changes_to_the_trail(project, statement):
    assert AuditEvent.objects.filter(project=project).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # so TRUNCATE meets our trigger, not pending FK checks
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(project=project, reason="edited").count() == 0


def test_codebook_versions_are_immutable(project):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE codebook_codebookversion SET rationale = 'rewritten history'")


def test_each_event_links_to_the_previous_one(project):
    events = list(AuditEvent.objects.filter(project=project).order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
    first = events[0]
    assert first.hash == event_hash(
        project_id=first.project_id,
        sequence=1,
        prev_hash=GENESIS_HASH,
        actor_id=first.actor_id,
        action=first.action,
        object_type=first.object_type,
        object_id=first.object_id,
        before=first.before,
        after=first.after,
        reason=first.reason,
        request_id=first.request_id,
        created_at=first.created_at,
    )
    assert list(audit_chain_breaks(project_id=project.id)) == []
    call_command("verify_audit", project=project.id)


def test_verify_audit_names_the_first_tampered_event(project, capsys):
    owner = project.created_by
    case_create(project=project, actor=owner, identifier="P01")
    case_create(project=project, actor=owner, identifier="P02")
    target = AuditEvent.objects.get(
        project=project,
        action="case.create",
        object_id=str(Case.objects.get(project=project, identifier="P01").pk),
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs no pending FK checks
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute(
            "UPDATE audit_auditevent SET after = jsonb_set(after, '{identifier}', '\"P99\"') WHERE id = %s",
            [target.id],
        )
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
    with pytest.raises(CommandError, match=rf"event {target.id} \(#{target.sequence}\) was altered"):
        call_command("verify_audit", project=project.id)
    with pytest.raises(CommandError, match=rf"event {target.id} "):
        call_command("verify_audit")


def test_verify_audit_notices_a_deleted_event(project):
    owner = project.created_by
    case_create(project=project, actor=owner, identifier="P01")
    case_create(project=project, actor=owner, identifier="P02")
    middle = AuditEvent.objects.filter(project=project).order_by("sequence")[2]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs no pending FK checks
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [middle.id])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
    with pytest.raises(CommandError, match=r"expected 3 \(an event is missing\)"):
        call_command("verify_audit", project=project.id)


def test_a_failed_write_leaves_no_event_and_no_change(project):
    owner = project.created_by
    attribute_define(project=project, actor=owner, name="years in office", type="number")
    before = AuditEvent.objects.filter(project=project).count()
    with pytest.raises(ApplicationError, match="'years in office' is a number; 'many' is not one"):
        case_create(project=project, actor=owner, identifier="P01", attributes={"years in office": "many"})
    assert AuditEvent.objects.filter(project=project).count() == before
    assert not Case.objects.filter(project=project).exists()


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    project = ProjectFactory(creator=UserFactory(username="pi"))
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(project_id=project.id, actor=None, action="x.y", object_type="x", object_id=1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_cannot_fork_the_chain():
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def write(worker: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                case_create(project=project, actor=owner, identifier=f"T{worker}-{i}")
        except BaseException as exc:  # report in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    events = list(AuditEvent.objects.filter(project=project).order_by("sequence"))
    assert sum(e.action == "case.create" for e in events) == 40
    assert len({e.prev_hash for e in events}) == len(events)  # no two events share a predecessor
    assert list(audit_chain_breaks(project_id=project.id)) == []
