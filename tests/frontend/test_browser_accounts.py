"""Signing in, joining and leaving, in real Chromium against the live server: the redirect after
sign-in, invitations, the Account and Users pages, password reset and deactivation."""

import pytest

from tests.frontend.browser import PASSWORD

pytestmark = [pytest.mark.browser]


@pytest.fixture
def ana(transactional_db, live_server):
    from annotate.accounts.services import user_create

    return user_create(username="ana", password=PASSWORD, email="ana@example.org")


@pytest.mark.parametrize(
    ("next_param", "lands_on"),
    [
        ("/%09/evil.example/", "/projects/"),
        ("/%0A/evil.example/", "/projects/"),
        ("%2F%2Fevil.example%2F", "/projects/"),
        ("%2Fprojects%2F%3Fview%3Dall", "/projects/?view=all"),  # a page of the site is followed
    ],
)
def test_sign_in_never_leaves_the_site_whatever_next_says(open_page, live_server, ana, next_param, lands_on):
    page = open_page()
    page.goto(f"{live_server.url}/login/?next={next_param}")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{lands_on}")
