"""The coder's day in Chromium: "My work", the queue, coding with the keyboard (number keys, spans by word
and by sentence), submitting a unit and moving on, reopening while the PI allows it, and the PI's
progress agreeing with the reader at every step; on a desktop and on a phone-sized screen; with a
document plan (the demo) and with a pool of single segments."""

import re

import pytest

from tests.frontend.browser import PHONE, assert_accessible, signed_in_at, wait_for

pytestmark = [pytest.mark.browser]


def _selected_segment(page) -> int:
    return int(page.locator(".segment.is-selected").get_attribute("data-segment-id"))


def _next_open_unit(project, username):
    """What the queue gives the coder next in a document plan: their first unit not done."""
    from annotate.assignments.models import Assignment, AssignmentStatus

    assignment = (
        Assignment.objects.filter(project_id=project.pk, coder__username=username)
        .exclude(status=AssignmentStatus.DONE)
        .order_by("order")
        .first()
    )
    return assignment.segment_id if assignment else None


def _progress_of(project, username):
    """The PI's dashboard figure for the coder, through the same API the Analysis tab reads."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=project.created_by)
    body = client.get(f"/api/v1/projects/{project.id}/progress/").json()
    coder = get_user_model().objects.get(username=username)
    row = next(r for r in body["per_coder"] if r["coder_id"] == coder.pk)
    return row["done"], row["assigned"]


def _code_of_key(page, key: str) -> str:
    return page.locator(f'.shortcut[aria-keyshortcuts="{key}"] .shortcut-name').inner_text()


def test_a_coder_codes_from_the_queue_with_the_keyboard_submits_and_reopens(open_page, live_server, demo):
    from annotate.assignments.models import Assignment
    from annotate.audit.models import AuditEvent
    from annotate.coding.models import Coding

    page = signed_in_at(open_page, live_server, "ben", f"/projects/{demo.id}/")
    # A coder lands on their work: the transcripts with their units, what is submitted, what is next.
    page.get_by_role("heading", name="My work").wait_for()
    assert page.get_by_role("tab", name="My work").get_attribute("aria-selected") == "true"
    done, total = _progress_of(demo, "ben")
    assert f"You have submitted {done} of your {total} units" in page.locator(".work-summary").inner_text()
    assert_accessible(page, "My work")

    # Start/Continue coding asks the queue, which opens the reader at the next unit, focused.
    expected = _next_open_unit(demo, "ben")
    page.locator(".work-summary").get_by_role("button", name=re.compile("(Start|Continue) coding")).click()
    page.wait_for_url(re.compile(rf"/documents/\d+/\?segment={expected}$"))
    page.locator(".segment.is-selected").wait_for()
    assert _selected_segment(page) == expected
    assert page.evaluate("document.activeElement.dataset.segmentId") == str(expected)
    assert_accessible(page, "the reader")

    # Key 1 applies the code the panel lists under 1, to the whole segment.
    first_code = _code_of_key(page, "1")
    page.keyboard.press("1")
    page.locator(f'.segment[data-segment-id="{expected}"] .chip', has_text=first_code).wait_for()
    whole = Coding.objects.get(segment_id=expected, coder__username="ben", code__name=first_code)
    assert whole.span_start is None

    # Shift+↓ takes the span to the end of a sentence, Shift+↑ back to the end of the one before; Esc drops
    # it. Shift+→ starts a span on the first word and takes in the next; the panel says the next code goes
    # to that span, and key 2 applies there.
    target = page.locator(".target.is-span q")

    def span_text():
        return target.inner_text().strip('“”"')

    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    two_sentences = span_text()
    page.keyboard.press("Shift+ArrowUp")
    one_sentence = span_text()
    assert two_sentences.startswith(one_sentence)
    assert len(one_sentence) < len(two_sentences)
    assert one_sentence[-1] in ".?!…"
    page.keyboard.press("Escape")
    assert "goes to the whole segment" in page.locator(".target").text_content()
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    two_words = span_text()
    assert len(two_words.split()) == 2
    second_code = _code_of_key(page, "2")
    page.keyboard.press("2")
    page.locator(f'.segment[data-segment-id="{expected}"] .span-mark').first.wait_for()
    span = Coding.objects.get(segment_id=expected, coder__username="ben", span_start__isnull=False)
    text = span.segment.document.text
    assert text[span.span_start : span.span_end] == two_words
    assert span.code.name == second_code
    assert "The next code goes to the span" in page.locator(".coding-panel").text_content()
    page.keyboard.press("Escape")
    assert "goes to the whole segment" in page.locator(".target").text_content()

    # s submits the unit and moves to the queue's next unit; the PI's progress moves with it.
    page.keyboard.press("s")
    following = wait_for(
        page,
        lambda: _next_open_unit(demo, "ben") != expected and _next_open_unit(demo, "ben"),
        "the next unit",
    )
    page.wait_for_function(
        "id => document.querySelector('.segment.is-selected')?.dataset.segmentId === String(id)",
        arg=following,
    )
    assert Assignment.objects.get(segment_id=expected, coder__username="ben").status == "done"
    assert AuditEvent.objects.filter(project=demo, action="assignment.done", actor__username="ben").exists()
    done_after, total = _progress_of(demo, "ben")
    assert done_after == done + 1
    wait_for(
        page,
        lambda: f"{done_after} of {total} in all" in page.locator(".progress-text").inner_text(),
        "the reader's count",
    )

    # Back on the submitted unit: it can be reopened while the PI allows it, and submitted again.
    page.goto(
        f"{live_server.url}/projects/{demo.id}/documents/{span.segment.document_id}/?segment={expected}"
    )
    page.get_by_role("button", name="Reopen unit").click()
    wait_for(
        page,
        lambda: Assignment.objects.get(segment_id=expected, coder__username="ben").status == "assigned",
        "the reopen",
    )
    assert _progress_of(demo, "ben")[0] == done
    page.get_by_role("button", name=re.compile("Submit unit")).click()
    wait_for(
        page,
        lambda: Assignment.objects.get(segment_id=expected, coder__username="ben").status == "done",
        "the resubmission",
    )

    # The PI makes submissions final in the Plan tab; the coder can no longer reopen.
    pi = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#plan")
    pi.get_by_label(re.compile("Coders may reopen")).uncheck()
    pi.get_by_text("Submitted units are now final.").wait_for()
    demo.refresh_from_db()
    assert demo.coders_may_reopen is False
    page.goto(
        f"{live_server.url}/projects/{demo.id}/documents/{span.segment.document_id}/?segment={expected}"
    )
    page.get_by_text("The PI has made submitted units final.").wait_for()
    assert page.get_by_role("button", name="Reopen unit").count() == 0


@pytest.fixture
def pool_study(demo):
    """A small project of two transcripts whose four codable turns are single units in a pool, one coder
    each, for ana; three codes."""
    from django.contrib.auth import get_user_model

    from annotate.assignments.services import assignment_plan_apply
    from annotate.documents.services import SegmentSpec, paragraph_segments
    from annotate.projects.models import Role
    from tests.factories import ProjectFactory, make_case, make_code, make_document

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["pi", "ana"])}
    project = ProjectFactory(creator=users["pi"], name="Pool pilot")
    project.add_member(users["ana"], Role.CODER)
    for n in (1, 2):
        text = (
            f"Interviewer: What changed?\n\nQ{n}: We stopped charging possession. It saved lives.\n\n"
            f"Interviewer: And?\n\nQ{n}: Treatment is voluntary now. Nobody is coerced."
        )
        turns = [  # the interviewer's turns are context, not units
            SegmentSpec(
                start=s.start, end=s.end, speaker="Interviewer" if i % 2 == 0 else f"Q{n}", codable=i % 2 == 1
            )
            for i, s in enumerate(paragraph_segments(text))
        ]
        make_document(
            project,
            users["pi"],
            case=make_case(project, users["pi"], identifier=f"Q{n}"),
            text=text,
            segments=turns,
        )
    for name in ("Harm reduction", "Coercive treatment", "Public health"):
        make_code(project, users["pi"], name=name)
    assignment_plan_apply(
        project=project,
        actor=users["pi"],
        data={"unit_type": "segment", "coders": [{"user": users["ana"].pk}], "overlap": 1, "seed": 3},
    )
    return project


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_coder_claims_units_from_a_pool_codes_and_submits_each_until_none_is_left(
    open_page, live_server, pool_study, viewport
):
    from annotate.assignments.models import Assignment
    from annotate.coding.models import Coding

    page = signed_in_at(open_page, live_server, "ana", f"/projects/{pool_study.id}/", viewport=viewport)
    page.get_by_role("heading", name="My work").wait_for()
    assert "You hold no units yet" in page.locator(".work-summary").inner_text()
    page.locator(".work-summary").get_by_role("button", name="Start coding").click()
    page.wait_for_url(re.compile(r"/documents/\d+/\?segment=\d+$"))
    seen = []
    for _ in range(4):
        page.locator(".segment.is-selected").wait_for()
        segment = _selected_segment(page)
        assert segment not in seen
        seen.append(segment)
        # The claimed unit is the coder's own: no "not your unit" on it, a submit button in the panel.
        assert page.locator(".segment.is-selected .seg-status").count() == 0
        if viewport:
            # On a phone the panel is a sheet at the bottom: in view without scrolling the transcript, and
            # the page never scrolls sideways.
            page.wait_for_function(
                """() => {
                  const r = document.getElementById("submit-unit")?.getBoundingClientRect();
                  return r && r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
                }"""
            )
            # ... and the unit being coded is in view above the sheet, below the top bar.
            page.wait_for_function(
                """() => {
                  const seg = document.querySelector(".segment.is-selected").getBoundingClientRect();
                  const sheet = document.querySelector(".coding-panel").getBoundingClientRect();
                  return seg.top >= 52 && seg.top < sheet.top - 20;
                }"""
            )
            assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        page.keyboard.press("1")
        page.locator(f'.segment[data-segment-id="{segment}"] .chip').first.wait_for()
        page.keyboard.press("s")
        wait_for(
            page, lambda s=segment: Assignment.objects.get(segment_id=s).status == "done", "the submission"
        )
        if len(seen) < 4:
            page.wait_for_function(
                "id => { const s = document.querySelector('.segment.is-selected'); return s && s.dataset.segmentId !== String(id); }",
                arg=segment,
            )
    page.get_by_text("All your units are submitted.").wait_for()
    assert Assignment.objects.filter(project=pool_study, coder__username="ana", status="done").count() == 4
    assert set(
        Coding.objects.filter(coder__username="ana", segment__document__project=pool_study).values_list(
            "segment_id", flat=True
        )
    ) == set(seen)
    if viewport:
        assert_accessible(page, "the reader on a phone")
