"""A whole study in the browser: the owner sets up a project, two coders code every unit from their queues
with the keyboard and submit, the automatic agreement run reaches the owner's dashboard with the value an
independent reference computes from the same codings, the adjudicator resolves every disagreement, and the
owner's exports hold what was coded. Once with whole transcripts double-coded, once with a pool of single
segments; in each, the coders work once on a desktop and once on a phone-sized screen (390 x 844).

API and database reads only check the state; every step is taken in the browser. Only the owner has an
account at the start: the coders and the adjudicator join through the owner's invitations, each in a
browser of their own. Analysis and exports run on a real Celery worker, as in production.
"""

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.frontend.browser import PASSWORD, PHONE, signed_in_at, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.slow]

CODES = ["Harm reduction", "Public health", "Coercive treatment", "Harm to the community", "Racial equity"]
TRANSCRIPTS = {
    "S01_prosecutor.txt": (
        "Interviewer: Thank you for joining us. What changed in your office?\n\n"
        "S01: We stopped prosecuting simple possession. It keeps people alive.\n\n"
        "Interviewer: How do you describe that to voters?\n\n"
        "S01: As public health. Addiction is a health problem, not a crime.\n\n"
        "Interviewer: And treatment?\n\n"
        "S01: Treatment has to be voluntary. Court-ordered treatment backfires."
    ),
    "S02_policy_staff.txt": (
        "Interviewer: What does your diversion programme do?\n\n"
        "S02: It diverts people before charging. Nobody is forced into a programme.\n\n"
        "Interviewer: Who benefits?\n\n"
        "S02: Black residents were charged at four times the rate. That gap is closing.\n\n"
        "Interviewer: Anything else?\n\n"
        "S02: Neighbours worry about open-air markets. We hear them."
    ),
    "S03_prosecutor.txt": (
        "Interviewer: How do you think about harm?\n\n"
        "S03: Harm reduction, plainly: naloxone in every patrol car.\n\n"
        "Interviewer: And the community?\n\n"
        "S03: Dealing near schools harms the whole block. We still charge that.\n\n"
        "Interviewer: Last question: mandated treatment?\n\n"
        "S03: Mandated treatment is coercion. I oppose it."
    ),
}
INTERVIEW_DATES = ["2022-01-12", "2022-02-03", "2022-03-21"]
# What each coder applies to each participant turn, in reading order (one code per unit, so the MASI
# alpha on the dashboard equals nominal alpha). The coders disagree on three of the nine units.
CORA = ["Harm reduction", "Public health", "Coercive treatment", "Harm reduction", "Racial equity",
        "Harm to the community", "Harm reduction", "Harm to the community", "Coercive treatment"]  # fmt: skip
CODY = ["Harm reduction", "Public health", "Coercive treatment", "Coercive treatment", "Racial equity",
        "Harm reduction", "Harm reduction", "Public health", "Coercive treatment"]  # fmt: skip


@pytest.fixture
def team(transactional_db, live_server):
    """The PI, the one person with an account; the coders and the adjudicator join by invitation."""
    from tests.factories import UserFactory

    return {"pia": UserFactory(username="pia", password=PASSWORD)}


def join_by_invitation(owner, open_page, live_server, project, username, role):
    """The owner invites ``username`` from the Members tab; they open the link in a browser of their own,
    choose a name and password, and land in the project."""
    owner.get_by_role("tab", name=re.compile("^Members")).click()
    owner.get_by_label("Email", exact=True).fill(f"{username}@example.org")
    owner.get_by_label("Role", exact=True).select_option(role)
    owner.get_by_role("button", name="Send invitation").click()
    owner.get_by_role("cell", name=f"{username}@example.org", exact=True).wait_for()
    link = owner.get_by_test_id("invitation-link").inner_text()
    assert link.startswith(f"{live_server.url}/invitations/")
    newcomer = open_page()
    newcomer.goto(link)
    newcomer.get_by_label("Your name").fill(username.title())
    newcomer.get_by_label("Username").fill(username)
    newcomer.get_by_label("Password").fill(PASSWORD)
    newcomer.get_by_role("button", name="Create account and join").click()
    newcomer.wait_for_url(re.compile(rf"/projects/{project.id}/"))
    newcomer.context.close()


def _turn_index(project, segment_id) -> int:
    """The unit's place among the participant turns of the study, in reading order (0 … 8)."""
    from annotate.documents.models import Segment

    turns = list(
        Segment.objects.filter(document__project=project, codable=True)
        .order_by("document__analysis_order", "document__title", "position")
        .values_list("id", flat=True)
    )
    return turns.index(segment_id)


def owner_sets_up_the_study(page, open_page, live_server, team, tmp_path, unit_type):
    """The owner's part, all in the browser: project, members, transcripts, codebook and plan."""
    from annotate.projects.models import Project, Role

    page.goto(f"{live_server.url}/projects/")
    page.get_by_role("button", name="New project").click()
    page.get_by_role("dialog").get_by_label("Name").fill("Prosecutors and harm reduction")
    page.get_by_role("dialog").get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/\d+/#documents$"))
    project = Project.objects.get(name="Prosecutors and harm reduction")
    assert project.memberships.get(user=team["pia"]).role == Role.OWNER
    # The team joins by invitation, each in a browser of their own.
    for name, role in (("cora", Role.CODER), ("cody", Role.CODER), ("ada", Role.ADJUDICATOR)):
        join_by_invitation(page, open_page, live_server, project, name, str(role))
    assert dict(project.memberships.values_list("user__username", "role")) == {
        "pia": Role.OWNER,
        "cora": Role.CODER,
        "cody": Role.CODER,
        "ada": Role.ADJUDICATOR,
    }
    page.goto(f"{live_server.url}/projects/{project.id}/#documents")

    # Three transcripts, the interviewer's turns as context.
    files = []
    for name, text in TRANSCRIPTS.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    page.locator("#import-files").set_input_files(files)
    page.get_by_role("button", name="Preview").click()
    # The preview finds the interviewer and ticks them: their turns will be context. Each file's case is
    # its name until the PI names the participant; each gets its interview date, the first a title.
    interviewer = page.get_by_role("checkbox", name=re.compile(r"^Interviewer\b"))
    assert interviewer.is_checked()
    assert page.get_by_label("Case of S01_prosecutor.txt").input_value() == "S01_prosecutor"
    for name, date in zip(TRANSCRIPTS, INTERVIEW_DATES, strict=True):
        page.get_by_label(f"Case of {name}").fill(name[:3])
        page.get_by_label(f"Interview date of {name}").fill(date)
    page.get_by_label("Title of S01_prosecutor.txt").fill("S01, elected prosecutor")
    page.get_by_role("button", name="Import 3 transcripts").click()
    page.get_by_text(re.compile(r"^3 imported")).wait_for(timeout=60_000)
    project = Project.objects.get(pk=project.pk)
    assert project.documents.count() == 3
    first = project.documents.get(source_filename="S01_prosecutor.txt")
    assert (first.title, first.case.identifier, str(first.interview_date)) == (
        "S01, elected prosecutor",
        "S01",
        "2022-01-12",
    )

    # A codebook of five codes.
    page.goto(f"{live_server.url}/projects/{project.id}/#codebook")
    owner_adds_codes(page, CODES)
    owner_plans_double_coding(page, live_server, project, unit_type)
    return project


def owner_adds_codes(page, names):
    """On the Codebook tab: each of ``names`` as a new theme."""
    for name in names:
        page.get_by_role("button", name="New theme or code").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Name").fill(name)
        dialog.get_by_role("button", name="Create code").click()
        page.locator(".code-name", has_text=name).first.wait_for()


def owner_plans_double_coding(page, live_server, project, unit_type):
    """The plan: both coders on every unit (``unit_type`` "document" or "segment")."""
    page.goto(f"{live_server.url}/projects/{project.id}/#plan")
    page.get_by_role("heading", name="Assignment plan").wait_for()
    page.get_by_label("Units", exact=True).select_option(unit_type)
    page.get_by_label("Coders per double-coded unit").fill("2")
    page.get_by_label("Coders per double-coded unit").dispatch_event("change")
    page.get_by_label("Reliability sample (%)").fill("")
    page.get_by_label("Reliability sample (%)").dispatch_event("change")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("table", name="Preview per coder").wait_for()
    page.get_by_role("button", name="Apply plan").click()
    page.get_by_role("heading", name="Assignment plan (revision 1)").wait_for()


def coder_codes_every_unit(open_page, live_server, project, username, choices, viewport):
    """A coder's day: from "My work", each unit the queue gives, coded with a number key and submitted
    with s, until none is left."""
    from annotate.assignments.models import Assignment

    page = signed_in_at(open_page, live_server, username, f"/projects/{project.id}/", viewport=viewport)
    page.get_by_role("heading", name="My work").wait_for()
    page.locator(".work-summary").get_by_role("button", name=re.compile("(Start|Continue) coding")).click()
    coded = 0
    while True:
        page.locator(".segment.is-selected").wait_for()
        segment = int(page.locator(".segment.is-selected").get_attribute("data-segment-id"))
        wanted = choices[_turn_index(project, segment)]
        key = page.locator(".shortcut", has_text=wanted).get_attribute("aria-keyshortcuts")
        page.keyboard.press(key)
        page.locator(f'.segment[data-segment-id="{segment}"] .chip', has_text=wanted).wait_for()
        page.keyboard.press("s")
        wait_for(
            page,
            lambda s=segment: Assignment.objects.get(segment_id=s, coder__username=username).status == "done",
            "the submission",
        )
        coded += 1
        if coded == len(choices):
            break
        page.wait_for_function(
            "id => { const s = document.querySelector('.segment.is-selected'); return s && s.dataset.segmentId !== String(id); }",
            arg=segment,
        )
    page.get_by_text("All your units are submitted.").wait_for()
    return page


def reference_alpha(project) -> float:
    """Nominal Krippendorff's alpha of the submitted codings, by the independent ``krippendorff`` package."""
    import krippendorff
    import numpy as np

    from annotate.coding.models import Coding

    rows = Coding.objects.filter(segment__document__project=project).values_list(
        "coder__username", "segment_id", "code_id"
    )
    coders = sorted({r[0] for r in rows})
    units = sorted({r[1] for r in rows})
    data = np.full((len(coders), len(units)), np.nan)
    for coder, unit, code in rows:
        data[coders.index(coder), units.index(unit)] = code
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


@pytest.mark.parametrize("coder_viewport", [None, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("unit_type", ["document", "segment"], ids=["whole-transcripts", "pool"])
def test_a_whole_study_closes_in_the_browser(
    open_page, live_server, team, celery_worker, settings, tmp_path, unit_type, coder_viewport
):
    from annotate.adjudication.models import Decision
    from annotate.analysis.models import AgreementRun
    from annotate.assignments.models import Unit
    from annotate.coding.models import Coding

    settings.INTERCODER_ANALYSIS_DEBOUNCE_S = 1
    owner = signed_in_at(open_page, live_server, "pia", "/projects/")
    project = owner_sets_up_the_study(owner, open_page, live_server, team, tmp_path, unit_type)
    assert Unit.objects.filter(project=project).count() == 9
    assert (
        project.documents.filter(segments__codable=False, segments__speaker="Interviewer").distinct().count()
        == 3
    )

    for username, choices in (("cora", CORA), ("cody", CODY)):
        coder_codes_every_unit(open_page, live_server, project, username, choices, coder_viewport)
    assert Coding.objects.filter(segment__document__project=project).count() == 18

    # The automatic agreement run, on the worker, reaches the owner's dashboard. Runs made while the second
    # coder worked saw part of the work; the one that counts saw all 18 ratings.
    run = wait_for(
        owner,
        lambda: AgreementRun.objects.filter(
            project=project, automatic=True, status="done", snapshot__ratings=18
        ).first(),
        "the automatic agreement run over every rating",
        tries=900,
    )
    expected = f"{reference_alpha(project):.3f}"
    owner.goto(f"{live_server.url}/projects/{project.id}/#analysis")
    agreement = owner.get_by_role("region", name="Inter-coder agreement")
    agreement.get_by_text(re.compile(rf"^Run {run.id}\b")).wait_for()
    headline = agreement.locator("dd").first.inner_text()
    assert headline.startswith(expected), (headline, expected)

    # The adjudicator accepts the unanimous units, then decides each disagreement.
    adjudicator = signed_in_at(open_page, live_server, "ada", f"/projects/{project.id}/#adjudication")
    adjudicator.get_by_role("button", name="Accept all unanimous units").click()
    wait_for(
        adjudicator,
        lambda: Decision.objects.filter(project=project, provenance="unanimous").count() == 6,
        "bulk",
    )
    heading = adjudicator.get_by_role("heading", name=re.compile(r"^Disagreements to decide \(\d+\)$"))
    adjudicator.get_by_role("heading", name="Disagreements to decide (3)").wait_for()
    for left in (2, 1, 0):
        adjudicator.locator(".queue-list button").first.click()
        adjudicator.get_by_role("table", name="Codes by coder").wait_for()
        adjudicator.get_by_role("button", name=re.compile(r"^Accept Coder A")).click()
        adjudicator.get_by_role("heading", name=f"Disagreements to decide ({left})").wait_for()
    assert heading.inner_text() == "Disagreements to decide (0)"
    assert Unit.objects.filter(project=project, adjudicated_at__isnull=False).count() == 9

    # The owner's exports hold what was coded: 18 codings by the coders and 9 final ones.
    owner.goto(f"{live_server.url}/projects/{project.id}/#exports")
    owner.get_by_role("heading", name="New export").wait_for()
    codings_csv = export_and_download(owner, tmp_path, kind="codings", fmt="csv")
    rows = list(csv.DictReader(io.StringIO(codings_csv.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 27
    qdpx = export_and_download(owner, tmp_path, kind="qdpx", fmt="qdpx")
    with zipfile.ZipFile(qdpx) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    codings = root.findall(".//{urn:QDA-XML:project:1.0}Coding")
    assert len(codings) == 27


def export_and_download(page, tmp_path: Path, *, kind: str, fmt: str) -> Path:
    from annotate.exports.models import ExportJob

    before = set(ExportJob.objects.values_list("id", flat=True))
    page.get_by_label("What").select_option(kind)
    page.get_by_label("Format").select_option(fmt)
    page.get_by_role("button", name="Export").click()
    job = wait_for(
        page,
        lambda: ExportJob.objects.exclude(id__in=before).filter(status="done").first(),
        f"the {kind} export",
        tries=600,
    )
    link = page.get_by_role("table", name="Exports").locator(f'a[download="{job.file_name}"]')
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    path = tmp_path / job.file_name
    download.value.save_as(path)
    return path
