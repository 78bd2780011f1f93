"""Explore in Chromium on the demo study: the PI searches a phrase and reads how many participants used it
(the count the demo's transcripts give), with the matches marked, and opens one in the reader; the PI
drills from a code × case cell to exactly its passages; a coder opens a code's passages from the codebook."""

import re
from pathlib import Path

import pytest

from tests.frontend.browser import assert_accessible, signed_in_at

pytestmark = [pytest.mark.browser]


def _cases_saying(project, pattern):
    """(cases whose transcripts have a segment matching ``pattern``, cases with a transcript), from the
    database: what the search must count."""
    from annotate.documents.models import Segment

    said, every = set(), set()
    for segment in Segment.objects.filter(document__project=project).select_related("document"):
        every.add(segment.document.case_id)
        if re.search(pattern, segment.text, re.IGNORECASE):
            said.add(segment.document.case_id)
    return len(said), len(every)


def test_the_pi_finds_how_many_participants_used_a_phrase_and_opens_a_hit(open_page, live_server, demo):
    n, total = _cases_saying(demo, r"\bharm\W+reduction\b")
    assert 0 < n < total
    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#explore")
    page.get_by_label("Search the transcripts").fill('"harm reduction"')
    page.get_by_role("search").get_by_role("button", name="Search").click()
    summary = page.locator("#search-summary")
    summary.wait_for()
    assert f"{n} of {total} participants" in summary.inner_text()
    marks = page.locator("mark.hit")
    assert marks.count() > 0
    assert all(re.fullmatch(r"harm\W+reduction", t, re.IGNORECASE) for t in marks.all_inner_texts())
    assert_accessible(page, "search results")

    first = page.locator("a.hit-link").first
    href = first.get_attribute("href")
    segment_id = int(re.search(r"\?segment=(\d+)$", href).group(1))
    first.click()
    page.wait_for_url(re.compile(rf"/documents/\d+/\?segment={segment_id}$"))
    page.locator(f'.segment[data-segment-id="{segment_id}"]').wait_for()


def test_the_pi_drills_from_a_code_by_case_cell_to_its_passages(open_page, live_server, demo):
    from annotate.adjudication.services import decision_bulk_apply

    # The final coding, the matrices' default, holds the units the PI has accepted.
    assert decision_bulk_apply(project_id=demo.id, actor=demo.created_by, kind="unanimous")["units"] > 0
    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#explore")
    page.get_by_role("button", name="Matrices").click()
    matrix = page.locator("#explore-matrix")
    matrix.wait_for()
    assert "from the final coding" in matrix.locator("caption").inner_text()
    assert re.search(r"\d+ of 16", matrix.locator("tbody tr").first.inner_text())
    assert_accessible(page, "the code × case matrix")

    cell = matrix.locator("button.cell-link").first
    label = cell.get_attribute("aria-label")
    code, case, count = re.fullmatch(r"(.+) in (\S+): (\d+) segments, show passages", label).groups()
    cell.click()
    summary = page.locator("#passages-summary")
    summary.wait_for()
    assert summary.inner_text().startswith(f"{count} passage")
    assert "1 of 1 participant" in summary.inner_text()
    passages = page.locator(".passage")
    assert passages.count() == min(int(count), 20)
    assert all(
        quote.startswith(case + ",") for quote in page.locator(".passage-quote footer a").all_inner_texts()
    )
    assert code in page.locator(".passage-quote footer").first.inner_text()
    assert_accessible(page, "the passages of a cell")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Markdown").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.count("\n> — ") == int(count)  # one citation per quotation


def test_a_coder_reads_a_themes_passages_from_the_codebook_their_own_only(open_page, live_server, demo):
    from annotate.codebook.models import Code
    from annotate.coding.models import Coding

    coded = Coding.objects.filter(project=demo, coder__username="ana").select_related("code").first().code
    theme = coded.parent or coded  # themes head the tree, always in view
    subtree = [theme.id, *Code.objects.filter(parent=theme).values_list("id", flat=True)]
    own = (
        Coding.objects.filter(project=demo, coder__username="ana", code__in=subtree)
        .values("segment")
        .distinct()
    )
    page = signed_in_at(open_page, live_server, "ana", f"/projects/{demo.id}/#codebook")
    page.get_by_role("button", name=f"Passages of {theme.name}", exact=True).click()
    summary = page.locator("#passages-summary")
    summary.wait_for()
    assert "from your own codings" in summary.inner_text()
    assert summary.inner_text().startswith(f"{own.count()} passage")
    assert_accessible(page, "a coder's passages")


def test_the_pi_reads_a_word_in_context_and_the_words_of_a_theme(open_page, live_server, demo):
    from annotate.documents.models import Segment

    occurrences = sum(
        len(re.findall(r"\bnaloxone\b", s.text, re.IGNORECASE))
        for s in Segment.objects.filter(document__project=demo).select_related("document")
    )
    assert occurrences > 0
    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#explore")
    page.get_by_role("button", name="Words").click()
    page.get_by_label("Keyword or phrase").fill("naloxone")
    page.get_by_role("button", name="Show lines").click()
    lines = page.locator("#kwic-lines tbody tr")
    lines.first.wait_for()
    if occurrences <= 20:
        assert lines.count() == occurrences
    assert {t.lower() for t in page.locator("#kwic-lines .kwic-keyword").all_inner_texts()} == {"naloxone"}
    page.locator("#word-frequencies tbody tr").first.wait_for()
    page.get_by_label("Passages of").select_option(label="Harm reduction")
    page.get_by_text(re.compile(r"most frequent words of \d+ segments")).wait_for()
    words = page.locator("#word-frequencies tbody td:first-child").all_inner_texts()
    assert "the" not in words  # stop words left out
    assert_accessible(page, "the Words view")
