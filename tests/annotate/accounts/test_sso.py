"""Single sign-on without a browser: which account a provider's identity signs in to (``sso_user_for``),
the flow's start (PKCE, the issuer's endpoints, ``next``), the ID token's issuer and audience, and a server
with local passwords turned off. The browser walk against a real provider is in
tests/frontend/test_browser_sso.py."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import SuspiciousOperation
from rest_framework.test import APIClient

from annotate.accounts.models import AccountEvent, ExternalIdentity
from annotate.accounts.services import SsoRefused, sso_user_for
from annotate.accounts.sso import OidcBackend
from annotate.projects.models import Role
from tests.factories import TEST_PASSWORD, ProjectFactory, UserFactory

ISSUER = "https://idp.uni.example"


def _claims(email, verified=True, **more):
    return {"email": email, "email_verified": verified, **more}


@pytest.fixture
def maria(db):
    return UserFactory(username="maria", email="Maria@uni.example")


def test_the_first_sign_in_links_by_verified_email_and_later_ones_by_subject(maria):
    assert sso_user_for(issuer=ISSUER, subject="s-1", claims=_claims("maria@UNI.example")) == maria
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.issuer, identity.subject) == (maria, ISSUER, "s-1")
    event = AccountEvent.objects.get()
    assert (event.user, event.action, event.detail["subject"]) == (maria, "sso.linked", "s-1")
    # The provider's email changes (or is no longer sent): the subject still finds her.
    assert sso_user_for(issuer=ISSUER, subject="s-1", claims={"email_verified": False}) == maria
    assert AccountEvent.objects.count() == 1


@pytest.mark.parametrize("verified", [False, None, "false"])
def test_an_unverified_email_matches_nobody(maria, verified):
    with pytest.raises(SsoRefused, match="did not confirm your email address"):
        sso_user_for(issuer=ISSUER, subject="s-2", claims=_claims("maria@uni.example", verified))
    assert not ExternalIdentity.objects.exists()


def test_an_unknown_email_is_refused_unless_invited_or_its_domain_is_listed(db, settings):
    with pytest.raises(
        SsoRefused, match=re.escape("No account here uses nico@uni.example. Ask a project owner")
    ):
        sso_user_for(issuer=ISSUER, subject="s-3", claims=_claims("nico@uni.example", name="Nico"))

    settings.INTERCODER_OIDC_CREATE_DOMAINS = ["uni.example", "lab.uni.example"]
    nico = sso_user_for(issuer=ISSUER, subject="s-3", claims=_claims("nico@uni.example", name="Nico"))
    assert (nico.username, nico.email, nico.first_name) == ("nico", "nico@uni.example", "Nico")
    assert not nico.has_usable_password()
    assert AccountEvent.objects.get(user=nico).action == "sso.account_created"
    # A second person with the same local part gets a username of their own.
    other = sso_user_for(issuer=ISSUER, subject="s-4", claims=_claims("Nico@lab.uni.example"))
    assert other.username == "Nico2"
    with pytest.raises(SsoRefused, match=re.escape("No account here uses nico@physics.example")):
        sso_user_for(issuer=ISSUER, subject="s-8", claims=_claims("nico@physics.example"))


def test_a_pending_invitation_lets_its_address_have_an_account(db):
    from annotate.accounts.invitations import invitation_create, invitation_revoke

    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    issued = invitation_create(
        project=project, actor=owner, email="ines@uni.example", role=Role.CODER, site="http://x"
    )
    invitation_revoke(invitation=issued.invitation, actor=owner)
    with pytest.raises(SsoRefused, match="No account here uses"):
        sso_user_for(issuer=ISSUER, subject="s-5", claims=_claims("ines@uni.example"))
    invitation_create(
        project=project, actor=owner, email="ines@uni.example", role=Role.CODER, site="http://x"
    )
    ines = sso_user_for(issuer=ISSUER, subject="s-5", claims=_claims("ines@uni.example"))
    assert ines.email == "ines@uni.example"


def test_deactivated_duplicated_and_already_linked_accounts_are_refused(maria):
    gone = UserFactory(username="gone", email="gone@uni.example", is_active=False)
    with pytest.raises(SsoRefused, match="deactivated"):
        sso_user_for(issuer=ISSUER, subject="s-6", claims=_claims(gone.email))
    UserFactory(username="twin1", email="twin@uni.example")
    UserFactory(username="twin2", email="TWIN@uni.example")
    with pytest.raises(SsoRefused, match=re.escape("More than one account here uses twin@uni.example")):
        sso_user_for(issuer=ISSUER, subject="s-7", claims=_claims("twin@uni.example"))
    sso_user_for(issuer=ISSUER, subject="s-1", claims=_claims("maria@uni.example"))
    with pytest.raises(SsoRefused, match="linked to another identity"):
        sso_user_for(issuer=ISSUER, subject="someone-else", claims=_claims("maria@uni.example"))
    # Deactivating a linked account stops its sign-ins too.
    maria.is_active = False
    maria.save()
    with pytest.raises(SsoRefused, match="deactivated"):
        sso_user_for(issuer=ISSUER, subject="s-1", claims={})
    assert ExternalIdentity.objects.count() == 1


@pytest.fixture
def sso_on(settings):
    settings.INTERCODER_OIDC_ENABLED = True
    settings.INTERCODER_OIDC_PROVIDER_NAME = "Uni Login"
    settings.OIDC_OP_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "intercoder"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{ISSUER}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{ISSUER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{ISSUER}/me"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{ISSUER}/jwks"
    return settings


def test_single_sign_on_is_off_by_default(db, client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert b"/oidc/authenticate/" not in client.get("/login/").content


def test_the_flow_starts_with_a_pkce_challenge_and_keeps_next_on_this_site(db, client, sso_on):
    page = client.get("/login/?next=/projects/7/").content.decode()
    assert 'href="/oidc/authenticate/?next=%2Fprojects%2F7%2F">Sign in with Uni Login' in page
    response = client.get("/oidc/authenticate/?next=/projects/7/")
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{ISSUER}/auth"
    query = parse_qs(location.query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert client.session["oidc_login_next"] == "/projects/7/"
    client.get("/oidc/authenticate/?next=/%09/evil.example/")
    assert client.session["oidc_login_next"] == "/projects/"


@pytest.mark.parametrize(
    ("claims", "accepted"),
    [
        ({"iss": ISSUER, "aud": "intercoder"}, True),
        ({"iss": ISSUER, "aud": ["other", "intercoder"]}, True),
        ({"iss": "https://evil.example", "aud": "intercoder"}, False),
        ({"iss": ISSUER, "aud": "another-client"}, False),
    ],
)
def test_an_id_token_must_come_from_the_issuer_for_this_client(db, sso_on, monkeypatch, claims, accepted):
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend

    # The library has checked the signature and nonce; what it returns is the token's payload.
    monkeypatch.setattr(OIDCAuthenticationBackend, "verify_token", lambda self, token, **kw: claims)
    backend = OidcBackend()
    if accepted:
        assert backend.verify_token("token") == claims
    else:
        with pytest.raises(SuspiciousOperation):
            backend.verify_token("token")


def test_with_passwords_off_every_password_path_refuses_and_says_why(maria, client, sso_on):
    sso_on.INTERCODER_LOCAL_PASSWORDS = False
    api = APIClient()
    for path in ("/api/v1/auth/token/", "/api/v1/auth/login/"):
        answer = api.post(path, {"username": "maria", "password": TEST_PASSWORD}, format="json")
        assert answer.status_code == 403
        assert answer.json()["detail"] == (
            "Passwords are turned off on this server. Sign in with Uni Login instead."
        )
    api.force_authenticate(maria)
    change = api.post(
        "/api/v1/auth/account/password/",
        {"current_password": TEST_PASSWORD, "new_password": "a long and unusual passphrase"},
        format="json",
    )
    assert change.status_code == 403
    assert api.get("/api/v1/auth/account/").json()["passwords"] is False
    maria.refresh_from_db()
    assert maria.check_password(TEST_PASSWORD)
    page = client.get("/login/").content.decode()
    assert 'id="password"' not in page
    assert "Sign in with Uni Login" in page
    for path in ("/password-reset/", "/reset/MQ/set-password/"):
        response = client.get(path)
        assert response.status_code == 403
        assert b"Passwords are turned off" in response.content


def test_the_users_list_tells_administrators_who_signs_in_with_the_provider(
    maria, django_assert_max_num_queries
):
    admin = UserFactory(username="admin", is_staff=True)
    sso_user_for(issuer=ISSUER, subject="s-1", claims=_claims("maria@uni.example"))
    api = APIClient()
    api.force_authenticate(admin)
    with django_assert_max_num_queries(4):
        listed = api.get("/api/v1/auth/users/").json()["results"]
    assert {u["username"]: u["single_sign_on"] for u in listed} == {"admin": False, "maria": True}
