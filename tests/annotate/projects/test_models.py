"""What the database refuses for projects and memberships, whatever the services do."""

import pytest

from annotate.projects.models import Membership, Project, Role
from tests.annotate.db import constraints_immediate, rejected
from tests.factories import ProjectFactory, UserFactory


@pytest.fixture
def project(db):
    constraints_immediate()
    return ProjectFactory(creator=UserFactory(username="pi"))


def test_a_user_has_one_membership_per_project(project):
    with rejected("membership_one_per_user_and_project"):
        Membership.objects.create(project=project, user=project.created_by, role=Role.CODER)
    assert Membership.objects.get(project=project, user=project.created_by).role == Role.OWNER


def test_the_same_user_may_join_another_project(project):
    other = ProjectFactory(creator=UserFactory(username="other-pi"))
    Membership.objects.create(project=other, user=project.created_by, role=Role.CODER)
    assert project.created_by.memberships.count() == 2


@pytest.mark.parametrize("role", ["boss", "", "Owner", "reviewer"])
def test_a_membership_role_is_one_of_the_roles(project, role):
    with rejected("membership_role_valid"):
        Membership.objects.create(project=project, user=UserFactory(username="newcomer"), role=role)


@pytest.mark.parametrize("role", Role.values)
def test_every_role_is_accepted(project, role):
    membership = Membership.objects.create(project=project, user=UserFactory(username="newcomer"), role=role)
    assert Membership.objects.get(pk=membership.pk).role == role


def test_a_project_has_a_name(project):
    with rejected("project_name_not_empty"):
        Project.objects.create(name="", created_by=project.created_by)
    with rejected("project_name_not_empty"):
        Project.objects.filter(pk=project.pk).update(name="")
