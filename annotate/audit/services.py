"""Writing the audit trail. Every service that changes the research record calls ``audit_record`` inside
its own transaction, so the change and its event commit or roll back together."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from annotate.core.request_context import get_request_id

from .chain import GENESIS_HASH, event_hash
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


def _lock_chain(project_id: int) -> None:
    """Serialise writers of one project's chain so that two events can never share a predecessor."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_AUDIT_LOCK_NAMESPACE, project_id])
    # SQLite: the app opens transactions as IMMEDIATE (settings), which already serialises all writers.


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
    """Append one event to the project's chain. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    if not object_type or object_id is None:
        raise ValueError("an audit event needs an object type and id")

    _lock_chain(project_id)
    last = (
        AuditEvent.objects.filter(project_id=project_id)
        .order_by("-sequence")
        .values("sequence", "hash")
        .first()
    )
    sequence = last["sequence"] + 1 if last else 1
    prev_hash = last["hash"] if last else GENESIS_HASH
    fields = {
        "project_id": project_id,
        "sequence": sequence,
        "prev_hash": prev_hash,
        "actor_id": actor.pk if actor is not None else None,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before": json_safe(before),
        "after": json_safe(after),
        "reason": reason or "",
        "request_id": get_request_id(),
        "created_at": timezone.now(),
    }
    return AuditEvent.objects.create(hash=event_hash(**fields), **fields)


def audit_record_many(*, project_id: int, events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append several events to the project's chain at once (one lock, one read, one bulk insert).

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
    _lock_chain(project_id)
    last = (
        AuditEvent.objects.filter(project_id=project_id)
        .order_by("-sequence")
        .values("sequence", "hash")
        .first()
    )
    sequence = last["sequence"] if last else 0
    prev_hash = last["hash"] if last else GENESIS_HASH
    request_id = get_request_id()
    now = timezone.now()
    rows = []
    for event in events:
        obj = event.get("obj")
        object_type, object_id = event.get("object_type"), event.get("object_id")
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = obj.pk if object_id is None else object_id
        if not object_type or object_id is None:
            raise ValueError("an audit event needs an object type and id")
        actor = event.get("actor")
        sequence += 1
        fields = {
            "project_id": project_id,
            "sequence": sequence,
            "prev_hash": prev_hash,
            "actor_id": actor.pk if actor is not None else None,
            "action": event["action"],
            "object_type": object_type,
            "object_id": str(object_id),
            "before": json_safe(event.get("before")),
            "after": json_safe(event.get("after")),
            "reason": event.get("reason") or "",
            "request_id": request_id,
            "created_at": now,
        }
        digest = event_hash(**fields)
        rows.append(AuditEvent(hash=digest, **fields))
        prev_hash = digest
    return AuditEvent.objects.bulk_create(rows)
