"""Assignment plans and the coder's queue, through the services."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from annotate.assignments.models import Assignment, AssignmentPlan, Unit
from annotate.assignments.services import assignment_plan_preview
from annotate.audit.models import AuditEvent
from annotate.coding.rules import CodingSpec
from annotate.coding_loop.codings import coding_set_replace
from annotate.coding_loop.done import assignment_done, assignment_reopen
from annotate.coding_loop.queue import queue_next
from annotate.core.exceptions import ApplicationError, ConflictError
from tests.annotate.db import actions_since, audit_mark

from .study import apply_plan, build_study, coder_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    return build_study(n_documents=6)


def loads(project):
    return Counter(Assignment.objects.filter(project=project).values_list("coder__username", flat=True))


def test_a_document_plan_gives_every_codable_segment_of_a_transcript_to_the_same_coder(study):
    mark = audit_mark()
    apply_plan(study)
    assert actions_since(mark) == ["assignment_plan.create"]
    assert Unit.objects.filter(project=study.project).count() == 18  # 6 transcripts x 3 codable turns
    for document in study.documents:
        coders = set(Assignment.objects.filter(unit__document=document).values_list("coder_id", flat=True))
        assert len(coders) == 1
    # 6 documents over 3 coders: 2 each (6 segments each).
    assert loads(study.project) == {"coder": 6, "coder2": 6, "coder3": 6}
    assert not Assignment.objects.filter(segment__codable=False).exists()


def test_a_stratified_reliability_sample_is_coded_by_k_and_the_rest_by_one(study):
    plan = apply_plan(study, overlap=3, sample_fraction=0.5, stratify_by="region", seed=11)
    sampled_docs = set(Unit.objects.filter(plan=plan, planned_coders=3).values_list("document_id", flat=True))
    assert len(sampled_docs) == 3
    regions = {Unit.objects.filter(document_id=d).first().stratum for d in sampled_docs}
    assert len(regions) == 3  # four regions, three sampled documents: three different regions
    for unit in Unit.objects.filter(plan=plan):
        n = Assignment.objects.filter(unit=unit).count()
        assert n == unit.planned_coders
        assert Assignment.objects.filter(unit=unit).values("coder").distinct().count() == n
    # 3 x 3 + 3 x 1 = 12 document slots: 4 each, within one of the fair share.
    pairs = set(
        Assignment.objects.filter(project=study.project).values_list("coder__username", "unit__document_id")
    )
    documents_per_coder = Counter(coder for coder, _ in pairs)
    assert documents_per_coder == {"coder": 4, "coder2": 4, "coder3": 4}
    assert AssignmentPlan.objects.get(project=study.project).seed == 11


def test_the_same_seed_gives_the_same_plan(study):
    data = {
        "unit_type": "document",
        "coders": coder_ids(study, "coder", "coder2", "coder3"),
        "overlap": 2,
        "sample_fraction": 0.5,
        "stratify_by": "region",
        "seed": 5,
    }
    first = assignment_plan_preview(project=study.project, data=data)
    again = assignment_plan_preview(project=study.project, data=data)
    assert first == again
    assert first["double_coded_units"] == 3
    assert first["double_coded_share"] == 0.5
    assert {row["stratum"] for row in first["per_stratum"]} == {"East", "North", "South", "West"}
    assert sum(row["double_coded"] for row in first["per_stratum"]) == 3


def test_preview_writes_nothing(study):
    events = AuditEvent.objects.count()
    assignment_plan_preview(
        project=study.project,
        data={"unit_type": "segment", "coders": coder_ids(study, "coder", "coder2"), "overlap": 2, "seed": 1},
    )
    assert AuditEvent.objects.count() == events
    assert not Unit.objects.exists()


def test_weights_give_unequal_balanced_workloads(study):
    coders = [
        {"user": study.users["coder"].pk, "weight": 2.0},
        {"user": study.users["coder2"].pk, "weight": 1.0},
    ]
    summary = assignment_plan_preview(
        project=study.project, data={"unit_type": "document", "coders": coders, "seed": 1}
    )
    assert [row["units"] for row in summary["per_coder"]] == [4, 2]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"overlap": 4}, "Overlap 4 needs at least 4 coders"),
        ({"sample_fraction": 1.5}, "sample fraction"),
        ({"stratify_by": "region"}, "Stratification applies to a reliability sample"),
        ({"sample_fraction": 0.2, "stratify_by": "shoe size"}, "no case attribute called 'shoe size'"),
        ({"coders": []}, "at least one coder"),
        ({"unit_type": "paragraph"}, "Unknown unit"),
    ],
)
def test_bad_plans_are_refused_with_a_reason(study, params, message):
    with pytest.raises(ApplicationError, match=message):
        apply_plan(study, **params)
    assert not AssignmentPlan.objects.exists()


def test_a_non_coder_cannot_be_in_a_plan(study):
    with pytest.raises(ApplicationError, match="not coders, adjudicators or owners"):
        apply_plan(study, coders=coder_ids(study, "coder", "viewer"))


def test_after_apply_only_coders_and_weights_can_change(study):
    apply_plan(study)
    with pytest.raises(ConflictError, match="only its coders and their weights"):
        apply_plan(study, overlap=2)


def test_adding_a_coder_moves_only_unstarted_work(study):
    apply_plan(study, coders=coder_ids(study, "coder", "coder2"))
    coder = study.users["coder"]
    started = queue_next(project_id=study.project.id, user=coder)
    assignment_done(project_id=study.project.id, user=coder, segment_id=started.segment_id)
    started_doc = started.unit.document_id
    before = dict(Assignment.objects.filter(project=study.project).values_list("id", "coder_id"))
    mark = audit_mark()
    apply_plan(study, coders=coder_ids(study, "coder", "coder2", "coder3"))
    assert actions_since(mark) == ["assignment_plan.update"]
    after = dict(Assignment.objects.filter(project=study.project).values_list("id", "coder_id"))
    # The started transcript stays whole with its coder; done work never moves.
    for a in Assignment.objects.filter(unit__document_id=started_doc):
        assert a.coder_id == coder.pk
    moved = [i for i in before if before[i] != after[i]]
    assert moved, "the new coder gets some work"
    assert all(after[i] == study.users["coder3"].pk for i in moved)
    assert loads(study.project) == {"coder": 6, "coder2": 6, "coder3": 6}


def test_removing_a_coder_keeps_their_done_work_and_replans_the_rest(study):
    apply_plan(study)
    coder3 = study.users["coder3"]
    first = queue_next(project_id=study.project.id, user=coder3)
    assignment_done(project_id=study.project.id, user=coder3, segment_id=first.segment_id)
    apply_plan(study, coders=coder_ids(study, "coder", "coder2"))
    kept = Assignment.objects.filter(coder=coder3)
    assert list(kept.values_list("segment_id", "status")) == [(first.segment_id, "done")]
    assert queue_next(project_id=study.project.id, user=coder3) is None
    # Every other segment of theirs now belongs to someone else; nothing is left without a coder.
    assert not Assignment.objects.filter(coder__isnull=True).exists()


def test_document_queue_moves_through_transcripts_in_order(study):
    apply_plan(study)
    coder = study.users["coder"]
    seen = []
    while (assignment := queue_next(project_id=study.project.id, user=coder)) is not None:
        seen.append((assignment.unit.document.analysis_order, assignment.segment.position))
        assignment_done(project_id=study.project.id, user=coder, segment_id=assignment.segment_id)
    assert seen == sorted(seen)
    assert len(seen) == 6


def test_done_and_reopen_are_audited_and_idempotent(study):
    apply_plan(study)
    coder = study.users["coder"]
    unit = queue_next(project_id=study.project.id, user=coder)
    mark = audit_mark()
    assignment_done(project_id=study.project.id, user=coder, segment_id=unit.segment_id)
    assignment_done(project_id=study.project.id, user=coder, segment_id=unit.segment_id)
    assignment_reopen(project_id=study.project.id, user=coder, segment_id=unit.segment_id)
    assignment_reopen(project_id=study.project.id, user=coder, segment_id=unit.segment_id)
    assert actions_since(mark) == ["assignment.done", "assignment.reopen"]


def test_an_adjudicated_unit_cannot_be_reopened(study):
    apply_plan(study)
    coder = study.users["coder"]
    unit = queue_next(project_id=study.project.id, user=coder)
    assignment_done(project_id=study.project.id, user=coder, segment_id=unit.segment_id)
    Unit.objects.filter(pk=unit.unit_id).update(adjudicated_at=timezone.now())
    with pytest.raises(ConflictError, match="adjudicated"):
        assignment_reopen(project_id=study.project.id, user=coder, segment_id=unit.segment_id)


def test_a_pi_who_makes_submissions_final_stops_every_reopen(study, api_client_for):
    apply_plan(study)
    coder, owner = study.users["coder"], study.project.created_by
    unit = queue_next(project_id=study.project.id, user=coder)
    assignment_done(project_id=study.project.id, user=coder, segment_id=unit.segment_id)
    mark = audit_mark()
    response = api_client_for(owner).patch(
        f"/api/v1/projects/{study.project.id}/", {"coders_may_reopen": False}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["coders_may_reopen"] is False
    assert actions_since(mark) == ["project.update"]
    answer = api_client_for(coder).post(
        f"/api/v1/projects/{study.project.id}/assignments/{unit.segment_id}/reopen/"
    )
    assert answer.status_code == 409
    assert "does not allow reopening" in answer.json()["detail"]
    assert Assignment.objects.get(pk=unit.pk).status == "done"
    assert actions_since(mark) == ["project.update"]
    # A coder cannot change the setting.
    refused = api_client_for(coder).patch(
        f"/api/v1/projects/{study.project.id}/", {"coders_may_reopen": True}, format="json"
    )
    assert refused.status_code == 403


def test_a_done_unit_must_be_reopened_before_its_codes_change(study):
    apply_plan(study)
    coder = study.users["coder"]
    unit = queue_next(project_id=study.project.id, user=coder)
    assignment_done(project_id=study.project.id, user=coder, segment_id=unit.segment_id)
    with pytest.raises(ConflictError, match="reopen it"):
        coding_set_replace(
            project_id=study.project.id,
            coder=coder,
            segment=unit.segment,
            codings=[CodingSpec(study.codes[0].pk)],
            version=0,
        )


# --- pools -------------------------------------------------------------------------------------------


def pool(study, **params):
    return apply_plan(
        study, unit_type="segment", overlap=2, coders=coder_ids(study, "coder", "coder2", "coder3"), **params
    )


def test_a_pool_plan_creates_open_slots_and_claims_fill_them(study):
    pool(study)
    assert Assignment.objects.filter(status="open").count() == 36
    coder, coder2 = study.users["coder"], study.users["coder2"]
    mark = audit_mark()
    a = queue_next(project_id=study.project.id, user=coder)
    assert queue_next(project_id=study.project.id, user=coder).pk == a.pk, "next returns the held unit again"
    b = queue_next(project_id=study.project.id, user=coder2)
    assert a.segment_id == b.segment_id, "the second coder takes the other slot of the same unit"
    assert a.slot != b.slot
    assert actions_since(mark) == ["assignment.claim", "assignment.claim"]


def test_a_coder_never_claims_two_slots_of_one_unit_and_stops_at_their_quota(study):
    pool(study)
    coder = study.users["coder"]
    claimed = []
    while (a := queue_next(project_id=study.project.id, user=coder)) is not None:
        claimed.append(a.segment_id)
        assignment_done(project_id=study.project.id, user=coder, segment_id=a.segment_id)
    assert len(claimed) == len(set(claimed))
    # 36 slots over 3 coders: fair share 12, so at most 13.
    assert len(claimed) == 13


def test_an_abandoned_claim_returns_to_the_pool_after_the_timeout(study, settings):
    settings.INTERCODER_CLAIM_TIMEOUT_S = 60
    coder, coder2 = study.users["coder"], study.users["coder2"]
    # coder2's weight lets them hold every slot (their quota is 18 of 18).
    apply_plan(
        study,
        unit_type="segment",
        overlap=1,
        coders=[{"user": coder.pk, "weight": 1.0}, {"user": coder2.pk, "weight": 100.0}],
    )
    held = queue_next(project_id=study.project.id, user=coder)
    # Everything else is claimed and done by coder2 ...
    while (a := queue_next(project_id=study.project.id, user=coder2)) is not None:
        assignment_done(project_id=study.project.id, user=coder2, segment_id=a.segment_id)
        if Assignment.objects.filter(status="open").count() == 0:
            break
    assert Assignment.objects.get(pk=held.pk).coder_id == coder.pk
    # ... and once coder's claim is older than the timeout, it can be taken over.
    Assignment.objects.filter(pk=held.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=61))
    mark = audit_mark()
    taken = queue_next(project_id=study.project.id, user=coder2)
    assert taken is not None
    assert taken.pk == held.pk
    assert taken.coder_id == coder2.pk
    event = AuditEvent.objects.get(id__gt=mark)
    assert (event.action, event.before["coder"], event.reason) == (
        "assignment.claim",
        coder.pk,
        "expired claim taken over",
    )


def test_activity_renews_a_claim(study, settings):
    settings.INTERCODER_CLAIM_TIMEOUT_S = 60
    pool(study)
    coder = study.users["coder"]
    held = queue_next(project_id=study.project.id, user=coder)
    Assignment.objects.filter(pk=held.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=61))
    coding_set_replace(
        project_id=study.project.id,
        coder=coder,
        segment=held.segment,
        codings=[CodingSpec(study.codes[0].pk)],
        version=0,
    )
    assert Assignment.objects.get(pk=held.pk).claimed_at > timezone.now() - dt.timedelta(seconds=5)


def test_removing_a_pool_coder_returns_their_unfinished_claims(study):
    pool(study)
    coder3 = study.users["coder3"]
    held = queue_next(project_id=study.project.id, user=coder3)
    apply_plan(study, unit_type="segment", overlap=2, coders=coder_ids(study, "coder", "coder2"))
    assert Assignment.objects.get(pk=held.pk).status == "open"
    assert queue_next(project_id=study.project.id, user=coder3) is None
