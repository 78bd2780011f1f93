"""Project and membership services: each change and its audit event commit together, and a project
always keeps an owner."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from annotate.codebook.models import Codebook
from annotate.core.exceptions import ApplicationError
from annotate.projects.models import Membership, Project, Role
from annotate.projects.services import (
    membership_add,
    membership_change_role,
    membership_remove,
    project_create,
    project_update,
)
from tests.annotate.db import actions_since, audit_mark, audit_since
from tests.factories import UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(username="pi")


@pytest.fixture
def project(owner):
    return project_create(creator=owner, name="Prosecutors", description="Drug-policy reform")


def membership_of(project, user) -> Membership:
    return Membership.objects.get(project=project, user=user)


def test_project_create_records_the_project_its_owner_and_its_codebook(owner):
    mark = audit_mark()
    project = project_create(creator=owner, name="Prosecutors")
    events = audit_since(mark)
    assert [e.action for e in events] == [
        "project.create",
        "membership.create",
        "codebook.create",
        "codebook_version.create",
    ]
    assert {e.project_id for e in events} == {project.id}
    assert {e.actor_id for e in events} == {owner.id}
    assert events[0].before is None
    assert events[0].after == {
        "id": project.id,
        "name": "Prosecutors",
        "description": "",
        "coders_may_reopen": True,
    }
    assert events[1].after == {"user": owner.id, "username": "pi", "role": "owner"}
    assert membership_of(project, owner).role == Role.OWNER
    assert Codebook.objects.get(project=project).versions.get().number == 1


def test_a_project_without_a_name_is_refused_and_leaves_nothing(owner):
    mark = audit_mark()
    with pytest.raises(ValidationError, match="name"):
        project_create(creator=owner, name="")
    assert not Project.objects.exists()
    assert audit_since(mark) == []


def test_project_update_records_before_and_after(project, owner):
    mark = audit_mark()
    project_update(project=project, actor=owner, data={"name": "Prosecutors II"})
    (event,) = audit_since(mark)
    assert event.action == "project.update"
    unchanged = {"description": "Drug-policy reform", "coders_may_reopen": True}
    assert event.before == {"id": project.id, "name": "Prosecutors", **unchanged}
    assert event.after == {"id": project.id, "name": "Prosecutors II", **unchanged}


def test_an_update_that_changes_nothing_records_nothing(project, owner):
    mark = audit_mark()
    project_update(project=project, actor=owner, data={"name": "Prosecutors"})
    assert audit_since(mark) == []


def test_the_change_rolls_back_when_its_event_cannot_be_written(project, owner):
    with (
        mock.patch("annotate.audit.services._append", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError, match="audit down"),
    ):
        project_update(project=project, actor=owner, data={"name": "Never saved"})
    project.refresh_from_db()
    assert project.name == "Prosecutors"


def test_membership_add_records_who_and_which_role(project, owner):
    coder = UserFactory(username="ana")
    mark = audit_mark()
    membership = membership_add(project=project, actor=owner, username="ana", role=Role.CODER)
    (event,) = audit_since(mark)
    assert (event.action, event.object_id, event.actor_id) == (
        "membership.create",
        str(membership.id),
        owner.id,
    )
    assert event.after == {"user": coder.id, "username": "ana", "role": "coder"}


@pytest.mark.parametrize(
    ("username", "role", "message", "status"),
    [
        ("ghost", Role.CODER, "No user is called 'ghost'; ask them to create an account first.", 400),
        ("ana", "reviewer", "Unknown role 'reviewer'; use one of owner, adjudicator, coder, viewer.", 400),
        ("pi", Role.CODER, "pi is already a member of this project; change their role instead.", 409),
    ],
)
def test_membership_add_refusals_leave_nothing(project, owner, username, role, message, status):
    UserFactory(username="ana")
    members, mark = Membership.objects.count(), audit_mark()
    with pytest.raises(ApplicationError) as refused:
        membership_add(project=project, actor=owner, username=username, role=role)
    assert (refused.value.message, refused.value.status) == (message, status)
    assert Membership.objects.count() == members
    assert audit_since(mark) == []


def test_membership_change_role_records_before_and_after(project, owner):
    coder = UserFactory(username="ana")
    membership = membership_add(project=project, actor=owner, username="ana", role=Role.CODER)
    mark = audit_mark()
    membership_change_role(membership=membership, actor=owner, role=Role.ADJUDICATOR)
    (event,) = audit_since(mark)
    assert event.action == "membership.update"
    assert (event.before, event.after) == (
        {"user": coder.id, "role": "coder"},
        {"user": coder.id, "role": "adjudicator"},
    )
    assert membership_of(project, coder).role == Role.ADJUDICATOR


def test_changing_to_the_same_role_records_nothing(project, owner):
    mark = audit_mark()
    membership_change_role(membership=membership_of(project, owner), actor=owner, role=Role.OWNER)
    assert audit_since(mark) == []


@pytest.mark.parametrize("role", [Role.ADJUDICATOR, Role.CODER, Role.VIEWER])
def test_the_last_owner_cannot_be_demoted(project, owner, role):
    mark = audit_mark()
    with pytest.raises(ApplicationError, match="A project needs at least one owner"):
        membership_change_role(membership=membership_of(project, owner), actor=owner, role=role)
    assert membership_of(project, owner).role == Role.OWNER
    assert audit_since(mark) == []


def test_the_last_owner_cannot_be_removed(project, owner):
    mark = audit_mark()
    with pytest.raises(ApplicationError, match="A project needs at least one owner"):
        membership_remove(membership=membership_of(project, owner), actor=owner)
    assert membership_of(project, owner).role == Role.OWNER
    assert audit_since(mark) == []


def test_with_a_second_owner_the_first_may_step_down_and_leave(project, owner):
    co_pi = UserFactory(username="co-pi")
    membership_add(project=project, actor=owner, username="co-pi", role=Role.OWNER)
    membership_change_role(membership=membership_of(project, owner), actor=owner, role=Role.VIEWER)
    mark = audit_mark()
    membership_remove(membership=membership_of(project, owner), actor=co_pi)
    (event,) = audit_since(mark)
    assert (event.action, event.before, event.after) == (
        "membership.delete",
        {"user": owner.id, "role": "viewer"},
        None,
    )
    assert list(Membership.objects.filter(project=project).values_list("user__username", "role")) == [
        ("co-pi", "owner")
    ]
    # Now co-pi is the last owner.
    with pytest.raises(ApplicationError, match="at least one owner"):
        membership_remove(membership=membership_of(project, co_pi), actor=co_pi)


def test_a_member_other_than_an_owner_may_be_removed(project, owner):
    viewer = UserFactory(username="vic")
    membership_add(project=project, actor=owner, username="vic", role=Role.VIEWER)
    mark = audit_mark()
    membership_remove(membership=membership_of(project, viewer), actor=owner)
    assert actions_since(mark) == ["membership.delete"]
    assert not Membership.objects.filter(project=project, user=viewer).exists()
