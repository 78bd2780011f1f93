"""Signing in, joining and leaving, in real Chromium against the live server: the redirect after
sign-in, invitations, the Account and Users pages, password reset and deactivation."""

import re

import pytest
from django.contrib.auth import get_user_model

from tests.frontend.browser import PASSWORD, assert_accessible, sign_in, wait_for

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


def _pool_project(owner, coder):
    """A pool plan of two short transcripts with ``coder`` in it: units are claimed one by one."""
    from annotate.assignments.services import assignment_plan_apply
    from annotate.documents.services import SegmentSpec, paragraph_segments
    from annotate.projects.models import Role
    from tests.factories import ProjectFactory, make_case, make_code, make_document

    project = ProjectFactory(creator=owner, name="Harm reduction study")
    project.add_member(coder, Role.CODER)
    for n in (1, 2):
        text = f"Interviewer: What changed?\n\nQ{n}: We stopped charging possession.\n\nQ{n}: Treatment is voluntary."
        turns = [
            SegmentSpec(start=s.start, end=s.end, speaker="Interviewer" if i == 0 else f"Q{n}", codable=i > 0)
            for i, s in enumerate(paragraph_segments(text))
        ]
        make_document(
            project, owner, case=make_case(project, owner, identifier=f"Q{n}"), text=text, segments=turns
        )
    make_code(project, owner, name="Harm reduction")
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={"unit_type": "segment", "coders": [{"user": coder.pk}], "overlap": 1, "seed": 3},
    )
    return project


@pytest.fixture
def team(ana):
    from annotate.accounts.services import user_create

    pi = user_create(username="pi", password=PASSWORD, email="pi@example.org")
    pi.is_staff = True
    pi.save()
    return {"pi": pi, "ana": ana, "project": _pool_project(pi, ana)}


def _signed_in(open_page, live_server, username, path, password=PASSWORD):
    page = open_page()
    sign_in(page, live_server.url, username, password)
    page.wait_for_url(re.compile(r"/projects/$"))
    page.goto(f"{live_server.url}{path}")
    return page


def test_owner_invites_a_coder_who_joins_in_a_fresh_browser_and_codes(open_page, live_server, team):
    from annotate.assignments.services import assignment_plan_apply
    from annotate.coding.models import Coding

    project = team["project"]
    owner = _signed_in(open_page, live_server, "pi", f"/projects/{project.id}/#members")
    owner.get_by_label("Email").fill("nico@example.org")
    owner.get_by_label("Role", exact=True).select_option("coder")
    owner.get_by_role("button", name="Send invitation").click()
    link = owner.get_by_test_id("invitation-link").inner_text()
    assert link.startswith(f"{live_server.url}/invitations/")
    owner.get_by_role("cell", name="nico@example.org", exact=True).wait_for()
    assert_accessible(owner, "the Members tab with an invitation")

    coder = open_page()  # a fresh context: nobody signed in
    coder.goto(link)
    coder.get_by_text(f"invites you to “{project.name}” as coder").wait_for()
    assert_accessible(coder, "the invitation page")
    coder.get_by_label("Your name").fill("Nico Ortega")
    coder.get_by_label("Username").fill("nico")
    coder.get_by_label("Password").fill("a long and unusual passphrase")
    coder.get_by_role("button", name="Create account and join").click()
    coder.wait_for_url(f"{live_server.url}/projects/{project.id}/#work")
    coder.get_by_role("heading", name="My work").wait_for()

    # The PI puts the new coder in the plan (the Plan tab's re-plan); the coder starts coding.
    nico = get_user_model().objects.get(username="nico")
    assignment_plan_apply(
        project=project,
        actor=team["pi"],
        data={
            "unit_type": "segment",
            "coders": [{"user": team["ana"].pk}, {"user": nico.pk}],
            "overlap": 1,
            "seed": 3,
        },
    )
    coder.reload()
    coder.locator(".work-summary").get_by_role("button", name="Start coding").click()
    coder.wait_for_url(re.compile(r"/documents/\d+/\?segment=\d+$"))
    coder.locator(".segment.is-selected").wait_for()
    coder.keyboard.press("1")
    wait_for(coder, lambda: Coding.objects.filter(coder=nico).exists(), "the new coder's coding")
    # The link is spent.
    again = open_page()
    again.goto(link)
    again.get_by_text("already been used").wait_for()


def test_owner_resends_revokes_changes_roles_and_removes(open_page, live_server, team):
    from annotate.accounts.models import Invitation
    from annotate.projects.models import Membership

    project = team["project"]
    owner = _signed_in(open_page, live_server, "pi", f"/projects/{project.id}/#members")
    for email in ("one@example.org", "two@example.org"):
        owner.get_by_label("Email").fill(email)
        owner.get_by_role("button", name="Send invitation").click()
        owner.get_by_role("cell", name=email, exact=True).wait_for()
    first_link = owner.get_by_test_id("invitation-link").inner_text()
    owner.get_by_role("button", name="Resend to two@example.org").click()
    wait_for(owner, lambda: owner.get_by_test_id("invitation-link").inner_text() != first_link, "a new link")
    owner.get_by_role("button", name="Revoke one@example.org").click()
    wait_for(
        owner, lambda: Invitation.objects.get(email="one@example.org").state == "revoked", "the revocation"
    )
    owner.get_by_label("Role for two@example.org").select_option("viewer")
    wait_for(
        owner, lambda: Invitation.objects.get(email="two@example.org").role == "viewer", "the role change"
    )
    owner.get_by_label("Role of ana").select_option("adjudicator")
    wait_for(owner, lambda: Membership.objects.get(user=team["ana"]).role == "adjudicator", "ana's new role")
    owner.once("dialog", lambda dialog: dialog.accept())
    owner.get_by_role("button", name="Remove ana").click()
    wait_for(owner, lambda: not Membership.objects.filter(user=team["ana"]).exists(), "ana's removal")
    owner.get_by_role("button", name="Remove ana").wait_for(state="detached")


def test_password_reset_round_trip_by_mail(open_page, live_server, ana):
    from django.core import mail

    page = open_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page, "the password reset form")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_role("button", name="Mail me a link").click()
    page.get_by_role("heading", name="Check your mail").wait_for()
    link = wait_for(
        page, lambda: mail.outbox and re.search(r"http\S+/reset/\S+/", mail.outbox[-1].body), "the mail"
    )
    _set_password_and_sign_in(page, live_server, link.group(0), "ana")


def test_the_reset_form_says_when_to_try_again_past_its_limit(open_page, live_server, ana):
    page = open_page()
    for _ in range(3):  # INTERCODER_PASSWORD_RESET_RATE: 3 an hour per email
        page.goto(f"{live_server.url}/password-reset/")
        page.get_by_label("Email").fill("ana@example.org")
        page.get_by_role("button", name="Mail me a link").click()
        page.get_by_role("heading", name="Check your mail").wait_for()
    page.goto(f"{live_server.url}/password-reset/")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_role("button", name="Mail me a link").click()
    page.get_by_role("alert").filter(has_text="Too many reset requests").wait_for()
    assert "Try again in 60 minutes." in page.get_by_role("alert").inner_text()
    assert_accessible(page, "the reset form past its limit")


def _set_password_and_sign_in(page, live_server, link, username):
    """Open a set-password link, choose a new password there, and sign in with it."""
    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    assert_accessible(page, "the new password form")
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("New password confirmation").fill("a brand new passphrase")
    page.get_by_role("button", name="Set password").click()
    page.get_by_role("heading", name="Your password is set").wait_for()
    sign_in(page, live_server.url, username, "a brand new passphrase")
    page.wait_for_url(re.compile(r"/projects/$"))


def test_admin_gives_an_existing_user_a_new_password_link(open_page, live_server, team):
    """Ana forgot her password and the server has no mail: the administrator makes her a link on the
    Users page and passes it on; she sets a password there and signs in with it."""
    from django.core import mail

    from annotate.accounts.models import AccountEvent

    admin = _signed_in(open_page, live_server, "pi", "/users/")
    admin.get_by_role("button", name="New password link for ana").click()
    link = admin.get_by_test_id("password-link").inner_text()
    assert link.startswith(f"{live_server.url}/reset/")
    admin.get_by_text("mailed to ana@example.org; shown only now").wait_for()
    assert_accessible(admin, "the Users page with a password link")
    wait_for(admin, lambda: mail.outbox and link in mail.outbox[-1].body, "the mail to ana")
    assert AccountEvent.objects.get().action == "password.link_issued"

    ana = open_page()
    _set_password_and_sign_in(ana, live_server, link, "ana")
    ana.goto(link)
    ana.get_by_text("no longer works").wait_for()  # spent once used


def test_a_deactivated_coder_is_signed_out_on_the_next_request(open_page, live_server, team):
    coder = _signed_in(open_page, live_server, "ana", f"/projects/{team['project'].id}/#work")
    coder.get_by_role("heading", name="My work").wait_for()
    admin = _signed_in(open_page, live_server, "pi", "/users/")
    admin.get_by_role("heading", name="Users").wait_for()
    assert_accessible(admin, "the Users page")
    admin.get_by_role("button", name="Deactivate ana").click()
    admin.get_by_role("button", name="Reactivate ana").wait_for()
    coder.reload()
    coder.wait_for_url(re.compile(r"/login/"))


def test_account_page_name_and_a_token_shown_once(open_page, live_server, ana):
    page = _signed_in(open_page, live_server, "ana", "/account/")
    page.get_by_role("heading", name="Account").wait_for()
    page.get_by_label("Name your team sees").fill("Ana Silva")
    page.get_by_role("button", name="Save name").click()
    wait_for(page, lambda: get_user_model().objects.get(username="ana").first_name == "Ana Silva", "the name")
    page.get_by_label("Token name").fill("nightly export")
    page.get_by_role("button", name="Make token").click()
    key = page.get_by_test_id("token-key").inner_text()
    assert len(key) > 30
    assert_accessible(page, "the Account page")
    page.get_by_role("button", name="Revoke nightly export").click()
    page.get_by_text(re.compile("^Revoked ")).wait_for()
