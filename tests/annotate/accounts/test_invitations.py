"""Invitations through the API: owners invite, resend, revoke and change the role; the link is signed,
single-use, expiring and revocable; bad links and bad input write nothing; every change is audited."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from annotate.accounts.models import Invitation
from annotate.assignments.models import Assignment, AssignmentStatus, PlanCoder
from annotate.audit.models import AuditEvent
from annotate.coding_loop.queue import queue_next
from annotate.projects.models import Membership, Role
from tests.annotate.assignments.study import apply_plan, build_study, coder_ids
from tests.factories import ProjectFactory, UserFactory

NEW_PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def owner(db):
    return UserFactory(username="pi")


@pytest.fixture
def project(owner):
    return ProjectFactory(creator=owner)


def client_of(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def invite(project, owner, email="new.coder@Example.ORG", role="coder"):
    return client_of(owner).post(
        f"/api/v1/projects/{project.id}/invitations/", {"email": email, "role": role}, format="json"
    )


def token_of(link: str) -> str:
    return re.search(r"/invitations/([^/]+)/$", link).group(1)


def record_counts():
    return (
        Invitation.objects.count(),
        Membership.objects.count(),
        get_user_model().objects.count(),
        AuditEvent.objects.count(),
    )


def test_owner_invites_by_email_the_link_is_mailed_and_shown_once(
    project, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(project, owner)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["email"], body["role"], body["state"]) == ("new.coder@example.org", "coder", "pending")
    assert body["link"].startswith("http://testserver/invitations/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.coder@example.org"]
    assert body["link"] in mail.outbox[0].body
    # Only a hash is stored; the list never shows the link again.
    invitation = Invitation.objects.get()
    assert token_of(body["link"]) not in invitation.token_hash
    listed = client_of(owner).get(f"/api/v1/projects/{project.id}/invitations/").json()["results"]
    assert [i["state"] for i in listed] == ["pending"]
    assert "link" not in listed[0]
    assert (body["expires_at"][:10]) == (timezone.now() + dt.timedelta(days=7)).date().isoformat()
    event = AuditEvent.objects.filter(action="invitation.create").get()
    assert event.after["email"] == "new.coder@example.org"


def test_a_new_person_chooses_a_name_and_password_and_lands_on_their_work(project, owner):
    link = invite(project, owner).json()["link"]
    anonymous = APIClient()
    opened = anonymous.get(f"/api/v1/invitations/{token_of(link)}/").json()
    assert opened["project"] == project.name
    assert opened["role"] == "coder"
    response = anonymous.post(
        f"/api/v1/invitations/{token_of(link)}/register/",
        {"username": "nico", "name": "Nico Ortega", "password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "project": project.id,
        "role": "coder",
        "next": f"/projects/{project.id}/#work",
    }
    user = get_user_model().objects.get(username="nico")
    assert (user.first_name, user.email) == ("Nico Ortega", "new.coder@example.org")
    assert Membership.objects.get(project=project, user=user).role == Role.CODER
    assert anonymous.get("/api/v1/auth/me/").json()["username"] == "nico"  # signed in
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions[-2:] == ["membership.create", "invitation.accept"]
    # Single use: the link is spent.
    again = APIClient().get(f"/api/v1/invitations/{token_of(link)}/")
    assert again.status_code == 410
    assert "already been used" in again.json()["detail"]


def test_a_signed_in_user_accepts_and_joins(project, owner):
    ana = UserFactory(username="ana", email="ana@example.org")
    link = invite(project, owner, email="ana@example.org", role="adjudicator").json()["link"]
    response = client_of(ana).post(f"/api/v1/invitations/{token_of(link)}/accept/")
    assert response.status_code == 200
    assert response.json()["next"] == f"/projects/{project.id}/"
    assert Membership.objects.get(project=project, user=ana).role == Role.ADJUDICATOR


@pytest.mark.parametrize(
    ("spoil", "status", "message"),
    [
        ("tamper", 400, "not valid"),
        ("expire", 410, "expired"),
        ("revoke", 410, "withdrawn by the project's owner"),
        ("use", 410, "already been used"),
        ("resend", 410, "replaced by a newer one"),
    ],
)
def test_a_link_that_cannot_be_used_says_why_and_writes_nothing(project, owner, spoil, status, message):
    issued = invite(project, owner).json()
    token = token_of(issued["link"])
    if spoil == "tamper":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif spoil == "expire":
        Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif spoil == "revoke":
        client_of(owner).delete(f"/api/v1/projects/{project.id}/invitations/{issued['id']}/")
    elif spoil == "use":
        client_of(UserFactory(username="first")).post(f"/api/v1/invitations/{token}/accept/")
    elif spoil == "resend":
        client_of(owner).post(f"/api/v1/projects/{project.id}/invitations/{issued['id']}/resend/")
    late = UserFactory(username="late")
    before = record_counts()
    for response in (
        APIClient().get(f"/api/v1/invitations/{token}/"),
        client_of(late).post(f"/api/v1/invitations/{token}/accept/"),
        APIClient().post(
            f"/api/v1/invitations/{token}/register/",
            {"username": "someone", "name": "Some One", "password": NEW_PASSWORD},
            format="json",
        ),
    ):
        assert response.status_code == status, response.json()
        assert message in response.json()["detail"]
    assert record_counts() == before
    assert not Membership.objects.filter(user=late).exists()


def test_bad_input_gets_4xx_and_writes_nothing(project, owner, settings):
    member = UserFactory(username="ben", email="ben@example.org")
    project.add_member(member, Role.CODER)
    outsider = UserFactory(username="out")
    before = record_counts()
    bad_email = invite(project, owner, email="not-an-email")
    assert (bad_email.status_code, "not an email address" in bad_email.json()["detail"]) == (400, True)
    already = invite(project, owner, email="BEN@example.org")
    assert (already.status_code, already.json()["detail"]) == (
        409,
        "BEN@example.org is already a member of this project.",
    )
    assert invite(project, owner, role="superuser").status_code == 400
    coder_attempt = client_of(member).post(
        f"/api/v1/projects/{project.id}/invitations/",
        {"email": "x@example.org", "role": "owner"},
        format="json",
    )
    assert coder_attempt.status_code == 403
    outsider = client_of(outsider).get(f"/api/v1/projects/{project.id}/invitations/")
    assert outsider.status_code == 404
    assert record_counts() == before
    # A pending invitation is not duplicated.
    assert invite(project, owner, email="dup@example.org").status_code == 201
    assert invite(project, owner, email="dup@example.org").status_code == 409
    # The hourly limit per project.
    settings.INTERCODER_INVITATIONS_PER_HOUR = 3
    assert invite(project, owner, email="two@example.org").status_code == 201
    assert invite(project, owner, email="three@example.org").status_code == 201
    over = invite(project, owner, email="four@example.org")
    assert over.status_code == 429
    assert "3 invitations in the last hour" in over.json()["detail"]
    assert not Invitation.objects.filter(email="four@example.org").exists()


def test_a_new_persons_bad_password_or_taken_username_writes_nothing(project, owner):
    token = token_of(invite(project, owner).json()["link"])
    UserFactory(username="taken")
    before = record_counts()
    weak = APIClient().post(
        f"/api/v1/invitations/{token}/register/",
        {"username": "nico", "name": "N", "password": "short"},
        format="json",
    )
    assert weak.status_code == 400
    assert "too short" in weak.json()["detail"]
    taken = APIClient().post(
        f"/api/v1/invitations/{token}/register/",
        {"username": "Taken", "name": "N", "password": NEW_PASSWORD},
        format="json",
    )
    assert taken.status_code == 409
    assert record_counts() == before
    assert Invitation.objects.get().state == "pending"


def test_already_a_member_cannot_accept_again(project, owner):
    ana = UserFactory(username="ana")
    project.add_member(ana, Role.VIEWER)
    token = token_of(invite(project, owner, email="other@example.org").json()["link"])
    before = record_counts()
    response = client_of(ana).post(f"/api/v1/invitations/{token}/accept/")
    assert response.status_code == 409
    assert record_counts() == before


def test_owner_changes_the_role_resends_and_revokes_each_audited(
    project, owner, django_capture_on_commit_callbacks
):
    issued = invite(project, owner).json()
    url = f"/api/v1/projects/{project.id}/invitations/{issued['id']}/"
    assert client_of(owner).patch(url, {"role": "viewer"}, format="json").json()["role"] == "viewer"
    with django_capture_on_commit_callbacks(execute=True):
        resent = client_of(owner).post(url + "resend/").json()
    assert resent["link"] != issued["link"]
    assert resent["link"] in mail.outbox[-1].body
    assert client_of(owner).delete(url).json()["state"] == "revoked"
    assert client_of(owner).delete(url).status_code == 409  # revoked once is enough
    assert client_of(owner).post(url + "resend/").status_code == 409
    actions = list(
        AuditEvent.objects.filter(object_type="accounts.invitation")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["invitation.create", "invitation.update", "invitation.resend", "invitation.revoke"]


def test_removing_a_member_keeps_their_codings_and_returns_their_units_to_the_pool(db):
    from annotate.coding.models import Coding
    from annotate.coding.services import coding_create

    study = build_study(n_documents=2, coders=2)
    owner, coder = study.users["owner"], study.users["coder"]
    apply_plan(study, unit_type="segment", coders=coder_ids(study, "coder", "coder2"), overlap=1)
    claimed = queue_next(project_id=study.project.id, user=coder)
    assert claimed is not None
    coding_create(project_id=study.project.id, segment=claimed.segment, code=study.codes[0], coder=coder)
    membership = Membership.objects.get(project=study.project, user=coder)
    response = client_of(owner).delete(f"/api/v1/projects/{study.project.id}/members/{membership.id}/")
    assert response.status_code == 204
    slot = Assignment.objects.get(pk=claimed.pk)
    assert (slot.status, slot.coder_id) == (AssignmentStatus.OPEN, None)
    assert not PlanCoder.objects.get(plan__project=study.project, user=coder).active
    release = AuditEvent.objects.get(action="assignment_plan.release")
    assert release.before["assignments"] == [claimed.pk]
    assert Coding.objects.filter(coder=coder, segment=claimed.segment).count() == 1  # the record keeps it
    removal = AuditEvent.objects.get(action="membership.delete")
    assert removal.after == {"units_released": 1}
    assert removal.sequence == release.sequence + 1  # one transaction, in order
    # The released unit goes to the next coder who asks.
    assert queue_next(project_id=study.project.id, user=study.users["coder2"]).pk == claimed.pk
