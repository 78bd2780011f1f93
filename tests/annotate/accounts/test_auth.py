import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from annotate.accounts.services import user_create
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture
def user(db):
    return UserFactory(username="zoë")


def test_token_for_username_and_password_authenticates_scripts(user):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "zoë", "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert APIClient().get("/api/v1/projects/").status_code == 401
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/auth/me/").json()["username"] == "zoë"
    assert APIClient(HTTP_AUTHORIZATION="Token not-a-token").get("/api/v1/projects/").status_code == 401


def test_wrong_password_says_so(user):
    response = APIClient().post("/api/v1/auth/token/", {"username": "zoë", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Wrong username or password."}


def test_session_login_and_logout(user):
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/auth/login/", {"username": "zoë", "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert client.get("/api/v1/auth/me/").status_code == 200
    csrf = client.cookies["csrftoken"].value
    assert client.post("/api/v1/auth/logout/", HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert client.get("/api/v1/auth/me/").status_code in (401, 403)


def test_login_attempts_are_rate_limited(user, settings):
    client = APIClient()
    statuses = [
        client.post(
            "/api/v1/auth/token/", {"username": "zoë", "password": "guess"}, format="json"
        ).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [400] * 10  # INTERCODER_LOGIN_RATE defaults to 10/min
    assert statuses[10:] == [429, 429]
    # Even the right password waits once the limit is hit.
    right = client.post("/api/v1/auth/token/", {"username": "zoë", "password": TEST_PASSWORD}, format="json")
    assert right.status_code == 429
    assert "throttled" in right.json()["detail"].lower()


def test_passwords_follow_djangos_validators(db):
    with pytest.raises(ValidationError, match="too short"):
        user_create(username="ana", password="short1")
    with pytest.raises(ValidationError, match="too common"):
        user_create(username="ana", password="password123")
    assert user_create(username="ana", password="a long and unusual passphrase").check_password(
        "a long and unusual passphrase"
    )


class TestTokenOnProjectUrls:
    """Token authentication reads the caller's membership of the project in the URL in the same query;
    everything a caller sees stays as DRF's token authentication and the role permission say."""

    @pytest.fixture
    def project(self, user):
        from annotate.accounts.services import api_token_create
        from annotate.projects.models import Role
        from tests.factories import ProjectFactory

        owner = UserFactory(username="pi")
        project = ProjectFactory(creator=owner)
        project.add_member(user, Role.VIEWER)
        self.tokens = {
            name: api_token_create(user=u, name="t")[1] for name, u in (("zoë", user), ("pi", owner))
        }
        outsider = UserFactory(username="outsider")
        self.tokens["outsider"] = api_token_create(user=outsider, name="t")[1]
        return project

    def client(self, name):
        return APIClient(HTTP_AUTHORIZATION=f"Token {self.tokens[name]}")

    def test_a_member_is_authenticated_and_checked_in_one_query(self, project):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = self.client("zoë").get(f"/api/v1/projects/{project.id}/")
        assert response.status_code == 200
        assert response.json()["role"] == "viewer"
        first = queries.captured_queries[0]["sql"]
        assert "accounts_apitoken" in first
        assert "projects_membership" in first
        assert not any("projects_membership" in q["sql"] for q in queries.captured_queries[1:]), (
            "the membership was read again"
        )

    def test_outsiders_get_404_roles_get_403_and_bad_tokens_401(self, project, user):
        assert self.client("outsider").get(f"/api/v1/projects/{project.id}/").status_code == 404
        assert self.client("zoë").get(f"/api/v1/projects/{project.id + 1000}/").status_code == 404
        assert (
            self.client("zoë").post(f"/api/v1/projects/{project.id}/codebook/codes/", {}).status_code == 403
        )
        assert self.client("pi").get(f"/api/v1/projects/{project.id}/").status_code == 200
        bad = APIClient(HTTP_AUTHORIZATION="Token not-a-token").get(f"/api/v1/projects/{project.id}/")
        assert (bad.status_code, bad.json()["detail"]) == (401, "Invalid token.")
        user.is_active = False
        user.save()
        inactive = self.client("zoë").get(f"/api/v1/projects/{project.id}/")
        assert (inactive.status_code, inactive.json()["detail"]) == (401, "User inactive or deleted.")


def _attempt(client, username, password="guess", **headers):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", **headers
    ).status_code


def test_rotating_x_forwarded_for_does_not_escape_the_limit(user):
    """No proxy is trusted by default: X-Forwarded-For is ignored, so every attempt counts for one address
    and one username however the header changes."""
    client = APIClient()
    statuses = [_attempt(client, "zoë", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}") for i in range(50)]
    assert 429 in statuses
    assert statuses.index(429) == 10  # INTERCODER_LOGIN_RATE: 10/min per username
    assert set(statuses[statuses.index(429) :]) == {429}


def test_behind_a_trusted_proxy_the_username_limit_still_holds(user, settings):
    """With one trusted proxy the client address comes from X-Forwarded-For (a new one each attempt
    here, as a botnet would): the per-username limit stops the guessing all the same."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient()
    statuses = [_attempt(client, "zoë", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}") for i in range(50)]
    assert statuses.index(429) == 10
    # A user behind another address entirely is not blocked by someone else's address...
    other = UserFactory(username="ana")
    assert _attempt(client, other.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1") == 200


def test_one_address_cannot_spray_many_usernames(db):
    client = APIClient()
    statuses = [_attempt(client, f"user{i}") for i in range(50)]
    assert statuses.index(429) == 30  # INTERCODER_LOGIN_ADDRESS_RATE: 30/min per address
    assert set(statuses[30:]) == {429}


def test_the_answer_never_tells_whether_an_account_exists(user):
    UserFactory(username="gone", is_active=False)
    answers = {
        name: APIClient()
        .post("/api/v1/auth/token/", {"username": name, "password": password}, format="json")
        .json()
        for name, password in (("zoë", "wrong"), ("nobody", "wrong"), ("gone", TEST_PASSWORD))
    }
    assert answers == {name: {"detail": "Wrong username or password."} for name in answers}


def test_the_token_endpoint_takes_form_fields_as_curl_sends_them(user):
    response = APIClient().post(
        "/api/v1/auth/token/",
        "username=zo%C3%AB&password=" + TEST_PASSWORD,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    assert response.json()["token"]


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("/projects/3/#codebook", "/projects/3/#codebook"),
        ("/projects/3/?segment=9", "/projects/3/?segment=9"),
        ("/\t/evil.example/", "/projects/"),  # what /login/?next=/%09/evil.example/ decodes to
        ("/\n/evil.example/", "/projects/"),
        ("//evil.example/", "/projects/"),
        ("/\\evil.example/", "/projects/"),
        ("https://evil.example/", "/projects/"),
        ("http://testserver/projects/", "/projects/"),  # same host, but not a path: refused all the same
        ("javascript:alert(1)", "/projects/"),
        ("/login/?next=//evil.example/", "/projects/"),
        ("", "/projects/"),
    ],
)
def test_after_signing_in_only_a_path_on_this_site_follows(user, requested, expected):
    response = APIClient().post(
        "/api/v1/auth/login/",
        {"username": "zoë", "password": TEST_PASSWORD, "next": requested},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["next"] == expected
