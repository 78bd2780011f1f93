"""Invitations to a project and personal API tokens. Both are bearer secrets: only a SHA-256 of each is
stored, so a copy of the database opens nothing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from annotate.core.models import TimeStampedModel
from annotate.projects.models import Role


class InvitationState(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class Invitation(TimeStampedModel):
    """An owner's invitation of one email address to a project, with a role. Its link is single-use,
    expires (``INTERCODER_INVITATION_DAYS``) and can be revoked; resending replaces the link."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the link's secret.")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(help_text="When the current link was made (created or resent).")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True, accepted_by__isnull=True)
                | Q(accepted_at__isnull=False, accepted_by__isnull=False),
                name="invitation_accepted_by_someone",
            ),
        ]
        indexes = [models.Index(fields=["project", "sent_at"], name="invitation_sent_idx")]

    def __str__(self) -> str:
        return f"{self.email} to {self.project_id} as {self.role}"

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING


class ApiToken(TimeStampedModel):
    """A named API token a user made for a script. The key is shown once, when made; ``prefix`` (its
    first characters) lets the user tell their tokens apart in the list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="api_token_name_not_empty")]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user_id}"
