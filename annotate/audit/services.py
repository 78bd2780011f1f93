"""Writing the audit trail. Every service that changes the research record calls ``audit_record`` inside
its own transaction, so the change and its event commit or roll back together."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from annotate.core.request_context import get_request_id
from annotate.core.sql import execute_batch, insert_returning_ids

from .chain import GENESIS_HASH, event_hash, event_hash_template
from .models import AuditEvent

# Namespace for pg_advisory_xact_lock(int, int): the second int is the project id.
_AUDIT_LOCK_NAMESPACE = 7_210_401


def json_safe(value: Any) -> Any:
    """What the JSON column will give back when read, so that hashes verify after a round trip."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(instance, fields: list[str] | None = None, exclude: list[str] | None = None) -> dict[str, Any]:
    """The before/after image of a model instance: its concrete fields (foreign keys as ids)."""
    data = model_to_dict(instance, fields=fields, exclude=exclude)
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if exclude and field.name in exclude:
            continue
        if not field.editable:
            data[field.name] = getattr(instance, field.attname)
    data["id"] = instance.pk
    return json_safe(data)


def _chain_head_sqlite(project_id: int) -> tuple[int, str]:
    """The head (sequence, hash) of the project's chain. No lock is needed on SQLite: the app opens
    transactions as IMMEDIATE (settings), which serialises all writers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequence, hash FROM audit_auditevent WHERE project_id = %s ORDER BY sequence DESC LIMIT 1",
            [project_id],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


_COLUMNS = (
    "project_id",
    "sequence",
    "prev_hash",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "reason",
    "request_id",
    "created_at",
    "hash",
)


def _insert(rows: list[dict[str, Any]]) -> list[AuditEvent]:
    """Insert the events in one hand-written statement: every request of the coding loop writes events,
    and compiling the ORM's insert would cost more than running it (annotate.core.sql)."""
    ids = insert_returning_ids(AuditEvent, _COLUMNS, [[row[c] for c in _COLUMNS] for row in rows])
    return [AuditEvent(id=pk, **row) for pk, row in zip(ids, rows, strict=True)]


def audit_record(
    *,
    project_id: int,
    actor,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id: Any = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the project's chain. Must run inside the caller's transaction.

    Call it last in the transaction where you can: the chain stays locked from here until the commit,
    and every other writer in the project waits for it."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change it records")
    event = {
        "actor": actor,
        "action": action,
        "obj": obj,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "reason": reason,
    }
    return _append(project_id, [event])[0]


def audit_record_many(*, project_id: int, events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append several events to the project's chain at once (one round trip on PostgreSQL).

    Each item takes the keyword arguments of ``audit_record`` except ``project_id``. The events get
    consecutive sequence numbers in the given order, each hashing its predecessor, exactly as if
    ``audit_record`` had been called for each in turn. Must run inside the caller's transaction.
    """
    if not connection.in_atomic_block:
        raise RuntimeError(
            "audit_record_many must be called inside the transaction of the changes it records"
        )
    if not events:
        return []
    return _append(project_id, events)


def _images(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each event as the row it becomes (less the chain's fields): object type and id, JSON-safe images."""
    images = []
    for event in events:
        obj = event.get("obj")
        object_type, object_id = event.get("object_type"), event.get("object_id")
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = obj.pk if object_id is None else object_id
        if not object_type or object_id is None:
            raise ValueError("an audit event needs an object type and id")
        actor = event.get("actor")
        images.append(
            {
                "actor_id": actor.pk if actor is not None else None,
                "action": event["action"],
                "object_type": object_type,
                "object_id": str(object_id),
                "before": json_safe(event.get("before")),
                "after": json_safe(event.get("after")),
                "reason": event.get("reason") or "",
            }
        )
    return images


def _append(project_id: int, events: list[dict[str, Any]]) -> list[AuditEvent]:
    images = _images(events)
    request_id = get_request_id()
    now = timezone.now()
    if connection.vendor == "postgresql":
        statements = _append_statements(project_id, images, request_id, now)
        with connection.cursor() as cursor:
            results = execute_batch(cursor, statements)
        return _events_from_rows(project_id, images, request_id, now, results)
    sequence, prev_hash = _chain_head_sqlite(project_id)
    rows = []
    for image in images:
        sequence += 1
        fields = {
            "project_id": project_id,
            "sequence": sequence,
            "prev_hash": prev_hash,
            **image,
            "request_id": request_id,
            "created_at": now,
        }
        fields["hash"] = prev_hash = event_hash(**fields)
        rows.append(fields)
    return _insert(rows)


def audit_append_statements(*, project_id: int, events: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    """PostgreSQL only: the statements that append ``events`` (as ``audit_record_many`` takes them) to the
    project's chain, for a caller that sends them in a round trip of its own (``annotate.core.sql.
    execute_batch``). Each is one call of the database's append function: it takes the chain's lock (held
    to the commit), reads the head and inserts the event hashed from its template. Statements placed after
    them see the chain locked, so every other writer of the project has committed or waits."""
    if connection.vendor != "postgresql":
        raise RuntimeError("audit_append_statements: the database hashes the chain on PostgreSQL only")
    if not connection.in_atomic_block:
        raise RuntimeError("audit events must be appended inside the transaction of the change they record")
    return _append_statements(project_id, _images(events), get_request_id(), timezone.now())


_APPEND_SQL = (
    "SELECT event_id, event_sequence, event_prev_hash, event_hash FROM intercoder_audit_append("  # noqa: S608
    + ", ".join(["%s"] * 14)
    + ")"
)


def _append_statements(project_id: int, images, request_id: str, now) -> list[tuple[str, list[Any]]]:
    statements = []
    for image in images:
        head, middle, tail = event_hash_template(
            project_id=project_id, **image, request_id=request_id, created_at=now
        )
        params = [
            _AUDIT_LOCK_NAMESPACE,
            project_id,
            image["actor_id"],
            image["action"],
            image["object_type"],
            image["object_id"],
            _JSON.get_db_prep_save(image["before"], connection),
            _JSON.get_db_prep_save(image["after"], connection),
            image["reason"],
            request_id,
            now,
            head,
            middle,
            tail,
        ]
        statements.append((_APPEND_SQL, params))
    return statements


def _events_from_rows(project_id: int, images, request_id: str, now, results) -> list[AuditEvent]:
    events = []
    for image, rows in zip(images, results, strict=True):
        ((pk, sequence, prev_hash, digest),) = rows
        events.append(
            AuditEvent(
                id=pk,
                project_id=project_id,
                sequence=sequence,
                prev_hash=prev_hash,
                hash=digest,
                **image,
                request_id=request_id,
                created_at=now,
            )
        )
    return events


_JSON = AuditEvent._meta.get_field("before")
