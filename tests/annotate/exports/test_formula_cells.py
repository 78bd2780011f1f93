"""No CSV the product writes lets a spreadsheet run a cell: a PI renames a code, a case and a transcript to
formula-like names, and every CSV export holds them with a leading apostrophe. The audit trail stays exact
(its chain is verified from its cells) and says so in its documentation."""

import csv

import pytest

from annotate.cases.models import Case
from annotate.cases.services import case_update
from annotate.codebook.models import Code
from annotate.codebook.services import code_update
from annotate.core.spreadsheets import FORMULA_START
from annotate.documents.models import Document
from annotate.documents.services import document_update
from annotate.projects.models import Role

from .helpers import export_path, run_export

pytestmark = pytest.mark.django_db

CODE = '=HYPERLINK("http://evil.example","Public health")'
CASE = "+P01"
TITLE = "@SUM(1) interview"


def _rename(study):
    owner = study.users[Role.OWNER]
    health = Code.objects.get(pk=study.ids["health"])  # a top-level code: its path is its name
    code_update(code=health, actor=owner, data={"name": CODE}, rationale="Tested.")
    case_update(case=Case.objects.get(pk=study.ids["p01"]), actor=owner, data={"identifier": CASE})
    document_update(document=Document.objects.get(pk=study.ids["doc1"]), actor=owner, data={"title": TITLE})


def _cells(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


EXPORTS = [
    ("codings", {"which": "both", "segment_text": True}),
    ("matrix", {"source": "final_else_raw"}),
    ("matrix", {"source": "raw"}),
    ("quotations", {"source": "final_else_raw"}),
    ("quotations", {"source": "raw"}),
]


@pytest.mark.parametrize(("kind", "params"), EXPORTS)
def test_every_csv_export_guards_formula_like_cells(study, django_capture_on_commit_callbacks, kind, params):
    _rename(study)
    job = run_export(
        django_capture_on_commit_callbacks, study.project, study.users[Role.OWNER], kind, "csv", **params
    )
    assert job.status == "done", job.error
    cells = _cells(export_path(job))
    assert [c for c in cells if c.startswith(FORMULA_START)] == []
    # The renamed things are there, shown as text, not dropped.
    joined = "\n".join(cells)
    assert f"'{CASE}" in joined
    assert f"'{CODE}" in joined
    if kind != "matrix":  # the matrix's rows are codes and its columns cases; titles are not in it
        assert f"'{TITLE}" in joined


def test_the_audit_trail_csv_stays_exact(study, django_capture_on_commit_callbacks):
    _rename(study)
    job = run_export(
        django_capture_on_commit_callbacks, study.project, study.users[Role.OWNER], "audit", "csv"
    )
    assert job.status == "done", job.error
    assert any(CASE in cell and not cell.startswith("'") for cell in _cells(export_path(job)))
