"""Agreement on spans in the analysis tab: the PI starts a span run on a study where two coders marked
spans, reads the per-code and per-document tables (the values equal the span engine's, computed here on
the study's own tuples) and opens the alignment of the two coders' spans on one document."""

import re

import pytest

from tests.annotate.analysis.span_study import build_span_study, expected_report, two_coders
from tests.factories import ProjectFactory, UserFactory
from tests.frontend.browser import PASSWORD, assert_accessible, signed_in_at

pytestmark = [pytest.mark.browser]


def _shown(coefficient) -> str:
    """How the tab prints a coefficient: three decimals and the interval."""
    ci = coefficient["ci"]
    return f"{coefficient['value']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]"


def test_the_pi_starts_a_span_run_reads_it_and_aligns_two_coders(open_page, live_server, transactional_db):
    pi = UserFactory(username="pi", password=PASSWORD)
    project = ProjectFactory(creator=pi)
    coders = two_coders(project)
    documents, _ = build_span_study(project, pi, coders)

    page = signed_in_at(open_page, live_server, "pi", f"/projects/{project.id}/#analysis")
    section = page.locator("section", has=page.get_by_role("heading", name="Agreement on spans"))
    section.get_by_text("No span agreement run yet.").wait_for()
    section.get_by_label("Bootstrap resamples (0: no intervals)").fill("200")
    section.get_by_label("Seed (optional)").fill("5")
    section.get_by_role("button", name="Compute span agreement now").click()

    per_code = page.get_by_role("table", name="Span agreement per code")
    per_code.wait_for(timeout=20_000)
    labels, expected = expected_report(documents, coders, seed=5, n_resamples=200)
    for label, row in zip(labels, expected["per_code"], strict=True):
        if row["binary_u_alpha"]["value"] is None:
            continue
        shown = per_code.get_by_role("row", name=re.compile(re.escape(label)))
        assert shown.locator("td.span-binary").inner_text() == _shown(row["binary_u_alpha"])
    theme = per_code.get_by_role("row", name=re.compile(r"^Policy\b(?! >)"))
    assert theme.locator("td.span-binary").inner_text() == "undefined (code never used)"
    overall = section.locator("dl.coefficients")
    assert _shown(expected["overall"]["u_alpha"]) in overall.inner_text()
    per_doc = page.get_by_role("table", name="Span agreement per document")
    assert per_doc.get_by_role("rowheader", name="Spans 2").count() == 1
    assert_accessible(page, "the analysis tab with a span run")

    # The alignment of ana's and ben's spans on the first document: two tracks and the same as a table.
    section.get_by_label("Document", exact=True).select_option(label="Spans 1")
    section.get_by_label("First coder").select_option(label="ana")
    section.get_by_label("Second coder").select_option(label="ben")
    section.get_by_role("button", name="Show alignment").click()
    figure = section.get_by_role("img", name=re.compile("Spans of ana and ben along"))
    figure.wait_for()
    assert figure.locator("rect.span-unit").count() == 5  # ana's 2 and ben's 3 spans on this document
    spans = section.get_by_role("table", name="Spans of both coders in text order")
    assert spans.locator("tbody tr").count() == 5
    assert spans.get_by_role("cell", name="needle exchange", exact=False).count() >= 1
    assert_accessible(page, "the alignment view")
