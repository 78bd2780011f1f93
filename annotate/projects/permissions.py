"""Project roles as DRF permissions: the one place that decides who may call what.

Each project-scoped API declares ``roles``: a mapping from HTTP method to the roles allowed. A user who is
not a member of the project gets 404 (existence does not leak); a member without the role gets 403.
"""

from rest_framework.permissions import BasePermission

from .models import Role
from .selectors import membership_for_request

MEMBERS = frozenset(Role.values)
OWNERS = frozenset({Role.OWNER})
ANALYSTS = frozenset({Role.OWNER, Role.ADJUDICATOR})
CODERS = frozenset({Role.OWNER, Role.ADJUDICATOR, Role.CODER})

READ_MEMBERS_WRITE_OWNERS = {"GET": MEMBERS, "POST": OWNERS, "PATCH": OWNERS, "PUT": OWNERS, "DELETE": OWNERS}


class ProjectRolePermission(BasePermission):
    message = "Your role in this project does not allow this."

    def has_permission(self, request, view):
        project_id = view.kwargs.get("project_id")
        if project_id is None:
            return True
        membership = membership_for_request(request, project_id)  # raises NotFound for non-members
        allowed = getattr(view, "roles", {}).get(request.method)
        if request.method in ("HEAD", "OPTIONS"):
            allowed = view.roles.get("GET", MEMBERS)
        return allowed is not None and membership.role in allowed
