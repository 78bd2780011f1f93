"""Writes of exports and REFI-QDA project imports.

Export: ``export_job_request`` validates the parameters, checks the member's role, and creates the job
row and its ``export.request`` audit event in one transaction, then enqueues the worker on commit.
``export_job_execute`` (the task body) claims the row, writes the file to ``<name>.part`` and renames it
when complete: a failed export leaves no file behind.

Import: ``project_import_request`` stores the upload and creates the job (with its audit event);
``project_import_execute`` reads and validates the whole archive first, then writes everything in one
transaction: a bad file is a failed job with a message and nothing written.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import uuid
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from lxml import etree
from rest_framework.exceptions import PermissionDenied

from annotate.audit.services import audit_record
from annotate.cases.models import AttributeDefinition, Case
from annotate.cases.services import attribute_define, case_create
from annotate.codebook.exchange import codebook_qdc_parse, codebook_qdc_render
from annotate.codebook.models import Code, CodebookVersion
from annotate.codebook.selectors import codebook_export_codes
from annotate.codebook.services import codebook_import
from annotate.coding.models import Coding
from annotate.core.exceptions import ApplicationError
from annotate.core.jobs import enqueue_on_commit, job_claim, job_fail, job_finish, job_progress
from annotate.documents.models import Document, Segment, SourceFormat
from annotate.documents.models import Segment as SegmentModel
from annotate.documents.services import SegmentSpec, document_create
from annotate.memos.services import memo_create
from annotate.projects.models import Membership, Role

from . import refi
from .models import KIND_FORMATS, ExportJob, ExportKind, ProjectImportJob
from .reports import analysis_report_write, audit_write
from .selectors import (
    coding_rows,
    export_check,
    export_contents,
    project_tables,
)
from .tables import codings_write, matrix_compute, matrix_write, quotation_items, quotations_write

EXPORT_DIR = "exports"
# The tasks that run the jobs (workers/tasks/exports.py), sent by name.
EXPORT_TASK = "exports.export_job_run"
PROJECT_IMPORT_TASK = "exports.project_import_run"
IMPORT_DIR = "qdpx-imports"
MAX_UPLOAD_BYTES = getattr(settings, "INTERCODER_QDPX_MAX_UPLOAD_MB", 200) * 1024 * 1024
EXTENSIONS = {
    "csv": "csv",
    "xlsx": "xlsx",
    "jsonl": "jsonl",
    "html": "html",
    "md": "md",
    "qdpx": "qdpx",
    "qdc": "qdc",
}


# --- parameters ----------------------------------------------------------------------------------------


CODING_SETS = ("raw", "final", "final_else_raw", "both")
SOURCES = ("final_else_raw", "final", "raw")


def export_params_validate(
    *, project, kind: str, fmt: str | None, params: dict[str, Any], role: str | None = None
) -> tuple[str, dict]:
    """The export's format and its clean parameters, with the defaults of the requester's ``role``."""
    if kind not in ExportKind.values:
        raise ApplicationError(f"Unknown export kind {kind!r}; use one of {', '.join(ExportKind.values)}.")
    formats = KIND_FORMATS[kind]
    fmt = fmt or formats[0]
    if fmt not in formats:
        raise ApplicationError(f"A {kind} export is written as {', '.join(formats)}, not {fmt!r}.")
    clean: dict[str, Any] = {}
    viewer = role == Role.VIEWER  # viewers read the final coding only: it is their default
    if kind == ExportKind.CODINGS:
        which = params.get("which", "final" if viewer else "both")
        if which not in CODING_SETS:
            raise ApplicationError(
                "'which' is raw (every coder's codings), final (the adjudicated coding only), "
                "final_else_raw (per unit: the final coding once decided, else every coder's) or both."
            )
        clean["which"] = which
        clean["segment_text"] = bool(params.get("segment_text", False))
    if kind in (ExportKind.MATRIX, ExportKind.QUOTATIONS):
        source = params.get("source", "final" if viewer else "final_else_raw")
        # "auto" once meant "the final coding as soon as any unit has one", which silently dropped every
        # undecided unit; it now means what a reader of the file expects: per unit.
        source = "final_else_raw" if source == "auto" else source
        if source not in SOURCES:
            raise ApplicationError(
                "'source' is final_else_raw (per unit: the final coding once decided, else every coder's), "
                "final (decided units only) or raw (every coder's codings)."
            )
        clean["source"] = source
    if kind == ExportKind.QUOTATIONS and params.get("code") is not None:
        try:
            code_id = int(params["code"])
        except (TypeError, ValueError):
            raise ApplicationError("'code' is a code id.") from None
        if not Code.objects.filter(pk=code_id, codebook__project_id=project.id).exists():
            raise ApplicationError(f"Code {code_id} is not in this project's codebook.")
        clean["code"] = code_id
    return fmt, clean


def export_job_request(
    *, membership: Membership, actor, kind: str, fmt: str | None, params: dict
) -> ExportJob:
    """Create the job and its audit event together, and enqueue the export once they are committed."""
    project = membership.project
    fmt, clean = export_params_validate(
        project=project, kind=kind, fmt=fmt, params=params or {}, role=membership.role
    )
    export_check(membership=membership, kind=kind, params=clean)
    with transaction.atomic():
        job = ExportJob.objects.create(project=project, created_by=actor, kind=kind, format=fmt, params=clean)
        audit_record(
            project_id=project.id,
            actor=actor,
            action="export.request",
            obj=job,
            after={"kind": kind, "format": fmt, "params": clean},
        )
        enqueue_on_commit(EXPORT_TASK, job.id)
    return job


def export_download_record(*, job: ExportJob, actor) -> None:
    """A download is part of the record too: who took which file out, and when."""
    with transaction.atomic():
        audit_record(
            project_id=job.project_id,
            actor=actor,
            action="export.download",
            obj=job,
            after={"kind": job.kind, "format": job.format, "size_bytes": job.size_bytes},
        )


# --- running an export ---------------------------------------------------------------------------------


def _membership_now(job: ExportJob) -> Membership:
    """The requester's membership as it stands when the export runs: a member removed (or demoted) since
    the request gets nothing."""
    membership = (
        Membership.objects.select_related("project")
        .filter(project_id=job.project_id, user_id=job.created_by_id)
        .first()
    )
    if membership is None:
        raise ApplicationError("The requester is no longer a member of this project.")
    try:
        export_check(membership=membership, kind=job.kind, params=job.params)
    except PermissionDenied as exc:
        raise ApplicationError(str(exc.detail)) from exc
    return membership


def _write(job: ExportJob, membership: Membership, path: Path) -> tuple[int, dict[str, Any]]:
    project = membership.project
    kind, fmt, p = job.kind, job.format, job.params
    info: dict[str, Any] = {}
    if kind == ExportKind.AUDIT:
        return audit_write(path, fmt, project.id), info
    if kind == ExportKind.ANALYSIS_REPORT:
        return analysis_report_write(path, project), info
    if kind == ExportKind.QDC:
        codes = codebook_export_codes(codebook=project.codebook)
        path.write_bytes(codebook_qdc_render(codes))
        return len(codes), info
    tables = project_tables(project=project)
    analyst = membership.role in ("owner", "adjudicator")
    # Coders read raw codings through the blind-coding rule; owners and adjudicators read everything.
    visible_to = None if analyst else membership
    if kind == ExportKind.QDPX:
        return refi.qdpx_write(
            path, project, tables, progress=lambda f: job_progress(ExportJob, job.id, 5 + 90 * f)
        ), info
    if kind == ExportKind.CODINGS:
        rows = coding_rows(project_id=project.id, which=p["which"], membership=visible_to)
        return codings_write(path, fmt, tables, rows, segment_text=p["segment_text"]), info
    source = "final_else_raw" if p["source"] == "auto" else p["source"]  # jobs requested before the rename
    content = export_contents(membership=membership, kind=kind, params={**p, "source": source})
    info.update(source=source, left_out_units=content["units_left_out"])
    rows = coding_rows(project_id=project.id, which=source, membership=visible_to)
    if kind == ExportKind.MATRIX:
        return matrix_write(path, fmt, tables, matrix_compute(tables, rows), content=content), info

    items = quotation_items(tables, rows, p.get("code"), mixed=source == "final_else_raw")
    return quotations_write(path, fmt, tables, items, content=content), info


def export_job_execute(*, job_id: int) -> None:
    job = job_claim(ExportJob, job_id)
    if job is None:
        return  # already running or finished: a redelivered message
    directory = Path(settings.MEDIA_ROOT) / EXPORT_DIR / str(job.project_id)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    # What the codings are drawn from is part of the name, so a CSV (a bare table) still says it.
    drawn_from = job.params.get("source") or job.params.get("which")
    kind = f"{job.kind}-{drawn_from.replace('_', '-')}" if drawn_from else job.kind
    name = f"{slugify(job.project.name) or 'project'}-{kind}-{stamp}-{job.id}.{EXTENSIONS[job.format]}"
    final = directory / name
    part = directory / (name + ".part")
    try:
        membership = _membership_now(job)
        rows, info = _write(job, membership, part)
        os.replace(part, final)
    except ApplicationError as exc:
        part.unlink(missing_ok=True)
        job_fail(ExportJob, job_id, exc.message)
        return
    except SoftTimeLimitExceeded:
        part.unlink(missing_ok=True)
        job_fail(ExportJob, job_id, "The export took longer than the time limit; try a smaller export.")
        return
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    job_finish(
        ExportJob,
        job_id,
        result={"rows": rows, **info},
        file_path=str(final.relative_to(settings.MEDIA_ROOT)),
        file_name=name,
        size_bytes=final.stat().st_size,
        row_count=rows,
    )


def export_file_path(job: ExportJob) -> Path:
    path = (Path(settings.MEDIA_ROOT) / job.file_path).resolve()
    root = (Path(settings.MEDIA_ROOT) / EXPORT_DIR).resolve()
    if not job.file_path or root not in path.parents or not path.is_file():
        raise ApplicationError("The export file is no longer available.", status=410)
    return path


# --- importing a .qdpx -----------------------------------------------------------------------------------


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


def _import(job: ProjectImportJob, data: refi.QdpxProject) -> dict[str, Any]:

    project, actor = job.project, job.created_by
    if not _project_is_empty(project):
        raise ApplicationError("The project is no longer empty; import the .qdpx into a new project.")
    # Users: inactive placeholders, members with the coder role.
    users = {}
    for guid, name in data.users.items():
        user = _placeholder_user(guid, name)
        users[guid] = user
        if not Membership.objects.filter(project=project, user=user).exists():
            membership = Membership.objects.create(project=project, user=user, role=Role.CODER)
            audit_record(
                project_id=project.id,
                actor=actor,
                action="membership.create",
                obj=membership,
                after={"user": user.pk, "username": user.username, "role": Role.CODER, "refi_name": name},
                reason="Imported from a REFI-QDA project.",
            )

    def user_of(guid: str | None):
        return users.get(guid) or actor

    # Codebook: the codebook engineer's .qdc reader and importer.
    codes_by_guid: dict[str, Code] = {}
    if data.codebook_xml is not None:
        rows = codebook_qdc_parse(_sanitise_codebook(data.codebook_xml))
        if rows:
            codebook_import(
                codebook=project.codebook,
                actor=actor,
                rows=rows,
                rationale=f"Imported from the REFI-QDA project {job.file_name}.",
                source="qdpx",
            )
            codes_by_guid = {str(c.guid): c for c in Code.objects.filter(codebook=project.codebook)}
    # Variables and cases.
    attributes = {}
    taken_attr: set[str] = set()
    for v in data.variables:
        kind = _VARIABLE_TYPES.get(v["type"], "text")
        definition = attribute_define(
            project=project,
            actor=actor,
            name=_unique(v["name"] or "Variable", taken_attr, 100),
            type=kind,
            choices=["true", "false"] if kind == "choice" else None,
        )
        attributes[v["guid"]] = definition
    taken_cases: set[str] = set()
    case_of_source: dict[str, Any] = {}
    for c in data.cases:
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
            project=project,
            actor=actor,
            identifier=_unique(c["name"] or c["guid"], taken_cases, 100),
            description=c["description"],
            attributes=values,
        )
        for source_guid in c["sources"]:
            case_of_source.setdefault(source_guid, case)
    version_id = (
        CodebookVersion.objects.filter(codebook=project.codebook)
        .order_by("-number")
        .values_list("id", flat=True)
        .first()
    )
    # Sources, their segments and codings.
    n_codings, n_documents, seen_digests = 0, 0, set()
    taken_titles: set[str] = set()
    segment_notes: list[tuple[Any, str]] = []
    for index, source in enumerate(data.sources, start=1):
        if not source.text.strip():
            data.warnings.append(f"TextSource {source.name!r} skipped: its text is empty.")
            continue
        case = case_of_source.get(source.guid)
        if case is None:
            case = case_create(
                project=project, actor=actor, identifier=_unique(source.name, taken_cases, 100)
            )
        digest = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
        if digest in seen_digests:  # the same text twice in the archive: keep both, distinct digests
            digest = hashlib.sha256(f"{source.guid}\n{source.text}".encode()).hexdigest()
        seen_digests.add(digest)
        spans = refi.segments_for(source.text, source.selections)
        document = document_create(
            project=project,
            actor=actor,
            case=case,
            title=_unique(source.name, taken_titles, 255),
            text=source.text,
            source_format=SourceFormat.QDPX,
            source_filename=f"{job.file_name}#{source.guid}"[:255],
            sha256=digest,
            segments=[SegmentSpec(start=s, end=e) for s, e in spans],
            normalise=False,  # the offsets refer to the text as it is (CRLF already made LF)
            reason="Imported from a REFI-QDA project.",
        )
        n_documents += 1
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
                code = codes_by_guid.get(code_guid)
                if code is None:
                    raise ApplicationError(
                        f"TextSource {source.name!r}: a coding refers to code {code_guid}, which is not in the codebook."
                    )
                coder = user_of(user_guid)
                key = (coder.pk, seg_id, code.pk, *span)
                if key in keys:
                    continue
                keys.add(key)
                new.append(
                    Coding(
                        project=project,
                        segment_id=seg_id,
                        code=code,
                        coder=coder,
                        codebook_version_id=version_id,
                        span_start=span[0],
                        span_end=span[1],
                    )
                )
            for note_guid in sel.notes:
                segment_notes.append((seg_id, note_guid))
        Coding.objects.bulk_create(new, batch_size=2000)
        n_codings += len(new)
        if new:
            audit_record(
                project_id=project.id,
                actor=actor,
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
        job_progress(ProjectImportJob, job.id, 10 + 80 * index // max(len(data.sources), 1))
    # Notes: memos on codes, on segments, on the project.
    n_memos, used = 0, set()
    for code_guid, note_guids in data.code_notes.items():
        for note_guid in note_guids:
            note = data.notes.get(note_guid)
            if note and code_guid in codes_by_guid:
                memo_create(
                    project_id=project.id,
                    author=user_of(note["user"]),
                    text=note["text"],
                    code=codes_by_guid[code_guid],
                )
                used.add(note_guid)
                n_memos += 1

    for seg_id, note_guid in segment_notes:
        note = data.notes.get(note_guid)
        if note:
            memo_create(
                project_id=project.id,
                author=user_of(note["user"]),
                text=note["text"],
                segment=SegmentModel.objects.get(pk=seg_id),
            )
            used.add(note_guid)
            n_memos += 1
    for note_guid, note in data.notes.items():
        if note_guid not in used:
            memo_create(project_id=project.id, author=user_of(note["user"]), text=note["text"])
            n_memos += 1
    return {
        "project": project.id,
        "documents": n_documents,
        "codes": len(codes_by_guid),
        "cases": len(taken_cases),
        "users": len(users),
        "codings": n_codings,
        "memos": n_memos,
        "warnings": data.warnings,
    }


def project_import_execute(*, job_id: int) -> None:
    job = job_claim(ProjectImportJob, job_id)
    if job is None:
        return
    path = Path(settings.MEDIA_ROOT) / job.upload_path
    try:
        data = refi.qdpx_read(path)
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
