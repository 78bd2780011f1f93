"""Back up one project and restore it into another instance: every row of the project, the accounts its
rows refer to, its files, and its audit trail, which verifies after the restore.

The archive (``.tar.gz``) holds ``manifest.json`` (format, the schema's migrations, the count of rows of
every model, the audit chain's head, the SHA-256 of every member), ``data.json`` (Django's serialisation of
the rows, keys kept as they were) and ``media/`` (the project's export files and waiting uploads).

Keys are kept because the audit chain hashes them (project, actor and object ids): a restore with new
keys could not verify. So a restore goes into an instance that does not hold the backup's keys: a new
instance (after ``migrate``) or one where the project never was; an account that is already there with the
same id and username is reused, any other clash refuses the whole restore before anything is written.
Restored accounts arrive without staff or administrator rights (least privilege); their passwords are
their own (the hashes are kept).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from annotate.audit.models import AuditEvent
from annotate.audit.selectors import audit_chain_breaks
from annotate.audit.services import audit_record
from annotate.core.exceptions import ApplicationError
from annotate.documents.models import ImportJob
from annotate.exports.models import ProjectImportJob
from annotate.exports.services import EXPORT_DIR
from annotate.projects.models import Project

FORMAT = "intercoder-project-backup"
VERSION = 1
USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "password",
    "is_active",
    "date_joined",
    "last_login",
]


class _ExactEncoder(DjangoJSONEncoder):
    """Times to the microsecond: Django's own JSON encoder cuts them to milliseconds, and the audit
    chain hashes ``created_at`` to the microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def project_models() -> list[tuple[type[models.Model], str]]:
    """Every model of the apps that belongs to a project, with the lookup from it to the project's id
    (found by following foreign keys, so a new model is backed up without a change here)."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("annotate."):
            continue
        queue: deque[tuple[type[models.Model], list[str]]] = deque([(model, [])])
        seen = {model}
        while queue:
            current, path = queue.popleft()
            if current is Project:
                found.append((model, "__".join([*path, "id"]) if path else "id"))
                break
            for field in current._meta.concrete_fields:
                related = field.related_model
                if isinstance(related, type) and related not in seen and related is not user_model:
                    seen.add(related)
                    queue.append((related, [*path, field.name]))
    return found


def _rows(project_id: int) -> Iterator[tuple[type[models.Model], models.QuerySet]]:
    for model, lookup in project_models():
        yield model, model._default_manager.filter(**{lookup: project_id}).order_by("pk")


def _user_ids(project_id: int) -> set[int]:
    user_model = get_user_model()
    ids: set[int] = set()
    for model, rows in _rows(project_id):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                distinct = (
                    rows.exclude(**{field.attname: None}).order_by().values_list(field.attname, flat=True)
                )
                ids.update(distinct.distinct())
    return ids


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if app in {config.label for config in apps.get_app_configs() if config.name.startswith("annotate.")}:
            latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _media_files(project_id: int) -> list[Path]:
    """The project's files under MEDIA_ROOT: finished exports and uploads still waiting for a worker."""
    root = Path(settings.MEDIA_ROOT)
    directories = [root / EXPORT_DIR / str(project_id)]
    directories += [
        root / d
        for d in ImportJob.objects.filter(project_id=project_id).values_list("upload_dir", flat=True)
        if d
    ]
    files = [path for d in directories if d.is_dir() for path in sorted(d.rglob("*")) if path.is_file()]
    files += [
        root / p
        for p in ProjectImportJob.objects.filter(project_id=project_id).values_list("upload_path", flat=True)
        if p and (root / p).is_file()
    ]
    return files


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> str:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))
    return hashlib.sha256(data).hexdigest()


def project_backup_write(*, project_id: int, output: Path) -> dict[str, Any]:
    """Write the project's backup to ``output`` and return its manifest. The backup is recorded in the
    audit trail first, in the same transaction as the read, so the archive holds its own event."""
    if not Project.objects.filter(pk=project_id).exists():
        raise ApplicationError(f"There is no project {project_id}.", status=404)
    with transaction.atomic():
        # Repeatable read of everything below: the project's chain is locked by the event until commit,
        # so no write of the project lands between the rows read here.
        audit_record(
            project_id=project_id,
            actor=None,
            action="project.backup",
            obj=Project.objects.get(pk=project_id),
            reason="manage.py backup_project",
        )
        user_model = get_user_model()
        users = user_model._default_manager.filter(pk__in=_user_ids(project_id)).order_by("pk")
        data = [serializers.serialize("python", users, fields=USER_FIELDS)]
        counts = {user_model._meta.label: len(data[0])}
        for model, rows in _rows(project_id):
            data.append(serializers.serialize("python", rows))
            counts[model._meta.label] = len(data[-1])
        head = AuditEvent.objects.filter(project_id=project_id).order_by("-sequence").values("hash").first()
        media = _media_files(project_id)
        project = Project.objects.get(pk=project_id)
    flat = [row for part in data for row in part]
    data_bytes = json.dumps(flat, cls=_ExactEncoder, ensure_ascii=False).encode("utf-8")
    output.parent.mkdir(parents=True, exist_ok=True)
    part = output.with_name(output.name + ".part")
    root = Path(settings.MEDIA_ROOT)
    with tarfile.open(part, "w:gz") as archive:
        members = {"data.json": _add(archive, "data.json", data_bytes)}
        for path in media:
            name = f"media/{path.relative_to(root).as_posix()}"
            members[name] = _add(archive, name, path.read_bytes())
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "project": {"id": project.id, "name": project.name},
            "migrations": _migrations(),
            "counts": counts,
            "audit_head": head["hash"] if head else None,
            "members": members,
        }
        _add(archive, "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
    part.replace(output)
    return manifest


def _read_archive(path: Path, into: Path) -> tuple[dict[str, Any], bytes]:
    try:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ApplicationError(f"{path.name} is not a readable project backup ({exc}).") from None
    try:
        manifest = json.loads((into / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise ApplicationError(
            f"{path.name} has no readable manifest.json: it is not a project backup."
        ) from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ApplicationError(
            f"{path.name} is not a version-{VERSION} Intercoder project backup "
            f"(format {manifest.get('format')!r}, version {manifest.get('version')!r})."
        )
    for name, digest in manifest["members"].items():
        member = into / name
        if not member.is_file() or hashlib.sha256(member.read_bytes()).hexdigest() != digest:
            raise ApplicationError(
                f"{path.name} is damaged: {name} is missing or does not match its checksum."
            )
    return manifest, (into / "data.json").read_bytes()


def _check_target(manifest: dict[str, Any], objects: list[Any]) -> None:
    here = _migrations()
    if here != manifest["migrations"]:
        differing = sorted(
            a for a in set(here) | set(manifest["migrations"]) if here.get(a) != manifest["migrations"].get(a)
        )
        raise ApplicationError(
            "The backup was made by another version of Intercoder (its database schema differs in "
            f"{', '.join(differing)}). Restore it with the version that made it, then upgrade."
        )
    user_model = get_user_model()
    for wrapper in objects:
        obj = wrapper.object
        model = type(obj)
        existing = model._default_manager.filter(pk=obj.pk).first()
        if existing is None:
            continue
        if model is user_model and existing.get_username() == obj.get_username():
            continue
        raise ApplicationError(
            f"This instance already holds {model._meta.verbose_name} {obj.pk}"
            + (
                f" ({existing.get_username()!r}, the backup's is {obj.get_username()!r})"
                if model is user_model
                else ""
            )
            + ". Restore into a new instance (after migrate) or one where this project never was; nothing was restored."
        )


def project_backup_restore(*, archive: Path) -> dict[str, Any]:
    """Restore a backup written by ``project_backup_write``; returns the manifest with what was restored.
    Everything or nothing: rows in one transaction, files put in place only once the rows are in."""
    user_model = get_user_model()
    with tempfile.TemporaryDirectory() as scratch:
        manifest, data = _read_archive(archive, Path(scratch))
        try:
            objects = list(serializers.deserialize("python", json.loads(data)))
        except (serializers.base.DeserializationError, ValueError) as exc:
            raise ApplicationError(f"{archive.name}: data.json cannot be read ({exc}).") from None
        _check_target(manifest, objects)
        restored_models = set()
        with transaction.atomic():
            with connection.constraint_checks_disabled():
                for wrapper in objects:
                    obj = wrapper.object
                    if isinstance(obj, user_model):
                        if user_model._default_manager.filter(pk=obj.pk).exists():
                            continue  # the same account, already here
                        obj.is_staff = obj.is_superuser = False
                    wrapper.save()
                    restored_models.add(type(obj))
            connection.check_constraints(table_names=[m._meta.db_table for m in restored_models])
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(restored_models)):
                    cursor.execute(statement)
            project_id = manifest["project"]["id"]
            counts = {
                user_model._meta.label: user_model._default_manager.filter(
                    pk__in=_user_ids(project_id)
                ).count()
            }
            counts.update({m._meta.label: rows.count() for m, rows in _rows(project_id)})
            if counts != manifest["counts"]:
                wrong = {k: (counts.get(k), v) for k, v in manifest["counts"].items() if counts.get(k) != v}
                raise ApplicationError(
                    f"The restored rows do not match the backup's counts: {wrong}; nothing was restored."
                )
            broken = next(audit_chain_breaks(project_id=project_id), None)
            if broken is not None:
                raise ApplicationError(
                    f"The restored audit trail does not verify ({broken}); nothing was restored."
                )
            media = Path(scratch) / "media"
            if media.is_dir():
                root = Path(settings.MEDIA_ROOT)
                for source in sorted(p for p in media.rglob("*") if p.is_file()):
                    target = root / source.relative_to(media)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)
    return {**manifest, "restored_into": DEFAULT_DB_ALIAS}
