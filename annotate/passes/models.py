"""A secondary pass: a project of its own (its codebook of themes, plan, codings, agreement, saturation,
adjudication and exports, all the primary pass's machinery unchanged) whose transcripts hold the passages
of one code of a parent project. This row is the link; ``Passage`` maps each of its segments back to the
parent's segment it was copied from."""

from django.conf import settings
from django.db import models

from annotate.core.models import TimeStampedModel


class SecondaryPass(TimeStampedModel):
    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, related_name="secondary_pass_of"
    )
    parent_project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="secondary_passes"
    )
    parent_code = models.ForeignKey(
        "codebook.Code", on_delete=models.PROTECT, related_name="secondary_passes"
    )
    name = models.CharField(max_length=200, help_text="The pass's name when it was opened.")
    query = models.JSONField(help_text="The retrieval whose passages were copied: codes, filters, source.")
    query_title = models.CharField(max_length=500, help_text="The retrieval in words, e.g. the code's path.")
    source = models.CharField(max_length=30, help_text="Which codings of the parent chose the passages.")
    passage_count = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One name per code: a second click on "Start" (or a second request) is refused, not doubled.
            models.UniqueConstraint(
                fields=["parent_code", "name"], name="secondary_pass_name_unique_per_code"
            ),
            models.CheckConstraint(
                condition=~models.Q(project=models.F("parent_project")),
                name="secondary_pass_not_its_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"pass {self.project_id} of code {self.parent_code_id} in {self.parent_project_id}"


class Passage(models.Model):
    """A segment of the pass (``segment``) and the parent's segment it was copied from."""

    secondary_pass = models.ForeignKey(SecondaryPass, on_delete=models.CASCADE, related_name="passages")
    segment = models.OneToOneField("documents.Segment", on_delete=models.CASCADE, related_name="+")
    source_segment = models.ForeignKey("documents.Segment", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["secondary_pass", "source_segment"], name="passage_copied_once_per_pass"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.segment_id} from {self.source_segment_id}"
