"""API token authentication (``Authorization: Token <key>``) over the users' named tokens, which are stored
as SHA-256 hashes (``ApiToken``); it also reads the caller's membership of the project in the URL.

Every project-scoped API needs both the token's user and their membership (``ProjectRolePermission``);
reading them in one hand-written query saves a round trip on every request, which the coding loop makes
several times a minute per coder (``annotate.core.sql``). Behaviour is DRF's ``TokenAuthentication``:
the same header, the same errors, inactive users and revoked tokens refused.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from annotate.core.sql import columns, execute_batch, instance_from_row
from annotate.projects.selectors import MEMBERSHIP_COLUMNS, membership_from_row, membership_remember

from .models import ApiToken
from .services import key_hash


class TokenAuthentication(authentication.TokenAuthentication):
    model = ApiToken

    def authenticate(self, request):
        kwargs = (getattr(request, "parser_context", None) or {}).get("kwargs") or {}
        self._project_id = kwargs.get("project_id")
        self._membership = None
        result = super().authenticate(request)
        if result is not None and self._project_id is not None:
            membership_remember(request, self._project_id, self._membership)
        return result

    def authenticate_credentials(self, key):
        if self._project_id is None:
            token = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=key_hash(key), revoked_at__isnull=True)
                .first()
            )
            if token is None:
                raise exceptions.AuthenticationFailed(_("Invalid token."))
            if not token.user.is_active:
                raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
            return token.user, token
        User = get_user_model()
        with connection.cursor() as cursor:
            (rows,) = execute_batch(  # prepared once per connection (annotate.core.sql)
                cursor,
                [
                    (
                        f"SELECT t.id, {columns(User, 'u')}, {MEMBERSHIP_COLUMNS} "  # noqa: S608
                        "FROM accounts_apitoken t JOIN auth_user u ON u.id = t.user_id "
                        "LEFT JOIN projects_membership m ON m.user_id = u.id AND m.project_id = %s "
                        "LEFT JOIN projects_project p ON p.id = m.project_id "
                        "WHERE t.key_hash = %s AND t.revoked_at IS NULL",
                        [int(self._project_id), key_hash(key)],
                    )
                ],
            )
        row = rows[0] if rows else None
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        users = len(User._meta.concrete_fields)
        user = instance_from_row(User, row[1 : 1 + users])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if row[1 + users] is not None:  # the membership's id: a member of the project
            self._membership = membership_from_row(row[1 + users :])
            self._membership.user = user
        return user, ApiToken(id=row[0], user=user)
