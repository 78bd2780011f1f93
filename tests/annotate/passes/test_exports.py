"""A secondary pass's exports carry its link: the parent project, code and source segment per unit in the
codings and quotations (CSV), in the heads and citations of the quotation and matrix reports and of
Explore's write-ups (Markdown, CSV, DOCX), and in the .qdpx project, which still validates against the
REFI-QDA schema."""

import csv
import io
from types import SimpleNamespace

import pytest

from annotate.coding.services import coding_create
from annotate.core.models import JobStatus
from annotate.explore.passages import CodeQuery
from annotate.exports.refi import NS
from annotate.passes.models import Passage
from annotate.passes.services import secondary_pass_create
from annotate.projects.models import Membership
from tests.annotate.explore.conftest import api_get
from tests.annotate.exports.helpers import assert_valid_qde, export_path, run_export
from tests.annotate.world import assign_everything
from tests.factories import make_code

pytestmark = pytest.mark.django_db
N = f"{{{NS}}}"


@pytest.fixture
def coded_pass(study):
    owner = study.users["owner"]
    membership = Membership.objects.select_related("project").get(project=study.project, user=owner)
    secondary = secondary_pass_create(
        membership=membership, actor=owner, query=CodeQuery(all=(study.codes["theme"].id,)), source="coders"
    )
    theme = make_code(secondary.project, owner, name="Pragmatism")
    assign_everything(secondary.project, owner, [study.users["coder"]])  # the pass's own plan
    passages = list(
        Passage.objects.filter(secondary_pass=secondary).select_related("segment", "source_segment")
    )
    for p in passages:
        coding_create(
            project_id=secondary.project_id, coder=study.users["coder"], segment=p.segment, code=theme
        )
    return secondary, passages


def exported(capture, project, user, kind, fmt=None, **params):
    """The file of an export run to the end."""
    job = run_export(capture, project, user, kind, fmt, **params)
    assert job.status == JobStatus.DONE, job.error
    return export_path(job)


def test_the_codings_csv_names_the_parent_and_each_units_source_segment(
    study, coded_pass, django_capture_on_commit_callbacks
):
    secondary, passages = coded_pass
    path = exported(
        django_capture_on_commit_callbacks,
        secondary.project,
        study.users["owner"],
        "codings",
        "csv",
        which="raw",
    )
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = {p.segment_id: p.source_segment_id for p in passages}
    assert len(rows) == len(expected) == 4
    for row in rows:
        assert row["parent_project_id"] == str(study.project.id)
        assert row["parent_project"] == study.project.name
        assert row["parent_code_id"] == str(study.codes["theme"].id)
        assert row["parent_code"] == "Harm reduction theme"
        assert row["source_segment_id"] == str(expected[int(row["segment_id"])])
    numbers = {p.segment_id: p.source_segment.position + 1 for p in passages}
    assert {row["source_segment_number"] for row in rows} == {str(n) for n in numbers.values()}
    for row in rows:
        assert row["source_segment_number"] == str(numbers[int(row["segment_id"])])


def test_a_primary_pass_export_has_no_link_columns(study, django_capture_on_commit_callbacks):
    job = run_export(
        django_capture_on_commit_callbacks, study.project, study.users["owner"], "codings", "csv", which="raw"
    )
    with open(export_path(job), encoding="utf-8-sig", newline="") as f:
        assert "source_segment_id" not in next(csv.reader(f))


def test_the_qdpx_carries_the_link_and_validates(study, coded_pass, django_capture_on_commit_callbacks):
    secondary, passages = coded_pass
    job = run_export(django_capture_on_commit_callbacks, secondary.project, study.users["owner"], "qdpx")
    assert job.status == JobStatus.DONE, job.error
    root = assert_valid_qde(export_path(job))
    description = root.find(f"{N}Description").text
    assert f"Secondary pass of the project {study.project.name!r}" in description
    assert str(study.codes["theme"].guid) in description
    selections = list(root.iter(f"{N}PlainTextSelection"))
    assert len(selections) == 4
    found = {sel.find(f"{N}Description").text for sel in selections}
    assert found == {
        f"Copied from segment {p.source_segment_id} (¶{p.source_segment.position + 1}) of {study.project.name}."
        for p in passages
    }
    for source in root.iter(f"{N}TextSource"):
        assert "The passages of Harm reduction theme" in source.find(f"{N}Description").text


def test_quotations_cite_the_parent_segment(study, coded_pass, django_capture_on_commit_callbacks):
    secondary, passages = coded_pass
    owner = study.users["owner"]
    path = exported(
        django_capture_on_commit_callbacks, secondary.project, owner, "quotations", "csv", source="raw"
    )
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    numbers = {p.source_segment_id: p.source_segment.position + 1 for p in passages}
    assert len(rows) == 4
    for row in rows:
        assert row["parent_project"] == study.project.name
        assert row["parent_code"] == "Harm reduction theme"
        assert row["source_segment_number"] == str(numbers[int(row["source_segment_id"])])

    path = exported(
        django_capture_on_commit_callbacks, secondary.project, owner, "quotations", "md", source="raw"
    )
    text = path.read_text(encoding="utf-8")
    assert (
        f"A secondary pass of the project {study.project.name!r}: the passages of Harm reduction theme."
        in text
    )
    for p in passages:
        document = p.segment.document
        assert (
            f"{document.case.identifier}, {document.title}, ¶{p.segment.position + 1}, "
            f"¶{p.source_segment.position + 1} in the parent"
        ) in text


def test_the_matrix_report_names_the_parent(study, coded_pass, django_capture_on_commit_callbacks):
    secondary, _ = coded_pass
    path = exported(
        django_capture_on_commit_callbacks,
        secondary.project,
        study.users["owner"],
        "matrix",
        "html",
        source="raw",
    )
    text = path.read_text(encoding="utf-8")
    assert "A secondary pass of the project" in text
    assert "the passages of Harm reduction theme." in text


def test_a_primary_pass_report_has_no_link(study, django_capture_on_commit_callbacks):
    job = run_export(
        django_capture_on_commit_callbacks,
        study.project,
        study.users["owner"],
        "quotations",
        "md",
        source="raw",
    )
    assert "secondary pass" not in export_path(job).read_text(encoding="utf-8")


def test_explore_write_ups_of_a_pass_cite_the_parent_segment(study, coded_pass):
    import docx

    secondary, passages = coded_pass
    theme = secondary.project.codebook.codes.get(name="Pragmatism")
    pass_study = SimpleNamespace(project=secondary.project, users=study.users)
    numbers = {p.segment_id: p.source_segment.position + 1 for p in passages}

    md = api_get(pass_study, "passages/export.md", "owner", code=str(theme.id), source="coders")
    assert md.status_code == 200, md.content
    text = b"".join(md.streaming_content).decode()
    assert "A secondary pass of the project" in text
    for p in passages:
        assert f"¶{p.segment.position + 1}, ¶{numbers[p.segment_id]} in the parent" in text

    response = api_get(pass_study, "passages/export.csv", "owner", code=str(theme.id), source="coders")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    sources = {p.source_segment_id: numbers[p.segment_id] for p in passages}
    assert len(rows) == 4
    for row in rows:
        assert row["source_segment_number"] == str(sources[int(row["source_segment_id"])])
        assert row["citation"].endswith(f"¶{row['source_segment_number']} in the parent")

    response = api_get(pass_study, "passages/export.docx", "owner", code=str(theme.id), source="coders")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs]
    assert any("A secondary pass of the project" in t for t in paragraphs)
    assert sum(" in the parent · Pragmatism" in t for t in paragraphs) == 4


def test_explore_write_ups_of_a_primary_pass_have_no_origin_columns(study):
    response = api_get(
        study, "passages/export.csv", "owner", code=str(study.codes["theme"].id), source="coders"
    )
    header = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert "source_segment_id" not in header
