"""Transcripts that arrive after the plan was applied join it, under the plan's rules, moving nothing."""

from collections import Counter

import pytest

from annotate.assignments.models import Assignment, AssignmentPlan, PlanCoder, Unit
from annotate.assignments.planning import extend_sample
from annotate.audit.models import AuditEvent
from annotate.cases.services import case_create
from annotate.coding_loop.done import assignment_done
from annotate.coding_loop.queue import queue_next
from annotate.documents.services import SegmentSpec, paragraph_segments
from tests.factories import make_document

from .study import apply_plan, build_study, transcript

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    return build_study(n_documents=6)


def add_transcript(study, n: int, region: str):
    owner = study.users["owner"]
    case = case_create(
        project=study.project, actor=owner, identifier=f"P{n:02}", attributes={"region": region}
    )
    text = transcript(n)
    specs = [
        SegmentSpec(start=s.start, end=s.end, codable=i not in (0, 2))
        for i, s in enumerate(paragraph_segments(text))
    ]
    return make_document(
        study.project, owner, case=case, text=text, title=f"Interview P{n:02}", segments=specs
    )


def held(document):
    return set(Assignment.objects.filter(unit__document=document).values_list("coder__username", flat=True))


def test_a_new_transcript_goes_whole_to_the_coder_with_the_most_share_left(study):
    apply_plan(study)  # three coders, six transcripts: two each
    coder = study.users["coder"]
    # The first coder finishes a unit; done work never moves.
    first = queue_next(project_id=study.project.id, user=coder)
    assignment_done(project_id=study.project.id, user=coder, segment_id=first.segment_id)
    before = list(Assignment.objects.order_by("id").values_list("id", "coder_id", "status"))
    documents = [add_transcript(study, n, "North") for n in (7, 8, 9)]
    assert (
        list(
            Assignment.objects.filter(id__in=[b[0] for b in before])
            .order_by("id")
            .values_list("id", "coder_id", "status")
        )
        == before
    )
    # Each new transcript is one coder's, whole; three transcripts over three coders: one each.
    owners = [held(d) for d in documents]
    assert all(len(o) == 1 for o in owners)
    assert sorted(next(iter(o)) for o in owners) == ["coder", "coder2", "coder3"]
    units = Unit.objects.filter(document__in=documents).order_by("order")
    assert units.count() == 9
    assert {u.planned_coders for u in units} == {1}
    assert min(u.order for u in units) > max(
        Unit.objects.exclude(document__in=documents).values_list("order", flat=True)
    )
    events = AuditEvent.objects.filter(project=study.project, action="assignment_plan.extend")
    assert events.count() == 3
    assert events.last().after["documents"] == [documents[-1].id]


def test_a_pool_plan_opens_slots_tops_up_the_sample_per_stratum_and_raises_quotas(study):
    apply_plan(study, unit_type="segment", overlap=2, sample_fraction=0.5, stratify_by="region", seed=3)
    quotas_before = dict(PlanCoder.objects.values_list("user__username", "quota"))
    add_transcript(study, 7, "North")
    add_transcript(study, 8, "Central")  # a stratum the plan has not seen
    units = Unit.objects.all()
    by_stratum = Counter()
    sampled = Counter()
    for unit in units:
        by_stratum[unit.stratum] += 1
        sampled[unit.stratum] += unit.planned_coders > 1
        assert unit.assignments.count() == unit.planned_coders
    for stratum, n in by_stratum.items():
        assert abs(sampled[stratum] - round(0.5 * n)) <= 1, (stratum, sampled[stratum], n)
    assert sampled["Central"] >= 1  # a new stratum is represented in the sample
    assert (
        not Assignment.objects.filter(unit__document__title__in=["Interview P07", "Interview P08"])
        .exclude(status="open")
        .exists()
    )
    quotas_after = dict(PlanCoder.objects.values_list("user__username", "quota"))
    assert all(quotas_after[u] > quotas_before[u] for u in quotas_before)
    assert AssignmentPlan.objects.get().revision == 3  # applied, then extended twice


def test_without_a_plan_nothing_happens(study):
    add_transcript(study, 7, "North")
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.filter(action="assignment_plan.extend").exists()


@pytest.mark.parametrize("fraction", [0.2, 0.25, 0.5, 0.9])
def test_extend_sample_keeps_each_strata_share(fraction):
    existing = {"a": (10, round(fraction * 10)), "b": (4, round(fraction * 4))}
    new = [(f"a{i}", "a") for i in range(7)] + [(f"b{i}", "b") for i in range(3)] + [("c0", "c")]
    chosen = extend_sample(new, existing, fraction, seed=1)
    for stratum, (n, k) in existing.items():
        added = sum(1 for key, s in new if s == stratum)
        picked = sum(1 for key, s in new if s == stratum and key in chosen)
        assert k + picked == round(fraction * (n + added))
    assert "c0" in chosen  # a stratum's first unit is sampled
    assert extend_sample(new, existing, fraction, seed=1) == chosen  # reproducible


def test_extend_sample_never_takes_back_a_stratum_already_over_its_share():
    assert extend_sample([("x", "a")], {"a": (4, 4)}, 0.25, seed=0) == set()


def test_owners_can_bring_unplanned_segments_in_through_the_api(study, api_client_for):
    url = f"/api/v1/projects/{study.project.id}/assignment-plan/extend/"
    owner = api_client_for(study.users["owner"])
    response = owner.post(url)
    assert response.status_code == 404
    assert "no assignment plan" in response.json()["detail"]
    apply_plan(study)
    assert owner.post(url).json() == {"extension": None}  # everything is planned already
    # A transcript whose segments escaped the plan (imported while the plan was being applied).
    Assignment.objects.filter(unit__document=study.documents[-1]).delete()
    Unit.objects.filter(document=study.documents[-1]).delete()
    response = owner.post(url)
    assert response.status_code == 200
    assert response.json()["extension"]["documents"] == [study.documents[-1].id]
    assert api_client_for(study.users["coder"]).post(url).status_code == 403


def test_a_planned_transcript_nobody_finished_can_still_be_deleted_and_leaves_the_plan(study):
    from annotate.core.exceptions import ApplicationError
    from annotate.documents.services import document_delete

    apply_plan(study)
    late = add_transcript(study, 7, "North")
    assert Unit.objects.filter(document=late).count() == 3
    document_delete(document=late, actor=study.users["owner"], reason="wrong file")
    assert not Unit.objects.filter(document_id=late.id).exists()
    assert not Assignment.objects.filter(segment__document_id=late.id).exists()
    event = AuditEvent.objects.filter(action="document.delete").last()
    assert event.before["planned_units"] == 3

    # Once a coder has finished a unit of it, the transcript stays (and so does everything else).
    document = study.documents[0]
    unit = Assignment.objects.filter(unit__document=document).order_by("order").first()
    assignment_done(project_id=study.project.id, user=unit.coder, segment_id=unit.segment_id)
    with pytest.raises(ApplicationError, match="finished part of this transcript") as refused:
        document_delete(document=document, actor=study.users["owner"])
    assert refused.value.status == 409
    assert Unit.objects.filter(document=document).count() == 3
