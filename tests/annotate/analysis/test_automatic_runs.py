"""An automatic run that never started (its message or worker lost) does not block the runs asked for
after it: the newest request supersedes it, and the superseded run says so."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from annotate.analysis.models import SaturationRun
from annotate.analysis.services import analysis_schedule_automatic, automatic_run_overdue_before
from annotate.assignments.services import assignment_plan_apply
from annotate.projects.models import Role
from tests.factories import ProjectFactory, UserFactory, make_case, make_code, make_document

pytestmark = pytest.mark.django_db


def orphan(project, *, age: dt.timedelta) -> SaturationRun:
    """A pending automatic run created ``age`` ago whose message never reached a worker."""
    with transaction.atomic():
        (run,) = analysis_schedule_automatic(project_id=project.id, kinds=["saturation"])
    SaturationRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - age)
    return run


@pytest.fixture
def project():
    return ProjectFactory(creator=UserFactory(username="pi"))


def test_a_pending_run_within_its_wait_still_debounces(project, settings):
    waiting = orphan(project, age=dt.timedelta(seconds=settings.INTERCODER_ANALYSIS_DEBOUNCE_S))
    with transaction.atomic():
        assert analysis_schedule_automatic(project_id=project.id, kinds=["saturation"]) == []
    assert list(SaturationRun.objects.values_list("id", "status")) == [(waiting.id, "pending")]


def test_an_overdue_pending_run_is_superseded_by_the_newest_request(project):
    lost = orphan(project, age=timezone.now() - automatic_run_overdue_before() + dt.timedelta(seconds=1))
    with transaction.atomic():
        (newest,) = analysis_schedule_automatic(project_id=project.id, kinds=["saturation"])
    lost.refresh_from_db()
    assert (newest.status, lost.status) == ("pending", "failed")
    assert lost.error.startswith(f"Superseded by automatic run {newest.id}: this run had not started")
    assert lost.finished_at is not None
    # and the newest is the one pending now: a later request within its wait adds nothing
    with transaction.atomic():
        assert analysis_schedule_automatic(project_id=project.id, kinds=["saturation"]) == []


def test_completing_a_transcript_schedules_saturation_past_an_orphaned_run(project):
    coder = UserFactory(username="ana")
    project.add_member(coder, Role.CODER)
    code = make_code(project, project.created_by, name="Harm reduction")
    document = make_document(
        project, project.created_by, case=make_case(project, project.created_by, "P01"), text="P01: one turn."
    )
    assignment_plan_apply(
        project=project,
        actor=project.created_by,
        data={"unit_type": "document", "coders": [{"user": coder.pk}]},
    )
    lost = orphan(project, age=dt.timedelta(hours=1))

    client = APIClient()
    client.force_authenticate(coder)
    (segment,) = document.segments.all()
    base = f"/api/v1/projects/{project.id}"
    body = {"version": 0, "codings": [{"code": code.id}]}
    assert client.put(f"{base}/segments/{segment.id}/codings/", body, format="json").status_code == 200
    assert client.post(f"{base}/assignments/{segment.id}/done/").status_code == 200

    runs = dict(SaturationRun.objects.filter(project=project).values_list("id", "status"))
    assert runs.pop(lost.id) == "failed"
    assert list(runs.values()) == ["pending"]
