"""The adjudicated coding: one current decision per unit, with its provenance, and its final codes.

- ``Decision``: how one unit's final set of codes came about (an adjudicator's choice, a unanimous or
  majority set accepted in bulk, or a single coder's set entered as it is). Decisions are never changed,
  except that a revision clears ``is_current`` of the decision it ``supersedes``: the chain of revisions
  is the record (and every decision has its audit event).
- ``FinalCoding``: one code of a decision's final set, on the segment or on a span of it.
- ``AdjudicationSettings``: a project's adjudication options (kept here so the projects app isn't touched).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from annotate.core.models import TimeStampedModel


class Provenance(models.TextChoices):
    UNANIMOUS = "unanimous", "Unanimous"
    MAJORITY = "majority", "Majority"
    ADJUDICATED = "adjudicated", "Adjudicated"
    SINGLE_CODED = "single_coded", "Single-coded"


class Method(models.TextChoices):
    ACCEPT_CODER = "accept_coder", "One coder's version accepted"
    UNION = "union", "Union of the coders' sets"
    INTERSECTION = "intersection", "Intersection of the coders' sets"
    CUSTOM = "custom", "A set written by the adjudicator"
    UNANIMOUS = "unanimous", "The coders' unanimous set"
    MAJORITY = "majority", "The set held by at least m coders"
    SINGLE = "single", "The one coder's set"


ADJUDICATOR_METHODS = (Method.ACCEPT_CODER, Method.UNION, Method.INTERSECTION, Method.CUSTOM)


class Decision(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("assignments.Unit", on_delete=models.PROTECT, related_name="decisions")
    segment = models.ForeignKey("documents.Segment", on_delete=models.PROTECT, related_name="+")
    # The person who chose the final set; null for a set that came from the coders (unanimous, majority,
    # single-coded). ``decided_by`` is whoever created the decision, bulk actions included.
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    provenance = models.CharField(max_length=20, choices=Provenance.choices)
    method = models.CharField(max_length=20, choices=Method.choices)
    accepted_coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_with = models.JSONField(
        default=list, blank=True, help_text="Ids of the coders whose set equals the final set."
    )
    coders = models.JSONField(
        default=list, blank=True, help_text="Ids of the coders whose done ratings the decision saw."
    )
    rationale = models.TextField(blank=True)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["unit_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_current=True), name="decision_one_current_per_unit"
            ),
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=Q(supersedes__isnull=False),
                name="decision_revised_once",
            ),
            models.CheckConstraint(
                condition=Q(provenance__in=Provenance.values), name="decision_provenance_valid"
            ),
            models.CheckConstraint(
                condition=Q(provenance=Provenance.ADJUDICATED, method__in=ADJUDICATOR_METHODS)
                | Q(provenance=Provenance.UNANIMOUS, method=Method.UNANIMOUS)
                | Q(provenance=Provenance.MAJORITY, method=Method.MAJORITY)
                | Q(provenance=Provenance.SINGLE_CODED, method=Method.SINGLE),
                name="decision_method_matches_provenance",
            ),
            models.CheckConstraint(
                condition=Q(provenance=Provenance.ADJUDICATED, adjudicator__isnull=False)
                | (~Q(provenance=Provenance.ADJUDICATED) & Q(adjudicator__isnull=True)),
                name="decision_adjudicator_iff_adjudicated",
            ),
            models.CheckConstraint(
                condition=Q(method=Method.ACCEPT_CODER, accepted_coder__isnull=False)
                | (~Q(method=Method.ACCEPT_CODER) & Q(accepted_coder__isnull=True)),
                name="decision_accepted_coder_iff_accept",
            ),
            # A final set that equals no coder's set needs a reason (the service also refuses blanks).
            models.CheckConstraint(
                condition=~Q(provenance=Provenance.ADJUDICATED, agreed_with=[]) | ~Q(rationale=""),
                name="decision_rationale_when_differs",
            ),
            models.CheckConstraint(condition=~Q(supersedes=F("id")), name="decision_not_superseding_itself"),
        ]
        indexes = [models.Index(fields=["project", "is_current"], name="decision_project_current_idx")]

    def __str__(self) -> str:
        return f"decision {self.pk} on unit {self.unit_id} ({self.provenance})"


class FinalCoding(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="final_codings")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")
    segment = models.ForeignKey("documents.Segment", on_delete=models.PROTECT, related_name="+")
    code = models.ForeignKey("codebook.Code", on_delete=models.PROTECT, related_name="+")
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["decision_id", "code_id", "span_start", "span_end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(span_start__isnull=True, span_end__isnull=True)
                | Q(span_start__isnull=False, span_end__isnull=False, span_end__gt=F("span_start")),
                name="final_coding_span_both_or_neither_and_not_empty",
            ),
            models.UniqueConstraint(
                fields=["decision", "code"],
                condition=Q(span_start__isnull=True),
                name="final_coding_one_segment_level_per_code",
            ),
            models.UniqueConstraint(
                fields=["decision", "code", "span_start", "span_end"],
                condition=Q(span_start__isnull=False),
                name="final_coding_one_per_code_span",
            ),
        ]
        indexes = [models.Index(fields=["project", "segment"], name="final_coding_project_seg_idx")]

    def __str__(self) -> str:
        return f"{self.code_id}@{self.segment_id} (decision {self.decision_id})"


class AdjudicationSettings(TimeStampedModel):
    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, related_name="adjudication_settings"
    )
    hide_coder_names = models.BooleanField(
        default=False, help_text="Show coders to the adjudicator as 'Coder A/B/C'."
    )
    adjudicator_may_adjudicate_own_units = models.BooleanField(
        default=False, help_text="Let an adjudicator decide units they coded themselves."
    )

    def __str__(self) -> str:
        return f"adjudication settings of project {self.project_id}"
