"""Helpers for the browser tests (``tests/frontend/test_browser*.py``): signing in, waiting, and checking
a page with axe-core. The fixtures that start Chromium and the demo study are in ``conftest.py``."""

import re

PASSWORD = "intercoder-demo"  # the demo's published password
PHONE = {"width": 390, "height": 844}  # the small screen every coder journey is also walked on
DESKTOP = {"width": 1440, "height": 900}


def wait_for(page, condition, what: str, *, tries: int = 100):
    """Poll ``condition()`` every 100 ms until it is truthy; fail naming ``what``."""
    for _ in range(tries):
        value = condition()
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def sign_in(page, base_url, username, password=PASSWORD):
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in_at(open_page, live_server, username, path, **page_options):
    """A new page, signed in as ``username``, at ``path`` (e.g. ``/projects/1/#codebook``)."""
    page = open_page(**page_options)
    sign_in(page, live_server.url, username)
    page.wait_for_url(re.compile(r"/projects/$"))
    page.goto(f"{live_server.url}{path}")
    return page


def axe_violations(page) -> list[str]:
    """The accessibility violations axe-core finds on the page as it is now (WCAG 2.1 A and AA and
    best practices), one line each: rule, impact, and the first offending elements."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
            }
        },
    )
    lines = []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines


def assert_accessible(page, where: str = ""):
    """Fail with axe-core's findings when the page has any accessibility violation."""
    violations = axe_violations(page)
    assert violations == [], f"axe-core found violations{' on ' + where if where else ''}:\n" + "\n".join(
        violations
    )
