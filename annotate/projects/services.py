"""Writes of projects and memberships; each writes its audit event in the same transaction."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from annotate.audit.services import audit_record, snapshot
from annotate.core.exceptions import ApplicationError
from annotate.core.locks import lock_row
from annotate.core.signals import send_and_collect

from .models import Membership, Project, Role
from .signals import member_work_released, project_created

PROJECT_FIELDS = ["name", "description", "coders_may_reopen"]


def project_create(*, creator, name: str, description: str = "") -> Project:
    """Create a project; its creator becomes its first owner. The apps built on projects add what a new
    project needs (its codebook) through ``signals.project_created``, in this transaction."""
    with transaction.atomic():
        project = Project(name=name, description=description, created_by=creator)
        project.full_clean()
        project.save()
        audit_record(
            project_id=project.id,
            actor=creator,
            action="project.create",
            obj=project,
            after=snapshot(project, fields=PROJECT_FIELDS),
        )
        _membership_create(project=project, user=creator, role=Role.OWNER, actor=creator)
        project_created.send(sender=Project, project=project, actor=creator)  # e.g. its codebook
    return project


def project_update(*, project: Project, actor, data: dict) -> Project:
    with transaction.atomic():
        project = lock_row(Project, project.pk)
        before = snapshot(project, fields=PROJECT_FIELDS)
        for field in PROJECT_FIELDS:
            if field in data:
                setattr(project, field, data[field])
        project.full_clean()
        project.save()
        after = snapshot(project, fields=PROJECT_FIELDS)
        if after != before:
            audit_record(
                project_id=project.id,
                actor=actor,
                action="project.update",
                obj=project,
                before=before,
                after=after,
            )
    return project


def _membership_create(*, project: Project, user, role: str, actor) -> Membership:
    membership = Membership(project=project, user=user, role=role)
    membership.full_clean(validate_unique=False)
    membership.save()
    audit_record(
        project_id=project.id,
        actor=actor,
        action="membership.create",
        obj=membership,
        after={"user": user.pk, "username": user.username, "role": role},
    )
    return membership


def membership_add(*, project: Project, actor, username: str, role: str) -> Membership:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ApplicationError(f"No user is called {username!r}; ask them to create an account first.")
    if role not in Role.values:
        raise ApplicationError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    with transaction.atomic():
        if Membership.objects.filter(project=project, user=user).exists():
            raise ApplicationError(
                f"{username} is already a member of this project; change their role instead.", status=409
            )
        return _membership_create(project=project, user=user, role=role, actor=actor)


def membership_join(*, project: Project, user, role: str) -> Membership:
    """``user`` joins ``project`` by accepting an invitation (the caller records the invitation's event).
    Runs in the caller's transaction."""
    if Membership.objects.filter(project=project, user=user).exists():
        raise ApplicationError("You are already a member of this project.", status=409)
    return _membership_create(project=project, user=user, role=role, actor=user)


def _ensure_an_owner_remains(project_id: int, leaving: Membership) -> None:
    if (
        leaving.role == Role.OWNER
        and not Membership.objects.filter(project_id=project_id, role=Role.OWNER)
        .exclude(pk=leaving.pk)
        .exists()
    ):
        raise ApplicationError("A project needs at least one owner; make someone else owner first.")


def membership_change_role(*, membership: Membership, actor, role: str) -> Membership:
    if role not in Role.values:
        raise ApplicationError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    with transaction.atomic():
        membership = lock_row(Membership, membership.pk, what="member")
        if membership.role == role:
            return membership
        if role != Role.OWNER:
            _ensure_an_owner_remains(membership.project_id, membership)
        before = {"user": membership.user_id, "role": membership.role}
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        audit_record(
            project_id=membership.project_id,
            actor=actor,
            action="membership.update",
            obj=membership,
            before=before,
            after={"user": membership.user_id, "role": role},
        )
    return membership


def membership_remove(*, membership: Membership, actor) -> dict:
    """Remove a member. Their codings stay (they are part of the research record); their unfinished units
    go back to the plan (``member_work_released``), in this transaction. Returns what was released."""
    with transaction.atomic():
        membership = lock_row(Membership, membership.pk, what="member")
        _ensure_an_owner_remains(membership.project_id, membership)
        released = send_and_collect(
            member_work_released,
            sender=Membership,
            project_id=membership.project_id,
            user=membership.user,
            actor=actor,
            reason="removed from the project",
            leaves=True,
        )
        before = {"user": membership.user_id, "role": membership.role}
        audit_record(
            project_id=membership.project_id,
            actor=actor,
            action="membership.delete",
            obj=membership,
            before=before,
            after={k: v for k, v in released.items() if v} or None,
        )
        membership.delete()
    return released


def membership_work_release_all(*, user, actor, reason: str) -> dict:
    """Release a user's unfinished units in every project they belong to (their account is deactivated);
    they stay members. Must run inside the caller's transaction."""
    released: dict = {}
    for project_id in Membership.objects.filter(user=user).values_list("project_id", flat=True):
        counts = send_and_collect(
            member_work_released,
            sender=Membership,
            project_id=project_id,
            user=user,
            actor=actor,
            reason=reason,
            leaves=False,
        )
        released[project_id] = counts
    return released


def project_release(*, project: Project, actor) -> Project:
    """End blind coding for the whole project: from now on every member sees every coding.

    Idempotent: releasing a released project changes nothing and records nothing."""
    with transaction.atomic():
        project = lock_row(Project, project.pk)
        if project.codings_released_at is not None:
            return project
        project.codings_released_at = timezone.now()
        project.save(update_fields=["codings_released_at", "updated_at"])
        audit_record(
            project_id=project.id,
            actor=actor,
            action="project.release",
            obj=project,
            before={"codings_released_at": None},
            after={"codings_released_at": project.codings_released_at},
        )
    return project
