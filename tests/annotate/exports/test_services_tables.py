"""Codings (CSV, XLSX, JSON Lines), the code × case matrix and quotations, through the services."""

import csv
import json

import openpyxl
import pytest

from annotate.audit.models import AuditEvent
from annotate.core.models import JobStatus
from annotate.core.spreadsheets import cell_text
from annotate.projects.models import Role

from .helpers import export_path, run_export

pytestmark = pytest.mark.django_db


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_codings_csv_both_has_every_coder_and_the_final_coding(study, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    job = run_export(
        django_capture_on_commit_callbacks,
        study.project,
        owner,
        "codings",
        "csv",
        which="both",
        segment_text=True,
    )
    assert job.status == JobStatus.DONE, job.error
    rows = read_csv(export_path(job))
    assert job.row_count == len(rows) == 5
    assert export_path(job).parent.name == str(study.project.id)
    raw = [r for r in rows if r["coder"] != "final"]
    final = [r for r in rows if r["coder"] == "final"]
    assert sorted(r["coder"] for r in raw) == ["adjudicator", "coder", "coder", "owner"]
    (f,) = final
    assert f["provenance"] == "adjudicated"
    assert f["rationale"] == "Naloxone is named explicitly."
    assert f["adjudicator"] == "adjudicator"
    assert f["code_path"] == "Harm reduction > Naloxone"
    assert f["attribute:role"] == "prosecutor"
    assert f["attribute:years"] == "6.0"
    assert f["case"] == "P01"
    assert f["codebook_version"] == ""
    span = next(r for r in raw if r["span_start"])
    # Code points, not UTF-16 units: the span is exactly the five characters.
    assert span["span_text"] == "café😀"
    assert int(span["span_end"]) - int(span["span_start"]) == 5
    assert span["segment_text"].startswith("P01: Naloxone")
    assert all(r["codebook_version"] for r in raw)


def test_export_request_is_audited_with_the_job(study, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    job = run_export(
        django_capture_on_commit_callbacks, study.project, owner, "codings", "jsonl", which="raw"
    )
    event = AuditEvent.objects.get(action="export.request", object_id=str(job.id))
    assert event.after == {
        "kind": "codings",
        "format": "jsonl",
        "params": {"which": "raw", "segment_text": False},
    }
    assert event.actor_id == owner.id


def test_codings_jsonl_and_final_only(study, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    job = run_export(
        django_capture_on_commit_callbacks, study.project, owner, "codings", "jsonl", which="final"
    )
    lines = [json.loads(line) for line in export_path(job).read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1
    assert lines[0]["coder"] == "final"
    assert lines[0]["segment_id"] == study.ids["seg"]


def test_codings_xlsx_keeps_formula_like_text_as_text(study, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    job = run_export(
        django_capture_on_commit_callbacks,
        study.project,
        owner,
        "codings",
        "xlsx",
        which="raw",
        segment_text=True,
    )
    wb = openpyxl.load_workbook(export_path(job))
    rows = list(wb.active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == 4
    texts = [dict(zip(header, r, strict=True))["segment_text"] for r in data]
    assert "=SUM(A1) is not a formula." in texts
    cell = next(c for row in wb.active.iter_rows() for c in row if c.value == "=SUM(A1) is not a formula.")
    assert cell.data_type == "s"


def test_codings_xlsx_holds_the_same_cells_as_the_csv(study, django_capture_on_commit_callbacks):
    """XLSX leaves empty text cells out (an absent cell reads as empty); every other cell equals the CSV's,
    where the CSV puts an apostrophe before text that a spreadsheet would run."""
    owner = study.users[Role.OWNER]
    params = {"which": "both", "segment_text": True}
    csv_job = run_export(django_capture_on_commit_callbacks, study.project, owner, "codings", "csv", **params)
    xlsx_job = run_export(
        django_capture_on_commit_callbacks, study.project, owner, "codings", "xlsx", **params
    )
    with open(export_path(csv_job), encoding="utf-8-sig", newline="") as f:
        csv_rows = list(csv.reader(f))
    xlsx_rows = list(openpyxl.load_workbook(export_path(xlsx_job)).active.iter_rows(values_only=True))
    assert len(xlsx_rows) == len(csv_rows) == 6

    def same(xlsx_value, csv_text):
        if isinstance(xlsx_value, int | float):  # a number cell; the CSV spells it as Python does (6.0)
            return float(csv_text) == xlsx_value
        # The CSV guards formula-like text with an apostrophe; the XLSX types it as text instead.
        return ("" if xlsx_value is None else cell_text(xlsx_value)) == csv_text

    for xlsx_row, csv_row in zip(xlsx_rows, csv_rows, strict=True):
        assert len(xlsx_row) == len(csv_row)
        mismatched = [(x, c) for x, c in zip(xlsx_row, csv_row, strict=True) if not same(x, c)]
        assert mismatched == []
    assert any("" in row for row in csv_rows[1:])  # the case being checked: empty cells exist


def test_coder_export_of_raw_codings_is_blind(study, django_capture_on_commit_callbacks):
    coder = study.users[Role.CODER]
    job = run_export(django_capture_on_commit_callbacks, study.project, coder, "codings", "csv", which="raw")
    coders = {r["coder"] for r in read_csv(export_path(job))}
    # Their own codings, and the adjudicated unit's (the adjudicator's coding there); never the owner's.
    assert "owner" not in coders
    assert "coder" in coders


def test_matrix_counts_cases_and_rolls_up_sub_codes(study, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    job = run_export(django_capture_on_commit_callbacks, study.project, owner, "matrix", "csv", source="raw")
    rows = read_csv(export_path(job))
    by_case = {r["case"]: r for r in rows}
    assert by_case["P01"]["Harm reduction"] == "2"  # two segments: one via the sub-code
    assert by_case["P01"]["Harm reduction > Naloxone"] == "1"
    assert by_case["P02"]["Public health"] == "1"
    assert by_case["P02"]["attribute:role"] == "staff"
    summary = rows[-1]
    assert summary["case"] == "cases with the code (of 2)"
    assert summary["Harm reduction"] == "1"
    assert summary["Public health"] == "1"
    assert job.result["source"] == "raw"


def test_matrix_by_default_takes_final_codings_where_decided_and_the_coders_elsewhere(
    study, django_capture_on_commit_callbacks
):
    """The default once left out every unit without a decision as soon as one unit had one, without a word.
    Now: the decided unit counts from its final coding, the two undecided ones from the coders."""
    owner = study.users[Role.OWNER]
    job = run_export(django_capture_on_commit_callbacks, study.project, owner, "matrix", "md")
    assert job.result["source"] == "final_else_raw"
    assert job.result["left_out_units"] == 0
    assert "matrix-final-else-raw" in job.file_name
    text = export_path(job).read_text(encoding="utf-8")
    assert "1 unit decided, 2 units still from the coders" in text
    assert "Harm reduction | 1 of 2 | 2 |" in text
    assert "Public health | 1 of 2 | 1 |" in text


def test_a_matrix_of_final_codings_says_which_coded_units_it_leaves_out(
    study, django_capture_on_commit_callbacks
):
    owner = study.users[Role.OWNER]
    job = run_export(
        django_capture_on_commit_callbacks, study.project, owner, "matrix", "html", source="final"
    )
    assert job.result["left_out_units"] == 2
    text = export_path(job).read_text(encoding="utf-8")
    assert "2 coded units have no final coding yet and are not in this export." in text
    assert "<td>Public health</td><td>0 of 2</td>" in text


def test_quotations_html_and_csv(study, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    job = run_export(
        django_capture_on_commit_callbacks, study.project, owner, "quotations", "html", source="final"
    )
    html = export_path(job).read_text(encoding="utf-8")
    assert "Harm reduction &gt; Naloxone" in html
    assert "Naloxone in every café😀 and syringe services." in html
    assert "1 quotation(s) from 1 of 2 cases." in html
    assert "<script" not in html
    job = run_export(
        django_capture_on_commit_callbacks,
        study.project,
        owner,
        "quotations",
        "csv",
        source="raw",
        code=study.ids["theme"],
    )
    rows = read_csv(export_path(job))
    assert {r["code_path"] for r in rows} == {"Harm reduction", "Harm reduction > Naloxone"}
    span = next(r for r in rows if r["quotation"] == "café😀")
    assert span["coded_by"] == "adjudicator"
    assert span["case"] == "P01"


def test_analysis_report_is_self_contained(study, saturation_run, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    job = run_export(django_capture_on_commit_callbacks, study.project, owner, "analysis_report")
    assert job.status == JobStatus.DONE, job.error
    html = export_path(job).read_text(encoding="utf-8")
    assert html.count("<svg") >= 3
    assert "No completed run yet." in html  # no agreement run
    assert "abc" in html
    assert "base_size" in html
    assert 'src="http' not in html
    assert "<script" not in html
    assert "<link" not in html


def test_failed_export_leaves_no_file(study, django_capture_on_commit_callbacks, monkeypatch):
    from annotate.exports import services

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "codings_write", boom)
    owner = study.users[Role.OWNER]
    with pytest.raises(RuntimeError):
        run_export(django_capture_on_commit_callbacks, study.project, owner, "codings", "csv")
    directory = export_path(type("J", (), {"file_path": f"exports/{study.project.id}"})())
    assert not directory.exists() or not any(directory.iterdir())
