"""Importing transcripts: uploaded files → parsed transcripts → documents, through a background job.

The request stores the uploads under MEDIA_ROOT and creates an ImportJob row; the worker parses the files
one at a time (a .zip is streamed member by member) and stores each transcript in its own transaction
(case if new + document + segments + audit events), so a file is imported completely or not at all and a
bad file never stops the batch. The preview runs the same parsing with the same options and writes nothing.
The owner's choices per file (title, case, interview date) travel with the job.

Why one file of about 640 lines: preview and import share the parsing-ahead thread, the per-file details and
the store step; split apart, each half would import the other's private helpers.
"""

import datetime as dt
import queue
import shutil
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from annotate.cases.models import Case
from annotate.cases.services import case_create
from annotate.core.exceptions import ApplicationError
from annotate.core.jobs import TRANSIENT_ERRORS, enqueue_on_commit, job_claim, job_fail, job_finish
from annotate.core.models import JobStatus
from annotate.parsing import (
    ImportFileError,
    ImportLimits,
    ImportOptions,
    ParsedTranscript,
    detect_format,
    is_archive,
    iter_archive,
    parse_file,
)
from annotate.parsing.options import MB

from .models import Document, ImportJob, SourceFormat
from .services import SegmentSpec, document_create

IMPORT_TASK = "imports.import_job_run"  # workers/tasks/imports.py, sent by name
_PROGRESS_EVERY_S = 1.0


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the user gave it and a readable, seekable binary file object."""

    name: str
    file: BinaryIO
    size: int


def import_limits() -> ImportLimits:
    """The server's import limits (settings.INTERCODER_IMPORT_LIMITS; defaults in annotate/settings/base.py)."""
    return ImportLimits(**settings.INTERCODER_IMPORT_LIMITS)


def _application_error(error: ImportFileError, status: int = 400) -> ApplicationError:
    extra: dict[str, Any] = {"filename": error.filename} if error.filename else {}
    if error.problems:
        extra["problems"] = list(error.problems)
    return ApplicationError(str(error), extra=extra, status=status)


def import_options_build(data: Mapping[str, Any] | None) -> ImportOptions:
    """The user's import options (JSON) with the server's limits; 400 with the reason if they do not fit."""
    data = dict(data or {})
    if "limits" in data:
        raise ApplicationError(
            "Import limits are set by the server's administrator; remove 'limits' from the options."
        )
    try:
        return ImportOptions.from_dict({**data, "limits": import_limits()})
    except ImportFileError as error:
        raise _application_error(error) from None
    except TypeError as error:  # a value of the wrong JSON type (a number where a list belongs…)
        raise ApplicationError(f"The import options do not fit together: {error}.") from None


def case_identifier_from_filename(filename: str) -> str:
    """The case a file belongs to when the user names none: the whole file name without its extension.

    "P07.docx" belongs to case "P07" and "P07_interview.txt" to "P07_interview". Guessing a prefix would put
    "no_speakers.txt" in a case "no"; the import preview shows the case of every file and lets the user
    name it (files of one participant then share one case).
    """
    identifier = PurePosixPath(filename.replace("\\", "/")).stem.strip()
    if not identifier:
        raise ApplicationError(
            "The file has no name before its extension, so its case is unknown. Rename the file after the "
            "participant (e.g. P07.docx) or choose a case for the import."
        )
    if len(identifier) > 100:
        raise ApplicationError(
            f"The file name {identifier[:40]!r}… is longer than a case name may be (100 characters). Rename "
            "the file (e.g. P07.docx) or choose a case for the import."
        )
    return identifier


def document_title_from_filename(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).stem.strip()[:255] or "Untitled transcript"


def _source_format(filename: str, fmt: str) -> str:
    if fmt == "text":
        return SourceFormat.MD if filename.casefold().endswith((".md", ".markdown")) else SourceFormat.TXT
    return SourceFormat(fmt)


def _check_uploads(uploads: Sequence[Upload], limits: ImportLimits) -> None:
    """What can be told without parsing: refused in the request (400), before anything is stored."""
    if not uploads:
        raise ApplicationError("Choose at least one file to import (field 'files').")
    if len(uploads) > settings.INTERCODER_IMPORT_MAX_FILES:
        raise ApplicationError(
            f"At most {settings.INTERCODER_IMPORT_MAX_FILES} files can be uploaded at once; put the "
            "transcripts in a .zip file instead."
        )
    for upload in uploads:
        try:
            archive = is_archive(upload.name)
            if not archive:
                detect_format(upload.name)
        except ImportFileError as error:
            raise _application_error(error) from None
        if upload.size == 0:
            raise ApplicationError(f"{upload.name}: The file is empty. Check that you chose the right file.")
        limit = limits.max_archive_bytes if archive else limits.max_file_bytes
        if upload.size > limit:
            advice = "Split the batch into smaller zip files." if archive else "Split the transcript."
            raise ApplicationError(
                f"{upload.name}: This file is {upload.size / MB:.1f} MB; the limit is {limit / MB:g} MB. "
                f"{advice}",
                status=413,
            )


@dataclass
class _Parsed:
    filename: str
    transcript: ParsedTranscript | None = None
    error: ImportFileError | None = None


def _iter_parsed(uploads: Sequence[Upload], options: ImportOptions) -> Iterator[_Parsed]:
    """Every transcript of the uploads in order, parsed one at a time; a refused .zip is one error."""
    for upload in uploads:
        upload.file.seek(0)
        if is_archive(upload.name):
            try:
                members = iter_archive(upload.file, upload.name, options)
            except ImportFileError as error:
                yield _Parsed(upload.name, error=error)
                continue
            try:
                for member in members:
                    yield _Parsed(member.filename, transcript=member.transcript, error=member.error)
            except ImportFileError as error:  # found while reading: a member lying about its size
                yield _Parsed(upload.name, error=error)
        else:
            try:
                yield _Parsed(upload.name, transcript=parse_file(upload.file, upload.name, options))
            except ImportFileError as error:
                yield _Parsed(upload.name, error=error)


@dataclass(frozen=True)
class FileDetails:
    """What the owner set for one file at import: its title, its case (an identifier, found or created)
    and the interview's date. Empty fields fall back to the file name (title, case) and nothing (date)."""

    title: str = ""
    case: str = ""
    interview_date: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "case": self.case,
            "interview_date": self.interview_date.isoformat() if self.interview_date else None,
        }


def import_file_details(uploads: Sequence[Upload], data: Mapping[str, Any] | None) -> dict[str, FileDetails]:
    """The per-file details of an import (JSON: ``{file name: {"title", "case", "interview_date"}}``),
    checked before anything is stored: a file that is not among the uploads (or is a .zip, whose
    transcripts take their own names), an unknown field, or a bad value is a 400 naming the file."""
    if not data:
        return {}
    if not isinstance(data, Mapping):
        raise ApplicationError(
            "Give the files' details as a JSON object: {file name: {title, case, interview_date}}."
        )
    names = {u.name for u in uploads if not is_archive(u.name)}
    details = {}
    for name, fields in data.items():
        if name not in names:
            raise ApplicationError(
                f"{name}: details were given for a file that is not uploaded one by one in this import "
                "(a .zip's transcripts take their names from the archive)."
            )
        if not isinstance(fields, Mapping):
            raise ApplicationError(
                f"{name}: give its details as an object with title, case and interview_date."
            )
        unknown = sorted(set(fields) - {"title", "case", "interview_date"})
        if unknown:
            raise ApplicationError(
                f"{name}: unknown detail(s) {', '.join(unknown)}; use title, case, interview_date."
            )
        title = str(fields.get("title") or "").strip()
        case = str(fields.get("case") or "").strip()
        if len(title) > 255:
            raise ApplicationError(f"{name}: the title is longer than 255 characters.")
        if len(case) > 100:
            raise ApplicationError(f"{name}: the case identifier is longer than 100 characters.")
        date = None
        if fields.get("interview_date"):
            try:
                date = dt.date.fromisoformat(str(fields["interview_date"]))
            except ValueError:
                raise ApplicationError(
                    f"{name}: the interview date {fields['interview_date']!r} is not a date like 2022-03-14."
                ) from None
        details[name] = FileDetails(title=title, case=case, interview_date=date)
    return details


def _error_entry(filename: str, message: str, problems: Sequence[str] = ()) -> dict[str, Any]:
    entry: dict[str, Any] = {"filename": filename, "status": "failed", "message": message}
    if problems:
        entry["problems"] = list(problems)
    return entry


def import_preview(
    *,
    project,
    uploads: Sequence[Upload],
    options: ImportOptions,
    case=None,
    details: Mapping[str, FileDetails] | None = None,
) -> list[dict]:
    """What an import of ``uploads`` with ``options`` would store, file by file. Writes nothing.

    One file that cannot be imported (or a refused .zip) is a 400 with the reason; in a batch, a bad file
    is an entry with ``status: "failed"`` and its message, as in the import job's report.
    """
    _check_uploads(uploads, options.limits)
    if case is not None and case.project_id != project.id:
        raise ApplicationError("That case belongs to another project.")
    single = len(uploads) == 1
    entries = []
    for parsed in _iter_parsed(uploads, options):
        refused_zip = parsed.filename in {u.name for u in uploads if is_archive(u.name)}
        if parsed.error is not None:
            if single and (refused_zip or not is_archive(uploads[0].name)):
                raise _application_error(parsed.error)
            entries.append(_error_entry(parsed.filename, parsed.error.message, parsed.error.problems))
            continue
        transcript = parsed.transcript
        assert transcript is not None
        entry: dict[str, Any] = {"filename": parsed.filename, "status": "new", "message": ""}
        chosen = (details or {}).get(parsed.filename, FileDetails())
        try:
            identifier = chosen.case or (
                case.identifier if case is not None else case_identifier_from_filename(parsed.filename)
            )
        except ApplicationError as error:
            if single and not is_archive(uploads[0].name):
                raise ApplicationError(f"{parsed.filename}: {error.message}") from None
            entries.append(_error_entry(parsed.filename, error.message))
            continue
        existing = (
            Document.objects.filter(project=project, sha256=transcript.sha256).values("id", "title").first()
        )
        if existing is not None:
            entry.update(
                status="duplicate",
                message=f"This transcript is already in the project (as {existing['title']!r}).",
                document=existing["id"],
            )
        entry.update(
            title=chosen.title or document_title_from_filename(parsed.filename),
            case=identifier,
            interview_date=chosen.interview_date.isoformat() if chosen.interview_date else None,
            case_exists=Case.objects.filter(project=project, identifier=identifier).exists(),
            **transcript.to_dict(include_segment_text=True),
        )
        del entry["text"]  # each segment carries its own text; the whole text would double the response
        entries.append(entry)
    return entries


def import_transcript_store(
    *,
    project,
    actor,
    transcript: ParsedTranscript,
    case=None,
    analysis_order: int | None = None,
    reason: str = "",
    details: FileDetails | None = None,
):
    """Store one parsed transcript: its case (found, or created with an audit event: the one its
    ``details`` name, else ``case``, else the one its file name starts with), the document (titled as its
    details say, else after the file) and its segments with their audit event, all in one transaction.
    Returns ``(document, case, case_created)``; a duplicate (same sha256 in the project) is a 409 from
    ``document_create``, which rolls back the case created for it too."""
    details = details or FileDetails()
    with transaction.atomic():
        case_created = False
        if details.case or case is None:
            identifier = details.case or case_identifier_from_filename(transcript.filename)
            case = Case.objects.filter(project=project, identifier=identifier).first()
            if case is None:
                case = case_create(project=project, actor=actor, identifier=identifier)
                case_created = True
        document = document_create(
            project=project,
            actor=actor,
            case=case,
            title=details.title or document_title_from_filename(transcript.filename),
            interview_date=details.interview_date,
            text=transcript.text,
            source_format=_source_format(transcript.filename, transcript.format),
            source_filename=transcript.filename[-255:],
            sha256=transcript.sha256,
            analysis_order=analysis_order,
            segments=[SegmentSpec.from_parsed(s) for s in transcript.segments],
            normalise=False,  # the parser normalised the text; the offsets refer to it as it is
            reason=reason,
        )
    return document, case, case_created


def import_job_create(
    *,
    project,
    actor,
    uploads: Sequence[Upload],
    options: ImportOptions,
    case=None,
    analysis_order: int | None = None,
    details: Mapping[str, FileDetails] | None = None,
) -> ImportJob:
    """Store the uploads where the worker can read them, create the job row, enqueue it on commit.
    ``details``: the owner's title, case and date per file (``import_file_details``), kept with each file."""
    _check_uploads(uploads, options.limits)
    details = details or {}
    if case is not None and case.project_id != project.id:
        raise ApplicationError("That case belongs to another project.")
    relative = f"{settings.INTERCODER_IMPORT_UPLOAD_DIR}/{uuid.uuid4().hex}"
    directory = Path(settings.MEDIA_ROOT) / relative
    try:
        directory.mkdir(parents=True)
        files = []
        for index, upload in enumerate(uploads):
            # Stored under a generated name: the user's file name never becomes a path on the server.
            stored = f"{index:04d}{PurePosixPath(upload.name.replace(chr(92), '/')).suffix.casefold()}"
            upload.file.seek(0)
            with (directory / stored).open("wb") as out:
                shutil.copyfileobj(upload.file, out, 1024 * 1024)
            entry = {"name": upload.name, "stored": stored, "size": upload.size}
            if upload.name in details:
                entry["details"] = details[upload.name].to_dict()
            files.append(entry)
        with transaction.atomic():
            job = ImportJob.objects.create(
                project=project,
                created_by=actor,
                options=options.to_dict(),
                case=case,
                analysis_order=analysis_order,
                upload_dir=relative,
                files=files,
                files_total=len(files),
            )
            enqueue_on_commit(IMPORT_TASK, job.id)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return job


class _ImportRun:
    """The state of one running import: the report so far, the counts, and when progress was last saved."""

    def __init__(self, job: ImportJob, total: int) -> None:
        self.job = job
        self.total = max(total, 1)
        self.report: list[dict[str, Any]] = []
        self.counts = {"files_imported": 0, "files_duplicate": 0, "files_failed": 0, "segments_imported": 0}
        self.saved_at = time.monotonic()

    def add(self, entry: dict[str, Any]) -> None:
        self.report.append(entry)
        key = {"imported": "files_imported", "duplicate": "files_duplicate"}.get(
            entry["status"], "files_failed"
        )
        self.counts[key] += 1
        self.counts["segments_imported"] += entry.get("segments", 0) if entry["status"] == "imported" else 0
        if time.monotonic() - self.saved_at >= _PROGRESS_EVERY_S:
            self.save()

    def fields(self, *, final: bool = False) -> dict[str, Any]:
        total = len(self.report) if final else max(len(self.report), self.total)
        return {**self.counts, "files_total": total, "report": self.report}

    def outcome(self) -> tuple[str, str]:
        """``done`` when no file failed; ``partial`` when some did and ``failed`` when every file did (or
        there was none), with a summary naming each failed file and why."""
        failed = [entry for entry in self.report if entry["status"] not in ("imported", "duplicate")]
        if not failed and self.report:
            return JobStatus.DONE, ""
        if not self.report:
            return JobStatus.FAILED, "The upload held no file to import."
        reasons = "; ".join(f"{entry['filename']}: {entry.get('message', 'failed')}" for entry in failed)
        if len(failed) == len(self.report):
            return JobStatus.FAILED, f"No file was imported. {reasons}"[:10_000]
        return JobStatus.PARTIAL, f"{len(failed)} of {len(self.report)} files were not imported. {reasons}"[
            :10_000
        ]

    def save(self) -> None:
        percent = min(99, 100 * len(self.report) // self.total)
        ImportJob.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(
            progress=percent, **self.fields()
        )
        self.saved_at = time.monotonic()


def _count_files(uploads: Sequence[Upload]) -> int:
    total = 0
    for upload in uploads:
        if not is_archive(upload.name):
            total += 1
            continue
        try:
            with zipfile.ZipFile(upload.file) as archive:
                total += sum(1 for entry in archive.infolist() if not entry.is_dir())
        except (zipfile.BadZipFile, OSError, ValueError):
            total += 1  # iter_archive will say what is wrong with it
    return total


def _stored_details(job: ImportJob) -> dict[str, FileDetails]:
    out = {}
    for item in job.files:
        if item.get("details"):
            d = item["details"]
            date = dt.date.fromisoformat(d["interview_date"]) if d.get("interview_date") else None
            out[item["name"]] = FileDetails(
                title=d.get("title", ""), case=d.get("case", ""), interview_date=date
            )
    return out


def _store_one(
    job: ImportJob, run: _ImportRun, parsed: _Parsed, next_order: int, known: dict[str, tuple[int, str]]
) -> bool:
    """Import one parsed file and add its entry to the report; True if a document was created.
    ``known`` maps the sha256 of the project's documents to (id, title): duplicates cost no query."""
    if parsed.error is not None:
        run.add(_error_entry(parsed.filename, parsed.error.message, parsed.error.problems))
        return False
    transcript = parsed.transcript
    assert transcript is not None
    if transcript.sha256 in known:
        document_id, title = known[transcript.sha256]
        message = f"This transcript is already in the project (as {title!r})."
        run.add(
            {"filename": parsed.filename, "status": "duplicate", "message": message, "document": document_id}
        )
        return False
    try:
        document, case, case_created = import_transcript_store(
            project=job.project,
            actor=job.created_by,
            transcript=transcript,
            case=job.case,
            analysis_order=next_order,
            reason=f"Imported by import job {job.pk}.",
            details=_stored_details(job).get(parsed.filename),
        )
    except ApplicationError as error:
        if error.status == 409:
            run.add(
                {
                    "filename": parsed.filename,
                    "status": "duplicate",
                    "message": error.message,
                    "document": error.extra.get("document"),
                }
            )
        else:
            run.add(_error_entry(parsed.filename, error.message))
        return False
    except DjangoValidationError as error:
        run.add(_error_entry(parsed.filename, " ".join(error.messages)))
        return False
    except IntegrityError:  # another upload stored the same transcript in the meantime
        run.add(
            _error_entry(parsed.filename, "This transcript was imported at the same time by another job.")
        )
        return False
    known[transcript.sha256] = (document.pk, document.title)
    run.add(
        {
            "filename": parsed.filename,
            "status": "imported",
            "message": "",
            "document": document.pk,
            "title": document.title,
            "case": case.identifier,
            "interview_date": document.interview_date.isoformat() if document.interview_date else None,
            "case_created": case_created,
            "segments": len(transcript.segments),
            "speakers": transcript.speakers,
            "segmentation": transcript.segmentation,
            "warnings": transcript.warnings,
        }
    )
    return True


def _parse_ahead(items: Iterator[_Parsed], depth: int = 4) -> Iterator[_Parsed]:
    """Parse the next few files in a thread while this one is written to the database.

    Parsing is pure Python and the writes mostly wait on PostgreSQL, so the two overlap; the bounded
    queue keeps at most ``depth`` parsed files in memory, so memory stays flat however large the batch.
    """
    done = object()
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(done)
        except BaseException as exc:  # handed to the consumer, which re-raises it in the task
            slots.put(exc)

    thread = threading.Thread(target=produce, name="import-parse-ahead", daemon=True)
    thread.start()
    try:
        while (item := slots.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def import_job_process(*, job_id: int) -> ImportJob | None:
    """The body of the import task: claim the job, import every file, record the report, delete the
    uploads. Returns None (doing nothing) when the job is not pending: a redelivered message is harmless."""
    job = job_claim(ImportJob, job_id)
    if job is None:
        return None
    job = ImportJob.objects.select_related("project", "created_by", "case").get(pk=job.pk)
    directory = Path(settings.MEDIA_ROOT) / job.upload_dir
    handles: list[BinaryIO] = []
    keep_uploads = False
    run = _ImportRun(job, job.files_total)
    try:
        options = ImportOptions.from_dict(job.options)
        uploads = []
        for item in job.files:
            handle = (directory / item["stored"]).open("rb")
            handles.append(handle)
            uploads.append(Upload(name=item["name"], file=handle, size=item["size"]))
        run.total = _count_files(uploads)
        documents = Document.objects.filter(project=job.project)
        known = {sha: (pk, title) for sha, pk, title in documents.values_list("sha256", "id", "title")}
        # Appended after the last document, counted once here rather than once per file.
        next_order = job.analysis_order or (documents.aggregate(m=Max("analysis_order"))["m"] or 0) + 1
        for parsed in _parse_ahead(_iter_parsed(uploads, options)):
            if _store_one(job, run, parsed, next_order, known):
                next_order += 1
    except (ImportFileError, FileNotFoundError) as exc:  # stored options no longer valid, uploads gone
        run.save()
        job_fail(ImportJob, job.pk, f"The import could not start: {exc}")
        return ImportJob.objects.get(pk=job.pk)
    except TRANSIENT_ERRORS:
        # The database or broker blinked: the task's retry takes this job back (job_claim) and imports
        # the rest (files stored so far are found as duplicates), so the uploads stay for it.
        keep_uploads = True
        raise
    except Exception as exc:
        # Record what was imported before the failure; each stored file is complete (own transaction).
        run.save()
        if isinstance(exc, SoftTimeLimitExceeded):
            message = (
                "The import ran out of time; the files imported so far are listed in the report. Import the "
                "remaining files in smaller batches (files already imported are reported as duplicates)."
            )
        else:
            message = f"The import stopped because of an internal error ({type(exc).__name__}: {exc})."
        job_fail(ImportJob, job.pk, message)
        raise
    finally:
        for handle in handles:
            handle.close()
        if not keep_uploads:
            shutil.rmtree(directory, ignore_errors=True)
    status, error = run.outcome()
    result = {**run.counts, "files": len(run.report)}
    job_finish(ImportJob, job.pk, result=result, status=status, error=error, **run.fields(final=True))
    return ImportJob.objects.get(pk=job.pk)
