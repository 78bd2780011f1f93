"""The Analysis tab's saturation summary shows what the run found, as the API returns it: the order the
interviews were taken in, the first run's new information, the Fugard–Potts power at the smallest sample,
the lowest and highest curve over orders, and the interviews left out with the reason."""

from django.db import transaction

from tests.frontend.browser import signed_in_at

ORDER_WORDS = {
    "sequence": "analysis sequence (the order numbers set on the transcripts)",
    "conducted": "date conducted",
}


def test_saturation_summary_equals_the_runs_result(open_page, live_server, demo):
    from annotate.analysis.services import saturation_run_request
    from tests.factories import make_case, make_document

    owner = demo.created_by
    # A transcript nobody has been given to code: the run leaves it out and says why.
    make_document(demo, owner, case=make_case(demo, owner, "PX99"), text="PX99: a turn nobody has coded.")
    with transaction.atomic():  # computed when it commits: the tests run tasks inline
        run = saturation_run_request(
            project=demo, actor=owner, params={"planning_prevalence": 0.2, "planning_power": 0.8}
        )

    page = signed_in_at(open_page, live_server, owner.username, f"/projects/{demo.id}/#analysis")
    facts = page.get_by_label("Saturation run summary")
    facts.wait_for()
    response = page.request.get(f"{live_server.url}/api/v1/projects/{demo.id}/analysis/saturation/latest/")
    assert response.ok
    latest = response.json()
    assert latest["id"] == run.id
    result = latest["result"]

    def fact(key: str) -> str:
        return facts.locator(f"dd[data-fact='{key}']").inner_text()

    assert fact("order") == ORDER_WORDS[result["order_by"]]
    assert fact("first-run") == f"{result['guest']['first_run_percent']}%"
    fugard = result["planning"]["fugard_potts"]
    prevalence = f"{round(fugard['prevalence'] * 1000) / 10:g}%"
    assert fact("power") == (
        f"{fugard['power_at_n_for_prevalence']:.3f} at n = {fugard['n_for_prevalence']} "
        f"(codes of prevalence {prevalence})"
    )
    excluded = result["excluded_interviews"]
    assert any(e["interview"] == "PX99" for e in excluded)
    assert fact("excluded-count") == str(len(excluded))
    shown = page.get_by_role("list", name="Interviews left out of this run").locator("li").all_inner_texts()
    assert shown == [f"{e['interview']}: {e['reason']}" for e in excluded]

    envelope = result["order_effects"]["envelope"]
    page.get_by_text("Lowest and highest number of codes after each interview").click()
    table = page.get_by_role("table", name="Order envelope: minimum and maximum")
    rows = table.locator("tbody tr")
    assert rows.nth(0).locator("td").all_inner_texts() == [str(v) for v in envelope["minimum"]]
    assert rows.nth(1).locator("td").all_inner_texts() == [str(v) for v in envelope["maximum"]]
