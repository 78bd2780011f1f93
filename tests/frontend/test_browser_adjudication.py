"""The adjudicator's journey in Chromium: queue items say where they are (transcript, case, the reader's ¶
number, an excerpt), a unit is read with its neighbouring turns, and a decision that needs a rationale asks
for it in place instead of failing; also on a phone-sized screen."""

import re

import pytest
from rest_framework.test import APIClient

from tests.frontend.browser import PHONE, assert_accessible, signed_in_at, wait_for

pytestmark = [pytest.mark.browser]


def _queue(project):
    client = APIClient()
    client.force_authenticate(user=project.created_by)
    return client, client.get(f"/api/v1/projects/{project.id}/adjudication/queue/").json()["results"]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_adjudicator_reads_a_unit_in_context_and_is_asked_for_a_rationale_in_place(
    open_page, live_server, demo, viewport
):
    from annotate.adjudication.models import Decision
    from annotate.audit.models import AuditEvent

    client, queue = _queue(demo)
    needs_reason = next(
        item
        for item in queue
        if client.get(f"/api/v1/projects/{demo.id}/adjudication/units/{item['segment_id']}/").json()[
            "rationale_required"
        ]["union"]
    )
    where = needs_reason["where"]
    title = f"¶{where['segment_number']} · {where['document_title']} ({where['case']})"

    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#adjudication", viewport=viewport)
    item = page.locator(".queue-list li", has=page.get_by_role("button", name=title, exact=True))
    item.wait_for()
    assert where["excerpt"] in item.inner_text()
    assert_accessible(page, "the adjudication queue")

    item.get_by_role("button", name=title, exact=True).click()
    page.get_by_role("heading", name=re.compile(rf"¶{where['segment_number']}\b")).wait_for()
    context = page.get_by_label("The unit in its transcript")
    assert context.locator(".turn").count() >= 2  # turns before and after
    assert context.locator(".turn.is-context").count() >= 1  # the interviewer's, as context
    assert_accessible(page, "the unit view")
    if viewport:
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")

    # u (the union) without a rationale: asked for one in place; nothing is sent, nothing decided.
    page.locator("#unit-title").click()
    page.keyboard.press("u")
    page.get_by_text(re.compile("Write a rationale first")).wait_for()
    assert page.evaluate("document.activeElement.id") == "rationale"
    assert page.locator("#rationale").get_attribute("aria-invalid") == "true"
    assert page.locator("#rationale").input_value() == ""  # the key decided nothing and typed nothing
    assert not Decision.objects.filter(project=demo).exists()
    # Typing in the rationale does not trigger the decision keys.
    page.keyboard.type("Both readings hold: the passage names naloxone and diversion.")
    assert not Decision.objects.filter(project=demo).exists()
    page.get_by_role("button", name="Union of all coders").click()
    decision = wait_for(page, lambda: Decision.objects.filter(project=demo).first(), "the decision")
    assert (decision.method, decision.segment_id) == ("union", needs_reason["segment_id"])
    assert decision.rationale.startswith("Both readings hold")
    assert AuditEvent.objects.filter(
        project=demo, action="adjudication.decision.create", object_id=str(decision.id)
    ).exists()
