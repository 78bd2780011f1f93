"""Import services: one file is stored completely (case + document + segments + audit events) or not at
all; case and title come from the file name; the job row records status, counts and the report."""

import pytest

from annotate.audit.models import AuditEvent
from annotate.cases.models import Case
from annotate.core.exceptions import ApplicationError
from annotate.core.models import JobStatus
from annotate.documents.imports import (
    Upload,
    case_identifier_from_filename,
    document_title_from_filename,
    import_job_create,
    import_job_process,
    import_options_build,
    import_transcript_store,
)
from annotate.documents.models import Document, ImportJob, Segment
from annotate.parsing import ParsedSegment, parse_file
from tests.factories import ProjectFactory, UserFactory

TXT = b"Interviewer: How did it start?\n\nP01: With the overdose numbers.\n\nInterviewer: And then?\n\nP01: We stopped."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def project(db):
    return ProjectFactory(creator=UserFactory(username="pi"))


@pytest.mark.parametrize(
    ("filename", "identifier", "title"),
    [
        ("P07.docx", "P07", "P07"),
        ("P07_interview.txt", "P07_interview", "P07_interview"),
        ("batch.zip/study/P07-2 follow up.vtt", "P07-2 follow up", "P07-2 follow up"),
        ("Zoë 3.txt", "Zoë 3", "Zoë 3"),
        ("no_speakers.txt", "no_speakers", "no_speakers"),
    ],
)
def test_case_and_title_from_the_file_name(filename, identifier, title):
    assert case_identifier_from_filename(filename) == identifier
    assert document_title_from_filename(filename) == title


def test_a_file_name_too_long_for_a_case_is_refused_with_advice():
    with pytest.raises(ApplicationError, match=r"longer than a case name may be .* or choose a case"):
        case_identifier_from_filename("batch.zip/" + "P" * 101 + ".txt")


def test_store_creates_case_document_segments_and_audit_events(project):
    transcript = parse_file(TXT, "P01_interview.txt", import_options_build({}))
    document, case, created = import_transcript_store(
        project=project, actor=project.created_by, transcript=transcript
    )
    assert created is True
    assert (case.identifier, document.title, document.sha256) == (
        "P01_interview",
        "P01_interview",
        transcript.sha256,
    )
    assert document.segments.count() == 4
    actions = list(
        AuditEvent.objects.filter(project=project).order_by("-sequence").values_list("action", flat=True)[:2]
    )
    assert actions == ["document.create", "case.create"]


def test_a_file_that_fails_after_its_case_was_created_leaves_nothing(project):
    """The case created from the file name rolls back with the document: nothing partially written."""
    transcript = parse_file(TXT, "P09.txt", import_options_build({}))
    transcript.segments.append(ParsedSegment(position=9, start=0, end=10**6, speaker=None, codable=True))
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError, match=r"outside the text"):
        import_transcript_store(project=project, actor=project.created_by, transcript=transcript)
    assert not Case.objects.filter(identifier="P09").exists()
    assert not Document.objects.exists()
    assert not Segment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_duplicate_is_a_409_naming_the_stored_document(project):
    transcript = parse_file(TXT, "P01.txt", import_options_build({}))
    document, _, _ = import_transcript_store(project=project, actor=project.created_by, transcript=transcript)
    again = parse_file(TXT, "P02.txt", import_options_build({}))
    with pytest.raises(ApplicationError, match=r"already in the project \(as 'P01'\)") as info:
        import_transcript_store(project=project, actor=project.created_by, transcript=again)
    assert info.value.status == 409
    assert Document.objects.get().pk == document.pk
    assert not Case.objects.filter(identifier="P02").exists()


def _job(project, files, django_capture_on_commit_callbacks):
    import io

    uploads = [Upload(name=name, file=io.BytesIO(data), size=len(data)) for name, data in files]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_create(
            project=project, actor=project.created_by, uploads=uploads, options=import_options_build({})
        )
    assert len(callbacks) == 1  # enqueued once, on commit; not run here
    return job


def test_job_create_stores_uploads_undermedia_root_not_in_the_message(
    project, django_capture_on_commit_callbacks, media_root
):
    job = _job(project, [("P01.txt", TXT), ("../../P02.txt", TXT + b"!")], django_capture_on_commit_callbacks)
    assert job.status == JobStatus.PENDING
    assert [f["name"] for f in job.files] == ["P01.txt", "../../P02.txt"]
    stored = sorted(p.name for p in (media_root / job.upload_dir).iterdir())
    assert stored == ["0000.txt", "0001.txt"]  # the user's names never become paths
    assert (media_root / job.upload_dir / "0000.txt").read_bytes() == TXT


def test_job_process_imports_reports_and_cleans_up(project, django_capture_on_commit_callbacks, media_root):
    job = _job(project, [("P01.txt", TXT), ("P02.docx", b"not a zip")], django_capture_on_commit_callbacks)
    done = import_job_process(job_id=job.id)
    assert done.status == JobStatus.PARTIAL
    assert done.error.startswith("1 of 2 files were not imported. P02.docx: ")
    assert (done.progress, done.files_total, done.files_imported, done.files_failed) == (100, 2, 1, 1)
    assert done.segments_imported == 4
    assert done.report[1]["filename"] == "P02.docx"
    assert done.report[1]["status"] == "failed"
    assert done.report[1]["message"].startswith("This file is not a Word .docx document")
    assert done.result == {
        "files": 2,
        "files_imported": 1,
        "files_duplicate": 0,
        "files_failed": 1,
        "segments_imported": 4,
    }
    assert done.started_at <= done.finished_at
    assert not (media_root / job.upload_dir).exists()


def test_job_process_twice_imports_once(project, django_capture_on_commit_callbacks):
    job = _job(project, [("P01.txt", TXT)], django_capture_on_commit_callbacks)
    import_job_process(job_id=job.id)
    events = AuditEvent.objects.count()
    assert import_job_process(job_id=job.id) is None  # a redelivered message: already done, nothing happens
    assert Document.objects.count() == 1
    assert AuditEvent.objects.count() == events
    assert ImportJob.objects.get(pk=job.id).attempts == 1


def test_job_whose_uploads_are_gone_fails_with_a_message(
    project, django_capture_on_commit_callbacks, media_root
):
    import shutil

    job = _job(project, [("P01.txt", TXT)], django_capture_on_commit_callbacks)
    shutil.rmtree(media_root / job.upload_dir)
    failed = import_job_process(job_id=job.id)
    assert failed.status == JobStatus.FAILED
    assert failed.error.startswith("The import could not start: [Errno 2] No such file or directory")
    assert not Document.objects.exists()


def test_analysis_order_is_appended_after_existing_documents(project, django_capture_on_commit_callbacks):
    first = _job(project, [("P01.txt", TXT)], django_capture_on_commit_callbacks)
    import_job_process(job_id=first.id)
    second = _job(
        project,
        [("P02.txt", TXT + b" Then."), ("P03.txt", TXT + b" Later.")],
        django_capture_on_commit_callbacks,
    )
    import_job_process(job_id=second.id)
    orders = list(Document.objects.order_by("id").values_list("case__identifier", "analysis_order"))
    assert orders == [("P01", 1), ("P02", 2), ("P03", 3)]
