"""An automatic run that never started (its message or worker lost) does not block the runs asked for
after it: the newest request supersedes it, and the superseded run says so."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from annotate.analysis.models import SaturationRun
from annotate.analysis.services import (
    analysis_schedule_automatic,
    automatic_run_overdue_before,
    automatic_run_wait,
)
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


@pytest.fixture
def coding_project(project):
    """The project with one coder holding one unit."""
    coder = UserFactory(username="ana")
    project.add_member(coder, Role.CODER)
    make_document(
        project, project.created_by, case=make_case(project, project.created_by, "P01"), text="P01: a turn."
    )
    assignment_plan_apply(
        project=project,
        actor=project.created_by,
        data={"unit_type": "document", "coders": [{"user": coder.pk}]},
    )
    return project


def _done_ago(project, seconds: float) -> dt.datetime:
    from annotate.assignments.models import Assignment

    at = timezone.now() - dt.timedelta(seconds=seconds)
    Assignment.objects.filter(project=project).update(status="done", done_at=at)
    return at


def test_a_run_waits_until_the_coding_has_paused_for_the_quiet_window(coding_project, settings):
    project = coding_project
    settings.INTERCODER_ANALYSIS_DEBOUNCE_S, settings.INTERCODER_ANALYSIS_MAX_WAIT_S = 2.0, 60.0
    run = orphan(project, age=dt.timedelta(seconds=5))
    now = timezone.now()
    done = _done_ago(project, 0.5)  # a unit was marked done half a second ago: the burst goes on
    wait = automatic_run_wait(kind="saturation", run_id=run.id, now=now)
    assert wait == pytest.approx((done + dt.timedelta(seconds=2) - now).total_seconds())
    assert 1.0 < wait < 1.6
    _done_ago(project, 2.5)  # quiet for longer than the window: due now
    assert automatic_run_wait(kind="saturation", run_id=run.id) == 0.0


def test_coding_that_never_pauses_is_computed_after_the_longest_wait(coding_project, settings):
    project = coding_project
    settings.INTERCODER_ANALYSIS_DEBOUNCE_S, settings.INTERCODER_ANALYSIS_MAX_WAIT_S = 2.0, 10.0
    run = orphan(project, age=dt.timedelta(seconds=9))
    _done_ago(project, 0)
    assert 0.5 < automatic_run_wait(kind="saturation", run_id=run.id) <= 1.0  # the 10 s cap, not 2 s more
    SaturationRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(seconds=11))
    assert automatic_run_wait(kind="saturation", run_id=run.id) == 0.0


def test_only_a_pending_automatic_run_waits(coding_project, settings):
    project = coding_project
    run = orphan(project, age=dt.timedelta(0))
    _done_ago(project, 0)
    assert automatic_run_wait(kind="saturation", run_id=run.id) > 0
    SaturationRun.objects.filter(pk=run.pk).update(automatic=False)  # as a requested run
    assert automatic_run_wait(kind="saturation", run_id=run.id) == 0.0


def test_an_overdue_run_is_one_past_its_longest_wait(settings):
    settings.INTERCODER_ANALYSIS_DEBOUNCE_S, settings.INTERCODER_ANALYSIS_MAX_WAIT_S = 1.5, 60.0
    settings.INTERCODER_JOB_RESEND_AFTER_S = 30
    now = timezone.now()
    assert automatic_run_overdue_before(now) == now - dt.timedelta(seconds=90)
