from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    PARTIAL = "partial", "Partly done"  # finished, but some of its parts failed (an import's files)
    FAILED = "failed", "Failed"


class BackgroundJob(models.Model):
    """The record of one background run (an import, an agreement or saturation run, an export).

    The row, not Celery's result backend, is the system of record: the API returns its id and clients poll
    it, and it is the outbox: a message that was never sent or was lost is sent again from it by the
    dispatcher. Tasks claim it with a guarded update and hold it by a lease (``claimed_by``,
    ``heartbeat_at``; see ``annotate.core.jobs``), so a duplicate message does nothing while the holder
    lives, and the holder's own retry or redelivery takes its row back.
    """

    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0–100.")
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    dispatched_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the last message sent for this job is due at the workers (send time plus any "
        "delay); empty while no send has succeeded.",
    )
    claimed_by = models.CharField(
        max_length=64, blank=True, help_text="Id of the Celery task that holds the running job."
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the worker holding the running job."
    )

    class Meta:
        abstract = True

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
