"""Reads of projects and memberships, always scoped to the requesting user."""

from django.db import connection
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from annotate.core.sql import columns, instance_from_row

from .models import Membership, Project


def project_list_for_user(*, user) -> QuerySet[Project]:
    return Project.objects.filter(memberships__user=user).distinct().order_by("-created_at")


def membership_get(*, user, project_id: int) -> Membership:
    """The user's membership, or NotFound: a non-member cannot tell a hidden project from a missing one."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound("Project not found.")
    # Every project-scoped request runs this: one hand-written query (annotate.core.sql), not the ORM's.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {MEMBERSHIP_COLUMNS} "  # noqa: S608
            "FROM projects_membership m JOIN projects_project p ON p.id = m.project_id "
            "WHERE m.user_id = %s AND m.project_id = %s",
            [user.pk, project_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound("Project not found.")
    return membership_from_row(row)


MEMBERSHIP_COLUMNS = f"{columns(Membership, 'm')}, {columns(Project, 'p')}"


def membership_from_row(row) -> Membership:
    """A membership with its project, from the values of ``MEMBERSHIP_COLUMNS``."""
    width = len(Membership._meta.concrete_fields)
    membership = instance_from_row(Membership, row[:width])
    membership.project = instance_from_row(Project, row[width:])
    return membership


def membership_for_request(request, project_id: int) -> Membership:
    """Memoised per request, so permission checks and views share one query (token authentication reads
    it with the token: ``membership_remember``)."""
    cache = request.__dict__.setdefault("_intercoder_memberships", {})
    if int(project_id) not in cache:
        cache[int(project_id)] = membership_get(user=request.user, project_id=int(project_id))
    membership = cache[int(project_id)]
    if membership is None:
        raise NotFound("Project not found.")
    return membership


def membership_remember(request, project_id: int, membership: Membership | None) -> None:
    """Record the caller's membership of a project (None: not a member) for ``membership_for_request``."""
    request.__dict__.setdefault("_intercoder_memberships", {})[int(project_id)] = membership


def project_get_for_user(*, user, project_id: int) -> Project:
    return membership_get(user=user, project_id=project_id).project


def membership_list(*, project_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(project_id=project_id)
        .select_related("user")
        .order_by("role", "user__username")
    )
