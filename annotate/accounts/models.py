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


class ExternalIdentity(TimeStampedModel):
    """An account's identity at an OpenID Connect provider: the provider's ``iss`` and its ``sub`` for the
    person, which never changes (an email address may). Linked on the first single sign-on by verified
    email; every later sign-in finds the account by this pair first."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="external_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    email = models.EmailField(help_text="The verified email the identity was linked by.")
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique"),
            models.UniqueConstraint(fields=["user", "issuer"], name="external_identity_one_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer} for {self.user_id}"


class AccountAction(models.TextChoices):
    SSO_LINKED = "sso.linked", "Identity linked"
    SSO_ACCOUNT_CREATED = "sso.account_created", "Account created by single sign-on"
    PASSWORD_LINK_ISSUED = "password.link_issued", "Set-password link issued"


class AccountEvent(models.Model):
    """The instance-level trail of what happened to accounts (the project trail, ``annotate.audit``,
    records what happened in a project): who did it, to whom, and the details."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, choices=AccountAction.choices)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="account_event_user_idx")]

    def __str__(self) -> str:
        return f"{self.action} of {self.user_id}"
