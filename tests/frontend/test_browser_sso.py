"""Single sign-on in real Chromium: the sign-in page → the provider's own login and consent pages (a real
OpenID Connect provider, started here) → back in the project, signed in; refusals explained; and a server
with passwords turned off."""

import re
from urllib.parse import urlsplit

import pytest

from tests.frontend.browser import PASSWORD, assert_accessible, sign_in
from tests.frontend.oidc import oidc_provider, sso_settings, through_provider

pytestmark = [pytest.mark.browser]

ACCOUNTS = {
    "maria": {"email": "maria@uni.example", "email_verified": True, "name": "Maria Keller"},
    "stranger": {"email": "stranger@uni.example", "email_verified": True, "name": "S. Tranger"},
    # Claims an address of an account here, but the provider has not verified it.
    "pretender": {"email": "maria@uni.example", "email_verified": False, "name": "Not Maria"},
}


@pytest.fixture(scope="module")
def provider(live_server):
    with oidc_provider(redirect_uri=f"{live_server.url}/oidc/callback/", accounts=ACCOUNTS) as discovery:
        yield discovery


@pytest.fixture
def study(transactional_db, live_server, provider, settings):
    from annotate.accounts.services import user_create
    from annotate.projects.models import Role
    from tests.factories import ProjectFactory

    sso_settings(settings, provider)
    pi = user_create(username="pi", password=PASSWORD, email="pi@uni.example")
    pi.is_staff = True
    pi.save()
    maria = user_create(username="maria", password=PASSWORD, email="Maria@uni.example")
    project = ProjectFactory(creator=pi, name="Harm reduction study")
    project.add_member(maria, Role.CODER)
    return {"pi": pi, "maria": maria, "project": project}


def _sso_page(open_page, provider):
    return open_page(also_allow=(urlsplit(provider["issuer"]).netloc,))


def _sign_in_with_provider(page, live_server, login, next_path=""):
    page.goto(f"{live_server.url}/login/{'?next=' + next_path if next_path else ''}")
    page.get_by_role("link", name="Sign in with Test University").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/interaction/"))
    through_provider(page, login)


def test_a_member_signs_in_through_the_provider_and_lands_in_the_project(
    open_page, live_server, provider, study
):
    from annotate.accounts.models import AccountEvent, ExternalIdentity

    project, maria = study["project"], study["maria"]
    page = _sso_page(open_page, provider)
    page.goto(f"{live_server.url}/login/")
    assert_accessible(page, "the sign-in page with single sign-on")
    _sign_in_with_provider(page, live_server, "maria", next_path=f"/projects/{project.id}/")
    page.wait_for_url(f"{live_server.url}/projects/{project.id}/")
    page.get_by_role("heading", name="Harm reduction study").first.wait_for()

    identity = ExternalIdentity.objects.get(user=maria)
    assert (identity.issuer, identity.subject) == (provider["issuer"], "maria")
    assert list(AccountEvent.objects.filter(user=maria).values_list("action", flat=True)) == ["sso.linked"]

    # Later sign-ins find the account by the provider's subject, whatever its email here has become.
    maria.email = "m.keller@old-address.example"
    maria.save()
    again = _sso_page(open_page, provider)
    _sign_in_with_provider(again, live_server, "maria")
    again.wait_for_url(f"{live_server.url}/projects/")
    assert ExternalIdentity.objects.filter(user=maria).count() == 1

    # The administrator sees on the Users page that Maria signs in through the provider.
    admin = open_page()
    sign_in(admin, live_server.url, "pi")
    admin.wait_for_url(re.compile(r"/projects/$"))
    admin.goto(f"{live_server.url}/users/")
    row = admin.get_by_role("row").filter(has_text="maria")
    row.get_by_role("cell", name="Single sign-on").wait_for()


def test_an_unknown_or_unverified_email_is_refused_with_a_reason(open_page, live_server, provider, study):
    from annotate.accounts.models import ExternalIdentity

    page = _sso_page(open_page, provider)
    _sign_in_with_provider(page, live_server, "stranger")
    page.wait_for_url(re.compile(r"/login/$"))
    refusal = page.get_by_test_id("sso-error")
    assert "No account here uses stranger@uni.example" in refusal.inner_text()
    assert "invite you" in refusal.inner_text()
    assert_accessible(page, "the sign-in page with a refusal")

    pretender = _sso_page(open_page, provider)
    _sign_in_with_provider(pretender, live_server, "pretender")
    pretender.wait_for_url(re.compile(r"/login/$"))
    assert "did not confirm your email address" in pretender.get_by_test_id("sso-error").inner_text()
    pretender.goto(f"{live_server.url}/projects/")
    pretender.wait_for_url(re.compile(r"/login/\?next="))  # not signed in as anyone
    assert not ExternalIdentity.objects.exists()


def test_with_passwords_off_only_single_sign_on_signs_in(open_page, live_server, provider, study, settings):
    settings.INTERCODER_LOCAL_PASSWORDS = False
    page = _sso_page(open_page, provider)
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Sign in with Test University").wait_for()
    assert page.get_by_label("Password").count() == 0
    assert page.get_by_role("link", name="Forgot your password?").count() == 0
    assert_accessible(page, "the sign-in page without passwords")
    answer = page.request.post(
        f"{live_server.url}/api/v1/auth/token/", data={"username": "maria", "password": PASSWORD}
    )
    assert answer.status == 403
    assert "Passwords are turned off on this server" in answer.text()
    page.goto(f"{live_server.url}/password-reset/")
    page.get_by_role("heading", name="Passwords are turned off").wait_for()

    _sign_in_with_provider(page, live_server, "maria")
    page.wait_for_url(f"{live_server.url}/projects/")
    page.goto(f"{live_server.url}/account/")
    page.get_by_text("there is no password here to change").wait_for()


def test_an_invited_newcomer_joins_through_the_provider_without_a_password(
    open_page, live_server, provider, study, settings
):
    """Passwords off: the invitation page offers only the provider; the newcomer's verified email has
    an invitation waiting, so signing in makes their account, and back on the link they join."""
    from django.contrib.auth import get_user_model

    from annotate.accounts.invitations import invitation_create
    from annotate.projects.models import Membership, Role

    settings.INTERCODER_LOCAL_PASSWORDS = False
    project = study["project"]
    link = invitation_create(
        project=project,
        actor=study["pi"],
        email="stranger@uni.example",
        role=Role.CODER,
        site=live_server.url,
    ).link
    page = _sso_page(open_page, provider)
    page.goto(link)
    page.get_by_text(f"invites you to “{project.name}” as coder").wait_for()
    assert page.get_by_label("Password").count() == 0
    assert_accessible(page, "the invitation page with single sign-on only")
    page.get_by_role("link", name="Sign in with Test University").click()
    through_provider(page, "stranger")
    page.wait_for_url(link)
    page.get_by_role("button", name="Join as stranger").click()
    page.wait_for_url(f"{live_server.url}/projects/{project.id}/#work")
    stranger = get_user_model().objects.get(email="stranger@uni.example")
    assert Membership.objects.get(project=project, user=stranger).role == Role.CODER
    assert not stranger.has_usable_password()
