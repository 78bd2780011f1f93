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


def no_sideways_scroll(page) -> bool:
    """Whether the page fits the width of its viewport (wide content scrolls in its own box)."""
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def unfocused_tab_stops(page, stops: int = 40) -> list[str]:
    """Press Tab ``stops`` times from the top of the page; the elements that took focus without a visible
    focus indicator (an outline or a box shadow), one line each."""
    page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)")
    missing = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        found = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              const style = getComputedStyle(el);
              const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
              const shadow = style.boxShadow && style.boxShadow !== "none";
              // A card may show the focus of the link that covers it (:focus-within): an outline near it.
              let near = el.parentElement;
              let around = false;
              for (let i = 0; near && i < 3; i += 1, near = near.parentElement) {
                const s = getComputedStyle(near);
                if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) around = true;
              }
              const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "");
              return outline || shadow || around ? "" : name + " " + (el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 40);
            }"""
        )
        if found:
            missing.append(found)
    return missing
