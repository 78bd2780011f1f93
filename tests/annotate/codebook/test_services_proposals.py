"""Code proposals: a coder proposes, the PI accepts, merges or rejects, and the database keeps the
decision's invariants whatever the services do."""

import pytest
from django.utils import timezone

from annotate.codebook.models import Code, CodeProposal, ProposalStatus
from annotate.codebook.proposals import code_proposal_create, code_proposal_decide
from annotate.codebook.selectors import codebook_current_version, codebook_get
from annotate.codebook.services import code_update
from annotate.core.exceptions import ApplicationError
from annotate.projects.models import Role
from tests.annotate.db import actions_since, audit_mark, audit_since, constraints_immediate, rejected
from tests.factories import ProjectFactory, make_code, make_document


@pytest.fixture
def setting(project_with_members):
    project, users = project_with_members
    owner = users[Role.OWNER]
    segment = make_document(project, owner).segments.order_by("position")[1]
    theme = make_code(project, owner, name="Harm reduction")
    return project, users, codebook_get(project_id=project.id), segment, theme


def propose(setting, **kwargs):
    _, users, codebook, segment, _ = setting
    values = {"name": "Drug checking", "definition": "Testing drugs for adulterants.", "segment": segment}
    values.update(kwargs)
    return code_proposal_create(codebook=codebook, actor=users[Role.CODER], **values)


def test_a_proposal_is_recorded_and_audited_without_touching_the_codebook(setting):
    _, users, codebook, segment, theme = setting
    versions, mark = codebook.versions.count(), audit_mark()
    proposal = propose(setting, parent=theme)
    assert (proposal.status, proposal.segment_id, proposal.parent_id) == ("pending", segment.pk, theme.pk)
    assert proposal.proposed_by == users[Role.CODER]
    assert codebook.versions.count() == versions
    (event,) = audit_since(mark)
    assert (event.action, event.actor_id, event.after["name"]) == (
        "code_proposal.create",
        users[Role.CODER].pk,
        "Drug checking",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "A code needs a name"),
        ({"definition": ""}, "needs a definition"),
        ({"name": "A > B"}, "cannot contain '>'"),
    ],
)
def test_a_proposal_needs_a_name_and_a_definition(setting, kwargs, message):
    with pytest.raises(ApplicationError, match=message):
        propose(setting, **kwargs)


def test_a_proposal_cannot_point_at_another_projects_segment_or_code(setting):
    _, users, *_ = setting
    other = ProjectFactory(creator=users[Role.OWNER])
    foreign_segment = make_document(other, users[Role.OWNER]).segments.first()
    with pytest.raises(ApplicationError, match="another project"):
        propose(setting, segment=foreign_segment)
    with pytest.raises(ApplicationError, match="another codebook"):
        propose(setting, parent=make_code(other, users[Role.OWNER], name="Foreign"))


def test_accepting_makes_the_code_in_a_new_version(setting):
    _, users, codebook, _, theme = setting
    proposal = propose(setting, parent=theme)
    versions, mark = codebook.versions.count(), audit_mark()

    decided = code_proposal_decide(
        proposal=proposal, actor=users[Role.OWNER], decision="accepted", note="Comes up in P03 and P07."
    )

    code = Code.objects.get(pk=decided.code_id)
    assert (code.name, code.parent_id, code.definition) == (
        "Drug checking",
        theme.pk,
        "Testing drugs for adulterants.",
    )
    assert (decided.status, decided.decided_by, decided.decision_note) == (
        "accepted",
        users[Role.OWNER],
        "Comes up in P03 and P07.",
    )
    assert codebook.versions.count() == versions + 1
    assert "Comes up in P03 and P07." in codebook_current_version(codebook=codebook).rationale
    assert actions_since(mark) == ["code.create", "code_proposal.accept", "codebook_version.create"]
    event = audit_since(mark)[1]
    assert (event.before["status"], event.after["status"]) == ("pending", "accepted")


def test_merging_points_at_the_existing_code_and_leaves_the_codebook_alone(setting):
    _, users, codebook, _, theme = setting
    proposal = propose(setting)
    versions, mark = codebook.versions.count(), audit_mark()
    decided = code_proposal_decide(
        proposal=proposal, actor=users[Role.OWNER], decision="merged", target=theme, note="Same idea."
    )
    assert (decided.status, decided.code_id) == ("merged", theme.pk)
    assert codebook.versions.count() == versions
    assert actions_since(mark) == ["code_proposal.merge"]


def test_rejecting_records_the_note_and_a_decision_is_final(setting):
    _, users, *_ = setting
    proposal = propose(setting)
    mark = audit_mark()
    decided = code_proposal_decide(
        proposal=proposal, actor=users[Role.OWNER], decision="rejected", note="Too rare."
    )
    assert (decided.status, decided.code_id, decided.decision_note) == ("rejected", None, "Too rare.")
    assert audit_since(mark)[0].reason == "Too rare."
    with pytest.raises(ApplicationError, match="already been decided") as error:
        code_proposal_decide(
            proposal=proposal, actor=users[Role.OWNER], decision="accepted", note="Changed mind."
        )
    assert error.value.status == 409


@pytest.mark.parametrize(
    ("decision", "target", "note", "message"),
    [
        ("accepted", None, "", "Give a note"),
        ("merged", None, "Same.", "Name the existing code"),
        ("rejected", "theme", "No.", "only given when merging"),
        ("maybe", None, "Hm.", "accept, merge or reject"),
    ],
)
def test_bad_decisions_are_refused_and_leave_the_proposal_pending(setting, decision, target, note, message):
    _, users, _, _, theme = setting
    proposal = propose(setting)
    with pytest.raises(ApplicationError, match=message):
        code_proposal_decide(
            proposal=proposal,
            actor=users[Role.OWNER],
            decision=decision,
            target=theme if target else None,
            note=note,
        )
    assert CodeProposal.objects.get(pk=proposal.pk).status == "pending"


def test_merging_into_a_deactivated_code_or_accepting_a_clash_is_refused(setting):
    project, users, _, _, theme = setting
    owner = users[Role.OWNER]
    code_update(code=theme, actor=owner, data={"is_active": False})
    with pytest.raises(ApplicationError, match="deactivated"):
        code_proposal_decide(
            proposal=propose(setting), actor=owner, decision="merged", target=theme, note="x"
        )
    make_code(project, owner, name="Drug checking")
    proposal = propose(setting)
    with pytest.raises(ApplicationError, match="already exists") as error:
        code_proposal_decide(proposal=proposal, actor=owner, decision="accepted", note="Yes.")
    assert error.value.status == 409
    assert CodeProposal.objects.get(pk=proposal.pk).status == "pending"


# --- what the database refuses ------------------------------------------------------------------------


@pytest.fixture
def pending(setting):
    constraints_immediate()
    return propose(setting)


def test_db_a_pending_proposal_has_no_decision(pending, setting):
    _, users, *_ = setting
    with rejected("code_proposal_decided_iff_not_pending"):
        CodeProposal.objects.filter(pk=pending.pk).update(decided_by=users[Role.OWNER], decision_note="x")


def test_db_a_decision_has_a_decider_a_time_and_a_note(pending, setting):
    _, users, *_ = setting
    with rejected("code_proposal_decided_iff_not_pending"):
        CodeProposal.objects.filter(pk=pending.pk).update(status=ProposalStatus.REJECTED)
    with rejected("code_proposal_decided_iff_not_pending"):
        CodeProposal.objects.filter(pk=pending.pk).update(
            status=ProposalStatus.REJECTED, decided_by=users[Role.OWNER], decided_at=timezone.now()
        )


def test_db_accepted_and_merged_proposals_name_their_code_and_others_do_not(pending, setting):
    _, users, _, _, theme = setting
    decided = {"decided_by": users[Role.OWNER], "decided_at": timezone.now(), "decision_note": "n"}
    with rejected("code_proposal_code_iff_accepted_or_merged"):
        CodeProposal.objects.filter(pk=pending.pk).update(status=ProposalStatus.ACCEPTED, **decided)
    with rejected("code_proposal_code_iff_accepted_or_merged"):
        CodeProposal.objects.filter(pk=pending.pk).update(
            status=ProposalStatus.REJECTED, code=theme, **decided
        )
    with rejected("code_proposal_(status_valid|code_iff_accepted_or_merged)"):
        CodeProposal.objects.filter(pk=pending.pk).update(status="maybe", **decided)
    with rejected("code_proposal_definition_not_empty"):
        CodeProposal.objects.filter(pk=pending.pk).update(definition="")


def test_db_a_merged_code_is_inactive_and_guids_are_unique_per_codebook(setting):
    constraints_immediate()
    project, users, _, _, theme = setting
    other = make_code(project, users[Role.OWNER], name="Public health")
    with rejected("code_merged_is_inactive"):
        Code.objects.filter(pk=other.pk).update(merged_into=theme)
    with rejected("code_not_merged_into_itself"):
        Code.objects.filter(pk=theme.pk).update(merged_into=theme, is_active=False)
    with rejected("code_guid_unique_in_codebook"):
        Code.objects.filter(pk=other.pk).update(guid=theme.guid)
    elsewhere = make_code(ProjectFactory(creator=users[Role.OWNER]), users[Role.OWNER], name="Public health")
    Code.objects.filter(pk=elsewhere.pk).update(guid=theme.guid)  # the same code imported into another study
