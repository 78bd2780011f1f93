"""Importing a REFI-QDA project (.qdpx) into an empty project: ``project_import_request`` stores the upload
and creates the job (with its audit event); ``project_import_execute`` reads and validates the whole
archive first (``refi_read.qdpx_read``), then writes everything in one transaction, step by step (users, codebook,
cases, sources and their codings, notes), each write with its audit event: a bad archive writes nothing.
"""

from __future__ import annotations

import bisect
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from lxml import etree

from annotate.audit.services import audit_record
from annotate.cases.models import AttributeDefinition, Case
from annotate.cases.services import attribute_define, case_create
from annotate.codebook.exchange import codebook_qdc_parse
from annotate.codebook.models import Code, CodebookVersion
from annotate.codebook.services import codebook_import
from annotate.coding.models import Coding
from annotate.core.exceptions import ApplicationError
from annotate.core.jobs import enqueue_on_commit, job_claim, job_fail, job_finish, job_progress
from annotate.documents.models import Document, Segment, SourceFormat
from annotate.documents.services import SegmentSpec, document_create
from annotate.memos.services import memo_create
from annotate.projects.models import Membership, Role

from . import refi, refi_read
from .models import ProjectImportJob

IMPORT_DIR = "qdpx-imports"
PROJECT_IMPORT_TASK = "exports.project_import_run"  # workers/tasks/exports.py, sent by name
MAX_UPLOAD_BYTES = getattr(settings, "INTERCODER_QDPX_MAX_UPLOAD_MB", 200) * 1024 * 1024


def _project_is_empty(project) -> bool:

    return not (
        Document.objects.filter(project=project).exists()
        or Case.objects.filter(project=project).exists()
        or Code.objects.filter(codebook__project=project).exists()
        or AttributeDefinition.objects.filter(project=project).exists()
    )


def project_import_request(*, project, actor, upload) -> ProjectImportJob:
    """Store the uploaded .qdpx and create the job (with its audit event); the worker imports it."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ApplicationError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", status=413)
    if not _project_is_empty(project):
        raise ApplicationError(
            "A .qdpx is imported into an empty project (no transcripts, cases, attributes or codes): create "
            "a new project for it.",
            status=409,
        )
    relative = f"{IMPORT_DIR}/{uuid.uuid4().hex}.qdpx"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        with transaction.atomic():
            job = ProjectImportJob.objects.create(
                project=project,
                created_by=actor,
                upload_path=relative,
                file_name=upload.name[:255],
                size_bytes=upload.size,
            )
            audit_record(
                project_id=project.id,
                actor=actor,
                action="project.import_request",
                obj=job,
                after={"file_name": job.file_name, "size_bytes": job.size_bytes, "format": "qdpx"},
            )
            enqueue_on_commit(PROJECT_IMPORT_TASK, job.id)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return job


def _unique(name: str, taken: set[str], limit: int) -> str:
    base = (name.strip() or "Untitled")[:limit]
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = base[: limit - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _placeholder_user(guid: str, name: str):
    """An inactive account standing for a coder of the other program: it cannot log in (no usable
    password, inactive). Found again by its GUID-derived username when the same coder is imported twice."""
    User = get_user_model()
    username = f"refi-{guid.replace('-', '')[:12]}"
    user = User.objects.filter(username=username).first()
    if user is not None:
        if user.is_active:
            raise ApplicationError(
                f"The account {username} exists and is active; it cannot stand for {name!r}."
            )
        return user
    first, _, last = (name or "").partition(" ")
    user = User(username=username, first_name=first[:150], last_name=last[:150], is_active=False)
    user.set_unusable_password()
    user.save()
    return user


def _sanitise_codebook(xml: bytes) -> bytes:
    """Our code names cannot hold ">" (the path separator) and siblings need distinct names; other
    programs allow both. Rename rather than refuse: "A > B" becomes "A › B", a second "X" becomes "X (2)"."""

    root = etree.fromstring(xml)

    def walk(parent) -> None:
        taken: set[str] = set()
        for code in parent.iterchildren(refi.q("Code")):
            code.set("name", _unique((code.get("name") or "").replace(">", "›"), taken, 200))
            walk(code)

    codes = root.find(refi.q("Codes"))
    if codes is not None:
        walk(codes)
    return etree.tostring(root)


_VARIABLE_TYPES = {
    "Text": "text",
    "Boolean": "choice",
    "Integer": "number",
    "Float": "number",
    "Date": "date",
    "DateTime": "text",
}


@dataclass
class _ImportRun:
    """One .qdpx import as it goes: the archive, the project it fills, and what each step made that the
    later steps refer to (users by GUID, codes by GUID, cases per source, names taken)."""

    job: ProjectImportJob
    data: refi_read.QdpxProject
    users: dict[str, Any] = field(default_factory=dict)
    codes_by_guid: dict[str, Code] = field(default_factory=dict)
    case_of_source: dict[str, Case] = field(default_factory=dict)
    taken_cases: set[str] = field(default_factory=set)
    segment_notes: list[tuple[int, str]] = field(default_factory=list)
    documents: int = 0
    codings: int = 0
    memos: int = 0

    @property
    def project(self):
        return self.job.project

    @property
    def actor(self):
        return self.job.created_by

    def user_of(self, guid: str | None):
        """The placeholder account for a coder of the other program; the importer for anything unsigned."""
        user = self.users.get(guid) if guid is not None else None
        return user or self.actor


def _import_users(run: _ImportRun) -> None:
    """The other program's coders: inactive placeholder accounts, members with the coder role."""
    for guid, name in run.data.users.items():
        user = _placeholder_user(guid, name)
        run.users[guid] = user
        if not Membership.objects.filter(project=run.project, user=user).exists():
            membership = Membership.objects.create(project=run.project, user=user, role=Role.CODER)
            audit_record(
                project_id=run.project.id,
                actor=run.actor,
                action="membership.create",
                obj=membership,
                after={"user": user.pk, "username": user.username, "role": Role.CODER, "refi_name": name},
                reason="Imported from a REFI-QDA project.",
            )


def _import_codebook(run: _ImportRun) -> None:
    """The codebook, through the codebook's own .qdc reader and importer (names made acceptable first)."""
    if run.data.codebook_xml is None:
        return
    rows = codebook_qdc_parse(_sanitise_codebook(run.data.codebook_xml))
    if rows:
        codebook_import(
            codebook=run.project.codebook,
            actor=run.actor,
            rows=rows,
            rationale=f"Imported from the REFI-QDA project {run.job.file_name}.",
            source="qdpx",
        )
        run.codes_by_guid = {str(c.guid): c for c in Code.objects.filter(codebook=run.project.codebook)}


def _import_cases(run: _ImportRun) -> None:
    """Variables become case attributes (typed as closely as ours allow), cases keep their values."""
    attributes = {}
    taken: set[str] = set()
    for v in run.data.variables:
        kind = _VARIABLE_TYPES.get(v["type"], "text")
        attributes[v["guid"]] = attribute_define(
            project=run.project,
            actor=run.actor,
            name=_unique(v["name"] or "Variable", taken, 100),
            type=kind,
            choices=["true", "false"] if kind == "choice" else None,
        )
    for c in run.data.cases:
        values = {}
        for var_guid, raw in c["values"].items():
            definition = attributes.get(var_guid)
            if definition is None or raw == "":
                continue
            if definition.type == "choice":
                raw = "true" if raw.lower() in ("true", "1") else "false"
            elif definition.type == "date":
                raw = raw[:10]
            values[definition.name] = raw
        case = case_create(
            project=run.project,
            actor=run.actor,
            identifier=_unique(c["name"] or c["guid"], run.taken_cases, 100),
            description=c["description"],
            attributes=values,
        )
        for source_guid in c["sources"]:
            run.case_of_source.setdefault(source_guid, case)


def _import_sources(run: _ImportRun) -> None:
    """Each text source: a transcript segmented at its selections' boundaries, and its codings."""
    version_id = (
        CodebookVersion.objects.filter(codebook=run.project.codebook)
        .order_by("-number")
        .values_list("id", flat=True)
        .first()
    )
    assert version_id is not None  # a codebook has its first version from the start (codebook_create)
    seen_digests: set[str] = set()
    taken_titles: set[str] = set()
    for index, source in enumerate(run.data.sources, start=1):
        if not source.text.strip():
            run.data.warnings.append(f"TextSource {source.name!r} skipped: its text is empty.")
            continue
        case = run.case_of_source.get(source.guid)
        if case is None:
            case = case_create(
                project=run.project, actor=run.actor, identifier=_unique(source.name, run.taken_cases, 100)
            )
        digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
        if digest in seen_digests:  # the same text twice in the archive: keep both, distinct digests
            digest = hashlib.sha256(f"{source.guid}\n{source.text}".encode()).hexdigest()
        seen_digests.add(digest)
        document = document_create(
            project=run.project,
            actor=run.actor,
            case=case,
            title=_unique(source.name, taken_titles, 255),
            text=source.text,
            source_format=SourceFormat.QDPX,
            source_filename=f"{run.job.file_name}#{source.guid}"[:255],
            sha256=digest,
            segments=[
                SegmentSpec(start=s, end=e) for s, e in refi_read.segments_for(source.text, source.selections)
            ],
            normalise=False,  # the offsets refer to the text as it is (CRLF already made LF)
            reason="Imported from a REFI-QDA project.",
        )
        run.documents += 1
        _import_codings(run, source, document, version_id)
        job_progress(ProjectImportJob, run.job.id, 10 + 80 * index // max(len(run.data.sources), 1))


def _import_codings(run: _ImportRun, source, document, version_id: int) -> None:
    """A source's codings on its new segments (a selection covering its whole segment is a segment-level
    coding), one audit event for them all with a digest; the notes on its selections wait for the memos."""
    segments = list(
        Segment.objects.filter(document=document)
        .order_by("start_offset")
        .values_list("id", "start_offset", "end_offset")
    )
    starts = [s[1] for s in segments]
    new: list[Coding] = []
    keys: set[tuple] = set()
    for sel in source.selections:
        seg_id, s0, s1 = segments[bisect.bisect_right(starts, sel.start) - 1]
        span = (None, None) if (sel.start, sel.end) == (s0, s1) else (sel.start, sel.end)
        for code_guid, user_guid in sel.codes:
            code = run.codes_by_guid.get(code_guid)
            if code is None:
                raise ApplicationError(
                    f"TextSource {source.name!r}: a coding refers to code {code_guid}, which is not in the codebook."
                )
            coder = run.user_of(user_guid)
            key = (coder.pk, seg_id, code.pk, *span)
            if key in keys:
                continue
            keys.add(key)
            new.append(
                Coding(
                    project=run.project,
                    segment_id=seg_id,
                    code=code,
                    coder=coder,
                    codebook_version_id=version_id,
                    span_start=span[0],
                    span_end=span[1],
                )
            )
        run.segment_notes.extend((seg_id, note_guid) for note_guid in sel.notes)
    Coding.objects.bulk_create(new, batch_size=2000)
    run.codings += len(new)
    if new:
        audit_record(
            project_id=run.project.id,
            actor=run.actor,
            action="coding.import",
            obj=document,
            object_type="documents.document",
            after={
                "codings": len(new),
                "digest": hashlib.sha256(
                    "\n".join(sorted(":".join(map(str, k)) for k in keys)).encode()
                ).hexdigest(),
            },
            reason="Imported from a REFI-QDA project.",
        )


def _import_notes(run: _ImportRun) -> None:
    """Notes become memos: on their codes, on their segments, and the rest on the project."""
    used = set()
    for code_guid, note_guids in run.data.code_notes.items():
        for note_guid in note_guids:
            note = run.data.notes.get(note_guid)
            if note and code_guid in run.codes_by_guid:
                memo_create(
                    project_id=run.project.id,
                    author=run.user_of(note["user"]),
                    text=note["text"],
                    code=run.codes_by_guid[code_guid],
                )
                used.add(note_guid)
                run.memos += 1
    for seg_id, note_guid in run.segment_notes:
        note = run.data.notes.get(note_guid)
        if note:
            memo_create(
                project_id=run.project.id,
                author=run.user_of(note["user"]),
                text=note["text"],
                segment=Segment.objects.get(pk=seg_id),
            )
            used.add(note_guid)
            run.memos += 1
    for note_guid, note in run.data.notes.items():
        if note_guid not in used:
            memo_create(project_id=run.project.id, author=run.user_of(note["user"]), text=note["text"])
            run.memos += 1


def _import(job: ProjectImportJob, data: refi_read.QdpxProject) -> dict[str, Any]:
    """The whole project, step by step, in the caller's transaction (all or nothing)."""
    if not _project_is_empty(job.project):
        raise ApplicationError("The project is no longer empty; import the .qdpx into a new project.")
    run = _ImportRun(job=job, data=data)
    _import_users(run)
    _import_codebook(run)
    _import_cases(run)
    _import_sources(run)
    _import_notes(run)
    return {
        "project": run.project.id,
        "documents": run.documents,
        "codes": len(run.codes_by_guid),
        "cases": len(run.taken_cases),
        "users": len(run.users),
        "codings": run.codings,
        "memos": run.memos,
        "warnings": data.warnings,
    }


def project_import_execute(*, job_id: int) -> None:
    job = job_claim(ProjectImportJob, job_id)
    if job is None:
        return
    path = Path(settings.MEDIA_ROOT) / job.upload_path
    try:
        data = refi_read.qdpx_read(path)
        job_progress(ProjectImportJob, job_id, 10)
        with transaction.atomic():  # all or nothing
            result = _import(job, data)
            audit_record(
                project_id=job.project_id,
                actor=job.created_by,
                action="project.import",
                obj=job,
                after={k: v for k, v in result.items() if k != "warnings"},
            )
    except ApplicationError as exc:
        job_fail(ProjectImportJob, job_id, exc.message)
        return
    except (DjangoValidationError, IntegrityError) as exc:
        messages = getattr(exc, "messages", None) or [str(exc)]
        job_fail(ProjectImportJob, job_id, "The project cannot be imported: " + " ".join(messages))
        return
    except SoftTimeLimitExceeded:
        job_fail(ProjectImportJob, job_id, "The import took longer than the time limit.")
        return
    finally:
        path.unlink(missing_ok=True)
    job_finish(ProjectImportJob, job_id, result=result)
