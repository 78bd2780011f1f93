"""Writes of exports (a REFI-QDA project's import is ``qdpx_import``).

Export: ``export_job_request`` validates the parameters, checks the member's role, and creates the job
row and its ``export.request`` audit event in one transaction, then enqueues the worker on commit.
``export_job_execute`` (the task body) claims the row, writes the file to ``<name>.part`` and renames it
when complete: a failed export leaves no file behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.exceptions import PermissionDenied

from annotate.audit.services import audit_record
from annotate.codebook.exchange import codebook_qdc_render
from annotate.codebook.models import Code
from annotate.codebook.selectors import codebook_export_codes
from annotate.core.exceptions import ApplicationError
from annotate.core.jobs import enqueue_on_commit, job_claim, job_fail, job_finish, job_progress
from annotate.projects.models import Membership, Role

from . import refi
from .models import KIND_FORMATS, ExportJob, ExportKind
from .reports import analysis_report_write, audit_write
from .selectors import (
    coding_rows,
    export_check,
    export_contents,
    project_tables,
)
from .tables import codings_write, matrix_compute, matrix_write, quotation_items, quotations_write

EXPORT_DIR = "exports"
EXPORT_TASK = "exports.export_job_run"  # workers/tasks/exports.py, sent by name
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
