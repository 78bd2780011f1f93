"""Accounts through the API and Django's password-reset views: the Account page's name, password and
named tokens; administrators' Users API; deactivation that takes effect at once."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from rest_framework.test import APIClient

from annotate.accounts.models import ApiToken
from annotate.assignments.models import Assignment, AssignmentStatus
from annotate.audit.models import AuditEvent
from annotate.coding_loop.queue import queue_next
from tests.annotate.assignments.study import apply_plan, build_study, coder_ids
from tests.factories import TEST_PASSWORD, UserFactory

NEW_PASSWORD = "a long and unusual passphrase"


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ana(db):
    return UserFactory(username="ana", email="ana@example.org")


def test_named_tokens_are_stored_hashed_shown_once_and_revocable(ana):
    client = client_of(ana)
    created = client.post("/api/v1/auth/account/tokens/", {"name": "nightly export"}, format="json").json()
    key = created["key"]
    token = ApiToken.objects.get()
    assert key not in (token.key_hash, token.prefix)
    assert key.startswith(token.prefix)
    listed = client.get("/api/v1/auth/account/tokens/").json()
    assert [(t["name"], t["revoked_at"]) for t in listed] == [("nightly export", None)]
    assert "key" not in listed[0]
    script = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert script.get("/api/v1/auth/me/").json()["username"] == "ana"
    assert client.delete(f"/api/v1/auth/account/tokens/{created['id']}/").json()["revoked_at"]
    assert script.get("/api/v1/auth/me/").status_code == 401
    # Someone else's token is not found.
    other = UserFactory(username="ben")
    assert client_of(other).delete(f"/api/v1/auth/account/tokens/{created['id']}/").status_code == 404
    assert client.post("/api/v1/auth/account/tokens/", {"name": " "}, format="json").status_code == 400


def test_display_name_and_password_change(ana):
    client = APIClient()
    client.post("/api/v1/auth/login/", {"username": "ana", "password": TEST_PASSWORD}, format="json")
    assert (
        client.patch("/api/v1/auth/account/", {"name": "Ana Silva"}, format="json").json()["name"]
        == "Ana Silva"
    )
    wrong = client.post(
        "/api/v1/auth/account/password/",
        {"current_password": "nope", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert (wrong.status_code, wrong.json()["detail"]) == (400, "Your current password is not right.")
    weak = client.post(
        "/api/v1/auth/account/password/",
        {"current_password": TEST_PASSWORD, "new_password": "short"},
        format="json",
    )
    assert weak.status_code == 400
    ok = client.post(
        "/api/v1/auth/account/password/",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert ok.status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 200  # this session stays signed in
    ana.refresh_from_db()
    assert ana.check_password(NEW_PASSWORD)


def test_password_reset_by_mail_with_djangos_views_never_says_who_exists(ana, client):
    for email in ("ana@example.org", "nobody@example.org"):
        response = client.post("/password-reset/", {"email": email})
        assert response.status_code == 302
        assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == "/reset/done/"
    ana.refresh_from_db()
    assert ana.check_password(NEW_PASSWORD)
    assert b"no longer works" in client.get(link, follow=True).content  # single use


def test_only_administrators_see_and_change_accounts(ana):
    admin = UserFactory(username="root", is_staff=True)
    assert client_of(ana).get("/api/v1/auth/users/").status_code == 403
    assert APIClient().get("/api/v1/auth/users/").status_code == 401
    found = client_of(admin).get("/api/v1/auth/users/", {"search": "EXAMPLE.org"}).json()["results"]
    assert [u["username"] for u in found] == ["ana"]
    assert (
        client_of(ana)
        .patch(f"/api/v1/auth/users/{admin.id}/", {"is_active": False}, format="json")
        .status_code
        == 403
    )


def test_an_administrator_creates_an_account_with_a_link_never_a_password(
    db, client, django_capture_on_commit_callbacks
):
    admin = UserFactory(username="root", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(admin).post(
            "/api/v1/auth/users/",
            {"username": "dana", "email": "dana@example.org", "name": "Dana K"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    link = response.json()["link"]
    assert link in mail.outbox[0].body
    dana = get_user_model().objects.get(username="dana")
    assert not dana.has_usable_password()
    path = link.removeprefix("http://testserver")
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "dana", "password": NEW_PASSWORD}, format="json")
        .status_code
        == 200
    )
    taken = client_of(admin).post(
        "/api/v1/auth/users/", {"username": "DANA", "email": "d@example.org"}, format="json"
    )
    assert taken.status_code == 409
    bad = client_of(admin).post("/api/v1/auth/users/", {"username": "eve", "email": "nope"}, format="json")
    assert bad.status_code == 400
    assert not get_user_model().objects.filter(username="eve").exists()


def test_deactivation_ends_sessions_revokes_tokens_and_releases_claims_at_once(db):
    study = build_study(n_documents=2, coders=2)
    coder = study.users["coder"]
    coder.is_staff = False
    admin = UserFactory(username="root", is_staff=True)
    apply_plan(study, unit_type="segment", coders=coder_ids(study, "coder", "coder2"), overlap=1)
    claimed = queue_next(project_id=study.project.id, user=coder)
    browser = APIClient()
    assert (
        browser.post(
            "/api/v1/auth/login/", {"username": "coder", "password": TEST_PASSWORD}, format="json"
        ).status_code
        == 200
    )
    key = client_of(coder).post("/api/v1/auth/account/tokens/", {"name": "t"}, format="json").json()["key"]
    response = client_of(admin).patch(f"/api/v1/auth/users/{coder.id}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert browser.get("/api/v1/auth/me/").status_code == 401  # signed out on the next request
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/auth/me/").status_code == 401
    assert ApiToken.objects.get(user=coder).revoked_at is not None
    slot = Assignment.objects.get(pk=claimed.pk)
    assert (slot.status, slot.coder_id) == (AssignmentStatus.OPEN, None)
    event = AuditEvent.objects.get(action="assignment_plan.release")
    assert (event.actor_id, event.reason) == (admin.id, "account deactivated")
    # Still a member (their codings and history stay theirs); reactivated, they sign in again.
    assert study.project.memberships.filter(user=coder).exists()
    assert (
        client_of(admin)
        .patch(f"/api/v1/auth/users/{coder.id}/", {"is_active": True}, format="json")
        .json()["is_active"]
    )
    assert (
        browser.post(
            "/api/v1/auth/login/", {"username": "coder", "password": TEST_PASSWORD}, format="json"
        ).status_code
        == 200
    )
    assert (
        client_of(admin)
        .patch(f"/api/v1/auth/users/{admin.id}/", {"is_active": False}, format="json")
        .status_code
        == 400
    )
