"""A secondary pass's exports carry its link: the parent project, code and source segment per unit in the
codings (CSV), and in the .qdpx project, which still validates against the REFI-QDA schema."""

import csv

import pytest

from annotate.coding.services import coding_create
from annotate.core.models import JobStatus
from annotate.explore.passages import CodeQuery
from annotate.exports.refi import NS
from annotate.passes.models import Passage
from annotate.passes.services import secondary_pass_create
from annotate.projects.models import Membership
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


def test_the_codings_csv_names_the_parent_and_each_units_source_segment(
    study, coded_pass, django_capture_on_commit_callbacks
):
    secondary, passages = coded_pass
    job = run_export(
        django_capture_on_commit_callbacks,
        secondary.project,
        study.users["owner"],
        "codings",
        "csv",
        which="raw",
    )
    assert job.status == JobStatus.DONE, job.error
    with open(export_path(job), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = {p.segment_id: p.source_segment_id for p in passages}
    assert len(rows) == len(expected) == 4
    for row in rows:
        assert row["parent_project_id"] == str(study.project.id)
        assert row["parent_project"] == study.project.name
        assert row["parent_code_id"] == str(study.codes["theme"].id)
        assert row["parent_code"] == "Harm reduction theme"
        assert row["source_segment_id"] == str(expected[int(row["segment_id"])])


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
    assert found == {f"Copied from segment {p.source_segment_id} of {study.project.name}." for p in passages}
    for source in root.iter(f"{N}TextSource"):
        assert "The passages of Harm reduction theme" in source.find(f"{N}Description").text
