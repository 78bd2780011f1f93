"""The web UI in real headless Chromium (Debian's package, never a downloaded browser) against the live
server: sign in, open the demo transcript, code a segment, and the role and error rules a user sees.

``scripts/ensure_system_packages.sh`` installs /usr/bin/chromium; ``make test`` calls it first.
"""

import re
from pathlib import Path

import pytest

from tests.frontend.browser import sign_in, signed_in_at
from tests.frontend.browser import wait_for as _wait_for

SCREENSHOT = Path("/tmp/intercoder-coding.png")

pytestmark = [pytest.mark.browser]


def first_unfinished_document_of(project, username):
    """The first transcript (in queue order) where the coder still has units to do."""
    from annotate.assignments.models import Assignment, AssignmentStatus

    assignment = (
        Assignment.objects.filter(project_id=project.pk, coder__username=username)
        .exclude(status=AssignmentStatus.DONE)
        .order_by("order")
    )
    return assignment.select_related("unit").first().unit.document_id


def untouched_document_of(project, username):
    """A transcript of the coder's that the demo left entirely to do (none of its units done)."""
    from annotate.assignments.models import Assignment, AssignmentStatus

    mine = Assignment.objects.filter(project_id=project.pk, coder__username=username).select_related("unit")
    by_document: dict[int, set[str]] = {}
    for assignment in mine.order_by("order"):
        by_document.setdefault(assignment.unit.document_id, set()).add(assignment.status)
    untouched = [doc for doc, statuses in by_document.items() if AssignmentStatus.DONE not in statuses]
    return untouched[-1]


def test_coder_codes_a_segment_and_it_persists(open_page, live_server, demo):
    from annotate.audit.models import AuditEvent
    from annotate.coding.models import Coding

    page = open_page()
    sign_in(page, live_server.url, "ana")
    page.wait_for_url(re.compile(r"/projects/$"))

    page.get_by_role("link", name=demo.name).click()
    page.wait_for_url(re.compile(rf"/projects/{demo.id}/"))
    page.get_by_role("tab", name=re.compile("Transcripts")).wait_for()
    # The demo has ana part-way through her work: "Continue coding" opens her first transcript with units
    # still to do. The flow below codes a transcript she has not started.
    page.get_by_role("button", name=re.compile(r"(Start|Continue) coding")).click()
    page.wait_for_url(re.compile(rf"/documents/{first_unfinished_document_of(demo, 'ana')}/\?segment=\d+$"))
    page.goto(f"{live_server.url}/projects/{demo.id}/documents/{untouched_document_of(demo, 'ana')}/")

    # Interviewer turns are muted context; the first participant turn is selected.
    page.locator(".segment.is-context").first.wait_for()
    assert page.locator(".segment.is-context[tabindex]").count() == 0
    selected = page.locator(".segment.is-selected")
    first_id = selected.get_attribute("data-segment-id")

    # Keyboard: j moves to the next codable segment, / opens the picker, type to filter, Enter applies.
    selected.click()
    page.keyboard.press("j")
    page.wait_for_function(
        "id => document.querySelector('.segment.is-selected')?.dataset.segmentId !== id", arg=first_id
    )
    segment_id = page.locator(".segment.is-selected").get_attribute("data-segment-id")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "code-filter"
    page.keyboard.type("HR1")
    page.keyboard.press("Enter")
    chip = page.locator(f'.segment[data-segment-id="{segment_id}"] .chip', has_text="HR1")
    chip.wait_for()
    # The chip wears the code's colour.
    assert page.evaluate("el => getComputedStyle(el).backgroundColor", chip.element_handle()) not in (
        "rgba(0, 0, 0, 0)",
        "transparent",
    )

    # A second code by mouse, and a memo.
    page.get_by_label("Apply a code").fill("PH1")
    page.get_by_role("option", name=re.compile("PH1")).click()
    page.locator(f'.segment[data-segment-id="{segment_id}"] .chip', has_text="PH1").wait_for()
    # A span: select words inside the segment, pick a code; the API gets code-point offsets.
    from annotate.documents.models import Segment

    segment = Segment.objects.select_related("document").get(pk=int(segment_id))
    segment_text = segment.document.text[segment.start_offset : segment.end_offset]
    quote = " ".join(segment_text.split(" ")[3:6])
    page.evaluate(
        """([id, quote]) => {
          const p = document.querySelector(`.segment[data-segment-id="${id}"] .seg-text`);
          const node = p.firstChild;
          const at = node.textContent.indexOf(quote);
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + quote.length);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
          p.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
        }""",
        [segment_id, quote],
    )
    page.locator(".target.is-span", has_text=quote).wait_for()
    assert page.evaluate("document.activeElement.id") == "code-filter"
    page.keyboard.type("HR4")
    page.keyboard.press("Enter")
    page.locator(f'.segment[data-segment-id="{segment_id}"] .span-mark', has_text=quote).wait_for()
    span = Coding.objects.get(segment=segment, coder__username="ana", span_start__isnull=False)
    assert segment.document.text[span.span_start : span.span_end] == quote
    assert span.code.name.startswith("HR4")

    page.get_by_label("Memo on this segment").fill("Frames non-prosecution as harm reduction; compare P03.")
    page.get_by_role("button", name="Save memo").click()
    page.locator(".memo", has_text="compare P03").wait_for()
    page.locator(".coding-panel").evaluate("el => el.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOT))

    page.reload()
    page.locator(f'.segment[data-segment-id="{segment_id}"] .chip', has_text="HR1").wait_for()
    # Coded but not yet submitted: the unit still counts as to do, here as on the PI's dashboard.
    assert page.locator(".progress-text").inner_text().startswith("0 of your ")

    coding = Coding.objects.get(
        segment_id=int(segment_id), coder__username="ana", code__name__startswith="HR1"
    )
    assert coding.span_start is None
    assert AuditEvent.objects.filter(
        project=demo, action="coding.create", object_id=str(coding.id), actor__username="ana"
    ).exists()


def test_coder_sees_no_codebook_edit_controls_but_owner_does(open_page, live_server, demo):
    coder = signed_in_at(open_page, live_server, "ben", f"/projects/{demo.id}/#codebook")
    coder.locator(".code-tree").wait_for()
    coder.get_by_text("Use when").first.wait_for(state="attached")  # inclusion criteria are shown
    assert coder.locator("[data-testid=codebook-edit]").count() == 0
    assert coder.get_by_role("button", name=re.compile("New theme or code|Edit")).count() == 0

    owner = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#codebook")
    owner.locator(".code-tree").wait_for()
    assert owner.get_by_role("button", name="New theme or code").is_visible()


def test_inactive_code_is_marked_and_the_api_error_is_shown(open_page, live_server, demo):
    from annotate.codebook.models import Code

    Code.objects.filter(codebook__project=demo, name__startswith="HR2").update(is_active=False)
    page = signed_in_at(
        open_page,
        live_server,
        "chioma",
        f"/projects/{demo.id}/documents/{untouched_document_of(demo, 'chioma')}/",
    )
    page.get_by_label("Apply a code").fill("HR2")
    option = page.get_by_role("option", name=re.compile("HR2"))
    assert option.get_attribute("aria-disabled") == "true"
    assert "inactive" in option.inner_text().lower()
    page.keyboard.press("Enter")
    page.locator(".coding-panel [role=alert]", has_text="inactive").wait_for()
    assert page.locator(".segment.is-selected .chip").count() == 0

    # A code deactivated after the page loaded: the API refuses, and its {"detail"} reaches the user.
    Code.objects.filter(codebook__project=demo, name__startswith="HR3").update(is_active=False)
    page.get_by_label("Apply a code").fill("HR3")
    page.keyboard.press("Enter")
    alert = page.locator(".coding-panel [role=alert]", has_text="deactivated")
    alert.wait_for()
    assert "can no longer be applied" in alert.inner_text()
    assert page.locator(".segment.is-selected .chip").count() == 0


def test_wrong_password_shows_the_error(open_page, live_server, demo):
    page = open_page()
    sign_in(page, live_server.url, "ana", password="not-the-password")
    alert = page.locator("#login-error [role=alert]")
    alert.wait_for()
    assert alert.inner_text() == "Wrong username or password."
    assert page.url.endswith("/login/")


def test_pi_watches_progress_agreement_and_saturation_and_coders_cannot(open_page, live_server, demo):
    owner = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#analysis")
    owner.get_by_role("heading", name="Inter-coder agreement").wait_for()
    # Progress per coder (the demo's three coders), the demo's computed agreement and saturation runs.
    progress = owner.get_by_role("table", name="Progress per coder")
    for coder in ("ana", "ben", "chioma"):
        assert progress.get_by_role("rowheader", name=coder).is_visible()
    assert owner.get_by_text("Krippendorff's alpha, MASI distance").is_visible()
    per_code = owner.get_by_role("table", name="Agreement per code, weakest first")
    assert per_code.locator("tbody tr").count() >= 5
    assert re.search(r"\d\.\d{3}", per_code.locator("tbody tr").first.inner_text())
    assert "saturation" in owner.locator("blockquote.wording").inner_text().lower()
    figure = owner.locator("img.figure[src*='/saturation/']")
    figure.wait_for()
    owner.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle())
    # Asking for a new run: it is queued (computed at once here: the tests run tasks inline) and the
    # panel shows it as the latest.
    from annotate.analysis.models import AgreementRun

    before = set(AgreementRun.objects.filter(project=demo).values_list("id", flat=True))
    owner.get_by_role("button", name="Compute agreement now").click()
    new = _wait_for(
        owner,
        lambda: AgreementRun.objects.filter(project=demo).exclude(id__in=before).first(),
        "the run the button requests",
    )
    agreement = owner.get_by_role("region", name="Inter-coder agreement")
    agreement.get_by_text(re.compile(rf"^Run {new.id}, finished")).wait_for()
    new.refresh_from_db()
    assert new.status == "done"

    coder = signed_in_at(open_page, live_server, "ben", f"/projects/{demo.id}/#analysis")
    coder.get_by_role("tab", name=re.compile("Transcripts")).wait_for()
    assert coder.get_by_role("tab", name=re.compile("Analysis")).count() == 0
    assert coder.get_by_role("heading", name="Inter-coder agreement").count() == 0


def test_pi_exports_every_coders_codings_as_xlsx_and_downloads_them(
    open_page, live_server, demo, settings, tmp_path
):
    import openpyxl

    from annotate.exports.models import ExportJob

    settings.MEDIA_ROOT = tmp_path
    owner = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#exports")
    owner.get_by_role("heading", name="New export").wait_for()
    owner.get_by_label("What").select_option("codings")
    owner.get_by_label("Format").select_option("xlsx")
    owner.get_by_label("Codings").select_option("raw")
    owner.get_by_role("button", name="Export").click()
    download_link = owner.get_by_role("table", name="Exports").get_by_role("link", name="Download").first
    download_link.wait_for()
    job = ExportJob.objects.get(project=demo)
    assert (job.kind, job.format, job.params["which"], job.status) == ("codings", "xlsx", "raw", "done")
    with owner.expect_download() as download:
        download_link.click()
    path = tmp_path / "download.xlsx"
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert len(rows) == job.row_count + 1 > 100
    assert {row[rows[0].index("coder")] for row in rows[1:]} == {"ana", "ben", "chioma"}


def test_pi_decides_a_disagreement_side_by_side_and_accepts_the_unanimous_units(open_page, live_server, demo):
    from annotate.adjudication.models import Decision

    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#adjudication")
    heading = page.get_by_role("heading", name=re.compile(r"^Disagreements to decide \(\d+\)$"))
    heading.wait_for()
    waiting = int(re.search(r"\((\d+)\)", heading.inner_text()).group(1))
    assert waiting > 0, "the demo has disagreements in its reliability sample"

    page.locator(".queue-list button").first.click()
    table = page.get_by_role("table", name="Codes by coder")
    table.wait_for()
    assert table.locator("thead th").count() == 4  # the code, then the demo's three coders side by side
    assert table.locator("tr.disputed").count() >= 1
    page.get_by_role("button", name=re.compile(r"^Accept Coder A")).click()
    decision = _wait_for(page, lambda: Decision.objects.filter(project=demo).first(), "the decision")
    assert (decision.method, decision.provenance, decision.is_current) == (
        "accept_coder",
        "adjudicated",
        True,
    )
    assert decision.decided_by.username == "pi"
    page.get_by_role("heading", name=f"Disagreements to decide ({waiting - 1})").wait_for()

    page.get_by_role("button", name="Accept all unanimous units").click()
    _wait_for(page, lambda: Decision.objects.filter(project=demo, provenance="unanimous").exists(), "bulk")
    page.get_by_text(re.compile(r"^0 unanimous units \(0 codings\) are ready")).wait_for()


def test_pi_imports_a_late_transcript_and_it_joins_the_plan(open_page, live_server, demo, tmp_path, settings):
    from annotate.assignments.models import Unit
    from annotate.documents.models import Document

    settings.MEDIA_ROOT = tmp_path / "media"
    transcript = tmp_path / "P17.txt"
    transcript.write_text(
        "Interviewer: What changed after the election?\n\n"
        "P17: We stopped charging possession of test strips.\n\n"
        "Interviewer: And naloxone?\n\n"
        "P17: Every patrol car carries it now.\n",
        encoding="utf-8",
    )
    page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#documents")
    page.get_by_role("heading", name="Import transcripts").wait_for()
    page.get_by_label("Files").set_input_files(str(transcript))
    page.get_by_label("Segments").select_option("turn")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Import 1 transcript").click()
    page.get_by_role("status").get_by_text("1 imported").wait_for()
    page.get_by_role("table", name="Transcripts in analysis order").get_by_role(
        "link", name=re.compile("P17")
    ).wait_for()
    document = Document.objects.get(project=demo, source_filename="P17.txt")
    assert document.case.identifier == "P17"
    # The plan was applied before: the late transcript's codable turns joined it.
    assert (
        Unit.objects.filter(document=document).count() == document.segments.filter(codable=True).count() > 0
    )


def test_pi_plans_a_new_study_in_the_browser(open_page, live_server, demo):
    from django.contrib.auth import get_user_model

    from annotate.assignments.models import Assignment, AssignmentPlan
    from annotate.projects.models import Role
    from tests.factories import ProjectFactory, make_case, make_document

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["pi", "ana", "ben"])}
    project = ProjectFactory(creator=users["pi"], name="Pilot")
    for name in ("ana", "ben"):
        project.add_member(users[name], Role.CODER)
    for n in (1, 2, 3, 4):
        make_document(
            project,
            users["pi"],
            case=make_case(project, users["pi"], identifier=f"X{n}"),
            text=f"Interviewer: How?\n\nX{n}: Like this.\n\nX{n}: And this.",
        )
    page = signed_in_at(open_page, live_server, "pi", f"/projects/{project.id}/#plan")
    page.get_by_role("heading", name="Assignment plan").wait_for()
    assert page.get_by_role("button", name="Apply plan").is_disabled()  # preview first
    page.get_by_label("Reliability sample (%)").fill("50")
    page.get_by_label("Reliability sample (%)").dispatch_event("change")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("table", name="Preview per coder")
    preview.wait_for()
    assert preview.get_by_role("rowheader", name="ana").is_visible()
    assert "2 double-coded (50%)" in page.locator(".plan-preview").inner_text()
    page.get_by_role("button", name="Apply plan").click()
    page.get_by_role("heading", name="Assignment plan (revision 1)").wait_for()
    plan = AssignmentPlan.objects.get(project=project)
    assert (plan.unit_type, plan.overlap, plan.sample_fraction) == ("document", 2, 0.5)
    assert set(Assignment.objects.filter(project=project).values_list("coder__username", flat=True)) == {
        "ana",
        "ben",
    }


def test_a_coder_proposes_a_code_and_the_pi_accepts_it(open_page, live_server, demo):
    from annotate.codebook.models import Code, CodeProposal

    coder = signed_in_at(
        open_page, live_server, "ana", f"/projects/{demo.id}/documents/{untouched_document_of(demo, 'ana')}/"
    )
    coder.locator(".segment.is-selected").wait_for()
    coder.get_by_text("Propose a new code").click()
    coder.get_by_label("Name").fill("Peer navigators")
    coder.get_by_label("Definition").fill("People with lived experience who guide others into treatment.")
    coder.get_by_role("button", name="Send proposal").click()
    proposal = _wait_for(
        coder, lambda: CodeProposal.objects.filter(name="Peer navigators").first(), "the proposal"
    )
    assert proposal.proposed_by.username == "ana"
    assert proposal.segment_id is not None  # made on the segment the coder was reading

    pi = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#codebook")
    pi.get_by_role("heading", name="Proposed codes (1)").wait_for()
    pi.get_by_label("Note on Peer navigators").fill("Distinct from HR4; welcome.")
    pi.get_by_role("button", name="Accept", exact=True).click()
    pi.locator(".code-tree").get_by_text("Peer navigators").first.wait_for()
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert Code.objects.filter(codebook__project=demo, name="Peer navigators", is_active=True).exists()


def _code_node(page, name):
    """The codebook tree's entry of one code (not its ancestors'), every node opened first."""
    page.evaluate("document.querySelectorAll('.code-tree details').forEach((d) => { d.open = true; })")
    summary = page.locator(".code-tree .code-name").filter(has_text=re.compile(f"^{re.escape(name)}$"))
    return summary.locator("xpath=ancestor::li[contains(@class, 'code-node')][1]")


def test_the_pi_merges_and_splits_codes_in_the_codebook_tab(open_page, live_server, demo):
    from django.db.models import Count

    from annotate.audit.models import AuditEvent
    from annotate.codebook.models import Code
    from annotate.coding.models import Coding

    leaves = (
        Code.objects.filter(codebook__project=demo, is_active=True, children__isnull=True)
        .annotate(n=Count("codings"))
        .order_by("-n", "id")
    )
    source, target, to_split = leaves[0], leaves[1], leaves[2]
    moved = Coding.objects.filter(code=source).count()
    assert moved > 0

    pi = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#codebook")
    pi.locator(".code-tree").wait_for()

    # The create-and-edit dialog shares the merge and split dialogs' frame: it still creates a code.
    pi.get_by_role("button", name="New theme or code").click()
    dialog = pi.get_by_role("dialog", name="New code")
    dialog.get_by_label("Name").fill("Peer support")
    dialog.get_by_label("Rationale for this change").fill("Named in the thematic pass.")
    dialog.get_by_role("button", name="Create code").click()
    dialog.wait_for(state="detached")
    assert Code.objects.filter(codebook__project=demo, name="Peer support", parent=None).exists()

    _code_node(pi, source.name).get_by_role("button", name="Merge into…").first.click()
    dialog = pi.get_by_role("dialog", name="Merge code")
    dialog.get_by_label("Merge into").select_option(str(target.id))
    dialog.get_by_label("Rationale").fill("The same idea, coded two ways.")
    dialog.get_by_role("button", name="Merge", exact=True).click()
    dialog.wait_for(state="detached")
    source.refresh_from_db()
    assert (source.is_active, source.merged_into_id) == (False, target.id)
    assert Coding.objects.filter(code=source).count() == 0
    assert AuditEvent.objects.filter(project=demo, action="code.merge").exists()
    _code_node(pi, source.name).locator(".badge-inactive").wait_for()

    _code_node(pi, to_split.name).get_by_role("button", name="Split…").first.click()
    dialog = pi.get_by_role("dialog", name="Split code")
    dialog.get_by_label("New codes, one per line").fill("Naloxone\nnaloxone")
    dialog.get_by_label("Rationale").fill("Two distinct practices.")
    dialog.get_by_role("button", name="Split", exact=True).click()
    dialog.get_by_role("alert").filter(has_text="named twice").wait_for()  # said before anything is sent
    dialog.get_by_label("New codes, one per line").fill("Naloxone distribution\nSyringe services")
    dialog.get_by_label(re.compile("^Deactivate")).check()
    dialog.get_by_role("button", name="Split", exact=True).click()
    dialog.wait_for(state="detached")
    children = Code.objects.filter(split_from=to_split).order_by("name")
    assert [(c.name, c.parent_id) for c in children] == [
        ("Naloxone distribution", to_split.id),
        ("Syringe services", to_split.id),
    ]
    to_split.refresh_from_db()
    assert to_split.is_active is False
    _code_node(pi, "Syringe services").wait_for()


def test_the_pi_imports_codes_from_a_csv_and_a_coder_downloads_the_codebook(
    open_page, live_server, demo, tmp_path
):
    from annotate.audit.models import AuditEvent
    from annotate.codebook.models import Code

    pi = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#codebook")
    pi.locator(".code-tree").wait_for()
    wrong = tmp_path / "codebook.xlsx"
    wrong.write_bytes(b"not a codebook")
    good = tmp_path / "second pass.csv"
    good.write_text(
        "path,definition\nSecond pass,Themes named in the thematic pass.\n"
        "Second pass > Peer navigators,People with lived experience who guide others into treatment.\n",
        encoding="utf-8",
    )
    pi.get_by_role("button", name="Import codes…").click()
    dialog = pi.get_by_role("dialog", name="Import codes")
    dialog.get_by_label("Codebook file").set_input_files(str(wrong))
    dialog.get_by_label("Rationale").fill("Themes from the second pass.")
    dialog.get_by_role("button", name="Import", exact=True).click()
    dialog.get_by_role("alert").filter(has_text="Choose a .csv or .qdc file").wait_for()
    dialog.get_by_label("Codebook file").set_input_files(str(good))
    dialog.get_by_role("button", name="Import", exact=True).click()
    dialog.wait_for(state="detached")
    navigators = Code.objects.get(codebook__project=demo, name="Peer navigators")
    assert navigators.parent.name == "Second pass"
    assert AuditEvent.objects.filter(project=demo, action="codebook.import").exists()
    # The same file again: the server refuses it whole, and the dialog says why.
    pi.get_by_role("button", name="Import codes…").click()
    dialog = pi.get_by_role("dialog", name="Import codes")
    dialog.get_by_label("Codebook file").set_input_files(str(good))
    dialog.get_by_label("Rationale").fill("Again.")
    dialog.get_by_role("button", name="Import", exact=True).click()
    dialog.get_by_role("alert").filter(has_text="already has a code").wait_for()
    dialog.get_by_role("button", name="Cancel").click()
    assert Code.objects.filter(codebook__project=demo, name="Peer navigators").count() == 1

    coder = signed_in_at(open_page, live_server, "ben", f"/projects/{demo.id}/#codebook")
    link = coder.get_by_role("link", name="CSV")
    response = coder.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert "Second pass > Peer navigators" in response.body().decode("utf-8-sig")
    assert coder.get_by_role("button", name="Import codes…").count() == 0
    assert AuditEvent.objects.filter(project=demo, action="codebook.export", actor__username="ben").exists()


def test_the_pi_imports_a_case_attribute_sheet_typing_its_columns(open_page, live_server, demo, tmp_path):
    from annotate.cases.models import AttributeDefinition, AttributeValue, Case

    bad = tmp_path / "cases-bad.csv"
    bad.write_text("participant_id,years_in_office\nP01,six\n", encoding="utf-8")
    sheet = tmp_path / "cases.csv"
    sheet.write_text(
        "participant_id,role,years_in_office,languages,scratch\n"
        "P01,Elected prosecutor,6,English; Spanish,x\n"
        "P99,Policy staff,2,English,y\n",
        encoding="utf-8",
    )
    pi = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#cases")

    pi.get_by_role("button", name="Import case attributes…").click()
    dialog = pi.get_by_role("dialog", name="Import case attributes")
    dialog.get_by_label("Case-attribute sheet (CSV)").set_input_files(str(bad))
    assert dialog.get_by_label("Type of years_in_office").input_value() == "number"  # the project's type
    dialog.get_by_role("button", name="Import", exact=True).click()
    dialog.get_by_role("alert").filter(has_text="six").wait_for()  # the server names the bad cell
    assert not Case.objects.filter(project=demo, identifier="P99").exists()

    dialog.get_by_label("Case-attribute sheet (CSV)").set_input_files(str(sheet))
    assert dialog.get_by_role("alert").count() == 0  # the error was about the other file
    assert dialog.get_by_label("Column that identifies the case").input_value() == "participant_id"
    assert dialog.get_by_label("Type of languages").input_value() == "text"
    dialog.get_by_label("Type of scratch").select_option("ignore")
    dialog.get_by_role("button", name="Import", exact=True).click()
    dialog.wait_for(state="detached")

    years = AttributeDefinition.objects.get(project=demo, name="years_in_office")
    assert (
        AttributeValue.objects.get(case__project=demo, case__identifier="P01", attribute=years).number_value
        == 6
    )
    assert Case.objects.filter(project=demo, identifier="P99").exists()
    assert AttributeDefinition.objects.get(project=demo, name="languages").type == "text"
    assert not AttributeDefinition.objects.filter(project=demo, name="scratch").exists()
    pi.get_by_role("table", name="Cases and their attributes").get_by_text("P99").wait_for()


def test_the_pi_starts_an_empty_project_from_a_refi_qda_project(open_page, live_server, demo, tmp_path):
    from django.conf import settings

    from annotate.documents.models import Document
    from annotate.exports.models import ProjectImportJob
    from annotate.exports.services import export_job_request
    from annotate.projects.models import Membership
    from annotate.projects.services import project_create

    # The demo as another tool would hand it over: our own REFI-QDA export (eager Celery runs it now).
    pi_user = demo.created_by
    export = export_job_request(
        membership=Membership.objects.select_related("project").get(project=demo, user=pi_user),
        actor=pi_user,
        kind="qdpx",
        fmt=None,
        params={},
    )
    export.refresh_from_db()
    qdpx = tmp_path / "prosecutors.qdpx"
    qdpx.write_bytes((Path(settings.MEDIA_ROOT) / export.file_path).read_bytes())

    empty = project_create(creator=pi_user, name="Second site")
    pi = signed_in_at(open_page, live_server, "pi", f"/projects/{empty.id}/#documents")
    pi.get_by_role("heading", name="Or start from another tool").wait_for()
    pi.get_by_label("REFI-QDA project").set_input_files(str(qdpx))
    pi.get_by_role("button", name="Import project").click()
    pi.get_by_text(re.compile(r"Imported: 16 transcripts, \d+ codes")).wait_for()
    job = ProjectImportJob.objects.get(project=empty)
    assert job.status == "done", job.error
    assert Document.objects.filter(project=empty).count() == 16
    pi.get_by_role("tab", name=re.compile("Transcripts 16")).wait_for()

    # A project with content offers no such import (the API refuses it too).
    demo_page = signed_in_at(open_page, live_server, "pi", f"/projects/{demo.id}/#documents")
    demo_page.get_by_role("heading", name="Import transcripts").wait_for()
    assert demo_page.get_by_role("heading", name="Or start from another tool").count() == 0
