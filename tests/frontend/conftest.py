"""Fixtures of the browser tests: Debian's Chromium driven by Playwright (never a downloaded browser), pages
that may reach only the live server, and the demo study with its plan applied.

``scripts/ensure_system_packages.sh`` installs /usr/bin/chromium; ``make test`` calls it first.
"""

import io
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.frontend.browser import DESKTOP

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium: run scripts/ensure_system_packages.sh")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Python Playwright is not installed")
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses to run next to
    # one unless told it is safe. It is: the test thread drives the browser and the ORM one after the other.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser, live_server):
    """New pages whose requests may only go to the live server; anything else is blocked and recorded, and
    the test fails on any uncaught error or Content-Security-Policy violation."""
    contexts = []
    offsite: list[str] = []
    errors: list[str] = []
    violations: list[str] = []
    server = urlsplit(live_server.url).netloc

    def _open(viewport=None, also_allow=(), **context_options):
        """A page in a browser context of its own (its own cookies: one person), ``viewport`` e.g. PHONE;
        ``also_allow``: other servers (host:port) it may reach, e.g. a sign-on provider."""
        allowed = {server, *also_allow}
        context = browser.new_context(viewport=viewport or DESKTOP, **context_options)
        contexts.append(context)

        def guard(route):
            if urlsplit(route.request.url).netloc in allowed or route.request.url.startswith("data:"):
                route.continue_()
            else:
                offsite.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        # Chromium reports every Content-Security-Policy violation on the console ("Refused to …").
        page.on(
            "console",
            lambda message: (
                violations.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    yield _open
    for context in contexts:
        context.close()
    assert offsite == [], f"the UI tried to reach other servers: {offsite}"
    assert errors == [], f"uncaught JavaScript errors: {errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def demo(transactional_db, live_server, monkeypatch):
    from django.conf import settings

    # live_server wraps settings in an override (ALLOWED_HOSTS), whose SETTINGS_MODULE is None; load_demo
    # reads it to refuse production settings.
    monkeypatch.setattr(settings, "SETTINGS_MODULE", os.environ["DJANGO_SETTINGS_MODULE"])
    call_command("load_demo", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    from annotate.assignments.models import AssignmentPlan
    from annotate.assignments.services import assignment_plan_apply
    from annotate.projects.models import Project

    project = Project.objects.get(name__endswith="(demo)")
    if not AssignmentPlan.objects.filter(project=project).exists():
        # The PI distributes the transcripts: each to one coder, in analysis order.
        users = get_user_model().objects.filter(username__in=["ana", "ben", "chioma"]).order_by("username")
        assignment_plan_apply(
            project=project,
            actor=project.created_by,
            data={
                "unit_type": "document",
                "coders": [{"user": u.pk} for u in users],
                "overlap": 1,
                "seed": 7,
            },
        )
    return project
