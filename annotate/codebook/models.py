import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

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
    guid = models.UUIDField(
        default=uuid.uuid4, editable=False, help_text="Stable identity in REFI-QDA exchange files."
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_codes",
        help_text="Set when this code was merged into another (it is then inactive).",
    )
    split_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="split_codes",
        help_text="Set on the codes a split created: the code they were split from.",
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "guid"], name="code_guid_unique_in_codebook"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(is_active=False), name="code_merged_is_inactive"
            ),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="code_not_merged_into_itself"),
            models.CheckConstraint(condition=~Q(split_from=F("id")), name="code_not_split_from_itself"),
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
            models.CheckConstraint(condition=~Q(parent=F("id")), name="code_not_own_parent"),
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


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    MERGED = "merged", "Merged into an existing code"
    REJECTED = "rejected", "Rejected"


class CodeProposal(TimeStampedModel):
    """A coder's proposal of a new code during a thematic pass, and the PI's decision on it.

    Accepted: ``code`` is the code it became. Merged: ``code`` is the existing code it was folded into.
    Rejected or pending: no code. A decision has a decider, a time and a note.
    """

    codebook = models.ForeignKey(Codebook, on_delete=models.PROTECT, related_name="proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    definition = models.TextField()
    segment = models.ForeignKey(
        "documents.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The segment that prompted the proposal.",
    )
    parent = models.ForeignKey(Code, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    code = models.ForeignKey(Code, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="code_proposal_status_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="code_proposal_name_not_empty"),
            models.CheckConstraint(condition=~Q(definition=""), name="code_proposal_definition_not_empty"),
            models.CheckConstraint(
                condition=(
                    Q(status=ProposalStatus.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                    & Q(decision_note="")
                )
                | (
                    ~Q(status=ProposalStatus.PENDING)
                    & Q(decided_by__isnull=False, decided_at__isnull=False)
                    & ~Q(decision_note="")
                ),
                name="code_proposal_decided_iff_not_pending",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[ProposalStatus.ACCEPTED, ProposalStatus.MERGED], code__isnull=False)
                | Q(status__in=[ProposalStatus.PENDING, ProposalStatus.REJECTED], code__isnull=True),
                name="code_proposal_code_iff_accepted_or_merged",
            ),
        ]
        indexes = [models.Index(fields=["codebook", "status"], name="code_proposal_status_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"
