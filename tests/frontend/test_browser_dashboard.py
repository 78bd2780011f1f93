"""The PI's dashboard: what awaits adjudication (with the way into the queue), agreement over time and
codebook versions, and figures that follow the record without a reload: the server pushes them (server-sent
events), the page does not poll."""

import re

import pytest

from annotate.adjudication.selectors import adjudication_queue
from annotate.adjudication.services import decision_decide
from tests.frontend.browser import assert_accessible, sign_in, wait_for

pytestmark = [pytest.mark.browser]


def _dashboard(open_page, live_server, demo, *, refuse_events=False):
    """The PI's analysis tab, with every URL the page asks for recorded (``refuse_events``: each request
    for the event stream answered 503, as a proxy that does not pass it would)."""
    page = open_page()
    if refuse_events:
        page.route("**/analysis/events/", lambda route: route.fulfill(status=503, body="unavailable"))
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    sign_in(page, live_server.url, "pi")
    page.wait_for_url(re.compile(r"/projects/$"))
    page.goto(f"{live_server.url}/projects/{demo.id}/#analysis")
    return page, asked


def test_the_dashboard_shows_what_awaits_a_decision_and_follows_the_record(open_page, live_server, demo):
    from django.contrib.auth import get_user_model

    pi = get_user_model().objects.get(username="pi")
    waiting = adjudication_queue(project_id=demo.id)
    assert len(waiting) >= 2  # the demo leaves disagreements for the PI
    page, asked = _dashboard(open_page, live_server, demo)
    section = page.locator("section", has=page.get_by_role("heading", name="Adjudication"))
    section.get_by_text(re.compile(rf"^{len(waiting)} units?$")).wait_for()

    # Agreement over time: the figure and the same figures as a table.
    drift = page.get_by_role("table", name="Agreement over time and codebook versions")
    drift.wait_for()
    assert drift.locator("tbody tr").count() >= 1
    assert drift.get_by_role("rowheader", name=re.compile(r"^Codebook version \d+")).count() >= 1
    figure = page.locator("img.figure[src*='/agreement/']")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle())
    assert_accessible(page, "the analysis tab")

    # A decision taken elsewhere (another adjudicator, here the server itself) reaches the open tab
    # within a few seconds, without a reload.
    decision_decide(
        project_id=demo.id,
        actor=pi,
        segment_id=waiting[0].segment_id,
        method="union",
        rationale="Both readings hold.",
    )
    section.get_by_text(re.compile(rf"^{len(waiting) - 1} units?$")).wait_for(timeout=10_000)
    assert any(url.endswith("/analysis/events/") for url in asked), "the tab follows the event stream"
    assert not [url for url in asked if "/analysis/pulse/" in url], "and does not poll the pulse"

    # The way into the queue.
    section.get_by_role("link", name="Open the queue").click()
    page.get_by_role("tab", name=re.compile("Adjudication")).wait_for()
    wait_for(page, lambda: page.url.endswith("#adjudication"), "the adjudication tab")


def test_where_the_event_stream_cannot_open_the_dashboard_asks_the_pulse(open_page, live_server, demo):
    """A proxy that refuses the stream (here: every events request answered 503): the tab loads, and follows
    the record by asking the pulse every few seconds instead."""
    from django.contrib.auth import get_user_model

    pi = get_user_model().objects.get(username="pi")
    waiting = adjudication_queue(project_id=demo.id)
    page, asked = _dashboard(open_page, live_server, demo, refuse_events=True)
    section = page.locator("section", has=page.get_by_role("heading", name="Adjudication"))
    section.get_by_text(re.compile(rf"^{len(waiting)} units?$")).wait_for()
    decision_decide(
        project_id=demo.id, actor=pi, segment_id=waiting[0].segment_id, method="union", rationale="Both hold."
    )
    section.get_by_text(re.compile(rf"^{len(waiting) - 1} units?$")).wait_for(timeout=10_000)
    assert any("/analysis/pulse/" in url for url in asked)
