"""Password links: the reset form's rate limits (per email and per client address, real Redis cache,
answers that never tell whether an account exists) and the set-password link an administrator issues
for an existing user."""

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from annotate.accounts.models import AccountEvent
from tests.factories import TEST_PASSWORD, UserFactory

NEW_PASSWORD = "a long and unusual passphrase"
TOO_MANY = b"Too many reset requests from here or for this address. Try again in"


@pytest.fixture
def ana(db):
    return UserFactory(username="ana", email="ana@example.org")


def _reset(client, email, address):
    return client.post("/password-reset/", {"email": email}, HTTP_X_FORWARDED_FOR=address)


def test_reset_requests_are_limited_per_email_whatever_the_address(ana, client, settings):
    """Behind one trusted proxy each request comes from another address, as a botnet's would: the limit
    per email (3 an hour) holds, and reads the same for an address with an account and one without."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    answers = {}
    for email in ("ana@example.org", "nobody@example.org"):
        responses = [_reset(client, email, f"198.51.100.{i}") for i in range(6)]
        answers[email] = [r.status_code for r in responses]
        assert all(r["Location"] == "/password-reset/sent/" for r in responses[:3])
        assert all(TOO_MANY + b" 60 minutes." in r.content for r in responses[3:])
    assert answers["ana@example.org"] == answers["nobody@example.org"] == [302] * 3 + [429] * 3
    assert len(mail.outbox) == 3  # to ana only, and not past the limit
    # Another person's email from yet another address is not held up.
    UserFactory(username="ben", email="ben@example.org")
    assert _reset(client, "ben@example.org", "192.0.2.7").status_code == 302


def test_one_address_cannot_request_resets_for_many_emails(db, client):
    """No proxy is trusted by default: a forged X-Forwarded-For changes nothing, and one address gets 10
    requests an hour, for any emails."""
    statuses = [_reset(client, f"user{i}@example.org", f"203.0.113.{i}").status_code for i in range(25)]
    assert statuses == [302] * 10 + [429] * 15


def test_an_invalid_email_is_not_counted(db, client):
    for _ in range(5):
        response = client.post("/password-reset/", {"email": "not an address"})
        assert response.status_code == 200
        assert b"Enter a valid email address." in response.content
    assert _reset(client, "ana@example.org", "x").status_code == 302


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", is_staff=True)


def _link_for(client, user):
    return client.post(f"/api/v1/auth/users/{user.pk}/password-link/")


def test_an_administrator_issues_a_set_password_link_shown_once_and_mailed(
    admin, ana, client, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = _link_for(api, ana)
    assert answer.status_code == 201
    link = answer.json()["link"]
    assert re.fullmatch(r"http://testserver/reset/[\w-]+/[\w-]+/", link)
    assert answer.json()["mailed_to"] == "ana@example.org"
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert link in mail.outbox[0].body
    event = AccountEvent.objects.get()
    assert (event.user, event.actor, event.action) == (ana, admin, "password.link_issued")

    path = link.removeprefix("http://testserver")
    form = client.get(path, follow=True)
    assert b"Choose a new password" in form.content
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    ana.refresh_from_db()
    assert ana.check_password(NEW_PASSWORD)
    assert b"no longer works" in client.get(path, follow=True).content  # spent once used


def test_only_administrators_issue_links_and_only_for_active_accounts(
    admin, ana, settings, django_capture_on_commit_callbacks
):
    anonymous = APIClient()
    assert _link_for(anonymous, ana).status_code in (401, 403)
    ben = APIClient()
    ben.force_authenticate(UserFactory(username="ben"))
    assert _link_for(ben, ana).status_code == 403
    api = APIClient()
    api.force_authenticate(admin)
    assert api.post("/api/v1/auth/users/999999/password-link/").status_code == 404
    gone = UserFactory(username="gone", is_active=False)
    refused = _link_for(api, gone)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "gone is deactivated: reactivate the account first."
    settings.INTERCODER_LOCAL_PASSWORDS = False
    with django_capture_on_commit_callbacks(execute=True):
        assert _link_for(api, ana).status_code == 403
    assert not AccountEvent.objects.exists()
    assert not mail.outbox
    ana.refresh_from_db()
    assert ana.check_password(TEST_PASSWORD)
