"""Merging and splitting codes: what moves, what is removed, what is recorded, and what is refused."""

import pytest
from django.utils import timezone

from annotate.audit.models import AuditEvent
from annotate.codebook.models import Code
from annotate.codebook.selectors import codebook_current_version
from annotate.codebook.services import code_merge, code_split, code_update
from annotate.coding.models import Coding, SegmentCodingVersion
from annotate.core.exceptions import ApplicationError
from annotate.memos.models import Memo
from annotate.memos.services import memo_create
from annotate.projects.models import Role
from tests.annotate.db import actions_since, audit_mark, audit_since
from tests.factories import ProjectFactory, make_code, make_document

RATIONALE = "Coders could not tell these apart."


@pytest.fixture
def study(project_with_members):
    project, users = project_with_members
    owner = users[Role.OWNER]
    document = make_document(project, owner)
    segments = list(document.segments.order_by("position"))[1:]  # the two P01 turns
    source = make_code(project, owner, name="Harm to community")
    target = make_code(project, owner, name="Community harm")
    return project, users, segments, source, target


def code(project, users, segment, code, role=Role.CODER, span=None):
    """A coding as the coding services leave it (made directly: assignment rules are not under test)."""
    return Coding.objects.create(
        project=project,
        segment=segment,
        code=code,
        coder=users[role],
        codebook_version=codebook_current_version(codebook=code.codebook),
        span_start=span[0] if span else None,
        span_end=span[1] if span else None,
    )


def test_merge_moves_codings_children_and_memos_and_records_one_version(study):
    project, users, (seg_a, _), source, target = study
    owner = users[Role.OWNER]
    moved = code(project, users, seg_a, source)
    made_under = moved.codebook_version_id
    set_version = SegmentCodingVersion.objects.create(
        project=project, coder=users[Role.CODER], segment=seg_a, version=3, updated_at=timezone.now()
    )
    child = make_code(project, owner, name="Neighbourhood", parent=source, rationale="Sub-code.")
    memo = memo_create(project_id=project.id, author=users[Role.CODER], text="Overlaps a lot.", code=source)
    versions_before = source.codebook.versions.count()
    mark = audit_mark()

    result = code_merge(code=source, target=target, actor=owner, rationale=RATIONALE)

    assert result.pk == target.pk
    moved.refresh_from_db()
    assert moved.code_id == target.pk
    assert moved.codebook_version_id == made_under, "a coding keeps the version it was made under"
    set_version.refresh_from_db()
    assert set_version.version == 4, "a client holding the coder's old set must reload, not overwrite"
    child.refresh_from_db()
    assert (child.parent_id, child.position) == (target.pk, 0)
    assert Memo.objects.get(pk=memo.pk).code_id == target.pk
    source.refresh_from_db()
    assert (source.is_active, source.merged_into_id) == (False, target.pk)
    assert source.codebook.versions.count() == versions_before + 1
    version = codebook_current_version(codebook=source.codebook)
    assert version.rationale == RATIONALE
    entry = next(c for c in version.snapshot if c["id"] == source.pk)
    assert (entry["merged_into"], entry["is_active"]) == (target.pk, False)
    # What hangs on the code moves first (its codings, then its memos), then its children.
    assert actions_since(mark) == [
        "coding.move",
        "memo.move",
        "code.move",
        "code.merge",
        "codebook_version.create",
    ]
    coding_event = audit_since(mark)[0]
    assert coding_event.object_id == str(moved.pk)
    assert coding_event.before["code"] == source.pk
    assert coding_event.after["code"] == target.pk
    assert RATIONALE in coding_event.reason


def test_merge_removes_a_coding_that_would_duplicate_the_coders_own_and_audits_it(study):
    project, users, (seg_a, seg_b), source, target = study
    owner = users[Role.OWNER]
    keep = code(project, users, seg_a, target)  # the coder already applied the target here
    duplicate = code(project, users, seg_a, source)  # ... and the merged code: a duplicate after the merge
    other_coder = code(project, users, seg_a, source, role=Role.ADJUDICATOR)  # another coder: moves
    span = (seg_b.start_offset, seg_b.start_offset + 2)
    span_keep = code(project, users, seg_b, target, span=span)
    span_duplicate = code(project, users, seg_b, source, span=span)
    other_span = code(project, users, seg_b, source, span=(seg_b.start_offset, seg_b.start_offset + 3))
    segment_level = code(project, users, seg_b, source)  # segment-level vs the target's span: not a duplicate
    mark = audit_mark()

    code_merge(code=source, target=target, actor=owner, rationale=RATIONALE)

    assert not Coding.objects.filter(pk__in=[duplicate.pk, span_duplicate.pk]).exists()
    assert set(Coding.objects.filter(code=target).values_list("pk", flat=True)) == {
        keep.pk,
        other_coder.pk,
        span_keep.pk,
        other_span.pk,
        segment_level.pk,
    }
    assert not Coding.objects.filter(code=source).exists()
    removed = [e for e in audit_since(mark) if e.action == "coding.delete_duplicate"]
    assert {(e.object_id, e.after["duplicate_of"]) for e in removed} == {
        (str(duplicate.pk), keep.pk),
        (str(span_duplicate.pk), span_keep.pk),
    }
    assert all(e.before["code"] == source.pk for e in removed)
    assert actions_since(mark).count("coding.move") == 3


@pytest.mark.parametrize(
    ("arrange", "message", "status"),
    [
        (lambda s, t, o: (s, s), "cannot be merged into itself", 400),
        (
            lambda s, t, o: (s, make_code(s.codebook.project, o, name="Sub", parent=s)),
            "its own descendant",
            400,
        ),
        (
            lambda s, t, o: (s, code_update(code=t, actor=o, data={"is_active": False})),
            "is deactivated",
            400,
        ),
    ],
    ids=["itself", "descendant", "inactive-target"],
)
def test_merge_refusals_write_nothing(study, arrange, message, status):
    project, users, (seg_a, _), source, target = study
    owner = users[Role.OWNER]
    source, target = arrange(source, target, owner)
    moved = code(project, users, seg_a, source)
    events, versions = AuditEvent.objects.count(), source.codebook.versions.count()
    with pytest.raises(ApplicationError, match=message) as error:
        code_merge(code=source, target=target, actor=owner, rationale=RATIONALE)
    assert error.value.status == status
    assert (AuditEvent.objects.count(), source.codebook.versions.count()) == (events, versions)
    assert Coding.objects.get(pk=moved.pk).code_id == source.pk


def test_merge_refuses_a_child_name_clash_and_rolls_back_the_moved_codings(study):
    project, users, (seg_a, _), source, target = study
    owner = users[Role.OWNER]
    make_code(project, owner, name="Police", parent=source)
    make_code(project, owner, name="Police", parent=target)
    moved = code(project, users, seg_a, source)
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError, match="already has sub-codes named 'Police'") as error:
        code_merge(code=source, target=target, actor=owner, rationale=RATIONALE)
    assert error.value.status == 409
    assert AuditEvent.objects.count() == events
    assert Coding.objects.get(pk=moved.pk).code_id == source.pk
    assert Code.objects.get(pk=source.pk).is_active


def test_merge_needs_a_rationale_and_cannot_repeat_or_be_undone_by_reactivation(study):
    project, users, _, source, target = study
    owner = users[Role.OWNER]
    with pytest.raises(ApplicationError, match="Give a rationale for a merge"):
        code_merge(code=source, target=target, actor=owner, rationale="  ")
    code_merge(code=source, target=target, actor=owner, rationale=RATIONALE)
    with pytest.raises(ApplicationError, match="already been merged") as error:
        code_merge(code=source, target=target, actor=owner, rationale=RATIONALE)
    assert error.value.status == 409
    with pytest.raises(ApplicationError, match="cannot be reactivated"):
        code_update(code=source, actor=owner, data={"is_active": True}, rationale="Undo.")
    with pytest.raises(ApplicationError, match="nothing goes under it"):
        make_code(project, owner, name="Late", parent=Code.objects.get(pk=source.pk), rationale="x")


def test_merge_into_another_codebook_is_refused(study):
    _, users, _, source, _ = study
    other = ProjectFactory(creator=users[Role.OWNER])
    foreign = make_code(other, users[Role.OWNER], name="Elsewhere")
    with pytest.raises(ApplicationError, match="another codebook"):
        code_merge(code=source, target=foreign, actor=users[Role.OWNER], rationale=RATIONALE)


# --- split --------------------------------------------------------------------------------------------


def test_split_creates_sub_codes_leaves_codings_and_records_the_split(study):
    project, users, (seg_a, _), source, _ = study
    owner = users[Role.OWNER]
    stays = code(project, users, seg_a, source)
    mark = audit_mark()

    created = code_split(
        code=source,
        actor=owner,
        new_codes=[
            {"name": "Harm to families", "definition": "Harm to participants' relatives."},
            {"name": "Harm to neighbourhoods", "colour": "#aa0000"},
        ],
        rationale="Two distinct ideas.",
    )

    assert [(c.name, c.parent_id, c.split_from_id) for c in created] == [
        ("Harm to families", source.pk, source.pk),
        ("Harm to neighbourhoods", source.pk, source.pk),
    ]
    assert created[0].definition == "Harm to participants' relatives."
    colours = set(Code.objects.filter(codebook=source.codebook).values_list("colour", flat=True))
    assert len(colours) == Code.objects.filter(codebook=source.codebook).count(), (
        "each new code takes a colour of its own unless given one, so sub-codes stay apart in the reader"
    )
    assert created[1].colour == "#aa0000"
    assert Coding.objects.get(pk=stays.pk).code_id == source.pk
    assert Code.objects.get(pk=source.pk).is_active
    assert actions_since(mark) == ["code.create", "code.create", "code.split", "codebook_version.create"]
    split_event = audit_since(mark)[2]
    assert split_event.after["split_into"] == [c.pk for c in created]
    version = codebook_current_version(codebook=source.codebook)
    assert version.rationale == "Two distinct ideas."
    assert {c["id"]: c["split_from"] for c in version.snapshot if c["split_from"]} == {
        created[0].pk: source.pk,
        created[1].pk: source.pk,
    }


def test_split_can_retire_the_original_and_is_all_or_nothing(study):
    project, users, _, source, _ = study
    owner = users[Role.OWNER]
    make_code(project, owner, name="Taken", parent=source)
    events, codes = AuditEvent.objects.count(), Code.objects.count()
    with pytest.raises(ApplicationError, match="already exists under"):
        code_split(
            code=source, actor=owner, new_codes=[{"name": "Fresh"}, {"name": "Taken"}], rationale="Split."
        )
    assert (AuditEvent.objects.count(), Code.objects.count()) == (events, codes)
    with pytest.raises(ApplicationError, match="repeat the name"):
        code_split(code=source, actor=owner, new_codes=[{"name": "A"}, {"name": "A"}], rationale="Split.")
    with pytest.raises(ApplicationError, match="Give a rationale for a split"):
        code_split(code=source, actor=owner, new_codes=[{"name": "A"}], rationale="")
    code_split(
        code=source, actor=owner, new_codes=[{"name": "A"}], rationale="Split.", deactivate_original=True
    )
    assert not Code.objects.get(pk=source.pk).is_active


# --- move ---------------------------------------------------------------------------------------------


def test_a_moved_code_goes_to_the_end_of_its_new_siblings_and_the_move_is_audited(study):
    project, users, _, source, target = study
    owner = users[Role.OWNER]
    make_code(project, owner, name="First", parent=target)
    mark = audit_mark()
    moved = code_update(code=source, actor=owner, data={"parent": target}, rationale="Belongs there.")
    assert (moved.parent_id, moved.position) == (target.pk, 1)
    assert actions_since(mark) == ["code.move", "codebook_version.create"]
    event = audit_since(mark)[0]
    assert (event.before["parent"], event.after["parent"]) == (None, target.pk)
    with pytest.raises(ApplicationError, match="under itself or one of its descendants"):
        code_update(code=target, actor=owner, data={"parent": moved}, rationale="Cycle.")
