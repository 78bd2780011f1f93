"""Import through the API: the preview shows what the import stores (and writes nothing), the import is a
job (202 + poll), every bad file says what to fix, and roles decide who may upload."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotate.audit.models import AuditEvent
from annotate.cases.models import Case
from annotate.documents.models import Document, ImportJob, Segment
from annotate.projects.models import Role

DATA = Path(__file__).resolve().parents[2] / "data" / "import"

TXT = b"Interviewer: How did it start?\n\nP01: With the overdose numbers.\n\nInterviewer: And then?\n\nP01: We stopped."
VTT = (
    b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How did it start?\n\n"
    b"00:00:04.500 --> 00:00:09.000\n<v P03>It started with a grant.\n"
)
CSV = b"speaker,text,timestamp\nInterviewer,What changed?,00:00:05\nP04,Everything changed.,00:00:09\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def url(project, what: str) -> str:
    return f"/api/v1/projects/{project.id}/{what}"


@pytest.fixture
def owner_client(project_with_members, api_client_for):
    _, users = project_with_members
    return api_client_for(users[Role.OWNER])


def post(client, project, what, files, **fields):
    data = {"files": files, **{k: json.dumps(v) if isinstance(v, dict) else v for k, v in fields.items()}}
    return client.post(url(project, what), data, format="multipart")


def import_and_wait(client, project, files, django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, project, "imports/", files, **fields)
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "pending"  # the worker starts after the request commits
    job = client.get(url(project, f"imports/{response.json()['id']}/"))
    assert job.status_code == 200
    return job.json()


def record_counts():
    return (
        Document.objects.count(),
        Segment.objects.count(),
        Case.objects.count(),
        AuditEvent.objects.count(),
    )


# --- preview = import --------------------------------------------------------------------------------------


def test_preview_equals_import(project_with_members, owner_client, django_capture_on_commit_callbacks):
    project, _ = project_with_members
    batch = make_zip(
        {
            "study/P01_interview.txt": TXT,
            "study/P02.docx": (DATA / "interview.docx").read_bytes(),
            "study/P03 call.vtt": VTT,
            "study/P04.csv": CSV,
        }
    )
    options = {"segmentation": "turn", "exclude_interviewer": True}
    before = record_counts()
    preview = post(owner_client, project, "documents/preview", [upload("batch.zip", batch)], options=options)
    assert preview.status_code == 200, preview.json()
    assert record_counts() == before  # the preview writes nothing
    files = preview.json()["files"]
    assert [f["filename"] for f in files] == [
        "batch.zip/study/P01_interview.txt",
        "batch.zip/study/P02.docx",
        "batch.zip/study/P03 call.vtt",
        "batch.zip/study/P04.csv",
    ]
    assert [(f["case"], f["case_exists"], f["status"]) for f in files] == [
        ("P01_interview", False, "new"),  # the whole file stem, unless the owner names the case
        ("P02", False, "new"),
        ("P03 call", False, "new"),
        ("P04", False, "new"),
    ]
    assert files[0]["speakers"] == ["Interviewer", "P01"]
    assert files[0]["segments"][1]["text"] == "With the overdose numbers."
    assert files[0]["segments"][0]["codable"] is False  # the interviewer, as the options asked

    job = import_and_wait(
        owner_client,
        project,
        [upload("batch.zip", batch)],
        django_capture_on_commit_callbacks,
        options=options,
    )
    assert job["status"] == "done"
    assert (job["files_total"], job["files_imported"], job["files_failed"], job["files_duplicate"]) == (
        4,
        4,
        0,
        0,
    )
    for shown, stored in zip(files, job["report"], strict=True):
        assert stored["status"] == "imported"
        document = Document.objects.select_related("case").get(pk=stored["document"])
        assert (document.title, document.case.identifier) == (shown["title"], shown["case"])
        assert document.source_filename == shown["filename"]
        assert stored["speakers"] == shown["speakers"]
        assert stored["warnings"] == shown["warnings"]
        segments = [
            {
                "position": s.position,
                "start": s.start_offset,
                "end": s.end_offset,
                "speaker": s.speaker or None,
                "codable": s.codable,
                "start_time_ms": s.start_time_ms,
                "end_time_ms": s.end_time_ms,
                "text": document.text[s.start_offset : s.end_offset],
            }
            for s in document.segments.order_by("position")
        ]
        assert segments == shown["segments"]
    assert [d.source_format for d in Document.objects.order_by("analysis_order")] == [
        "txt",
        "docx",
        "vtt",
        "csv",
    ]
    assert list(Document.objects.order_by("id").values_list("analysis_order", flat=True)) == [1, 2, 3, 4]


def test_preview_reports_duplicates_and_existing_cases(
    project_with_members, owner_client, django_capture_on_commit_callbacks
):
    project, _ = project_with_members
    import_and_wait(owner_client, project, [upload("P01.txt", TXT)], django_capture_on_commit_callbacks)
    preview = post(owner_client, project, "documents/preview", [upload("P01 again.txt", TXT)])
    assert preview.status_code == 200
    [entry] = preview.json()["files"]
    assert (entry["status"], entry["case"], entry["case_exists"]) == ("duplicate", "P01 again", False)
    assert entry["message"] == "This transcript is already in the project (as 'P01')."


def test_preview_url_without_trailing_slash_and_with(project_with_members, owner_client):
    project, _ = project_with_members
    for path in ("documents/preview", "documents/preview/"):
        assert post(owner_client, project, path, [upload("P01.txt", TXT)]).status_code == 200


# --- the job: case, title, order, duplicates ------------------------------------------------------------


def test_import_into_a_chosen_case_with_a_given_order(
    project_with_members, owner_client, django_capture_on_commit_callbacks
):
    project, users = project_with_members
    from tests.factories import make_case

    case = make_case(project, users[Role.OWNER], identifier="Site A")
    job = import_and_wait(
        owner_client,
        project,
        [upload("first.txt", TXT), upload("second.vtt", VTT)],
        django_capture_on_commit_callbacks,
        case=str(case.id),
        analysis_order="7",
    )
    assert job["files_imported"] == 2
    documents = list(
        Document.objects.order_by("id").values_list("title", "case__identifier", "analysis_order")
    )
    assert documents == [("first", "Site A", 7), ("second", "Site A", 8)]
    assert Case.objects.filter(project=project).count() == 1


def test_case_created_from_the_file_name_with_an_audit_event(
    project_with_members, owner_client, django_capture_on_commit_callbacks
):
    project, _ = project_with_members
    mark = AuditEvent.objects.count()
    job = import_and_wait(
        owner_client,
        project,
        [upload("P07.txt", TXT), upload("P07.md", TXT + b"\n\nP01: More.")],
        django_capture_on_commit_callbacks,
    )
    assert [(r["case"], r["case_created"]) for r in job["report"]] == [("P07", True), ("P07", False)]
    actions = list(AuditEvent.objects.order_by("sequence")[mark:].values_list("action", flat=True))
    assert actions == ["case.create", "document.create", "document.create"]


def test_duplicates_are_reported_not_imported_twice(
    project_with_members, owner_client, django_capture_on_commit_callbacks
):
    project, _ = project_with_members
    batch = make_zip({"P01.txt": TXT, "copy/P01.txt": TXT, "P02.vtt": VTT})
    first = import_and_wait(
        owner_client, project, [upload("b.zip", batch)], django_capture_on_commit_callbacks
    )
    assert [r["status"] for r in first["report"]] == ["imported", "duplicate", "imported"]
    assert first["report"][1]["document"] == first["report"][0]["document"]
    counts = record_counts()
    again = import_and_wait(
        owner_client, project, [upload("b.zip", batch)], django_capture_on_commit_callbacks
    )
    assert (again["status"], again["files_duplicate"], again["files_imported"]) == ("done", 3, 0)
    assert record_counts() == counts


def test_job_list_and_detail(
    project_with_members, api_client_for, django_capture_on_commit_callbacks, media_root
):
    project, users = project_with_members
    owner = api_client_for(users[Role.OWNER])
    job = import_and_wait(owner, project, [upload("P01.txt", TXT)], django_capture_on_commit_callbacks)
    listing = api_client_for(users[Role.CODER]).get(url(project, "imports/"))
    assert listing.status_code == 200
    assert [j["id"] for j in listing.json()["results"]] == [job["id"]]
    assert "report" not in listing.json()["results"][0]
    assert job["segments_imported"] == 4
    assert job["progress"] == 100
    upload_dir = ImportJob.objects.get().upload_dir
    assert upload_dir.startswith("imports/")
    assert (media_root / "imports").is_dir()
    assert not (media_root / upload_dir).exists()  # the uploads are deleted when the job ends


# --- bad input: a 4xx in the preview, a failed file in the job, nothing written --------------------------


def _bomb() -> bytes:
    return make_zip({"P01.txt": b"Interviewer: hi\n" + b" " * (10 * 1024 * 1024)})


def _traversal() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("P01.txt", "Interviewer: hi\nP01: hello")
        archive.writestr("../evil.txt", "Interviewer: hi")
    return buffer.getvalue()


BAD_FILES = [
    ("empty.txt", b"", "The file is empty. Check that you chose the right file."),
    ("recording.txt", bytes(range(256)) * 4, "This file is not plain text: it contains binary data."),
    ("P07.txt", "Interviewer: hi\nP07: caf\xe9\n".encode("latin-1"), "The file cannot be read as utf-8 text"),
    ("P08.docx", b"Interviewer: this is really a text file", "This file is not a Word .docx document"),
    ("bomb.zip", _bomb(), "is compressed"),
    ("evil.zip", _traversal(), "the entry '../evil.txt' points outside the archive"),
    ("P09.pdf", (DATA / "scanned.pdf").read_bytes(), "This PDF has no text layer"),
    ("P10.csv", b"name,utterance\nI,Hello\n", "The CSV file needs columns named 'speaker' and 'text'"),
    (
        "P11.vtt",
        b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello.\n\n00:00:0x.000 --> 00:00:05.000\nLost?\n",
        "Line 6 has a cue timing that cannot be read",
    ),
    (
        "P12.doc",
        b"\xd0\xcf\x11\xe0",
        "Intercoder cannot import '.doc' files. Open it in Word and save it as .docx.",
    ),
    ("P" * 101 + ".txt", TXT, "is longer than a case name may be (100 characters)"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_preview_is_a_400_saying_what_to_fix(
    project_with_members, owner_client, name, data, message
):
    project, _ = project_with_members
    before = record_counts()
    response = post(owner_client, project, "documents/preview", [upload(name, data)])
    assert response.status_code == 400, response.json()
    assert message in response.json()["detail"]
    assert response.json()["detail"].startswith(name)
    assert record_counts() == before


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_in_a_job_is_a_failed_entry_and_nothing_is_written(
    project_with_members, owner_client, django_capture_on_commit_callbacks, name, data, message
):
    project, _ = project_with_members
    before = record_counts()
    if name in ("empty.txt", "P12.doc"):  # known without parsing: refused by the request itself
        response = post(owner_client, project, "imports/", [upload(name, data)])
        assert response.status_code == 400
        assert message in response.json()["detail"]
        assert not ImportJob.objects.exists()
    else:
        job = import_and_wait(owner_client, project, [upload(name, data)], django_capture_on_commit_callbacks)
        assert job["status"] == "failed"  # its only file failed: nothing was imported, and it says why
        assert (job["files_imported"], job["files_failed"]) == (0, 1)
        [entry] = job["report"]
        assert entry["status"] == "failed"
        assert message in entry["message"]
        assert job["error"].startswith(f"No file was imported. {name}: ")
    assert record_counts() == before


def test_bad_members_do_not_stop_the_batch(
    project_with_members, owner_client, django_capture_on_commit_callbacks
):
    project, _ = project_with_members
    batch = make_zip(
        {
            "P01.txt": TXT,
            "empty.txt": b"",
            "P08.docx": b"not a zip",
            "P09.pdf": (DATA / "scanned.pdf").read_bytes(),
            "P10.csv": b"name,utterance\nI,Hello\n",
            "P02.vtt": VTT,
        }
    )
    job = import_and_wait(owner_client, project, [upload("b.zip", batch)], django_capture_on_commit_callbacks)
    assert [r["status"] for r in job["report"]] == [
        "imported",
        "failed",
        "failed",
        "failed",
        "failed",
        "imported",
    ]
    assert job["report"][1]["message"] == "The file is empty. Check that you chose the right file."
    assert job["status"] == "partial"
    assert job["error"].startswith("4 of 6 files were not imported. b.zip/empty.txt: The file is empty.")
    assert sorted(Case.objects.values_list("identifier", flat=True)) == ["P01", "P02"]


def test_transcript_without_speakers_imports_as_paragraphs_with_a_warning(
    project_with_members, owner_client, django_capture_on_commit_callbacks
):
    project, _ = project_with_members
    text = b"We talked about the programme.\n\nIt started in 2019.\n\nNobody expected it."
    preview = post(owner_client, project, "documents/preview", [upload("P05.txt", text)]).json()["files"][0]
    assert preview["segmentation"] == "paragraph"
    assert preview["warnings"][0].startswith("No speaker labels were found")
    job = import_and_wait(
        owner_client, project, [upload("P05.txt", text)], django_capture_on_commit_callbacks
    )
    assert job["files_imported"] == 1
    assert job["report"][0]["warnings"] == preview["warnings"]
    assert Segment.objects.filter(document_id=job["report"][0]["document"]).count() == 3


def test_file_over_the_limit_is_refused_by_the_request(project_with_members, owner_client, settings):
    project, _ = project_with_members
    settings.INTERCODER_IMPORT_LIMITS = {**settings.INTERCODER_IMPORT_LIMITS, "max_file_bytes": 1024 * 1024}
    data = b"Interviewer: hi\n" * 70_000
    for path in ("documents/preview", "imports/"):
        response = post(owner_client, project, path, [upload("P01.txt", data)])
        assert response.status_code == 413
        assert response.json()["detail"] == (
            "P01.txt: This file is 1.1 MB; the limit is 1 MB. Split the transcript."
        )
    assert not ImportJob.objects.exists()


def test_member_over_the_limit_is_a_failed_entry(
    project_with_members, owner_client, settings, django_capture_on_commit_callbacks
):
    project, _ = project_with_members
    settings.INTERCODER_IMPORT_LIMITS = {**settings.INTERCODER_IMPORT_LIMITS, "max_file_bytes": 1024 * 1024}
    # Not repetitive (a repetitive file compresses like a zip bomb and condemns the whole archive).
    big = b"".join(b"P02: %s\n" % hashlib.sha256(b"%d" % i).hexdigest().encode() for i in range(20_000))
    batch = make_zip({"P01.txt": TXT, "P02.txt": big})
    job = import_and_wait(owner_client, project, [upload("b.zip", batch)], django_capture_on_commit_callbacks)
    assert [r["status"] for r in job["report"]] == ["imported", "failed"]
    assert job["report"][1]["message"].startswith("This file is 1.3 MB; the limit is 1 MB.")


def test_too_many_segments_is_a_failed_entry(
    project_with_members, owner_client, settings, django_capture_on_commit_callbacks
):
    project, _ = project_with_members
    settings.INTERCODER_IMPORT_LIMITS = {**settings.INTERCODER_IMPORT_LIMITS, "max_segments": 3}
    job = import_and_wait(owner_client, project, [upload("P01.txt", TXT)], django_capture_on_commit_callbacks)
    assert job["report"][0]["message"].startswith("This document gives more than 3 segments.")
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"options": {"segmentation": "chapters"}}, "Unknown segmentation 'chapters'. Choose one of"),
        (
            {"options": {"limits": {"max_file_bytes": 10**12}}},
            "Import limits are set by the server's administrator",
        ),
        ({"options": {"speaker_pattern": "(?P<who>[A-Z]+):"}}, "The speaker pattern needs a named group"),
        ({"options": {"colour": "red"}}, "Unknown import option(s): colour."),
        ({"options": "[1, 2]"}, "Give the options as a JSON object."),
        ({"case": "999999"}, "Case not found in this project."),
    ],
)
def test_bad_options_are_a_400(project_with_members, owner_client, fields, message):
    project, _ = project_with_members
    for path in ("documents/preview", "imports/"):
        response = post(owner_client, project, path, [upload("P01.txt", TXT)], **fields)
        assert response.status_code in (400, 404), response.json()
        assert message in response.json()["detail"]
    assert not ImportJob.objects.exists()


def test_no_files_is_a_400(project_with_members, owner_client):
    project, _ = project_with_members
    response = owner_client.post(url(project, "imports/"), {}, format="multipart")
    assert response.status_code == 400
    assert "files" in response.json()["detail"]


# --- roles ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "upload_status", "read_status"),
    [
        (Role.OWNER, (200, 202), 200),
        (Role.ADJUDICATOR, (403, 403), 200),
        (Role.CODER, (403, 403), 200),
        (Role.VIEWER, (403, 403), 200),
        ("outsider", (404, 404), 404),
        (None, (401, 401), 401),
    ],
)
def test_role_matrix(project_with_members, api_client_for, who, upload_status, read_status):
    project, users = project_with_members
    job = ImportJob.objects.create(project=project, created_by=users[Role.OWNER], upload_dir="imports/x")
    client = api_client_for(users[who] if who else None)
    preview = post(client, project, "documents/preview", [upload("P01.txt", TXT)])
    created = post(client, project, "imports/", [upload("P01.txt", TXT)])
    assert (preview.status_code, created.status_code) == upload_status
    assert client.get(url(project, "imports/")).status_code == read_status
    assert client.get(url(project, f"imports/{job.id}/")).status_code == read_status


def test_a_job_of_another_project_is_not_found(project_with_members, api_client_for):
    from tests.factories import ProjectFactory, UserFactory

    project, users = project_with_members
    other = ProjectFactory(creator=UserFactory(username="other-pi"))
    job = ImportJob.objects.create(project=other, created_by=other.created_by, upload_dir="imports/y")
    response = api_client_for(users[Role.OWNER]).get(url(project, f"imports/{job.id}/"))
    assert response.status_code == 404


# --- the owner's details per file: title, case, interview date ----------------------------------------------

SARAH = b"Sarah: What changed in your office?\n\nP09: We stopped charging possession.\n\nSarah: Why?\n\nP09: People died."


def test_each_file_takes_the_title_case_and_date_the_owner_gave(
    project_with_members, owner_client, django_capture_on_commit_callbacks
):
    project, _ = project_with_members
    details = {
        "P01_first.txt": {
            "title": "Elected prosecutor, Marlow County",
            "case": "MC-01",
            "interview_date": "2021-11-08",
        },
        "sarah.txt": {"case": "P09"},
    }
    options = {
        "exclude_interviewer": True,
        "interviewer_labels": ["Interviewer"],
        "interviewer_speakers": ["Sarah"],
    }
    preview = post(
        owner_client,
        project,
        "documents/preview",
        [upload("P01_first.txt", TXT), upload("sarah.txt", SARAH)],
        options=options,
        details=details,
    )
    assert preview.status_code == 200, preview.json()
    first, second = preview.json()["files"]
    assert (first["title"], first["case"], first["interview_date"]) == (
        "Elected prosecutor, Marlow County",
        "MC-01",
        "2021-11-08",
    )
    assert (second["title"], second["case"]) == ("sarah", "P09")
    assert not Document.objects.exists()

    job = import_and_wait(
        owner_client,
        project,
        [upload("P01_first.txt", TXT), upload("sarah.txt", SARAH)],
        django_capture_on_commit_callbacks,
        options=options,
        details=details,
    )
    assert job["files_imported"] == 2
    doc = Document.objects.get(project=project, source_filename="P01_first.txt")
    assert (doc.title, doc.case.identifier, str(doc.interview_date)) == (
        "Elected prosecutor, Marlow County",
        "MC-01",
        "2021-11-08",
    )
    sarah = Document.objects.get(project=project, source_filename="sarah.txt")
    assert sarah.case.identifier == "P09"
    # Sarah interviewed: her turns are context, the participant's codable.
    assert set(sarah.segments.filter(codable=False).values_list("speaker", flat=True)) == {"Sarah"}
    assert set(sarah.segments.filter(codable=True).values_list("speaker", flat=True)) == {"P09"}
    assert job["report"][0]["interview_date"] == "2021-11-08"


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"other.txt": {"title": "x"}}, "other.txt: details were given for a file that is not uploaded"),
        ({"P01_first.txt": {"date": "2021-01-01"}}, "P01_first.txt: unknown detail(s) date"),
        ({"P01_first.txt": {"interview_date": "08/11/2021"}}, "is not a date like 2022-03-14"),
        ({"P01_first.txt": {"title": "x" * 256}}, "title is longer than 255 characters"),
        ({"P01_first.txt": "MC-01"}, "give its details as an object"),
    ],
)
def test_bad_details_refuse_the_whole_import_and_store_nothing(
    project_with_members, owner_client, django_capture_on_commit_callbacks, details, message
):
    project, _ = project_with_members
    before = record_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            owner_client,
            project,
            "imports/",
            [upload("P01_first.txt", TXT), upload("P02.txt", TXT + b" Two.")],
            details=details,
        )
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert record_counts() == before
    assert not ImportJob.objects.exists()
