"""The PI's set-up in Chromium: the sign-in page says what the product is; transcripts are imported with
their interviewers marked (turns as context), titles, cases and dates; all of it can be edited later."""

import re

import pytest

from tests.frontend.browser import PHONE, assert_accessible, signed_in_at

pytestmark = [pytest.mark.browser]

SARAH = (
    "Sarah: Thank you for taking the time. What changed when you took office?\n\n"
    "P20: We stopped charging possession of small amounts.\n\n"
    "Sarah: And the police?\n\n"
    "P20: They came around once the overdose numbers fell."
)


def test_the_sign_in_page_says_what_intercoder_is(open_page, live_server, demo):
    page = open_page()
    page.goto(f"{live_server.url}/login/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Intercoder"
    assert "interview transcripts" in page.locator(".login-card").inner_text()
    assert_accessible(page, "the sign-in page")
    phone = open_page(viewport=PHONE)
    phone.goto(f"{live_server.url}/login/")
    assert phone.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_pi_imports_a_transcript_with_a_named_interviewer_and_edits_it_later(
    open_page, live_server, demo, tmp_path, viewport
):
    from annotate.assignments.models import Unit
    from annotate.audit.models import AuditEvent
    from annotate.documents.models import Document

    path = tmp_path / "P20_sarah.txt"
    path.write_text(SARAH, encoding="utf-8")
    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#documents", viewport=viewport)
    page.locator("#import-files").set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    sarah = page.get_by_role("checkbox", name=re.compile(r"^Sarah\b"))
    sarah.wait_for()
    assert not sarah.is_checked()  # a name, not a label the parser knows: the PI says who interviewed
    row = page.get_by_role("row", name=re.compile("P20_sarah.txt"))
    assert row.get_by_role("cell", name="4 of 4").count() == 1
    sarah.check()
    assert row.get_by_role("cell", name="2 of 4").count() == 1
    page.get_by_label("Title of P20_sarah.txt").fill("Interview P20 (Sarah)")
    page.get_by_label("Case of P20_sarah.txt").fill("P20")
    page.get_by_label("Interview date of P20_sarah.txt").fill("2022-04-02")
    assert_accessible(page, "the import preview")
    if viewport:
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Import 1 transcript").click()
    page.get_by_text(re.compile(r"^1 imported")).wait_for(timeout=30_000)
    document = Document.objects.get(project=demo, source_filename="P20_sarah.txt")
    assert (document.title, document.case.identifier, str(document.interview_date)) == (
        "Interview P20 (Sarah)",
        "P20",
        "2022-04-02",
    )
    assert set(document.segments.filter(codable=False).values_list("speaker", flat=True)) == {"Sarah"}

    # The reader shows Sarah's turns as context.
    page.goto(f"{live_server.url}/projects/{demo.id}/documents/{document.id}/")
    page.locator(".segment.is-context", has_text="And the police?").wait_for()

    # Later: a new title and date, and Sarah's turns made codable after all; they join the plan.
    page.goto(f"{live_server.url}/projects/{demo.id}/#documents")
    page.get_by_role("button", name="Edit Interview P20 (Sarah)").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Interview P20")
    dialog.get_by_label("Interview date").fill("2022-04-03")
    dialog.get_by_role("checkbox", name=re.compile(r"^Sarah\b")).uncheck()
    dialog.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Interview P20", exact=True).wait_for()
    document.refresh_from_db()
    assert (document.title, str(document.interview_date)) == ("Interview P20", "2022-04-03")
    assert document.segments.filter(codable=False).count() == 0
    assert Unit.objects.filter(document=document).count() == 4
    assert AuditEvent.objects.filter(
        project=demo, action="document.speaker_roles", object_id=str(document.id)
    ).exists()
