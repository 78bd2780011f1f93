from collections.abc import Iterator

from django.db.models import QuerySet

from .chain import ChainBreak, verify_chain
from .models import AuditEvent


def audit_event_list(*, project_id: int, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """A project's events, newest first, filtered by actor, action, object and time range."""
    filters = filters or {}
    qs = AuditEvent.objects.filter(project_id=project_id).select_related("actor")
    if filters.get("actor") is not None:
        qs = qs.filter(actor_id=filters["actor"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        qs = qs.filter(object_id=str(filters["object_id"]))
    if filters.get("since"):
        qs = qs.filter(created_at__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(created_at__lt=filters["until"])
    return qs.order_by("-sequence")


def audit_chain_breaks(*, project_id: int | None = None) -> Iterator[ChainBreak]:
    """Recompute every chain (or one project's) and yield what does not verify, in chain order."""
    project_ids = (
        [project_id]
        if project_id is not None
        else AuditEvent.objects.order_by().values_list("project_id", flat=True).distinct()
    )
    for pid in sorted(project_ids):
        events = AuditEvent.objects.filter(project_id=pid).order_by("sequence").iterator(chunk_size=2000)
        yield from verify_chain(events)
