"""A secondary pass in Chromium on the demo study: the PI opens Explore, reads a code's passages and starts a
secondary pass on them, bringing two coders; adds two themes and a plan in which both coders code every
passage; each coder codes their units from the queue; the automatic agreement run, on a real worker, reaches
the pass's Analysis tab with the value the independent ``krippendorff`` package computes from the same
codings. The pass's header links back to its parent, whose Explore tab lists the pass."""

import re

import pytest

from annotate.passes.models import Passage
from tests.frontend.browser import assert_accessible, signed_in_at, wait_for
from tests.frontend.test_browser_study import (
    coder_codes_every_unit,
    owner_adds_codes,
    owner_plans_double_coding,
    reference_alpha,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.slow]

THEMES = ["Pragmatism", "Principle"]


def _small_retrieval(project):
    """A code and a case-attribute value whose passages (the PI's default source) are few but more than
    two: (code, attribute filter "id:value", the source segment ids), chosen from the demo's codings."""
    from annotate.cases.models import AttributeDefinition
    from annotate.codebook.models import Code
    from annotate.explore.passages import CodeQuery, retrieval_build
    from annotate.explore.scope import SegmentFilters
    from annotate.projects.models import Membership

    pi = Membership.objects.select_related("project").get(project=project, user__username="pi")
    region = AttributeDefinition.objects.get(project=project, name="region")
    best = None
    for code in Code.objects.filter(codebook__project=project, parent__isnull=False).order_by("id"):
        for value in region.choices:
            segments = retrieval_build(
                membership=pi,
                query=CodeQuery(all=(code.id,)),
                filters=SegmentFilters(attributes=((region.id, value),)),
            ).segments
            ids = set(segments.values_list("id", flat=True))
            if len(ids) >= 3 and (best is None or len(ids) < len(best[2])):
                best = (code, f"{region.id}:{value}", ids)
    assert best is not None
    return best


def test_a_pi_starts_a_secondary_pass_two_coders_code_it_and_agreement_appears(
    open_page, live_server, demo, celery_worker, settings
):
    from annotate.analysis.models import AgreementRun
    from annotate.coding.models import Coding
    from annotate.passes.models import SecondaryPass

    settings.INTERCODER_ANALYSIS_DEBOUNCE_S = 1
    code, attribute, sources = _small_retrieval(demo)

    # The PI reads the code's passages in one region and starts a pass on them, with Ana and Ben.
    pi = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#explore")
    pi.get_by_role("button", name="Passages").click()
    pi.locator("#passages-code").select_option(str(code.id))
    pi.locator("#passages-attribute").select_option(attribute)
    summary = pi.locator("#passages-summary")
    pi.get_by_text(re.compile(rf"^{len(sources)} passages of ")).wait_for()
    assert code.name in summary.inner_text()
    pi.get_by_role("button", name="Start secondary pass").click()
    dialog = pi.get_by_role("dialog", name="Start a secondary pass")
    assert f"{len(sources)} passages" in dialog.inner_text()
    dialog.get_by_label("Name").fill("Harm reduction, second look")
    for name in ("chioma", "dana"):
        dialog.get_by_role("checkbox", name=re.compile(rf"^{name}\b")).uncheck()
    assert_accessible(pi, "the secondary pass dialog")
    dialog.get_by_role("button", name="Start secondary pass").click()
    pi.wait_for_url(re.compile(r"/projects/\d+/#codebook$"))
    secondary = SecondaryPass.objects.get(parent_project=demo)
    child = secondary.project
    assert pi.url.endswith(f"/projects/{child.id}/#codebook")
    assert (
        set(Passage.objects.filter(secondary_pass=secondary).values_list("source_segment", flat=True))
        == sources
    )
    assert dict(child.memberships.values_list("user__username", "role")) == {
        "pi": "owner",
        "ana": "coder",
        "ben": "coder",
    }
    header = pi.locator("#secondary-of")
    assert header.inner_text() == f"Secondary pass of {demo.name} · {secondary.query_title}"
    assert header.get_by_role("link").get_attribute("href") == f"/projects/{demo.id}/#explore"

    # Two themes, and a plan in which both coders code every passage.
    owner_adds_codes(pi, THEMES)
    owner_plans_double_coding(pi, live_server, child, "segment")

    # Each coder codes every passage: the themes alternate, and Ben differs from Ana on the first.
    n = len(sources)
    ana = [THEMES[i % 2] for i in range(n)]
    ben = [THEMES[(i + 1) % 2] if i == 0 else THEMES[i % 2] for i in range(n)]
    for username, choices in (("ana", ana), ("ben", ben)):
        coder_codes_every_unit(open_page, live_server, child, username, choices, None)
    assert Coding.objects.filter(project=child).count() == 2 * n

    # The automatic agreement run over every rating reaches the pass's Analysis tab.
    run = wait_for(
        pi,
        lambda: AgreementRun.objects.filter(
            project=child, automatic=True, status="done", snapshot__ratings=2 * n
        ).first(),
        "the automatic agreement run over every rating",
        tries=900,
    )
    expected = f"{reference_alpha(child):.3f}"
    pi.goto(f"{live_server.url}/projects/{child.id}/#analysis")
    agreement = pi.get_by_role("region", name="Inter-coder agreement")
    agreement.get_by_text(re.compile(rf"^Run {run.id}\b")).wait_for()
    headline = agreement.locator("dd").first.inner_text()
    assert headline.startswith(expected), (headline, expected)

    # The parent's Explore tab lists the pass, with a link into it.
    pi.goto(f"{live_server.url}/projects/{demo.id}/#explore")
    pi.get_by_role("button", name="Passages").click()
    passes = pi.get_by_role("region", name="Secondary passes")
    link = passes.get_by_role("link", name="Harm reduction, second look")
    assert link.get_attribute("href") == f"/projects/{child.id}/#codebook"
    assert_accessible(pi, "the parent's Explore tab with its secondary pass")
