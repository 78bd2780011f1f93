"""Coding services: applying a code is idempotent, records the codebook version in force, and writes one
audit event; a deactivated code can no longer be applied but keeps its codings."""

from unittest import mock

import pytest

from annotate.codebook.selectors import codebook_current_version, codebook_get
from annotate.codebook.services import code_update
from annotate.coding.models import Coding
from annotate.coding.services import coding_create, coding_delete
from annotate.core.exceptions import ApplicationError
from annotate.documents.services import SegmentSpec
from annotate.projects.models import Role
from tests.annotate.db import audit_mark, audit_since
from tests.annotate.world import assign_everything
from tests.factories import ProjectFactory, make_code, make_document

TEXT = "Interviewer: How?\n\nP01: We reduce harm.\n\nP01: And we divert people."


@pytest.fixture
def study(project_with_members):
    project, users = project_with_members
    owner = users[Role.OWNER]
    document = make_document(
        project,
        owner,
        text=TEXT,
        segments=[SegmentSpec(0, 17, codable=False), SegmentSpec(19, 39), SegmentSpec(41, 67)],
        normalise=False,
    )
    context, segment, _ = document.segments.order_by("position")
    code = make_code(project, owner, name="Harm reduction")
    assign_everything(project, owner, [users[Role.CODER], users[Role.ADJUDICATOR]])
    return {
        "project": project,
        "users": users,
        "context": context,
        "segment": segment,  # [19, 39)
        "code": code,
    }


def apply(study, who="coder", **kwargs):
    kwargs.setdefault("segment", study["segment"])
    kwargs.setdefault("code", study["code"])
    return coding_create(project_id=study["project"].id, coder=study["users"][who], **kwargs)


def test_coding_create_records_the_version_in_force_and_one_event(study):
    mark = audit_mark()
    coding, created = apply(study, span=(20, 30))
    assert created
    version = codebook_current_version(codebook=codebook_get(project_id=study["project"].id))
    assert coding.codebook_version_id == version.id
    (event,) = audit_since(mark)
    assert (event.action, event.actor_id, event.object_id) == (
        "coding.create",
        study["users"]["coder"].id,
        str(coding.id),
    )
    image = {
        "segment": study["segment"].id,
        "code": study["code"].id,
        "coder": study["users"]["coder"].id,
        "codebook_version": version.id,
        "span": [20, 30],
    }
    assert {key: event.after.get(key) for key in image} == image


@pytest.mark.parametrize("span", [None, (20, 30)], ids=["segment-level", "span"])
def test_coding_create_is_idempotent(study, span):
    first, created = apply(study, span=span)
    assert created
    mark = audit_mark()
    again, created_again = apply(study, span=span)
    assert (again.pk, created_again) == (first.pk, False)
    assert Coding.objects.count() == 1
    assert audit_since(mark) == [], "a repeated application must record nothing"


def test_the_same_code_by_another_coder_or_on_another_span_is_a_new_coding(study):
    apply(study)
    assert apply(study, who="adjudicator")[1]
    assert apply(study, span=(20, 30))[1]
    assert apply(study, span=(20, 31))[1]
    assert Coding.objects.count() == 4


def test_a_coding_keeps_the_version_it_was_made_under(study):
    coding, _ = apply(study)
    owner = study["users"][Role.OWNER]
    code_update(code=study["code"], actor=owner, data={"definition": "Sharper."}, rationale="Meeting 2.")
    later, _ = apply(study, who="adjudicator")
    assert later.codebook_version.number == coding.codebook_version.number + 1
    coding.refresh_from_db()
    assert coding.codebook_version.number == later.codebook_version.number - 1


def test_a_deactivated_code_cannot_be_applied_but_its_codings_stay(study):
    existing, _ = apply(study)
    owner = study["users"][Role.OWNER]
    code_update(code=study["code"], actor=owner, data={"is_active": False}, rationale="Merged into another.")
    study["code"].refresh_from_db()  # as the API does: it loads the code for each request
    mark = audit_mark()
    with pytest.raises(ApplicationError, match="The code 'Harm reduction' is deactivated"):
        apply(study, who="adjudicator")
    assert list(Coding.objects.values_list("id", flat=True)) == [existing.id]
    assert audit_since(mark) == []
    code_update(code=study["code"], actor=owner, data={"is_active": True}, rationale="Reinstated.")
    study["code"].refresh_from_db()
    assert apply(study, who="adjudicator")[1]


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_only_coding_roles_can_code(study, who):
    with pytest.raises(ApplicationError, match="Only coders, adjudicators and owners") as refused:
        apply(study, who=who)
    assert refused.value.status == 403
    assert not Coding.objects.exists()


def test_refusals_write_nothing(study):
    owner = study["users"][Role.OWNER]
    other = ProjectFactory(creator=owner)
    foreign_segment = make_document(other, owner).segments.first()
    foreign_code = make_code(other, owner, name="Elsewhere")
    mark = audit_mark()
    refusals = [
        ({"segment": foreign_segment}, "That segment belongs to another project."),
        ({"code": foreign_code}, "That code belongs to another project's codebook."),
        ({"segment": study["context"]}, "This segment is context"),
        ({"span": (18, 30)}, r"The span \[18, 30\) must lie inside its segment \[19, 39\)"),
        ({"span": (20, 40)}, r"The span \[20, 40\) must lie inside its segment"),
        ({"span": (25, 25)}, r"The span \[25, 25\) must lie inside its segment .* and not be empty"),
    ]
    for kwargs, message in refusals:
        with pytest.raises(ApplicationError, match=message):
            apply(study, **kwargs)
    assert not Coding.objects.exists()
    assert audit_since(mark) == []


def test_when_the_event_cannot_be_written_no_coding_remains(study):
    with (
        mock.patch("annotate.audit.services._append", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        apply(study)
    assert not Coding.objects.exists()


def test_coding_delete_records_what_was_removed(study):
    coding, _ = apply(study, span=(20, 30))
    mark = audit_mark()
    coding_delete(coding=coding, actor=study["users"]["coder"])
    (event,) = audit_since(mark)
    assert event.action == "coding.delete"
    assert (event.before["span"], event.before["code"]) == ([20, 30], study["code"].id)
    assert not Coding.objects.exists()


@pytest.mark.parametrize("who", [Role.OWNER, Role.ADJUDICATOR])
def test_only_the_coder_may_remove_a_coding(study, who):
    coding, _ = apply(study)
    mark = audit_mark()
    with pytest.raises(ApplicationError, match=r"^You can only remove your own codings\.$") as refused:
        coding_delete(coding=coding, actor=study["users"][who])
    assert refused.value.status == 403
    assert Coding.objects.filter(pk=coding.pk).exists()
    assert audit_since(mark) == []


def test_removing_a_coding_twice_records_it_once(study):
    coding, _ = apply(study)
    mark = audit_mark()
    coding_delete(coding=coding, actor=study["users"]["coder"])
    coding_delete(coding=coding, actor=study["users"]["coder"])
    assert [e.action for e in audit_since(mark)] == ["coding.delete"]
