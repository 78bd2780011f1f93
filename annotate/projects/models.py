from django.conf import settings
from django.db import models

from annotate.core.models import TimeStampedModel


class Role(models.TextChoices):
    OWNER = "owner", "Owner (PI)"
    ADJUDICATOR = "adjudicator", "Adjudicator"
    CODER = "coder", "Coder"
    VIEWER = "viewer", "Viewer"


class Project(TimeStampedModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Blind coding ends here: once set (by ``project_release``), every member sees every coding and
    # segment memo. Until then a coder sees only their own (annotate.coding.selectors).
    codings_released_at = models.DateTimeField(null=True, blank=True)
    # Whether a coder may take back a unit they submitted to change its codes (until it is adjudicated).
    # A PI who wants every submission final, e.g. once agreement has been reported, turns it off.
    coders_may_reopen = models.BooleanField(default=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=~models.Q(name=""), name="project_name_not_empty")]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user's one role in one project. A user may be a member of many projects."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_one_per_user_and_project"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.project_id} as {self.role}"
