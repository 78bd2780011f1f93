"""Every page, as each kind of member sees it, on a desktop and on a phone-sized screen: no accessibility
violation that axe-core finds, no sideways scrolling of the page (wide tables scroll in their own box),
and a visible focus on every stop of the keyboard's way through it."""

import pytest

from tests.frontend.browser import (
    DESKTOP,
    PHONE,
    axe_violations,
    no_sideways_scroll,
    signed_in_at,
    unfocused_tab_stops,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABS = {
    "pi": (
        "documents",
        "cases",
        "codebook",
        "members",
        "plan",
        "analysis",
        "adjudication",
        "explore",
        "exports",
    ),
    "dana": ("work", "adjudication", "analysis"),
    "ana": ("work", "documents", "cases", "codebook", "members", "explore", "exports"),
}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("username", list(TABS), ids=["owner", "adjudicator", "coder"])
def test_every_page_is_accessible_fits_the_screen_and_shows_focus(
    open_page, live_server, demo, username, viewport
):
    document = demo.documents.order_by("analysis_order").first()
    page = signed_in_at(open_page, live_server, username, "/projects/", viewport=viewport)
    problems = []

    def check(where):
        page.locator("#app h1").first.wait_for()
        page.wait_for_function("() => !document.querySelector('#app .loading')")
        problems.extend(f"{where}: {violation}" for violation in axe_violations(page))
        if not no_sideways_scroll(page):
            problems.append(f"{where}: the page scrolls sideways at {viewport['width']} px")
        if viewport is DESKTOP:
            problems.extend(f"{where}: no visible focus on {stop}" for stop in unfocused_tab_stops(page, 20))

    check("/projects/")
    page.goto(f"{live_server.url}/projects/{demo.id}/")
    page.get_by_role("tablist").wait_for()
    for tab in TABS[username]:
        page.evaluate("tab => { location.hash = tab; }", tab)
        page.locator(f"#panel-{tab}").wait_for()
        check(f"#{tab}")
    page.goto(f"{live_server.url}/projects/{demo.id}/documents/{document.id}/")
    check("the reader")
    page.goto(f"{live_server.url}/account/")
    check("/account/")
    if username == "pi":  # the demo's administrator
        page.goto(f"{live_server.url}/users/")
        check("/users/")
    assert problems == []


def test_the_api_reference_renders_from_this_server_under_the_policy(open_page, live_server, demo):
    """The reference page draws the schema's operations with nothing inline and nothing from elsewhere
    (``open_page`` fails the test on an off-site request or a Content-Security-Policy violation)."""
    page = signed_in_at(open_page, live_server, "pi", "/projects/")
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.locator(".opblock-summary-path", has_text="/api/v1/projects/{project_id}/audit/").first.wait_for()
    assert page.locator(".opblock").count() > 50
