"""Exports in Chromium: the tab says what an export will hold before it runs, and warns when coded units
would be left out; the file then holds what it said."""

import csv
import io
import re

import pytest

from tests.frontend.browser import assert_accessible, signed_in_at, wait_for

pytestmark = [pytest.mark.browser]


def _contents(page) -> str:
    return page.locator("#export-contents").inner_text()


def test_the_pi_sees_what_quotations_will_hold_per_source_and_the_file_matches(
    open_page, live_server, demo, settings, tmp_path
):
    from annotate.adjudication.services import decision_bulk_apply
    from annotate.exports.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    # The PI has accepted the unanimous units of the reliability sample: some units are decided.
    decided = decision_bulk_apply(project_id=demo.id, actor=demo.created_by, kind="unanimous")["units"]
    assert decided > 0
    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#exports")
    page.get_by_role("heading", name="New export").wait_for()
    # The default export, every coder's codings and the final coding, says so at once.
    page.get_by_text(re.compile("every coder's codings and the final coding")).wait_for()
    assert_accessible(page, "the Exports tab")

    page.get_by_label("What").select_option("quotations")
    page.get_by_label("Format").select_option("csv")
    page.get_by_text(re.compile(r"units decided, .* still from the coders")).wait_for()
    assert "not in this export" not in _contents(page)

    # The demo has decided a few units only: final codings alone would leave the rest out, and it says so.
    page.get_by_label("Counted from").select_option("final")
    page.get_by_text(
        re.compile(r"coded units have no final coding yet and are not in this export")
    ).wait_for()
    assert "alert-warning" in page.locator("#export-contents").get_attribute("class")

    page.get_by_label("Counted from").select_option("final_else_raw")
    page.get_by_text(re.compile(r"still from the coders")).wait_for()
    quotations = int(re.search(r"([\d,]+) quotations? on", _contents(page)).group(1).replace(",", ""))
    page.get_by_role("button", name="Export").click()
    job = wait_for(page, lambda: ExportJob.objects.filter(project=demo, status="done").first(), "the export")
    assert job.params == {"source": "final_else_raw"}
    link = page.locator(f'a[download="{job.file_name}"]')
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "quotations.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == quotations > 0
    assert {row["source"] for row in rows} == {"final_else_raw"}
    # Decided units are cited as final, the rest by their coders; segments by the reader's ¶ number.
    assert any(row["coded_by"].startswith("final (") for row in rows)
    assert any(not row["coded_by"].startswith("final (") for row in rows)
    assert all(int(row["segment_number"]) >= 1 for row in rows)
