"""The audit trail: append-only at the database level (triggers in migration 0002) and tamper-evident
(each event carries the hash of the previous event of its project; see ``annotate.audit.chain``)."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    # No index of its own: the chain's (project, sequence) constraint starts with it, and every change
    # to the record writes an event.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="audit_events", db_index=False
    )
    sequence = models.PositiveBigIntegerField(help_text="Position in the project's chain, from 1.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, help_text="<object>.<verb>, e.g. coding.create")
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["project_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sequence"], name="audit_one_event_per_chain_position"
            ),
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_sequence_positive"),
        ]
        indexes = [
            models.Index(fields=["project", "object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["project", "created_at"], name="audit_time_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"
