"""Who codes what: a project's assignment plan, its units, and the coder slots of each unit.

- ``AssignmentPlan``: one per project; the PI's parameters (unit of assignment, overlap, reliability
  sample, stratification, seed). The seed is stored, so the sample is reproducible.
- ``PlanCoder``: a coder in the plan, with a weight (unequal workloads) and a quota (the most units they
  may hold: the balanced share, see ``annotate.assignments.planning``).
- ``Unit``: one codable segment in the plan, with the number of coders planned for it (``planned_coders``:
  k in the reliability sample, 1 outside it). ``adjudicated_at`` is the hook for adjudication.
- ``Assignment``: one of a unit's ``planned_coders`` slots. A slot is open (pool, nobody holds it yet),
  assigned to a coder, or done. The slots are created when the plan is applied and never added to, so a
  unit can never be given to more coders than planned; a coder never holds two slots of one unit.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotate.core.models import TimeStampedModel


class UnitType(models.TextChoices):
    DOCUMENT = "document", "Whole documents (every codable segment, in order)"
    SEGMENT = "segment", "Single segments claimed from a pool"


class AssignmentPlan(TimeStampedModel):
    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, related_name="assignment_plan"
    )
    unit_type = models.CharField(max_length=10, choices=UnitType.choices)
    overlap = models.PositiveSmallIntegerField(
        help_text="k: coders per unit (per sampled unit with a sample)."
    )
    sample_fraction = models.FloatField(
        null=True,
        blank=True,
        help_text="Share of units in the reliability sample (coded by k); the rest by one. Empty: all by k.",
    )
    stratify_by = models.CharField(
        max_length=100, blank=True, help_text="Case attribute the sample is stratified by."
    )
    seed = models.BigIntegerField(help_text="Seed of the sample and of tie-breaks: the plan is reproducible.")
    revision = models.PositiveIntegerField(default=1, help_text="Bumped by every re-plan.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1), name="plan_overlap_positive"),
            models.CheckConstraint(
                condition=Q(sample_fraction__isnull=True) | Q(sample_fraction__gt=0, sample_fraction__lte=1),
                name="plan_sample_fraction_range",
            ),
            models.CheckConstraint(condition=Q(unit_type__in=UnitType.values), name="plan_unit_type_valid"),
        ]

    def __str__(self) -> str:
        return f"plan of project {self.project_id} (rev {self.revision})"


class PlanCoder(models.Model):
    plan = models.ForeignKey(AssignmentPlan, on_delete=models.CASCADE, related_name="coders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    weight = models.FloatField(default=1.0)
    active = models.BooleanField(
        default=True, help_text="False once removed from the plan (their done work stays)."
    )
    quota = models.PositiveIntegerField(default=0, help_text="The most slots this coder may hold.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"], name="plan_coder_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="plan_coder_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"coder {self.user_id} in {self.plan_id} (x{self.weight})"


class Unit(models.Model):
    plan = models.ForeignKey(AssignmentPlan, on_delete=models.PROTECT, related_name="units")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")
    # A document in a plan cannot be deleted (PROTECT → the API answers 409): its units may hold ratings.
    segment = models.OneToOneField(
        "documents.Segment", on_delete=models.PROTECT, related_name="assignment_unit"
    )
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField(help_text="Queue order: documents in analysis order, turns in order.")
    planned_coders = models.PositiveSmallIntegerField()
    stratum = models.CharField(max_length=200, blank=True)
    # Set by adjudication (annotate.adjudication): once set, the unit's codings are visible to every member
    # and its assignments can no longer be reopened.
    adjudicated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "order"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_coders__gte=1), name="unit_planned_coders_positive"),
            models.UniqueConstraint(fields=["plan", "order"], name="unit_order_unique_in_plan"),
        ]

    def __str__(self) -> str:
        return f"unit {self.segment_id} (k={self.planned_coders})"


class AssignmentStatus(models.TextChoices):
    OPEN = "open", "Open (in the pool)"
    ASSIGNED = "assigned", "Assigned"
    DONE = "done", "Done"


class Assignment(models.Model):
    # No single-column indexes for project, unit and segment: the composite indexes below start with each
    # (queue, slot_unique, segment_coder), and every claim, code change and "done" updates these rows
    # in indexed columns, so each index is written on every step of the coding loop.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments", db_index=False)
    segment = models.ForeignKey(
        "documents.Segment", on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    order = models.PositiveIntegerField(help_text="The unit's queue order (copied for the claim index).")
    slot = models.PositiveSmallIntegerField()
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(max_length=10, choices=AssignmentStatus.choices)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="Assigned or claimed; renewed by activity."
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "order", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "slot"], name="assignment_slot_unique"),
            models.UniqueConstraint(
                fields=["unit", "coder"],
                condition=Q(coder__isnull=False),
                name="assignment_one_slot_per_coder",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=AssignmentStatus.OPEN,
                    coder__isnull=True,
                    claimed_at__isnull=True,
                    done_at__isnull=True,
                )
                | Q(status=AssignmentStatus.ASSIGNED, coder__isnull=False, done_at__isnull=True)
                | Q(status=AssignmentStatus.DONE, coder__isnull=False, done_at__isnull=False),
                name="assignment_status_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "coder", "status", "order"], name="assignment_queue_idx"),
            # In claim order (order, slot), so that a claim reads the first open slots rather than sorting
            # every open slot of the pool.
            models.Index(
                fields=["project", "order", "slot"],
                condition=Q(status="open"),
                name="assignment_pool_open_idx",
            ),
            models.Index(
                fields=["project", "claimed_at"], condition=Q(status="assigned"), name="assignment_claims_idx"
            ),
            models.Index(fields=["segment", "coder"], name="assignment_segment_coder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.segment_id}/{self.slot}:{self.coder_id or '-'} {self.status}"
