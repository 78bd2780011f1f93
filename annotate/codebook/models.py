from django.conf import settings
from django.db import models
from django.db.models import Q

from annotate.core.models import TimeStampedModel


class Codebook(TimeStampedModel):
    project = models.OneToOneField("projects.Project", on_delete=models.PROTECT, related_name="codebook")
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Code(TimeStampedModel):
    """A code (or, at the top level, a theme), with the structured fields of MacQueen et al. (1998)."""

    codebook = models.ForeignKey(Codebook, on_delete=models.PROTECT, related_name="codes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    inclusion = models.TextField(blank=True)
    exclusion = models.TextField(blank=True)
    typical_example = models.TextField(blank=True)
    atypical_example = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#4e79a7")
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["codebook", "parent", "name"],
                condition=Q(parent__isnull=False),
                name="code_name_unique_among_siblings",
            ),
            models.UniqueConstraint(
                fields=["codebook", "name"],
                condition=Q(parent__isnull=True),
                name="code_name_unique_among_top_level",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="code_name_not_empty"),
            models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"), name="code_colour_hex"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="code_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class CodebookVersion(models.Model):
    """An immutable snapshot of the codebook. Every coding records the version it was made under; the
    database rejects updates and deletes of a version (migration 0002)."""

    codebook = models.ForeignKey(Codebook, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(blank=True)
    snapshot = models.JSONField(help_text="Every code's fields as they stood in this version.")

    class Meta:
        ordering = ["codebook_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "number"], name="codebook_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="codebook_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"
