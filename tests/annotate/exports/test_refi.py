"""REFI-QDA: .qdpx export valid against the schema, .qdc, the import (real and awkward files), the round
trip, and bad archives refused as failed jobs with nothing written."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from annotate.cases.models import Case
from annotate.codebook.models import Code
from annotate.coding.models import Coding
from annotate.core.models import JobStatus
from annotate.documents.models import Document
from annotate.exports.models import ProjectImportJob
from annotate.exports.refi import NS
from annotate.memos.models import Memo
from annotate.projects.models import Role
from tests.factories import ProjectFactory, UserFactory

from .helpers import ROOT, assert_valid_qde, export_path, run_export

pytestmark = pytest.mark.django_db
ATLAS = ROOT / "tests" / "data" / "refi-qda" / "atlasti-sample-export.qdpx"
N = f"{{{NS}}}"


def import_qdpx(client_for, capture, owner, data: bytes, name="project.qdpx"):
    project = ProjectFactory(creator=owner, name=f"Imported {name}")
    with capture(execute=True):
        response = client_for(owner).post(
            f"/api/v1/projects/{project.id}/qdpx-imports/",
            {"file": SimpleUploadedFile(name, data, content_type="application/zip")},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job = ProjectImportJob.objects.get(pk=response.json()["id"])
    return project, job


def coding_set(project):
    """(document title, start, end, code path, coder) of every coding, absolute offsets."""
    from annotate.codebook.selectors import code_paths

    paths = code_paths(codebook=project.codebook)
    out = set()
    for c in Coding.objects.filter(project=project).select_related("segment__document", "coder"):
        start = c.span_start if c.span_start is not None else c.segment.start_offset
        end = c.span_end if c.span_end is not None else c.segment.end_offset
        name = (
            f"{c.coder.first_name} {c.coder.last_name}".strip() if not c.coder.is_active else ""
        ) or c.coder.username
        out.add((c.segment.document.title, start, end, paths[c.code_id], name))
    return out


def test_qdpx_export_is_valid_and_complete(study, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    job = run_export(django_capture_on_commit_callbacks, study.project, owner, "qdpx")
    assert job.status == JobStatus.DONE, job.error
    assert job.row_count == 5
    path = export_path(job)
    root = assert_valid_qde(path)
    users = {u.get("name") for u in root.iter(f"{N}User")}
    assert users >= {"owner", "adjudicator", "coder", "final (adjudicated)"}
    naloxone = next(c for c in root.iter(f"{N}Code") if c.get("name") == "Naloxone")
    description = naloxone.find(f"{N}Description").text
    assert "Inclusion: Overdose reversal." in description
    assert "Exclusion: Treatment." in description
    assert naloxone.find(f"{N}NoteRef") is not None  # the code memo
    assert [v.get("name") for v in root.iter(f"{N}Variable")] == ["role", "years"]
    with zipfile.ZipFile(path) as zf:
        sources = {s.get("guid"): s for s in root.iter(f"{N}TextSource")}
        for guid, source in sources.items():
            assert source.get("plainTextPath") == f"internal://{guid}.txt"
            text = zf.read(f"sources/{guid}.txt").decode("utf-8")
            assert not text.startswith("\ufeff")
            for sel in source.iter(f"{N}PlainTextSelection"):
                assert 0 <= int(sel.get("startPosition")) < int(sel.get("endPosition")) <= len(text)
    cafe = [
        s
        for s in root.iter(f"{N}PlainTextSelection")
        if int(s.get("endPosition")) - int(s.get("startPosition")) == 5
    ]
    assert len(cafe) == 1  # the span coding, in code points
    assert len(list(root.iter(f"{N}Note"))) == 3


def test_qdc_export_reuses_the_codebook_writer(study, django_capture_on_commit_callbacks):
    job = run_export(django_capture_on_commit_callbacks, study.project, study.users[Role.VIEWER], "qdc")
    root = etree.fromstring(export_path(job).read_bytes())
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    schema = etree.XMLSchema(etree.parse(str(ROOT / "tests" / "data" / "refi-qda" / "Codebook.xsd")))
    assert schema.validate(root), schema.error_log
    assert job.row_count == 3


def test_round_trip_keeps_every_coding(study, api_client_for, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    job = run_export(django_capture_on_commit_callbacks, study.project, owner, "qdpx")
    before = coding_set(study.project)
    from annotate.exports.selectors import final_coding_rows

    for r in final_coding_rows(project_id=study.project.id):
        doc = Document.objects.get(pk=r.document_id)
        path = "Harm reduction > Naloxone"
        before.add((doc.title, r.start_offset, r.end_offset, path, "final (adjudicated)"))
    project, import_job = import_qdpx(
        api_client_for, django_capture_on_commit_callbacks, owner, export_path(job).read_bytes()
    )
    import_job.refresh_from_db()
    assert import_job.status == JobStatus.DONE, import_job.error
    assert coding_set(project) == before
    assert import_job.result["codings"] == 5
    assert Memo.objects.filter(project=project).count() == 3
    assert set(Case.objects.filter(project=project).values_list("identifier", flat=True)) == {"P01", "P02"}
    p01 = Case.objects.get(project=project, identifier="P01")
    assert {v.attribute.name: v.value for v in p01.attribute_values.all()} == {
        "role": "prosecutor",
        "years": 6.0,
    }
    original = Code.objects.get(pk=study.ids["child"])
    copy = Code.objects.get(codebook=project.codebook, name="Naloxone")
    assert (copy.guid, copy.inclusion, copy.exclusion, copy.parent.name) == (
        original.guid,
        original.inclusion,
        original.exclusion,
        "Harm reduction",
    )
    for doc in Document.objects.filter(project=study.project):
        assert Document.objects.get(project=project, title=doc.title).text == doc.text


def test_atlas_ti_sample_imports(api_client_for, django_capture_on_commit_callbacks):
    owner = UserFactory(username="pi")
    project, job = import_qdpx(
        api_client_for, django_capture_on_commit_callbacks, owner, ATLAS.read_bytes(), "atlas.qdpx"
    )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    names = sorted(Code.objects.filter(codebook=project.codebook).values_list("name", flat=True))
    assert names == ["2022-02-11T10:39:25Z cdbfd92", "2022-05-10T02:05:59Z 19e4dce", "Commits"]
    assert job.result["users"] == 2
    coders = project.memberships.filter(role=Role.CODER).select_related("user")
    assert {m.user.is_active for m in coders} == {False}
    assert {f"{m.user.first_name} {m.user.last_name}" for m in coders} == {"Enric Llagostera", "ATLAS.ti "}
    assert not Path(job.upload_path).exists()


def qde(body: str, name="Awkward") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="{name}">{body}</Project>'
    ).encode()


CODE = "{6F9619FF-8B86-D011-B42D-00C04FC964FF}"
USER = "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}"
SRC = "B1D2F1A3-1111-4222-8333-944455556666"


def make_qdpx(qde_bytes: bytes, members: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde_bytes)
        for name, data in (members or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_braces_bom_and_crlf_are_tolerated(api_client_for, django_capture_on_commit_callbacks):
    text_lf = "Line one.\n\nWe use naloxone daily."
    start = text_lf.index("naloxone")
    body = (
        f'<Users><User guid="{USER}" name="Ana Coder"/></Users>'
        f'<CodeBook><Codes><Code guid="{CODE}" name="Naloxone" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{{{SRC}}}" name="Interview 1" plainTextPath="internal://{SRC}.txt">'
        f'<PlainTextSelection guid="{{C2D2F1A3-1111-4222-8333-944455556666}}" startPosition="{start}" '
        f'endPosition="{start + 8}" creatingUser="{USER.lower()}"><Coding guid="D3D2F1A3-1111-4222-8333-944455556666" '
        f'creatingUser="{USER}"><CodeRef targetGUID="{CODE.lower()}"/></Coding></PlainTextSelection>'
        "</TextSource></Sources>"
    )
    source = "\ufeff".encode() + text_lf.replace("\n", "\r\n").encode("utf-8")
    data = make_qdpx(qde(body), {f"sources/{SRC}.txt": source})
    owner = UserFactory(username="pi")
    project, job = import_qdpx(api_client_for, django_capture_on_commit_callbacks, owner, data)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    document = Document.objects.get(project=project)
    assert document.text == text_lf
    coding = Coding.objects.get(project=project)
    assert document.text[coding.span_start : coding.span_end] == "naloxone"
    assert coding.coder.first_name == "Ana"
    assert not coding.coder.is_active


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde(""))
        zf.writestr(f"sources/{SRC}.txt", b"\0" * (60 * 1024 * 1024))
    return buf.getvalue()


BAD = {
    "not a zip": (b"this is not a zip file", "not a .qdpx (zip) archive"),
    "no project.qde": (make_qdpx(b"", {"other.xml": b"<x/>"})[:0] or None, "has no project.qde"),
    "schema": (
        make_qdpx(f'<Project xmlns="{NS}"><Users/></Project>'.encode()),
        "does not follow the REFI-QDA project schema",
    ),
    "outside sources": (
        make_qdpx(
            qde(
                f'<Sources><TextSource guid="{SRC}" name="x" plainTextPath="internal://../../etc/passwd"/></Sources>'
            )
        ),
        "points outside the archive's sources/ folder",
    ),
    "relative path": (
        make_qdpx(
            qde(
                f'<Sources><TextSource guid="{SRC}" name="x" plainTextPath="relative:///etc/passwd"/></Sources>'
            )
        ),
        "points outside the archive's sources/ folder",
    ),
    "selection beyond text": (
        make_qdpx(
            qde(
                f'<Sources><TextSource guid="{SRC}" name="x"><PlainTextContent>short</PlainTextContent>'
                f'<PlainTextSelection guid="{SRC}" startPosition="2" endPosition="99"/></TextSource></Sources>'
            )
        ),
        "lies outside the text",
    ),
    "zip bomb": (zip_bomb(), "zip bomb"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_archives_fail_with_a_message_and_write_nothing(
    case, api_client_for, django_capture_on_commit_callbacks
):
    data, message = BAD[case]
    if data is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("other.xml", b"<x/>")
        data = buf.getvalue()
    owner = UserFactory(username="pi")
    project, job = import_qdpx(api_client_for, django_capture_on_commit_callbacks, owner, data)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert message in job.error
    assert not Document.objects.filter(project=project).exists()
    assert not Code.objects.filter(codebook__project=project).exists()
    assert not Case.objects.filter(project=project).exists()
    assert project.memberships.count() == 1


def test_import_into_a_project_with_content_is_refused(study, api_client_for):
    response = api_client_for(study.users[Role.OWNER]).post(
        f"/api/v1/projects/{study.project.id}/qdpx-imports/",
        {"file": SimpleUploadedFile("x.qdpx", ATLAS.read_bytes())},
        format="multipart",
    )
    assert response.status_code == 409
    assert "empty project" in response.json()["detail"]
    assert not ProjectImportJob.objects.exists()


def test_import_failure_midway_rolls_back(api_client_for, django_capture_on_commit_callbacks):
    # A coding pointing at a code the codebook lacks: the codebook was already written when this is found.
    body = (
        f'<CodeBook><Codes><Code guid="{CODE}" name="Naloxone" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{SRC}" name="x"><PlainTextContent>some text here</PlainTextContent>'
        f'<PlainTextSelection guid="{SRC}" startPosition="0" endPosition="4"><Coding guid="{SRC}">'
        f'<CodeRef targetGUID="{USER}"/></Coding></PlainTextSelection></TextSource></Sources>'
    )
    owner = UserFactory(username="pi")
    project, job = import_qdpx(
        api_client_for, django_capture_on_commit_callbacks, owner, make_qdpx(qde(body))
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "not in the codebook" in job.error
    assert not Code.objects.filter(codebook__project=project).exists()
    assert not Document.objects.filter(project=project).exists()
