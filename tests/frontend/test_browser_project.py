"""The project's tabs in Chromium: the codebook says how often each code is used (every coder's codings
for the PI, a coder's own for a coder), and the cases table sorts and filters by attribute."""

import re

import pytest

from tests.frontend.browser import assert_accessible, signed_in_at

pytestmark = [pytest.mark.browser]


def _usage_of(page, code_name: str) -> str:
    node = page.locator(
        ".code-node summary", has=page.locator(".code-name", has_text=re.compile(f"^{re.escape(code_name)}$"))
    )
    return node.locator(".code-usage").first.inner_text()


def test_the_codebook_shows_how_often_each_code_is_used_as_each_role_may_count(open_page, live_server, demo):
    from annotate.codebook.models import Code
    from annotate.coding.models import Coding

    code = Code.objects.filter(codebook__project=demo, parent__isnull=False).order_by("id").first()
    everyone = Coding.objects.filter(code=code)
    cases_total = demo.documents.values("case_id").distinct().count()
    cases = everyone.values("segment__document__case_id").distinct().count()

    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#codebook")
    page.get_by_text("Counted from every coder's codings.", exact=False).wait_for()
    assert _usage_of(page, code.name) == f"{everyone.count()} codings · {cases} of {cases_total} cases"
    theme = code.parent
    with_children = Coding.objects.filter(code__in=[theme, *theme.children.all()]).count()
    assert _usage_of(page, theme.name).startswith(f"{with_children} codings · ")
    assert _usage_of(page, theme.name).endswith("with its sub-codes")
    assert_accessible(page, "the Codebook tab")

    coder = signed_in_at(open_page, live_server, "ana", f"/projects/{demo.id}/#codebook")
    coder.get_by_text("Counted from your own codings.", exact=False).wait_for()
    mine = everyone.filter(coder__username="ana")
    expected = "not used yet" if not mine.exists() else f"{mine.count()} coding"
    assert _usage_of(coder, code.name).startswith(expected)


def test_the_cases_table_sorts_and_filters_by_attribute(open_page, live_server, demo):
    from annotate.cases.models import AttributeValue, Case

    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#cases")
    table = page.get_by_role("table", name="Cases and their attributes")
    table.wait_for()
    total = Case.objects.filter(project=demo).count()
    assert page.locator("#cases-count").inner_text() == f"Showing {total} of {total} cases"

    # Longest in office first: the header sorts, and says how.
    years = dict(
        AttributeValue.objects.filter(case__project=demo, attribute__name="years_in_office").values_list(
            "case__identifier", "number_value"
        )
    )
    header = table.get_by_role("columnheader", name=re.compile("Years in office"))
    header.get_by_role("button").click()
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    first = table.locator("tbody tr").first.locator("th .case-tag").inner_text()
    assert years[first] == max(years.values())

    # Policy staff only.
    staff = AttributeValue.objects.filter(
        case__project=demo, attribute__name="role", text_value="Policy staff"
    ).count()
    page.get_by_label("Role").select_option("Policy staff")
    assert page.locator("#cases-count").inner_text() == f"Showing {staff} of {total} cases"
    assert table.locator("tbody tr").count() == staff
    page.get_by_label("Find").fill("P0")
    assert table.locator("tbody tr").count() == len(
        [
            c
            for c in Case.objects.filter(
                project=demo, identifier__icontains="P0", attribute_values__text_value="Policy staff"
            )
        ]
    )
    assert_accessible(page, "the Cases tab")
