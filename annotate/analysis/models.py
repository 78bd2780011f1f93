"""Agreement and saturation runs: the record of every computation a PI can cite.

Each run stores what was asked (``params``), what it was computed from (``snapshot``: time, codebook
version, counts and a hash of the input, so a number in a paper can be traced and recomputed), its status
and progress, the result and any error. At most one *automatic* run per project and kind is pending at a
time (a partial unique index), which is how a burst of codings leads to a handful of runs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotate.core.models import BackgroundJob, JobStatus


class AnalysisRun(BackgroundJob):
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    automatic = models.BooleanField(default=False, help_text="Scheduled after coding, not requested.")
    snapshot = models.JSONField(null=True, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class AgreementRun(AnalysisRun):
    KIND = "agreement"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(automatic=True, status=JobStatus.PENDING),
                name="agreement_one_pending_automatic_run",
            )
        ]


class SaturationRun(AnalysisRun):
    KIND = "saturation"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(automatic=True, status=JobStatus.PENDING),
                name="saturation_one_pending_automatic_run",
            )
        ]


class SpanAgreementRun(AnalysisRun):
    """Agreement on character spans (unitizing alphas, optionally Mathet's gamma); requested only."""

    KIND = "span_agreement"

    class Meta:
        ordering = ["-created_at", "-id"]


class AnalysisSettings(models.Model):
    """Per-project choices about who sees analysis results (owners and adjudicators always do)."""

    project = models.OneToOneField("projects.Project", on_delete=models.PROTECT, related_name="+")
    coders_see_agreement = models.BooleanField(
        default=False,
        help_text="Coders and viewers may see aggregate agreement (overall and per-code coefficients only).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"analysis settings of project {self.project_id}"
